/**
 * Alert quality per scenario: when each rule set first alerts after a problem starts (detection),
 * how long after recovery it keeps alerting (reset), and whether it alerts at all when it should
 * not (false pages: a short blip, low traffic). Measured on a real Prometheus; compared with the
 * SRE Workbook's burn-rate math applied to the same windows on ideal, continuous traffic.
 *
 * Pipeline (hours of data evaluated in seconds):
 *  1. one simulated mesh per scenario, each under its own `cluster` label, hours of history
 *     written and backfilled with promtool (response_total only);
 *  2. the recording rules the alerts depend on are backfilled with
 *     `promtool tsdb create-blocks-from rules`, level by level (a rule reading another recording
 *     needs that recording in the TSDB first; Prometheus is restarted to load each level's blocks);
 *  3. every alert expression is run through query_range at the evaluation interval, and
 *     Prometheus' `for` semantics (pending → firing after `for`, resolved when the expression is
 *     empty) are applied to the result.
 * Rule sets per scenario are generated for that cluster (the naive and Sloth-shaped selectors get
 * a cluster="…" matcher, as if each scenario had its own Prometheus).
 */
import { spawn } from 'node:child_process';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import {
  LinkerdSimulator, Scenario, backfill, startPrometheus, writeOpenMetricsHistory, type Effect, type RunningPrometheus,
} from '../tools/sim/index.js';
import { validateConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';
import { parseDuration } from '../src/promql/number.js';
import { alertStates } from '../src/backtest/semantics.js';
import { parseRuleFile, recordingLevels, rm, tempDir, type GroupYaml, type RuleYaml } from './common.js';

export interface QualityScenario {
  readonly id: string;
  readonly title: string;
  /** Should a page fire? (per the SLO policy: 2% of the 30d budget within 1h, or 5% within 6h) */
  readonly expectPage: boolean;
  readonly warmupHours: number;
  readonly problemSeconds: number;
  readonly afterHours: number;
  /** Effects, offsets relative to the onset of the problem. */
  readonly effects: (onset: number) => Effect[];
  /** Constant error ratio during the problem (for the Workbook math); undefined: not applicable. */
  readonly errorRatio?: number;
  readonly destinationPerProxy?: number;
  readonly mesh?: { readonly workloadsPerNamespace?: number; readonly podsPerWorkload?: number; readonly retainIdleSeconds?: number };
}

export const SCENARIOS: readonly QualityScenario[] = [
  {
    id: 'outage', title: 'destination down: 100% errors for 30 min', expectPage: true, warmupHours: 6, problemSeconds: 1800, afterHours: 1.5, errorRatio: 1,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 1, from: o, to: o + 1800 }],
  },
  {
    id: 'errors-20pct', title: '20% errors for 30 min (200x burn)', expectPage: true, warmupHours: 6, problemSeconds: 1800, afterHours: 1.5, errorRatio: 0.2,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 0.2, from: o, to: o + 1800 }],
  },
  {
    id: 'errors-5pct', title: '5% errors for 1 h (50x burn)', expectPage: true, warmupHours: 6, problemSeconds: 3600, afterHours: 1.5, errorRatio: 0.05,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 0.05, from: o, to: o + 3600 }],
  },
  {
    id: 'errors-2pct', title: '2% errors for 3 h (20x burn)', expectPage: true, warmupHours: 6, problemSeconds: 3 * 3600, afterHours: 1.5, errorRatio: 0.02,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 0.02, from: o, to: o + 3 * 3600 }],
  },
  {
    id: 'slow-burn', title: '0.5% errors for 8 h (5x burn: ticket, no page)', expectPage: false, warmupHours: 6, problemSeconds: 8 * 3600, afterHours: 1, errorRatio: 0.005,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 0.005, from: o, to: o + 8 * 3600 }],
  },
  {
    id: 'blip', title: 'short blip: 100% errors for 30 s', expectPage: false, warmupHours: 6, problemSeconds: 30, afterHours: 1.5, errorRatio: 1,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 1, from: o, to: o + 30 }],
  },
  {
    id: 'burst', title: 'burst: 20% errors for 3 min', expectPage: false, warmupHours: 6, problemSeconds: 180, afterHours: 1.5, errorRatio: 0.2,
    effects: (o) => [{ kind: 'cp-errors', component: 'destination', ratio: 0.2, from: o, to: o + 180 }],
  },
  {
    // 10 requests an hour to destination's serving port (a small, quiet cluster at night) and one
    // failed request: a 1000x burn on paper, far below the guard's 100 requests per window. An
    // earlier failure (5 h in) created the failure series, and idle eviction is off: with the proxy's
    // default 10 min eviction a failure this sparse is invisible to any rate() (the series appears
    // at 1, which rate() cannot tell from no increase).
    id: 'low-traffic', title: 'low traffic: 10 requests/h, 1 fails', expectPage: false, warmupHours: 6, problemSeconds: 600, afterHours: 1.5,
    destinationPerProxy: 10 / 3600 / 5,
    mesh: { workloadsPerNamespace: 1, podsPerWorkload: 3, retainIdleSeconds: 0 },
    effects: (o) => [
      { kind: 'cp-errors', component: 'destination', ratio: 1, from: o - 3600, to: o - 2900 },
      { kind: 'cp-errors', component: 'destination', ratio: 1, from: o, to: o + 600 },
    ],
  },
];

export type SetId = 'ours' | 'ours-noguard' | 'ours-client' | 'sloth' | 'naive';
export const SET_IDS: readonly SetId[] = ['ours', 'ours-noguard', 'ours-client', 'sloth', 'naive'];

const STEP = 30; // seconds: history resolution and evaluation interval

interface AlertRule {
  readonly set: SetId;
  readonly scenario: string;
  readonly expr: string;
  readonly forSeconds: number;
  /** keep_firing_for of the rule as generated (seconds; 0 when absent). */
  readonly keepFiringForSeconds: number;
  readonly page: boolean;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface QualityRow {
  readonly scenario: string;
  readonly title: string;
  readonly expectPage: boolean;
  readonly set: string;
  /** Seconds from onset to the first page (ours/Sloth: page severity; naive: its only alert). */
  readonly detection?: number;
  /** Seconds from recovery until no page fires any more. */
  readonly reset?: number;
  /** Page episodes in this scenario. */
  readonly pages: number;
  /** Tickets (ours/Sloth), first one after onset. */
  readonly ticketDetection?: number;
  readonly workbook?: { readonly detection?: number; readonly reset?: number; readonly pages: number };
  /**
   * Ours only: the same alert evaluations with each candidate keep_firing_for on the page rules (in
   * place of the generated one): notifications (page episodes) and reset per candidate, in seconds.
   */
  readonly keepFiringFor?: ReadonlyArray<{ readonly seconds: number; readonly pages: number; readonly reset?: number; readonly longestGap?: number }>;
}

/** keep_firing_for values measured for the page rules of ours (seconds): 0 is the engine's default. */
export const KEEP_FIRING_FOR_CANDIDATES: readonly number[] = [0, 300, 600, 900, 1200, 1800];

// ---------------------------------------------------------------------------------------------

function withCluster(selectorText: string, cluster: string): string {
  // Adds cluster="…" to every response_total selector (the only metric these rules read).
  return selectorText.replace(/response_total(\{([^}]*)\}|(?![\w{]))/g, (_m, braces?: string, inner?: string) =>
    braces ? `response_total{cluster="${cluster}",${inner}}` : `response_total{cluster="${cluster}"}`,
  );
}

/**
 * Our rules for destination's success rate in this scenario's cluster. Variants: `default` (server
 * side), `noguard` (server side, lowTraffic.minRequests 0), `client` (client side: every proxy's
 * control_response_total towards destination, the high-cardinality SLI).
 */
function oursFor(cluster: string, variant: 'default' | 'noguard' | 'client'): GroupYaml[] {
  const defaults = validateConfig({ cluster }, 'q.yaml') as unknown as { slos: Record<string, unknown> };
  const slos: Record<string, unknown> = {};
  for (const [kind, value] of Object.entries(defaults.slos)) {
    if (kind === 'controlPlaneSuccessRate') continue;
    if (value && typeof value === 'object' && !Array.isArray(value) && 'enabled' in value) slos[kind] = { enabled: false };
  }
  slos.controlPlaneSuccessRate = variant === 'client'
    ? { components: [], clientSide: { enabled: true, components: ['destination'] } }
    : { components: ['destination'], clientSide: { enabled: false } };
  const alerting = variant === 'noguard' ? { lowTraffic: { minRequests: 0 } } : {};
  // The variants live in one TSDB: each labels its recordings with `variant` and reads only its own.
  const config = validateConfig({ cluster, prometheus: { extraMatchers: { cluster }, ruleLabels: { variant } }, alerting, slos }, 'q.yaml');
  const text = generate(config, 'q.yaml').files.get(`prometheus/linkerd-slo-${cluster}.rules.yaml`)!;
  return parseRuleFile(text).map((g) => ({
    ...g,
    name: `${cluster}/${variant}/${g.name}`,
    rules: g.rules.map((r) => ({ ...r, expr: r.expr.replace(/(linkerd_slo:[\w:]+)\{/g, `$1{variant="${variant}", `) })),
  }));
}

function slothFor(cluster: string, groups: readonly GroupYaml[]): GroupYaml[] {
  // Recordings get a cluster label so the scenarios' series do not collide.
  return groups.map((g) => ({
    name: `${cluster}/${g.name}`,
    rules: g.rules.map((r) => ({
      ...r,
      expr: withCluster(r.expr, cluster).replace(/\{sloth_id=/g, `{cluster="${cluster}", sloth_id=`),
      labels: { ...(r.labels ?? {}), cluster },
    })),
  }));
}

function naiveFor(cluster: string, groups: readonly GroupYaml[]): GroupYaml[] {
  return groups.map((g) => ({ name: `${cluster}/${g.name}`, rules: g.rules.map((r) => ({ ...r, expr: withCluster(r.expr, cluster) })) }));
}

/** Recording rules the alerts need, grouped by dependency level (0 reads only raw metrics). */
function alertRecordingLevels(groups: readonly GroupYaml[]): GroupYaml[][] {
  // Needed: the recordings the alerts read, transitively.
  return recordingLevels(groups, groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.expr)));
}

function alertRules(set: AlertRule['set'], scenario: string, groups: readonly GroupYaml[]): AlertRule[] {
  return groups.flatMap((g) =>
    g.rules
      .filter((r): r is RuleYaml & { alert: string } => r.alert !== undefined)
      .map((r) => ({
        set,
        scenario,
        expr: r.expr,
        forSeconds: r.for ? parseDuration(r.for) : 0,
        keepFiringForSeconds: r.keep_firing_for ? parseDuration(r.keep_firing_for) : 0,
        page: set === 'naive' || r.labels?.severity === 'critical' || r.labels?.sloth_severity === 'page',
        name: `${r.alert}${r.labels?.long ? ` ${r.labels.long}/${r.labels.short}` : r.labels?.sloth_severity ? ` ${r.labels.sloth_severity}` : ''}`,
        labels: r.labels ?? {},
      })),
  );
}

/**
 * Prometheus' alert state machine on a series of evaluations (the backtest's, src/backtest/semantics.ts:
 * `for` and keep_firing_for): firing intervals [start, end) in ms.
 */
export function firingIntervals(evalTimes: readonly number[], active: ReadonlySet<number>, forSeconds: number, stepMs: number, keepFiringForSeconds = 0): Array<[number, number]> {
  return alertStates(evalTimes, active, { forSeconds: forSeconds * 1000, keepFiringForSeconds: keepFiringForSeconds * 1000 }, stepMs).firing;
}

// ---- the Workbook's math on ideal traffic ---------------------------------------------------

interface IdealWindowRule {
  readonly pairs: ReadonlyArray<{ long: number; short: number; threshold: number }>;
  readonly forSeconds: number;
}

function idealIntervals(rule: IdealWindowRule, e: (t: number) => number, start: number, end: number): Array<[number, number]> {
  const times: number[] = [];
  const active = new Set<number>();
  // Prefix sums make every window O(1).
  const len = end - start;
  const prefix = new Float64Array(len + 1);
  for (let i = 0; i < len; i++) prefix[i + 1] = prefix[i]! + e(start + i);
  const ratio = (t: number, w: number) => {
    const a = Math.max(0, t - w - start);
    const b = t - start;
    return b > a ? (prefix[b]! - prefix[a]!) / (b - a) : 0;
  };
  for (let t = start + STEP; t <= end; t += STEP) {
    times.push(t * 1000);
    if (rule.pairs.some((p) => ratio(t, p.long) > p.threshold && ratio(t, p.short) > p.threshold)) active.add(t * 1000);
  }
  return firingIntervals(times, active, rule.forSeconds, STEP * 1000);
}

// ---------------------------------------------------------------------------------------------

/**
 * Backfills recording rules with promtool. Asynchronous on purpose: the Prometheus it queries logs to
 * a pipe this process drains on its event loop; a spawnSync here stalls that loop, the pipe fills
 * once the data dir holds enough blocks to log about, and Prometheus then blocks on its own logger.
 */
function promtoolRules(url: string, start: number, end: number, files: string[], outDir: string): Promise<void> {
  const args = ['tsdb', 'create-blocks-from', 'rules', `--url=${url}`, `--start=${Math.floor(start / 1000)}`, `--end=${Math.floor(end / 1000)}`, `--eval-interval=${STEP}s`, `--output-dir=${outDir}`, '--quiet', ...files];
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString('utf8')).slice(-4000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 1_800_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`promtool create-blocks-from rules failed (${code ?? signal}): ${stderr.slice(-2000)}`));
    });
  });
}

function moveBlocks(from: string, to: string): number {
  let n = 0;
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory() && /^[0-9A-Z]{26}$/.test(e.name)) {
      renameSync(join(from, e.name), join(to, e.name));
      n++;
    }
  }
  return n;
}

export async function benchAlertQuality(opts: {
  readonly naive: readonly GroupYaml[];
  readonly sloth: readonly GroupYaml[];
  readonly scenarios?: readonly QualityScenario[];
  readonly log?: (s: string) => void;
}): Promise<{ rows: QualityRow[]; timing: Record<string, number> }> {
  const log = opts.log ?? (() => undefined);
  const scenarios = opts.scenarios ?? SCENARIOS;
  const dir = tempDir('quality');
  const timing: Record<string, number> = {};
  let prom: RunningPrometheus | undefined;
  try {
    const spanHours = Math.max(...scenarios.map((s) => s.warmupHours + s.problemSeconds / 3600 + s.afterHours));
    const end = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const start = end - Math.ceil(spanHours * 3600) * 1000;
    let t0 = Date.now();

    // 1. History: one mesh per scenario under its own cluster label, all in one file.
    const data = join(dir, 'data');
    for (const sc of scenarios) {
      const onset = sc.warmupHours * 3600;
      const sim = new LinkerdSimulator({
        start,
        namespaces: 1,
        workloadsPerNamespace: sc.mesh?.workloadsPerNamespace ?? 2,
        podsPerWorkload: sc.mesh?.podsPerWorkload ?? 2,
        ...(sc.mesh?.retainIdleSeconds !== undefined ? { retainIdleSeconds: sc.mesh.retainIdleSeconds } : {}),
        viz: false,
        histograms: 'none',
        targetLabels: { cluster: sc.id },
        rates: { destinationPerProxy: sc.destinationPerProxy ?? 0.5 },
        scenario: new Scenario(start, sc.effects(onset)),
      });
      const file = join(dir, `${sc.id}.om`);
      writeOpenMetricsHistory(sim, { until: end, stepSeconds: STEP, file, families: ['response_total', 'control_response_total'] });
      backfill(file, data);
      rm(file);
    }
    timing.historyMs = Date.now() - t0;
    log(`  history of ${scenarios.length} scenarios (${spanHours} h each at ${STEP} s) backfilled in ${timing.historyMs} ms`);

    // 2. Rule files per scenario; recording rules backfilled level by level.
    const perScenario = scenarios.map((sc) => ({
      sc, ours: oursFor(sc.id, 'default'), noguard: oursFor(sc.id, 'noguard'), client: oursFor(sc.id, 'client'), sloth: slothFor(sc.id, opts.sloth), naive: naiveFor(sc.id, opts.naive),
    }));
    const allGroups = perScenario.flatMap((p) => [...p.ours, ...p.noguard, ...p.client, ...p.sloth]);
    const levels = alertRecordingLevels(allGroups);
    t0 = Date.now();
    for (const [i, groups] of levels.entries()) {
      prom = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: data });
      const file = join(dir, `level${i}.yaml`);
      writeFileSync(file, dump({ groups }, { lineWidth: -1 }));
      const out = join(dir, `level${i}-blocks`);
      await promtoolRules(prom.url, start, end, [file], out);
      await prom.stop();
      prom = undefined;
      moveBlocks(out, data);
      rm(out);
      log(`  recording rules level ${i}: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules backfilled`);
    }
    timing.recordingBackfillMs = Date.now() - t0;

    // 3. Alert expressions over the whole range, `for` applied.
    t0 = Date.now();
    prom = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: data, args: ['--query.max-samples=200000000'] });
    const evalTimes: number[] = [];
    const firstEval = start + 3600_000; // skip the first hour: windows still filling
    for (let t = firstEval; t <= end; t += STEP * 1000) evalTimes.push(t);
    const rows: QualityRow[] = [];
    for (const p of perScenario) {
      const sc = p.sc;
      const onset = start + sc.warmupHours * 3600_000;
      const recovery = onset + sc.problemSeconds * 1000;
      const rules = [
        ...alertRules('ours', sc.id, p.ours), ...alertRules('ours-noguard', sc.id, p.noguard), ...alertRules('ours-client', sc.id, p.client),
        ...alertRules('sloth', sc.id, p.sloth), ...alertRules('naive', sc.id, p.naive),
      ];
      const fired = new Map<AlertRule, Array<[number, number]>>();
      const activeSets = new Map<AlertRule, Array<Set<number>>>();
      for (const rule of rules) {
        const result = await prom.queryRange(rule.expr, firstEval, end, STEP);
        const byLabels = new Map<string, Set<number>>();
        for (const s of result) {
          const k = JSON.stringify(s.metric);
          const set = byLabels.get(k) ?? new Set<number>();
          for (const [ts] of s.values ?? []) set.add(Math.round(ts * 1000));
          byLabels.set(k, set);
        }
        const intervals = [...byLabels.values()].flatMap((active) => firingIntervals(evalTimes, active, rule.forSeconds, STEP * 1000, rule.keepFiringForSeconds));
        fired.set(rule, intervals);
        activeSets.set(rule, [...byLabels.values()]);
      }
      // Ours' page rules again with each candidate keep_firing_for: the same evaluations, another state machine.
      const oursPages = rules.filter((r) => r.set === 'ours' && r.page);
      const candidates = KEEP_FIRING_FOR_CANDIDATES.map((k) => {
        const merged = merge(oursPages.flatMap((r) => activeSets.get(r)!.flatMap((a) => firingIntervals(evalTimes, a, r.forSeconds, STEP * 1000, k))).sort((a, b) => a[0] - b[0]));
        const after = merged.filter(([, e]) => e > onset);
        const last = after.length ? Math.max(...after.map(([, e]) => e)) : undefined;
        // The longest pause between two notifications: what keep_firing_for must bridge.
        const gaps = merged.slice(1).map(([st], i) => (st - merged[i]![1]) / 1000);
        return { seconds: k, pages: merged.length, ...(last !== undefined ? { reset: (last - recovery) / 1000 } : {}), ...(gaps.length ? { longestGap: Math.max(...gaps) } : {}) };
      });
      for (const set of SET_IDS) {
        const mine = rules.filter((r) => r.set === set);
        const pages = mine.filter((r) => r.page).flatMap((r) => fired.get(r)!).sort((a, b) => a[0] - b[0]);
        const tickets = mine.filter((r) => !r.page).flatMap((r) => fired.get(r)!).sort((a, b) => a[0] - b[0]);
        const merged = merge(pages);
        const afterOnset = merged.filter(([, e]) => e > onset);
        const lastEnd = afterOnset.length ? Math.max(...afterOnset.map(([, e]) => e)) : undefined;
        const firstTicket = tickets.find(([, e]) => e > onset);
        rows.push({
          scenario: sc.id,
          title: sc.title,
          expectPage: sc.expectPage,
          set,
          ...(afterOnset.length ? { detection: (Math.max(afterOnset[0]![0], onset) - onset) / 1000 } : {}),
          ...(lastEnd !== undefined ? { reset: (lastEnd - recovery) / 1000 } : {}),
          pages: merged.length,
          ...(firstTicket ? { ticketDetection: (firstTicket[0] - onset) / 1000 } : {}),
          ...(sc.errorRatio !== undefined ? { workbook: workbook(set, mine, sc, start / 1000, end / 1000, onset / 1000, recovery / 1000) } : {}),
          ...(set === 'ours' ? { keepFiringFor: candidates } : {}),
        });
      }
    }
    timing.alertQueriesMs = Date.now() - t0;
    return { rows, timing };
  } finally {
    await prom?.stop();
    rm(dir);
  }
}

function merge(intervals: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [s, e] of intervals) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The same rules' windows and thresholds, evaluated on ideal traffic with the scenario's error ratio. */
function workbook(set: AlertRule['set'], rules: readonly AlertRule[], sc: QualityScenario, start: number, end: number, onset: number, recovery: number): QualityRow['workbook'] {
  const e = (t: number) => (t >= onset && t < recovery ? sc.errorRatio! : 0);
  const pageRules = rules.filter((r) => r.page);
  const ideal: IdealWindowRule[] = pageRules.map((r) => {
    if (set === 'naive') return { pairs: [{ long: 60, short: 60, threshold: 0.1 }], forSeconds: r.forSeconds };
    if (set === 'ours' || set === 'ours-noguard' || set === 'ours-client') {
      const m = /ratio_rate(\w+)\{[^}]*\} \/ ([\d.e-]+) > ([\d.]+)\s+and\s+\S*ratio_rate(\w+)\{/.exec(r.expr.replace(/\n/g, ' '));
      if (!m) return { pairs: [], forSeconds: r.forSeconds };
      return { pairs: [{ long: parseDuration(m[1]!), short: parseDuration(m[4]!), threshold: Number(m[2]) * Number(m[3]) }], forSeconds: r.forSeconds };
    }
    // Sloth: (short and long > factor × budget) or (…)
    const pairs = [...r.expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \* ([\d.e-]+)\)\) without \(sloth_window\)\s+and\s+max\(slo:sli_error:ratio_rate(\w+)/g)].map((m) => ({
      short: parseDuration(m[1]!), long: parseDuration(m[4]!), threshold: Number(m[2]) * Number(m[3]),
    }));
    return { pairs, forSeconds: r.forSeconds };
  });
  const intervals = merge(ideal.flatMap((r) => idealIntervals(r, e, Math.floor(start), Math.floor(end))).sort((a, b) => a[0] - b[0]));
  const first = intervals.find(([, x]) => x > onset * 1000);
  const last = intervals.filter(([, x]) => x > onset * 1000).at(-1);
  return {
    ...(first ? { detection: (Math.max(first[0], onset * 1000) - onset * 1000) / 1000 } : {}),
    ...(last ? { reset: (last[1] - recovery * 1000) / 1000 } : {}),
    pages: intervals.length,
  };
}

// ---- the fast-burn targets (issue #11 item 5) -----------------------------------------------

/** One evaluation interval of slack: detection and reset are measured on the 30 s grid. */
export const INTERVAL_SECONDS = STEP;

export interface TargetRow {
  readonly scenario: string;
  readonly errorRatio: number;
  readonly workbook: { readonly detection?: number; readonly reset?: number };
  readonly ours: { readonly detection?: number; readonly reset?: number; readonly pages: number };
  readonly client: { readonly detection?: number; readonly reset?: number; readonly pages: number };
  readonly sloth: { readonly detection?: number; readonly reset?: number; readonly pages: number };
  /** Latest detection that meets the target (seconds after onset), and the rule it comes from. */
  readonly detectionTarget: number;
  readonly detectionRule: string;
  /** Latest reset that meets the target (seconds after recovery). */
  readonly resetTarget?: number;
}

/**
 * Targets per paging scenario, at a 30 s evaluation interval: a full outage pages within 2 min of
 * onset; other error ratios within 10% of the Workbook time for the configured windows, or one
 * interval when that is larger; every page resets within the Workbook time plus one interval.
 */
export function fastBurnTargets(rows: readonly QualityRow[]): TargetRow[] {
  const out: TargetRow[] = [];
  for (const sc of SCENARIOS) {
    if (!sc.expectPage || sc.errorRatio === undefined) continue;
    const row = (set: SetId) => rows.find((r) => r.scenario === sc.id && r.set === set);
    const ours = row('ours');
    if (!ours?.workbook) continue;
    const wb = ours.workbook;
    const pick = (r: QualityRow | undefined) => ({
      pages: r?.pages ?? 0,
      ...(r?.detection !== undefined ? { detection: r.detection } : {}),
      ...(r?.reset !== undefined ? { reset: r.reset } : {}),
    });
    const full = sc.errorRatio >= 1;
    const wbDetection = wb.detection ?? Infinity;
    out.push({
      scenario: sc.id,
      errorRatio: sc.errorRatio,
      workbook: { ...(wb.detection !== undefined ? { detection: wb.detection } : {}), ...(wb.reset !== undefined ? { reset: wb.reset } : {}) },
      ours: pick(ours),
      client: pick(row('ours-client')),
      sloth: pick(row('sloth')),
      detectionTarget: full ? 120 : Math.max(1.1 * wbDetection, wbDetection + INTERVAL_SECONDS),
      detectionRule: full ? '≤ 2 min' : '≤ Workbook + max(10%, 30 s)',
      ...(wb.reset !== undefined ? { resetTarget: wb.reset + INTERVAL_SECONDS } : {}),
    });
  }
  return out;
}
