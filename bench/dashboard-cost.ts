/**
 * Dashboard cost: total query time to render our control-plane dashboard versus Linkerd's official
 * health.json (linkerd/linkerd2 `grafana/dashboards/health.json` at stable-2.14.0; read at run time
 * from ../shared/anchors/linkerd-dashboards when present) over the same 6 h range on the same data.
 *
 *  1. A simulated mesh (tools/sim) writes ≥ 6 h of history of the families both dashboards read, and
 *     `promtool tsdb create-blocks-from openmetrics` backfills it.
 *  2. The recording rules our dashboard's panels read (`linkerd_slo:*`, transitively) are backfilled
 *     with `promtool tsdb create-blocks-from rules` against a Prometheus serving that TSDB, level by
 *     level (a recording reading another one needs the lower level in the TSDB first).
 *  3. A fresh Prometheus on the result runs every panel target of each dashboard through
 *     /api/v1/query_range over the same 6 h with a step of 6 h / 1000 points, sequentially: one
 *     warm-up round, then a few timed rounds. Cost = Σ wall time of a dashboard's queries, median of
 *     the rounds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { LinkerdSimulator, startPrometheus, writeOpenMetricsHistory, type RunningPrometheus } from '../tools/sim/index.js';
import { generate } from '../src/generate.js';
import { parseYamlConfig } from '../src/config/load.js';
import { ROOT, dirBytes, median, parseRuleFile, recordingLevels, rm, tempDir } from './common.js';

export const OFFICIAL_HEALTH = join(ROOT, '..', 'shared', 'anchors', 'linkerd-dashboards', 'health.json');

/** Families written to the history: everything either dashboard (or the recordings ours reads) touches that the simulator has. */
const FAMILIES = [
  'response_total',
  'request_total',
  'response_latency_ms',
  'control_response_total',
  'control_response_latency_ms',
  'proxy_build_info',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_open_fds',
  'process_start_time_seconds',
  'go_goroutines',
  'grpc_server_handled_total',
] as const;

export interface DashboardQuery {
  readonly panel: string;
  readonly expr: string;
}

export interface DashboardRow {
  readonly dashboard: string;
  readonly queries: number;
  readonly empty: number;
  readonly series: number;
  readonly totalMs: number;
  readonly roundsMs: number[];
  readonly slowest: ReadonlyArray<readonly [string, number]>;
  readonly emptyPanels: string[];
  readonly errors: string[];
}

export interface DashboardCostResult {
  readonly skipped?: string;
  readonly pods?: number;
  readonly inputSeries?: number;
  readonly samples?: number;
  readonly tsdbBytes?: number;
  readonly historyHours?: number;
  readonly scrapeSeconds?: number;
  readonly stepSeconds?: number;
  readonly rateInterval?: string;
  readonly recordingRules?: number;
  readonly recordingLevels?: number;
  readonly controlLatency?: boolean;
  readonly rounds?: number;
  readonly timing?: Record<string, number>;
  readonly rows?: DashboardRow[];
  readonly substitutions?: Record<string, Record<string, string>>;
}

interface Panel {
  readonly title?: string;
  readonly panels?: Panel[];
  readonly targets?: Array<{ expr?: string; hide?: boolean }>;
}

export function dashboardQueries(json: { panels?: Panel[] }, vars: Record<string, string>): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const walk = (ps: readonly Panel[] | undefined) => {
    for (const p of ps ?? []) {
      for (const t of p.targets ?? []) if (t.expr && !t.hide) out.push({ panel: p.title ?? '', expr: substitute(t.expr, vars) });
      walk(p.panels);
    }
  };
  walk(json.panels);
  return out;
}

/** Replaces $name and ${name} (longest names first, so $namespace-viz wins over $namespace). */
function substitute(expr: string, vars: Record<string, string>): string {
  let e = expr;
  for (const name of Object.keys(vars).sort((a, b) => b.length - a.length)) {
    e = e.split(`\${${name}}`).join(vars[name]!).split(`$${name}`).join(vars[name]!);
  }
  if (/\$\w/.test(e)) throw new Error(`unsubstituted variable in ${e}`);
  return e;
}


function promtoolAsync(args: readonly string[], timeoutMs = 600_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code) => (clearTimeout(timer), code === 0 ? resolve() : reject(new Error(`promtool ${args.slice(0, 3).join(' ')} exited with ${code}: ${err}`))));
  });
}

function moveBlocks(from: string, to: string): void {
  for (const e of readdirSync(from, { withFileTypes: true })) if (e.isDirectory() && /^[0-9A-Z]{26}$/.test(e.name)) renameSync(join(from, e.name), join(to, e.name));
}

export async function benchDashboardCost(opts: {
  readonly pods?: number;
  readonly historyHours?: number;
  readonly scrapeSeconds?: number;
  readonly rounds?: number;
  /** Whether proxies export control_response_latency_ms (our "p99 latency seen by proxies" panel reads it). */
  readonly controlLatency?: boolean;
  readonly log?: (s: string) => void;
}): Promise<DashboardCostResult> {
  const log = opts.log ?? (() => undefined);
  if (!existsSync(OFFICIAL_HEALTH)) return { skipped: `${OFFICIAL_HEALTH} not found` };
  const pods = opts.pods ?? 1000;
  const hours = opts.historyHours ?? 6;
  const scrape = opts.scrapeSeconds ?? 60;
  const rounds = opts.rounds ?? 3;
  const controlLatency = opts.controlLatency ?? false;
  const rangeSeconds = hours * 3600;
  const step = rangeSeconds / 1000;
  // Grafana: $__rate_interval = max(4 × scrape interval, step + scrape interval).
  const rateInterval = `${Math.max(4 * scrape, Math.ceil(step) + scrape)}s`;
  const timing: Record<string, number> = {};

  // Dashboards and the substitutions of their variables.
  const config = parseYamlConfig(readFileSync(join(ROOT, 'examples', 'linkerd-slo.yaml'), 'utf8'), 'examples/linkerd-slo.yaml');
  const gen = generate(config, 'examples/linkerd-slo.yaml').files;
  const oursName = [...gen.keys()].find((k) => k.endsWith('-control-plane.json'));
  if (!oursName) throw new Error('no control-plane dashboard generated');
  const cluster = config.cluster;
  const oursVars = { datasource: 'prometheus', cluster, __rate_interval: rateInterval };
  const officialVars = { datasource: 'prometheus', namespace: 'linkerd', 'namespace-viz': 'linkerd-viz', deployment: '.*', component: '.*', __rate_interval: rateInterval };
  const dashboards = [
    { name: `ours (${oursName.split('/').at(-1)})`, queries: dashboardQueries(JSON.parse(gen.get(oursName)!), oursVars) },
    { name: "Linkerd's health.json", queries: dashboardQueries(JSON.parse(readFileSync(OFFICIAL_HEALTH, 'utf8')), officialVars) },
  ];
  const ruleText = gen.get(`prometheus/linkerd-slo-${cluster}.rules.yaml`);
  if (!ruleText) throw new Error('no rule file generated');
  const levels = recordingLevels(parseRuleFile(ruleText), dashboards[0]!.queries.map((q) => q.expr));

  const dir = tempDir('dashboards');
  let prom: RunningPrometheus | undefined;
  try {
    const end = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 60_000;
    const start = end - rangeSeconds * 1000;
    const historyStart = start - 15 * 60_000; // rate windows of the first points
    let t0 = Date.now();
    const sim = new LinkerdSimulator({
      start: historyStart,
      namespaces: Math.max(1, Math.ceil(pods / 100)),
      workloadsPerNamespace: Math.min(10, Math.max(1, Math.round(pods / 10))),
      podsPerWorkload: Math.min(10, pods),
      targetLabels: { cluster },
      histograms: 'control-plane',
      controlLatency,
    });
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    // History in chunks ending on 2 h block boundaries; each chunk is backfilled by its own promtool
    // while the simulator writes the next one (promtool is the slow part, and single-threaded).
    const cuts: number[] = [];
    for (let t = Math.ceil((historyStart + 1) / 7200_000) * 7200_000; t < end; t += 7200_000) cuts.push(t);
    cuts.push(end);
    const h = { series: 0, samples: 0, bytes: 0 };
    const jobs: Array<Promise<void>> = [];
    let writeMs = 0;
    for (const [i, until] of cuts.entries()) {
      const w0 = Date.now();
      const file = join(dir, `history${i}.om`);
      // A chunk's last sample is at `until`; the next chunk starts one step later.
      const r = writeOpenMetricsHistory(sim, { until: i < cuts.length - 1 ? until - scrape * 1000 : until, stepSeconds: scrape, file, families: FAMILIES, ...(i > 0 ? { skipFirst: true } : {}) });
      writeMs += Date.now() - w0;
      h.series = Math.max(h.series, r.series);
      h.samples += r.samples;
      h.bytes += r.bytes;
      const out = join(dir, `blocks${i}`);
      jobs.push(promtoolAsync(['tsdb', 'create-blocks-from', 'openmetrics', file, out]).then(() => { rm(file); moveBlocks(out, data); rm(out); }));
    }
    timing.simulateMs = writeMs;
    log(`  ${sim.mesh.dataPods.length} pods: ${h.series} series, ${h.samples} samples, ${Math.round(h.bytes / 2 ** 20)} MiB OpenMetrics in ${cuts.length} chunks, written in ${writeMs} ms; backfilling…`);
    await Promise.all(jobs);
    timing.backfillMs = Date.now() - t0 - writeMs;
    log(`  backfilled in ${timing.backfillMs} ms`);

    t0 = Date.now();
    for (const [i, groups] of levels.entries()) {
      prom = await startPrometheus({ config: { global: { evaluation_interval: `${scrape}s` } }, dataDir: data, readyTimeoutMs: 120_000 });
      const file = join(dir, `level${i}.yaml`);
      writeFileSync(file, dump({ groups }, { lineWidth: -1 }));
      const out = join(dir, `level${i}-blocks`);
      const r = spawnSync(
        'promtool',
        ['tsdb', 'create-blocks-from', 'rules', `--url=${prom.url}`, `--start=${Math.floor((start - 10 * 60_000) / 1000)}`, `--end=${Math.floor(end / 1000)}`, `--eval-interval=${scrape}s`, `--output-dir=${out}`, '--quiet', file],
        { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 },
      );
      await prom.stop();
      prom = undefined;
      if (r.status !== 0) throw new Error(`promtool create-blocks-from rules failed (${r.status}): ${(r.stderr ?? '').slice(-2000)}`);
      moveBlocks(out, data);
      rm(out);
      log(`  recording rules level ${i}: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules backfilled`);
    }
    timing.recordingBackfillMs = Date.now() - t0;

    prom = await startPrometheus({ config: { global: { evaluation_interval: `${scrape}s`, scrape_interval: `${scrape}s` } }, dataDir: data, readyTimeoutMs: 120_000 });
    const tsdbBytes = dirBytes(data);
    t0 = Date.now();
    const perRound: number[][] = dashboards.map(() => []);
    const perQuery: number[][][] = dashboards.map((d) => d.queries.map(() => []));
    const seriesOf: number[][] = dashboards.map((d) => d.queries.map(() => 0));
    const errors: string[][] = dashboards.map(() => []);
    for (let round = 0; round <= rounds; round++) {
      for (const [di, d] of dashboards.entries()) {
        let total = 0;
        for (const [qi, q] of d.queries.entries()) {
          const s = performance.now();
          let n = 0;
          try {
            n = (await prom.queryRange(q.expr, start, end, step)).length;
          } catch (e) {
            if (round === 0) errors[di]!.push(`${q.panel}: ${String(e).slice(0, 200)}`);
          }
          const ms = performance.now() - s;
          total += ms;
          if (round > 0) perQuery[di]![qi]!.push(ms);
          seriesOf[di]![qi] = n;
        }
        if (round > 0) perRound[di]!.push(total);
      }
    }
    timing.queryMs = Date.now() - t0;
    const rows: DashboardRow[] = dashboards.map((d, di) => ({
      dashboard: d.name,
      queries: d.queries.length,
      empty: seriesOf[di]!.filter((n) => n === 0).length,
      series: seriesOf[di]!.reduce((a, b) => a + b, 0),
      totalMs: median(perRound[di]!),
      roundsMs: perRound[di]!,
      slowest: d.queries.map((q, qi) => [q.panel, median(perQuery[di]![qi]!)] as const).sort((a, b) => b[1] - a[1]).slice(0, 3),
      emptyPanels: [...d.queries.filter((_, qi) => seriesOf[di]![qi] === 0).reduce((m, q) => m.set(q.panel, (m.get(q.panel) ?? 0) + 1), new Map<string, number>())].map(([p, n]) => (n > 1 ? `${p} ×${n}` : p)),
      errors: errors[di]!,
    }));
    if (process.env.DASH_DEBUG) dashboards.forEach((d, di) => d.queries.forEach((q, qi) => seriesOf[di]![qi] === 0 && log(`  empty: ${q.expr}`)));
    for (const [di, d] of dashboards.entries()) for (const e of errors[di]!) log(`  ${d.name} query error: ${e}`);
    for (const r of rows) log(`  ${r.dashboard}: ${r.queries} queries, ${r.empty} empty, ${r.series} series, ${r.totalMs.toFixed(0)} ms (median of ${rounds})`);
    return {
      pods: sim.mesh.dataPods.length,
      inputSeries: h.series,
      samples: h.samples,
      tsdbBytes,
      historyHours: (end - historyStart) / 3600_000,
      scrapeSeconds: scrape,
      stepSeconds: step,
      rateInterval,
      recordingRules: levels.flat().reduce((n, g) => n + g.rules.length, 0),
      recordingLevels: levels.length,
      controlLatency,
      rounds,
      timing,
      rows,
      substitutions: { ours: oursVars, official: officialVars },
    };
  } finally {
    await prom?.stop();
    rm(dir);
  }
}
