/**
 * The backtest's query plan and its replay against a Prometheus: every alerting rule's expression,
 * recordings expanded (expand-recordings.ts), as range queries on the evaluation grid, then Prometheus' alert state machine.
 *
 * Load on the user's Prometheus is bounded and known before anything is sent:
 *   - a range query returns at most 11,000 points per series (Prometheus' limit, web/api/v1/api.go);
 *     long ranges are split into chunks of at most `maxPointsPerQuery` evaluations on the same grid;
 *   - at most `concurrency` queries run at once (default 2);
 *   - a query that times out (or loads too many samples) is retried as two halves, down to
 *     MIN_CHUNK_POINTS evaluations; what still fails is listed in the report, never dropped silently.
 */
import { inline, selector, walk, type Expr } from '../promql/ast.js';
import { parseDuration, formatDuration } from '../promql/number.js';
import { isAlert, type AlertingRule, type RecordingRule, type RuleGroup } from '../rules.js';
import { SLI_RECORDINGS } from '../slo/series.js';
import { PrometheusApiError } from '../check/prometheus-client.js';
import { EXIT, UserError } from '../errors.js';
import { recordingExpander } from './expand-recordings.js';
import { alertStates, type StateIntervals } from './semantics.js';

/** Prometheus refuses range queries of more points per series (web/api/v1/api.go, "exceeded maximum resolution"). */
export const PROMETHEUS_MAX_POINTS = 11_000;
const MIN_CHUNK_POINTS = 60;

export interface RangeClient {
  queryRange(expr: string, start: number, end: number, step: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, number]> }>>;
}

/** `X > k` parts of an alert `A and B and …`: the burn rate (or request count) each compares, and its threshold. */
interface Clause {
  readonly expr: Expr;
  readonly threshold: number;
  readonly op: '>' | '>=';
  /** For `ratio / budget > factor`: the budget (1 - objective); what-if objectives scale this clause. */
  readonly budget?: number;
}

export interface PlannedQuery {
  /** What the query is for: `alert <name> <labels>`, `clause …`, `errors`, `requests`. */
  readonly purpose: string;
  readonly alertIndex?: number;
  readonly clauseIndex?: number;
  readonly expr: string;
  readonly step: number;
  /** Chunks [start, end] (seconds, on the grid), each at most maxPointsPerQuery evaluations. */
  readonly chunks: ReadonlyArray<readonly [number, number]>;
  readonly points: number;
  /** Rough raw samples read per series of the selectors (scrape interval assumed 30s unless given). */
  readonly samplesPerSeries: number;
}

interface AlertSpec {
  readonly name: string;
  readonly group: string;
  readonly rule: AlertingRule;
  readonly forSeconds: number;
  /** keep_firing_for, seconds (0 when the rule has none). */
  readonly keepFiringForSeconds: number;
  readonly severity: string;
  readonly clauses: readonly Clause[];
}

export interface Plan {
  readonly from: number;
  readonly to: number;
  readonly step: number;
  readonly evaluations: number;
  readonly alerts: readonly AlertSpec[];
  readonly queries: readonly PlannedQuery[];
  readonly totals: { readonly queries: number; readonly points: number; readonly samplesPerSeries: number };
}

export interface PlanOptions {
  readonly from: number;
  readonly to: number;
  /** Evaluation interval (seconds) of groups without their own `interval`. */
  readonly step: number;
  readonly maxPointsPerQuery?: number;
  readonly scrapeIntervalSeconds?: number;
  /** Refuse (before the chunks are built) a plan of more range queries than this. */
  readonly maxQueries?: number;
}

/** A plan over --max-queries: refused while it is counted, before its chunks take memory. */
class PlanTooLarge extends UserError {
  constructor(queries: number, max: number) {
    super(`the backtest needs at least ${queries} range queries, more than --max-queries ${max}; shorten --from, raise --step or --max-points (see --dry-run), or raise --max-queries`, EXIT.config);
  }
}

function clausesOf(e: Expr): Clause[] | undefined {
  const stripped = e.kind === 'paren' ? e.expr : e;
  if (stripped.kind === 'binary' && stripped.op === 'and' && !stripped.matching) {
    const l = clausesOf(stripped.lhs);
    const r = clausesOf(stripped.rhs);
    return l && r ? [...l, ...r] : undefined;
  }
  if (stripped.kind === 'binary' && stripped.op === '>' && !stripped.bool && stripped.rhs.kind === 'number') {
    const x = stripped.lhs;
    const budget = x.kind === 'binary' && x.op === '/' && x.rhs.kind === 'number' ? x.rhs.value : undefined;
    return [{ expr: x, op: '>', threshold: stripped.rhs.value, ...(budget !== undefined ? { budget } : {}) }];
  }
  if (stripped.kind === 'binary' && stripped.op === '>=' && !stripped.bool && stripped.rhs.kind === 'number') {
    return [{ expr: stripped.lhs, op: '>=', threshold: stripped.rhs.value }];
  }
  return undefined;
}

/** Grid times t = k·step covering [from, to]. */
export function gridStart(from: number, step: number): number {
  return Math.ceil(from / step) * step;
}

export function chunksOf(from: number, to: number, step: number, maxPoints: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const first = gridStart(from, step);
  for (let s = first; s <= to; s += maxPoints * step) out.push([s, Math.min(to - ((to - first) % step), s + (maxPoints - 1) * step)]);
  return out;
}

export const pointsIn = (c: readonly [number, number], step: number) => Math.floor((c[1] - c[0]) / step) + 1;

/**
 * Rough samples one output series costs over `span` seconds at `step`: a range selector reads its
 * window at every step; a subquery's inner expression is evaluated once over the span plus its range
 * at the subquery's step (Prometheus evaluates it once per range query, not once per step).
 */
export function samplesOver(e: Expr, span: number, step: number, scrape: number): number {
  let samples = 0;
  walk(e, (node, ancestors) => {
    if (node.kind !== 'selector') return;
    // Inside subqueries: evaluated over the span plus every enclosing subquery's range, at the innermost one's step.
    let over = span;
    let every = step;
    for (const a of ancestors) {
      if (a.kind !== 'subquery') continue;
      over += parseDuration(a.range);
      every = parseDuration(a.step);
    }
    samples += (Math.floor(over / every) + 1) * (node.range ? parseDuration(node.range) / scrape : 1);
  });
  return samples;
}

export function planBacktest(groups: readonly RuleGroup[], opts: PlanOptions): Plan {
  const maxPoints = Math.min(opts.maxPointsPerQuery ?? PROMETHEUS_MAX_POINTS, PROMETHEUS_MAX_POINTS);
  if (!(opts.to > opts.from)) throw new Error('the backtest range is empty');
  const recordings = groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r)));
  const expander = recordingExpander(recordings, opts.step);
  const scrape = opts.scrapeIntervalSeconds ?? 30;
  const queries: PlannedQuery[] = [];
  const alerts: AlertSpec[] = [];
  let counted = 0;
  const add = (purpose: string, e: Expr, step: number, extra: { alertIndex?: number; clauseIndex?: number } = {}, warmup = 0) => {
    // Counted arithmetically first: `--from 100000y --step 1s` would otherwise build billions of chunks.
    counted += Math.ceil((Math.floor((opts.to - gridStart(opts.from - warmup, step)) / step) + 1) / maxPoints);
    if (opts.maxQueries !== undefined && counted > opts.maxQueries) throw new PlanTooLarge(counted, opts.maxQueries);
    const expanded = expander.expand(e);
    const chunks = chunksOf(opts.from - warmup, opts.to, step, maxPoints);
    const points = chunks.reduce((n, c) => n + pointsIn(c, step), 0);
    const samples = chunks.reduce((n, c) => n + samplesOver(expanded, c[1] - c[0], step, scrape), 0);
    queries.push({ purpose, ...extra, expr: inline(expanded), step, chunks, points, samplesPerSeries: Math.round(samples) });
  };
  for (const g of groups) {
    const step = g.interval ? parseDuration(g.interval) : opts.step;
    for (const rule of g.rules) {
      if (!isAlert(rule)) continue;
      const index = alerts.length;
      const clauses = clausesOf(rule.expr) ?? [];
      const name = `${rule.alert}${rule.labels.long ? ` ${rule.labels.long}/${rule.labels.short}` : ''}${rule.labels.component ? ` ${rule.labels.component}` : ''}`;
      alerts.push({ name, group: g.name, rule, forSeconds: rule.for ? parseDuration(rule.for) : 0, keepFiringForSeconds: rule.keepFiringFor ? parseDuration(rule.keepFiringFor) : 0, severity: rule.labels.severity ?? '', clauses });
      // Evaluated from `for` before the range: an alert already pending when the range starts then
      // fires when it would have, not `for` later. Intervals are clipped to the range afterwards.
      const warmup = alerts[index]!.forSeconds + alerts[index]!.keepFiringForSeconds;
      add(`alert ${name}`, rule.expr, step, { alertIndex: index }, warmup);
      // Burn-rate alerts: the value each clause compares, for the peak burn rate and the what-if table.
      if (clauses.some((c) => c.budget !== undefined)) clauses.forEach((c, i) => add(`clause ${i + 1} of ${name}`, c.expr, step, { alertIndex: index, clauseIndex: i }, warmup));
    }
  }
  // Error budget per day: the 5m base rates of every ratio SLO, one sample per 5 minutes (whole tiles).
  if (recordings.some((r) => r.record === SLI_RECORDINGS.errorsRate)) {
    add('errors', selector(SLI_RECORDINGS.errorsRate), 300);
    add('requests', selector(SLI_RECORDINGS.requestsRate), 300);
  }
  const evaluations = pointsIn(chunksOf(opts.from, opts.to, opts.step, Number.MAX_SAFE_INTEGER)[0]!, opts.step);
  return {
    from: opts.from,
    to: opts.to,
    step: opts.step,
    evaluations,
    alerts,
    queries,
    totals: {
      queries: queries.reduce((n, q) => n + q.chunks.length, 0),
      points: queries.reduce((n, q) => n + q.points, 0),
      samplesPerSeries: queries.reduce((n, q) => n + q.samplesPerSeries, 0),
    },
  };
}

export function formatPlan(plan: Plan): string {
  const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  const lines = [
    `backtest plan: ${iso(plan.from)} → ${iso(plan.to)}, evaluation every ${formatDuration(plan.step)} (${plan.evaluations} evaluations)`,
    `  ${plan.totals.queries} range queries, ${plan.totals.points} points per series, about ${plan.totals.samplesPerSeries} raw samples read per series of the selectors`,
    ...plan.queries.map((q) => `  ${q.purpose}: ${q.chunks.length} × query_range step ${formatDuration(q.step)}, ${q.points} points`),
  ];
  return `${lines.join('\n')}\n`;
}

// ---- replay -----------------------------------------------------------------------------------

export type Series = { readonly labels: Record<string, string>; readonly points: Map<number, number> };

export interface QueryFailure {
  readonly purpose: string;
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

export interface ReplayResult {
  readonly plan: Plan;
  /** Per planned query: its series over the whole range. */
  readonly results: ReadonlyArray<readonly Series[]>;
  readonly failures: readonly QueryFailure[];
  readonly stats: { readonly queriesSent: number; readonly pointsRead: number; readonly wallMs: number };
}

/**
 * What a retry with a smaller range can help: Prometheus reported that the query timed out or loaded
 * too many samples, or its answer exceeded the size cap. Not our own deadline: a server that does not
 * answer at all would be asked ever smaller questions for ever (it ends the run with exit 3 instead).
 */
function tooHeavy(err: unknown): boolean {
  if (!(err instanceof PrometheusApiError)) return false;
  return err.kind === 'too-large' || (err.kind === 'query' && /timeout|timed out|too many samples|exceeded maximum resolution/i.test(err.message));
}

export async function replay(plan: Plan, client: RangeClient, opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<ReplayResult> {
  const started = Date.now();
  const results: Array<Map<string, Series>> = plan.queries.map(() => new Map());
  const failures: QueryFailure[] = [];
  let queriesSent = 0;
  let pointsRead = 0;
  let done = 0;
  const tasks = plan.queries.flatMap((q, qi) => q.chunks.map((c) => ({ q, qi, c })));

  const run = async (q: PlannedQuery, qi: number, start: number, end: number): Promise<void> => {
    queriesSent++;
    try {
      const series = await client.queryRange(q.expr, start, end, q.step);
      for (const s of series) {
        const key = JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : 1)));
        let into = results[qi]!.get(key);
        if (!into) results[qi]!.set(key, (into = { labels: s.metric, points: new Map() }));
        for (const [t, v] of s.values) into.points.set(Math.round(t), v);
        pointsRead += s.values.length;
      }
    } catch (err) {
      const points = Math.floor((end - start) / q.step) + 1;
      if (tooHeavy(err) && points > MIN_CHUNK_POINTS) {
        const mid = start + Math.floor(points / 2) * q.step;
        await run(q, qi, start, mid - q.step);
        await run(q, qi, mid, end);
        return;
      }
      if (err instanceof PrometheusApiError && tooHeavy(err)) {
        failures.push({ purpose: q.purpose, start, end, message: err.message });
        return;
      }
      throw err;
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++]!;
      await run(t.q, t.qi, t.c[0], t.c[1]);
      opts.onProgress?.(++done, tasks.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  const sortedResults = results.map((m) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s));
  return { plan, results: sortedResults, failures, stats: { queriesSent, pointsRead, wallMs: Date.now() - started } };
}

export interface AlertOutcome extends StateIntervals {
  readonly alertIndex: number;
  /** Labels of the alert as Prometheus would send it: the expression's result labels, then the rule's. */
  readonly labels: Record<string, string>;
}

/** Every alert's pending and firing intervals per label set. */
export function alertOutcomes(r: ReplayResult): AlertOutcome[] {
  const out: AlertOutcome[] = [];
  const { plan } = r;
  r.plan.queries.forEach((q, qi) => {
    if (q.alertIndex === undefined || q.clauseIndex !== undefined) return;
    const spec = plan.alerts[q.alertIndex]!;
    const evaluations = gridTimes(q.chunks[0]![0], plan.to, q.step);
    for (const s of r.results[qi]!) {
      const states = clipStates(alertStates(evaluations, new Set(s.points.keys()), spec, q.step), plan.from);
      if (!states.pending.length && !states.firing.length) continue;
      const { __name__: _name, ...exprLabels } = s.labels;
      out.push({ alertIndex: q.alertIndex, labels: { ...exprLabels, ...spec.rule.labels, alertname: spec.rule.alert }, ...states });
    }
  });
  return out;
}

/** Intervals of the warm-up before the range dropped, those across its start cut there. */
export function clipStates(states: StateIntervals, from: number): StateIntervals {
  const clip = (list: ReadonlyArray<[number, number]>) => list.filter(([, e]) => e > from).map(([s, e]): [number, number] => [Math.max(s, from), e]);
  return { pending: clip(states.pending), firing: clip(states.firing) };
}

export function gridTimes(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let t = gridStart(from, step); t <= to; t += step) out.push(t);
  return out;
}

/** The clause values of a burn-rate alert, matched by label set, for a what-if threshold. */
export function clauseSeries(r: ReplayResult, alertIndex: number): Array<readonly Series[]> {
  const spec = r.plan.alerts[alertIndex]!;
  return spec.clauses.map((_, ci) => {
    const qi = r.plan.queries.findIndex((q) => q.alertIndex === alertIndex && q.clauseIndex === ci);
    return qi >= 0 ? r.results[qi]! : [];
  });
}

