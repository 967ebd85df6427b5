/**
 * `linkerd-slo backfill` (docs/backfill.md): the recording rules' history over a range, computed from
 * the raw series the way the backtest replays alerts, and written as OpenMetrics for
 * `promtool tsdb create-blocks-from openmetrics`.
 *
 * Each recording rule runs as range queries on its group's evaluation grid, its expression with the
 * recordings it reads expanded (expand-recordings.ts): a roll-up or tiled window reading another recording gets,
 * at each evaluation, what that recording stored there, as the live rule engine (which evaluates a
 * group's rules in order at each step) would have. The result is what the rule stores
 * (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/): the expression's
 * series renamed to `record`, the rule's static labels set over the result's.
 *
 * Alerting rules are not backfilled: ALERTS and ALERTS_FOR_STATE are the rule manager's state, which
 * a block cannot restore, and past alerts were never sent (docs/backfill.md).
 */
import { inline, type Expr } from '../promql/ast.js';
import { parseDuration } from '../promql/number.js';
import { isAlert, type RecordingRule, type RuleGroup } from '../rules.js';
import { EXIT, UserError } from '../errors.js';
import { recordingExpander } from './expand-recordings.js';
import { chunksOf, gridStart, pointsIn, PROMETHEUS_MAX_POINTS, samplesOver, type Plan, type PlannedQuery, type PlanOptions, type Series } from './replay.js';

export interface BackfillPlan {
  /** The range queries, one per recording rule (chunked), as replay() runs them. */
  readonly plan: Plan;
  /** The rule of each planned query (same index). */
  readonly rules: readonly RecordingRule[];
  /** Recording names, sorted: the OpenMetrics families, each written once. */
  readonly families: readonly string[];
  readonly alertingRulesSkipped: number;
}

/** A plan over --max-queries: refused while it is counted, before its chunks take memory. */
export class BackfillTooLarge extends UserError {
  constructor(queries: number, max: number) {
    super(`the backfill needs at least ${queries} range queries, more than --max-queries ${max}; shorten the range (--from, --to), raise --max-points (see --dry-run) or raise --max-queries`, EXIT.config);
  }
}

export function planBackfill(groups: readonly RuleGroup[], opts: PlanOptions): BackfillPlan {
  if (!(opts.to > opts.from)) throw new Error('the backfill range is empty');
  const maxPoints = Math.min(opts.maxPointsPerQuery ?? PROMETHEUS_MAX_POINTS, PROMETHEUS_MAX_POINTS);
  const recordings = groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r)));
  const expander = recordingExpander(recordings, opts.step);
  const scrape = opts.scrapeIntervalSeconds ?? 30;
  const queries: PlannedQuery[] = [];
  const rules: RecordingRule[] = [];
  let counted = 0;
  let alertingRulesSkipped = 0;
  for (const g of groups) {
    const step = g.interval ? parseDuration(g.interval) : opts.step;
    for (const rule of g.rules) {
      if (isAlert(rule)) {
        alertingRulesSkipped++;
        continue;
      }
      // Counted arithmetically first, as the backtest does: a huge range is refused before its chunks exist.
      counted += Math.ceil((Math.floor((opts.to - gridStart(opts.from, step)) / step) + 1) / maxPoints);
      if (opts.maxQueries !== undefined && counted > opts.maxQueries) throw new BackfillTooLarge(counted, opts.maxQueries);
      const expanded: Expr = expander.expand(rule.expr);
      const chunks = chunksOf(opts.from, opts.to, step, maxPoints);
      queries.push({
        purpose: `record ${rule.record}${staticLabelsText(rule)}`,
        expr: inline(expanded),
        step,
        chunks,
        points: chunks.reduce((n, c) => n + pointsIn(c, step), 0),
        samplesPerSeries: Math.round(chunks.reduce((n, c) => n + samplesOver(expanded, c[1] - c[0], step, scrape), 0)),
      });
      rules.push(rule);
    }
  }
  const evaluations = Math.floor((opts.to - gridStart(opts.from, opts.step)) / opts.step) + 1;
  const plan: Plan = {
    from: opts.from,
    to: opts.to,
    step: opts.step,
    evaluations,
    alerts: [],
    queries,
    totals: {
      queries: queries.reduce((n, q) => n + q.chunks.length, 0),
      points: queries.reduce((n, q) => n + q.points, 0),
      samplesPerSeries: queries.reduce((n, q) => n + q.samplesPerSeries, 0),
    },
  };
  return { plan, rules, families: [...new Set(rules.map((r) => r.record))].sort(), alertingRulesSkipped };
}

function staticLabelsText(rule: RecordingRule): string {
  const labels = Object.entries(rule.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return labels.length ? `{${labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}` : '';
}

/** The plan restricted to one family's rules: replayed and written one family at a time, so memory holds one family. */
export function familyPlan(bp: BackfillPlan, family: string): { plan: Plan; rules: RecordingRule[] } {
  const idx = bp.rules.map((r, i) => (r.record === family ? i : -1)).filter((i) => i >= 0);
  return { plan: { ...bp.plan, queries: idx.map((i) => bp.plan.queries[i]!) }, rules: idx.map((i) => bp.rules[i]!) };
}

/**
 * What a recording rule stores from its expression's series: the name replaced by `record`, the
 * static labels set over the result's (an empty static value removes the label, as in Prometheus).
 */
function recordedLabels(rule: RecordingRule, metric: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...labels } = metric;
  for (const [k, v] of Object.entries(rule.labels ?? {})) {
    if (v === '') delete labels[k];
    else labels[k] = v;
  }
  return { __name__: rule.record, ...labels };
}

/** One family's series from its rules' query results (per rule, as replay() returns them), merged by label set. */
export function recordedSeries(rules: readonly RecordingRule[], results: ReadonlyArray<readonly Series[]>): Series[] {
  const out = new Map<string, Series>();
  rules.forEach((rule, i) => {
    for (const s of results[i] ?? []) {
      const labels = recordedLabels(rule, s.labels);
      const key = seriesKey(labels);
      const into = out.get(key) ?? { labels, points: new Map<number, number>() };
      for (const [t, v] of s.points) into.points.set(t, v);
      out.set(key, into);
    }
  });
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

// ---- OpenMetrics ------------------------------------------------------------------------------

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value inside double quotes: backslash, quote and line feed escaped (OpenMetrics 1.0, ABNF `escaped-string`). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` without the name, labels sorted: the series' text and its sort key. */
function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [k] of pairs) {
    // Prometheus 3 allows any UTF-8 label name; OpenMetrics 1.0 (what promtool reads) does not.
    if (!LABEL_NAME.test(k)) throw new UserError(`a recorded series has the label name ${JSON.stringify(k)}, which OpenMetrics 1.0 cannot carry; nothing was written`, EXIT.prometheus);
  }
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : '';
}

const seriesKey = (labels: Record<string, string>) => labelText(labels);

/** A sample value as OpenMetrics writes it: the shortest decimal that reads back as the same float. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** One family: `# TYPE name gauge`, then each series' samples in time order (seconds); series sorted by their labels. */
export function openMetricsFamily(name: string, series: readonly Series[]): string {
  const lines = [`# TYPE ${name} gauge`];
  for (const s of series) {
    const head = `${name}${labelText(s.labels)} `;
    for (const t of [...s.points.keys()].sort((a, b) => a - b)) lines.push(`${head}${formatValue(s.points.get(t)!)} ${t}`);
  }
  return `${lines.join('\n')}\n`;
}

export const OPENMETRICS_EOF = '# EOF\n';
