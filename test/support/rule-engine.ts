/**
 * What test/backfill.test.ts and test/backtest.test.ts share: the destination controller's simulated
 * history (its response_total, with the events each test scripts) and Prometheus' own rule engine
 * (`promtool test rules`) evaluating a rule file over that history, every evaluation printed. Each test
 * keeps its own events, its own reading of what promtool printed and its own expectations.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { LinkerdSimulator, Scenario, writeOpenMetricsHistory, type Effect } from '../../tools/sim/index.js';
import { validateConfig } from '../../src/config/load.js';

/**
 * The slos block of a config with every kind off but the destination's control-plane success rate,
 * server side: the one SLI destinationHistory holds.
 */
export function onlyDestinationSuccessRate(cluster: string, file: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const defaults = validateConfig({ cluster }, file) as unknown as { slos: Record<string, unknown> };
  const slos: Record<string, unknown> = {};
  for (const [kind, value] of Object.entries(defaults.slos)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'enabled' in value) slos[kind] = { enabled: false };
  }
  slos.controlPlaneSuccessRate = { components: ['destination'], clientSide: { enabled: false }, ...extra };
  return slos;
}

/**
 * `hours` of history on whole hours (the rule engine's and the 5m subquery grids), the last of them
 * `gapHours` before the current hour: its first and last sample, epoch seconds.
 */
export function hourAlignedRange(hours: number, gapHours: number, stepSeconds: number): { start: number; end: number } {
  const start = (Math.floor(Date.now() / 3_600_000) - hours - gapHours) * 3600;
  return { start, end: start + hours * 3600 - stepSeconds };
}

export interface HistorySpec {
  readonly dir: string;
  /** Epoch seconds of the first and last sample. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
  readonly cluster: string;
  /** The scenario's events, seconds after `start`. */
  readonly events: readonly Effect[];
}

/**
 * A small mesh (two workload pods, no viz, no histograms, a busy destination) under `events`, its
 * response_total written as OpenMetrics history to dir/history.om; returns that path.
 */
export function destinationHistory(spec: HistorySpec): string {
  const sim = new LinkerdSimulator({
    start: spec.start * 1000,
    namespaces: 1,
    workloadsPerNamespace: 1,
    podsPerWorkload: 2,
    viz: false,
    histograms: 'none',
    targetLabels: { cluster: spec.cluster },
    rates: { destinationPerProxy: 0.5 },
    scenario: new Scenario(spec.start * 1000, [...spec.events]),
  });
  const om = join(spec.dir, 'history.om');
  writeOpenMetricsHistory(sim, { until: spec.end * 1000, stepSeconds: spec.stepSeconds, file: om, families: ['response_total'] });
  return om;
}

export interface RuleEngineRun {
  readonly promtool: string;
  readonly dir: string;
  readonly ruleFile: string;
  /** OpenMetrics history (destinationHistory) turned into promtool input_series. */
  readonly omFile: string;
  /** Epoch seconds of evaluation 0 (the history's first sample). */
  readonly start: number;
  readonly evaluations: number;
  readonly stepSeconds: number;
  /** What promtool evaluates (and prints) at every evaluation. */
  readonly expr: string;
}

/** One evaluation promtool printed: its time (epoch seconds) and its `got:` text. */
export interface Evaluation {
  readonly t: number;
  readonly got: string;
}

/**
 * `promtool test rules` with one test that expects nothing of `expr` at every evaluation: promtool
 * then prints every sample it got, evaluation by evaluation. Returns them ([] when promtool found
 * nothing at all, so the test passed); throws when promtool failed without printing any.
 */
export function evaluateWithPromtool(run: RuleEngineRun): Evaluation[] {
  const { stepSeconds: step, evaluations } = run;
  // OpenMetrics history → promtool input_series, one value per step, `_` where the series has no sample.
  const series = new Map<string, string[]>();
  for (const line of readFileSync(run.omFile, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?) (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`unexpected OpenMetrics line ${line}`);
    const i = Math.round((Number(m[3]) - run.start) / step);
    const values = series.get(m[1]!) ?? Array.from({ length: evaluations }, () => '_');
    if (i >= 0 && i < evaluations) values[i] = m[2]!;
    series.set(m[1]!, values);
  }
  const tests = [
    {
      interval: `${step}s`,
      input_series: [...series].map(([s, values]) => ({ series: s, values: values.join(' ') })),
      promql_expr_test: Array.from({ length: evaluations }, (_, i) => ({ expr: run.expr, eval_time: `${i * step}s`, exp_samples: [] })),
    },
  ];
  const testFile = join(run.dir, 'truth.test.yaml');
  writeFileSync(testFile, dump({ rule_files: [run.ruleFile], evaluation_interval: `${step}s`, tests }, { lineWidth: -1 }));
  const r = spawnSync(run.promtool, ['test', 'rules', testFile], { encoding: 'utf8', maxBuffer: 512 << 20, timeout: 300_000 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status === 0) return [];
  const blocks = out.split(/expr: ".*?", time: /).slice(1);
  if (!blocks.length) throw new Error(`promtool test rules failed without printing what ${run.expr} got:\n${out.slice(0, 3000)}`);
  return blocks.map((block) => ({ t: run.start + promDuration(/^(\S+?),/.exec(block)![1]!), got: /got: (.*)/.exec(block)![1]! }));
}

/** Go's time.Duration / model.Duration text (1h2m30s) in seconds. */
function promDuration(text: string): number {
  let s = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) s += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] as 'ms']!;
  return s;
}

/** A label set as a key that does not depend on label order. */
export const keyOf = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
