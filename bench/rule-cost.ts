/**
 * Rule evaluation cost on a simulated mesh of N pods. The simulator writes an hour of history,
 * `promtool tsdb create-blocks-from openmetrics` backfills it, and a real Prometheus loads every
 * compared rule set (one rule file each) on that TSDB while it keeps scraping the simulator live
 * (one aggregate scrape with honor_labels, same families), so every window, the 1m ones included,
 * ends on fresh samples as in production.
 *
 * Cost = Σ over a rule file's groups of prometheus_rule_group_last_duration_seconds, median over a
 * few evaluation rounds after the live samples arrived; output = series the file writes (its
 * recordings and ALERTS). The files of one run are evaluated by the same Prometheus at the same time
 * (sharing the machine's cores, as in production); each run starts from a fresh copy of the TSDB.
 *
 * vmalert + VictoriaMetrics (`vmalert` option, after the Prometheus runs): the same data in
 * VictoriaMetrics single-node. The simulator is deterministic, so an identical one (same options,
 * same start) writes the history again up to the moment VictoriaMetrics starts, which imports it
 * (/api/v1/import/prometheus) and then scrapes that simulator live (-promscrape.config, the same
 * aggregate scrape); vmalert evaluates the rule file with VictoriaMetrics as datasource and
 * remote-write target. Cost = Σ over the file's groups of one iteration's duration (the increase of
 * vmalert_iteration_duration_seconds_sum over a round), median of the rounds after a cold one.
 * vmalert runs every query over HTTP against VictoriaMetrics, so that cost includes the round trips
 * Prometheus' in-process evaluation does not have.
 */
import { join } from 'node:path';
import {
  LinkerdSimulator, backfill, serveSimulator, startPrometheus, startVictoriaMetrics, startVmalert, victoriaMetricsVersion, writeOpenMetricsHistory,
  type LiveVmalert, type RunningPrometheus, type SimServer, type VictoriaMetrics,
} from '../tools/sim/index.js';
import { dump } from 'js-yaml';
import { copyDir, dirBytes, median, rm, sleep, tempDir } from './common.js';
import type { RuleSet } from './rulesets.js';

export interface RuleCostRow {
  readonly pods: number;
  readonly set: string;
  readonly rules: number;
  readonly evalMs?: number;
  readonly evalMsMax?: number;
  readonly rounds?: number;
  readonly missed?: number;
  readonly seriesOut?: number;
  /** Slowest groups of the file: name and median ms. */
  readonly slowest?: ReadonlyArray<readonly [string, number]>;
  /** Each timed round's total (ms), over every run of this file (see `repeat`). */
  readonly roundsMs?: readonly number[];
  /** Each group's timed rounds (ms), over every run of this file. */
  readonly groupRoundsMs?: ReadonlyMap<string, readonly number[]>;
  /** How many runs (fresh Prometheus on a fresh copy of the data) the rounds come from. */
  readonly runs?: number;
  readonly error?: string;
  /** Evaluated by vmalert over VictoriaMetrics (undefined: Prometheus). */
  readonly engine?: 'vmalert';
}

/** The VictoriaMetrics side of a run: how its copy of the data was made. */
export interface VictoriaData {
  readonly version: string;
  /** Samples imported (the history up to the moment VictoriaMetrics started). */
  readonly samples: number;
  readonly simulateWriteMs: number;
  readonly importMs: number;
}

export interface MeshData {
  readonly pods: number;
  readonly inputSeries: number;
  readonly samples: number;
  readonly openMetricsBytes: number;
  readonly tsdbBytes: number;
  readonly simulateWriteMs: number;
  readonly backfillMs: number;
  readonly historyMinutes: number;
  readonly stepSeconds: number;
  readonly scrapeSeconds: number;
  readonly evaluationSeconds: number;
  readonly victoria?: VictoriaData;
  /** Why the vmalert run did not happen (victoria-metrics not installed). */
  readonly victoriaSkipped?: string;
}

/** Families the compared rule sets read (and a few the example bundle's other kinds read). */
export const COST_FAMILIES = [
  'response_total',
  'control_response_total',
  'response_latency_ms',
  'control_identity_cert_expiration_timestamp_seconds',
  'proxy_build_info',
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
] as const;

interface Round {
  readonly perFile: Map<string, number>;
  readonly perGroup: Map<string, number>;
}

function parseDurations(text: string): Round {
  const perFile = new Map<string, number>();
  const perGroup = new Map<string, number>();
  for (const m of text.matchAll(/^prometheus_rule_group_last_duration_seconds\{rule_group="([^";]*);([^"]*)"\} (\S+)$/gm)) {
    const file = m[1]!.split('/').at(-1)!;
    const ms = Number(m[3]) * 1000;
    perFile.set(file, (perFile.get(file) ?? 0) + ms);
    perGroup.set(`${file};${m[2]}`, ms);
  }
  return { perFile, perGroup };
}

export async function benchRuleCost(opts: {
  readonly pods: number;
  /** Rule sets evaluated together by one Prometheus; each run gets a fresh copy of the backfilled TSDB. */
  readonly runs: ReadonlyArray<readonly RuleSet[]>;
  readonly historyMinutes?: number;
  readonly stepSeconds?: number;
  readonly scrapeSeconds?: number;
  readonly evaluationSeconds?: number;
  readonly rounds?: number;
  /** Rule sets also evaluated by vmalert over VictoriaMetrics, on the same data, after the Prometheus runs. */
  readonly vmalert?: readonly RuleSet[];
  readonly log?: (s: string) => void;
}): Promise<{ data: MeshData; rows: RuleCostRow[] }> {
  const log = opts.log ?? (() => undefined);
  const historyMinutes = opts.historyMinutes ?? 60;
  const step = opts.stepSeconds ?? 60;
  const scrape = opts.scrapeSeconds ?? 10;
  const interval = opts.evaluationSeconds ?? 10;
  const rounds = opts.rounds ?? 3;
  const dir = tempDir(`cost-${opts.pods}`);
  let server: SimServer | undefined;
  try {
    const now = Date.now();
    // 10 pods per workload, 10 workloads per namespace.
    const options = {
      start: now - historyMinutes * 60_000,
      namespaces: Math.max(1, Math.ceil(opts.pods / 100)),
      workloadsPerNamespace: Math.min(10, Math.max(1, Math.round(opts.pods / 10))),
      podsPerWorkload: Math.min(10, opts.pods),
      targetLabels: { cluster: 'prod-eu1' },
      histograms: 'identity',
    } as const;
    const sim = new LinkerdSimulator(options);
    const t0 = Date.now();
    const h = writeOpenMetricsHistory(sim, { until: now, stepSeconds: step, file: join(dir, 'history.om'), families: COST_FAMILIES });
    const simulateWriteMs = Date.now() - t0;
    log(`  ${sim.mesh.dataPods.length} pods: ${h.series} series, ${h.samples} samples, ${Math.round(h.bytes / 2 ** 20)} MiB OpenMetrics in ${simulateWriteMs} ms; backfilling…`);
    const data0 = join(dir, 'data');
    const b = backfill(h.file, data0, 600_000);
    rm(h.file);
    let data: MeshData = {
      pods: sim.mesh.dataPods.length,
      inputSeries: h.series,
      samples: h.samples,
      openMetricsBytes: h.bytes,
      tsdbBytes: dirBytes(data0),
      simulateWriteMs,
      backfillMs: b.durationMs,
      historyMinutes,
      stepSeconds: step,
      scrapeSeconds: scrape,
      evaluationSeconds: interval,
    };
    log(`  backfilled in ${b.durationMs} ms (${Math.round(data.tsdbBytes / 2 ** 20)} MiB TSDB); evaluating with a live tail…`);

    server = await serveSimulator(sim);
    const rows: RuleCostRow[] = [];
    for (const sets of opts.runs) {
      const runDir = join(dir, 'run');
      copyDir(data0, runDir);
      try {
        rows.push(...(await evaluateRun(server, sets, runDir, { scrape, interval, rounds, pods: data.pods, log })));
      } finally {
        rm(runDir);
      }
    }
    rows.splice(0, rows.length, ...mergeRuns(rows));
    if (opts.vmalert?.length) {
      await server.close();
      server = undefined;
      const version = victoriaMetricsVersion();
      if (!version) {
        data = { ...data, victoriaSkipped: 'victoria-metrics/vmalert not installed (Debian: apt-get install victoria-metrics)' };
        log(`  vmalert: skipped, ${data.victoriaSkipped}`);
      } else {
        const r = await evaluateVictoria(new LinkerdSimulator(options), opts.vmalert, dir, { step, scrape, interval, rounds, pods: data.pods, version, log });
        data = { ...data, victoria: r.data };
        rows.push(...r.rows);
      }
    }
    return { data, rows };
  } finally {
    await server?.close();
    rm(dir);
  }
}

/** The one aggregate scrape of the simulator (only the families the rules read), the same for both engines. */
function simulatorScrape(server: SimServer) {
  return {
    job_name: 'simulator',
    honor_labels: true,
    metrics_path: '/metrics',
    params: { family: [...COST_FAMILIES] },
    static_configs: [{ targets: [new URL(server.url).host] }],
  };
}

/** The three slowest groups by their median over the timed rounds. */
function slowestGroups(groupRoundsMs: ReadonlyMap<string, readonly number[]>): Array<readonly [string, number]> {
  return [...groupRoundsMs].map(([g, ms]) => [g, median([...ms])] as const).sort((a, b) => b[1] - a[1]).slice(0, 3);
}

/**
 * One row per rule file: a file evaluated in several runs (`repeat`, interleaved with the files it
 * is compared with, so slow phases of a shared machine hit both) gets the median over every timed
 * round of every run, the worst round, and the missed iterations and series out of its last run.
 */
function mergeRuns(rows: readonly RuleCostRow[]): RuleCostRow[] {
  const merged = new Map<string, RuleCostRow>();
  for (const r of rows) {
    const key = `${r.pods}|${r.set}|${r.engine ?? ''}`;
    const seen = merged.get(key);
    if (!seen || seen.error || r.error) {
      merged.set(key, seen && !seen.error ? seen : r);
      continue;
    }
    const roundsMs = [...(seen.roundsMs ?? []), ...(r.roundsMs ?? [])];
    const groupRoundsMs = new Map(seen.groupRoundsMs);
    for (const [g, ms] of r.groupRoundsMs ?? []) groupRoundsMs.set(g, [...(groupRoundsMs.get(g) ?? []), ...ms]);
    merged.set(key, {
      ...r,
      evalMs: median(roundsMs), evalMsMax: Math.max(...roundsMs), rounds: roundsMs.length, roundsMs, groupRoundsMs,
      slowest: slowestGroups(groupRoundsMs), runs: (seen.runs ?? 1) + (r.runs ?? 1), missed: (seen.missed ?? 0) + (r.missed ?? 0),
    });
  }
  return [...merged.values()];
}

/** Adds bench_set="<id>" to every rule, so the series each set writes can be counted. */
function tagged(set: RuleSet, id: string): string {
  const groups = set.groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, labels: { ...(r.labels ?? {}), bench_set: id } })) }));
  return dump({ groups }, { lineWidth: -1 });
}

async function evaluateRun(
  server: SimServer,
  sets: readonly RuleSet[],
  dataDir: string,
  o: { scrape: number; interval: number; rounds: number; pods: number; log: (s: string) => void },
): Promise<RuleCostRow[]> {
  const files: Record<string, string> = {};
  sets.forEach((s, i) => (files[`set${i}.rules.yaml`] = tagged(s, `set${i}`)));
  let prom: RunningPrometheus | undefined;
  try {
    prom = await startPrometheus({
      config: {
        global: { evaluation_interval: `${o.interval}s`, scrape_interval: `${o.scrape}s`, scrape_timeout: `${o.scrape}s` },
        rule_files: Object.keys(files),
        scrape_configs: [simulatorScrape(server)],
      },
      files,
      dataDir,
      readyTimeoutMs: 120_000,
    });
    // Two live scrapes, so the 1m windows end on fresh samples.
    const first = Date.now();
    while ((await prom.query('up{job="simulator"}')).length === 0 && Date.now() - first < 60_000) await sleep(500);
    await sleep(o.scrape * 1000 + 1000);

    const roundsSeen: Round[] = [];
    const seen = new Map<string, string>();
    const deadline = Date.now() + (o.rounds + 3) * o.interval * 1000 + 60_000;
    let cold = true;
    while (roundsSeen.length < o.rounds && Date.now() < deadline) {
      const gs = await prom.rules();
      if (gs.every((g) => g.lastEvaluation !== '0001-01-01T00:00:00Z' && seen.get(`${g.file};${g.name}`) !== g.lastEvaluation)) {
        for (const g of gs) seen.set(`${g.file};${g.name}`, g.lastEvaluation);
        if (!cold) roundsSeen.push(parseDurations(await prom.selfMetrics()));
        cold = false;
      }
      await sleep(250);
    }
    // The slowest rules of the last round (Prometheus' per-rule evaluationTime), to see where the time goes.
    for (const g of [...(await prom.rules())].sort((a, b) => b.evaluationTime - a.evaluationTime).slice(0, 4)) {
      for (const r of [...g.rules].sort((a, b) => b.evaluationTime - a.evaluationTime).slice(0, 4)) {
        o.log(`    ${(r.evaluationTime * 1000).toFixed(1)} ms  ${g.name}  ${r.name}: ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`);
      }
    }
    const self = await prom.selfMetrics();
    const missedBy = new Map<string, number>();
    for (const m of self.matchAll(/^prometheus_rule_group_iterations_missed_total\{rule_group="([^";]*);[^"]*"\} (\S+)$/gm)) {
      const file = m[1]!.split('/').at(-1)!;
      missedBy.set(file, (missedBy.get(file) ?? 0) + Number(m[2]));
    }
    const rows: RuleCostRow[] = [];
    for (const [i, set] of sets.entries()) {
      const file = `set${i}.rules.yaml`;
      const rules = set.groups.reduce((n, g) => n + g.rules.length, 0);
      const totals = roundsSeen.map((r) => r.perFile.get(file) ?? 0);
      const seriesOut = Number((await prom.query(`count({bench_set="set${i}"})`))[0]?.value?.[1] ?? 0);
      const groupRoundsMs = new Map(set.groups.map((g) => [g.name, roundsSeen.map((r) => r.perGroup.get(`${file};${g.name}`) ?? 0)] as const));
      rows.push({
        pods: o.pods, set: set.name, rules, evalMs: median(totals), evalMsMax: Math.max(...totals), rounds: totals.length, missed: missedBy.get(file) ?? 0, seriesOut,
        slowest: slowestGroups(groupRoundsMs), roundsMs: totals, groupRoundsMs, runs: 1,
      });
      const alertSeries = (await prom.query(`count by (__name__, alertstate) ({__name__=~"ALERTS|ALERTS_FOR_STATE", bench_set="set${i}"})`)).map((x) => `${x.metric.__name__}${x.metric.alertstate ? `{${x.metric.alertstate}}` : ''} ${x.value?.[1]}`);
      o.log(`  ${set.name}: ${median(totals).toFixed(1)} ms per round (${totals.length} rounds), ${seriesOut} series out (${alertSeries.join(', ')}); pending: ${pendingOf(await prom.query(PENDING(`set${i}`)))}`);
    }
    return rows;
  } finally {
    await prom?.stop();
  }
}

/** Pending alerts of one rule set, by name and component: which alerts the engines' pending counts differ by. */
const PENDING = (set: string) => `count by (alertname, component) (ALERTS{alertstate="pending", bench_set="${set}"})`;
const pendingOf = (r: ReadonlyArray<{ metric: Record<string, string>; value?: [number, string] }>): string =>
  r.map((x) => `${x.metric.alertname}${x.metric.component ? `/${x.metric.component}` : ''}${x.value?.[1] === '1' ? '' : ` ×${x.value?.[1]}`}`).sort().join(', ') || 'none';

/** Adds up vmalert_iteration_duration_seconds_sum per group (ms) from vmalert's /metrics. */
function vmalertDurations(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^vmalert_iteration_duration_seconds_sum\{group="([^"]*)",[^}]*\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]) * 1000);
  return out;
}

async function evaluateVictoria(
  sim: LinkerdSimulator,
  sets: readonly RuleSet[],
  dir: string,
  o: { step: number; scrape: number; interval: number; rounds: number; pods: number; version: string; log: (s: string) => void },
): Promise<{ data: VictoriaData; rows: RuleCostRow[] }> {
  let server: SimServer | undefined;
  let vm: VictoriaMetrics | undefined;
  let vmalert: LiveVmalert | undefined;
  try {
    // The identical simulator, written up to now: the history Prometheus got, plus the minutes its runs took.
    let t0 = Date.now();
    const h = writeOpenMetricsHistory(sim, { until: Date.now(), stepSeconds: o.step, file: join(dir, 'victoria.om'), families: COST_FAMILIES });
    const simulateWriteMs = Date.now() - t0;
    server = await serveSimulator(sim);
    vm = await startVictoriaMetrics({
      scrapeConfig: {
        global: { scrape_interval: `${o.scrape}s`, scrape_timeout: `${o.scrape}s` },
        scrape_configs: [simulatorScrape(server)],
      },
    });
    t0 = Date.now();
    const samples = await vm.importOpenMetrics(h.file);
    await vm.flush();
    const importMs = Date.now() - t0;
    rm(h.file);
    o.log(`  VictoriaMetrics ${o.version}: ${samples} samples imported in ${importMs} ms (history rewritten in ${simulateWriteMs} ms); evaluating with vmalert…`);
    // Two live scrapes, so the 1m windows end on fresh samples (as for Prometheus). A failed scrape
    // would leave the gauges (read without a range) empty on MetricsQL's short lookback: fail loudly.
    const first = Date.now();
    while ((await vm.query('up{job="simulator"} == 1', Date.now())).length === 0) {
      if (Date.now() - first > 60_000) throw new Error(`VictoriaMetrics could not scrape the simulator: ${JSON.stringify(await vm.query('up{job="simulator"}', Date.now()))}\n${vm.logs()}`);
      await sleep(500);
    }
    await sleep(o.scrape * 1000 + 1000);

    // One vmalert for every set; group names prefixed per set (unique in the one file), rules tagged as for Prometheus.
    // Debian's vmalert 1.79 refuses keep_firing_for (read from 1.90: "unknown fields in rule"); it only
    // holds a firing alert longer, so without it the cost and a healthy mesh's alerts are the same.
    const groups = sets.flatMap((s, i) =>
      s.groups.map((g) => ({
        ...g,
        name: `vm${i}/${g.name}`,
        rules: g.rules.map(({ keep_firing_for: _unread, ...r }) => ({ ...r, labels: { ...(r.labels ?? {}), bench_set: `vm${i}` } })),
      })),
    );
    vmalert = await startVmalert({
      rules: dump({ groups }, { lineWidth: -1 }),
      datasourceUrl: vm.url,
      remoteWriteUrl: vm.url,
      evaluationInterval: `${o.interval}s`,
    });
    const rounds: Array<Map<string, number>> = [];
    const seen = new Map<string, string>();
    let previous: Map<string, number> | undefined;
    const deadline = Date.now() + (o.rounds + 3) * o.interval * 1000 + 120_000;
    while (rounds.length < o.rounds && Date.now() < deadline) {
      const rs = await vmalert.rules();
      const last = new Map<string, string>();
      for (const r of rs) if (!last.has(r.group) || r.lastEvaluation > last.get(r.group)!) last.set(r.group, r.lastEvaluation);
      const complete = groups.every((g) => last.has(g.name) && !last.get(g.name)!.startsWith('0001') && seen.get(g.name) !== last.get(g.name));
      if (complete) {
        for (const [g, t] of last) seen.set(g, t);
        const sums = vmalertDurations(await vmalert.selfMetrics());
        if (previous) rounds.push(new Map([...sums].map(([g, ms]) => [g, ms - (previous!.get(g) ?? 0)])));
        previous = sums;
      }
      await sleep(250);
    }
    const self = await vmalert.selfMetrics();
    const missed = new Map<string, number>();
    for (const m of self.matchAll(/^vmalert_iteration_missed_total\{group="([^"]*)",[^}]*\} (\S+)$/gm)) missed.set(m[1]!, Number(m[2]));
    const errors = (await vmalert.rules()).filter((r) => r.lastError).map((r) => `${r.group}/${r.name}: ${r.lastError}`);
    const rows: RuleCostRow[] = [];
    for (const [i, set] of sets.entries()) {
      const mine = set.groups.map((g) => `vm${i}/${g.name}`);
      const totals = rounds.map((r) => mine.reduce((n, g) => n + (r.get(g) ?? 0), 0));
      const seriesOut = Number((await vm.query(`count({bench_set="vm${i}"})`, Date.now()))[0]?.value?.[1] ?? 0);
      const slowest = set.groups
        .map((g) => [g.name, median(rounds.map((r) => r.get(`vm${i}/${g.name}`) ?? 0))] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3);
      rows.push({
        pods: o.pods, set: `${set.name}, vmalert + VictoriaMetrics`, engine: 'vmalert', rules: set.groups.reduce((n, g) => n + g.rules.length, 0),
        evalMs: median(totals), evalMsMax: Math.max(...totals), rounds: totals.length, missed: mine.reduce((n, g) => n + (missed.get(g) ?? 0), 0), seriesOut, slowest,
        ...(errors.length ? { error: `${errors.length} rule(s) failed, e.g. ${errors[0]}` } : {}),
      });
      const alertSeries = (await vm.query(`count by (__name__, alertstate) ({__name__=~"ALERTS|ALERTS_FOR_STATE", bench_set="vm${i}"})`, Date.now())).map((x) => `${x.metric.__name__}${x.metric.alertstate ? `{${x.metric.alertstate}}` : ''} ${x.value?.[1]}`);
      o.log(`  ${set.name} (vmalert): ${median(totals).toFixed(1)} ms per round (${totals.length} rounds), ${seriesOut} series out (${alertSeries.join(', ')}); pending: ${pendingOf(await vm.query(PENDING(`vm${i}`), Date.now()))}${errors.length ? `, ${errors.length} rule errors: ${errors[0]}` : ''}`);
    }
    return { data: { version: o.version, samples, simulateWriteMs, importMs }, rows };
  } finally {
    await vmalert?.stop();
    await vm?.stop();
    await server?.close();
  }
}
