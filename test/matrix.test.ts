/**
 * Every command on the configs users start from (issue #19): the README's one-line config, the
 * examples, a fleet, every optional source and format on. Each command runs through the real CLI;
 * the commands that read history (check, backtest, backfill, report, preview) run against ONE real Prometheus holding
 * four hours of simulated Linkerd history (tools/sim, each cluster of each config simulated with its
 * own version, job names and labels) with a 30-minute outage of the destination controller in every
 * cluster: backtest must report a page in every cluster, report a lower attainment of the destination
 * in every cluster, check and preview must exit 0.
 *
 * A new command joins by one line in COMMANDS, a new config or example by one line in CONFIGS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { Scenario, backfill, simulatorFor, startPrometheus, workloadsOf, writeOpenMetricsHistory, type NamedWorkload, type RunningPrometheus } from '../tools/sim/index.js';
import { exporterHistory } from './support/exporter-history.js';
import { allOptionsInput } from './support/kinds.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const STEP = 30;
const HOURS = 4;
/** Seconds after the start of the history: every destination controller answers only errors for 30 minutes. */
const OUTAGE = { from: 2 * 3600, to: 2 * 3600 + 1800 };
/** The last seconds of the history, in which every family is written. */
const TAIL = 1200;
/** What the success-rate SLIs read: the proxies' responses, served (response_total) and as clients of the control plane. */
const SLI_FAMILIES = ['response_total', 'control_response_total'];

/**
 * Every optional source and format (test/support/kinds.ts: every rule target and dashboard format,
 * every kind's all-options section from the registry), less what the simulator does not play:
 * route metrics (outbound_*_route_request_statuses_total), so no route SLO (check would call it blind).
 */
const ALL_OPTIONS = (() => {
  const input = allOptionsInput();
  const slos = input.slos as { workloads?: Record<string, unknown> };
  return { ...input, slos: { ...slos, workloads: { ...slos.workloads, routes: [] } } };
})();

/** name → config file (written into `dir` when it is not an example). */
const CONFIGS: Array<[string, (dir: string) => string]> = [
  ['the one-line config', (dir) => write(dir, 'one-line.yaml', 'cluster: prod-eu1\n')],
  ['examples/linkerd-slo.yaml', () => join(ROOT, 'examples', 'linkerd-slo.yaml')],
  ['examples/linkerd-slo.config.ts', () => join(ROOT, 'examples', 'linkerd-slo.config.ts')],
  ['examples/multi-cluster.yaml', () => join(ROOT, 'examples', 'multi-cluster.yaml')],
  ['every optional source and format', (dir) => write(dir, 'all-options.yaml', dump(ALL_OPTIONS))],
  ['the one-line config, dashboards as ConfigMaps only', (dir) => write(dir, 'configmaps.yaml', 'cluster: prod-eu1\ngrafana: { formats: [configmap] }\n')],
];

function write(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }
interface Ctx { readonly config: string; readonly dir: string; readonly url: string; readonly from: string; readonly to: string; readonly clusters: readonly Config[] }

function cli(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Page = { alert: string; labels: Record<string, string> };
type BacktestJson = { pages: number | Page[]; clusters?: Array<{ cluster: string; hasData: boolean; report: { pages: Page[] } }> };

/** The outage's pages: the success-rate burn of the destination controller (other pages, e.g. of absent series, do not count). */
const outagePages = (pages: readonly Page[]) => pages.filter((p) => /ErrorBudgetBurn/.test(p.alert) && p.labels.component === 'destination').length;

/** Per cluster of the report: the outage's pages (every cluster must have data). */
function pagesPerCluster(stdout: string, ctx: Ctx): Record<string, number> {
  const json = JSON.parse(stdout) as BacktestJson;
  if (!json.clusters) return { [ctx.clusters[0]!.cluster]: outagePages(json.pages as Page[]) };
  for (const c of json.clusters) expect(c.hasData, `cluster ${c.cluster} has data`).toBe(true);
  return Object.fromEntries(json.clusters.map((c) => [c.cluster, outagePages(c.report.pages)]));
}

/** The report's server-side destination attainment per cluster, for the printed matrix. */
const destinationAttainment = (stdout: string) =>
  (JSON.parse(stdout) as { slos: Array<{ cluster: string; component: string; sli: string; attainment?: number }> }).slos
    .filter((s) => s.component === 'destination' && s.sli === 'server')
    .map((s) => `${s.cluster} ${s.attainment === undefined ? 'no traffic' : `${s.attainment.toFixed(3)}%`}`)
    .join(', ');

/** The Monday (UTC) starting the ISO week of t (epoch seconds), as YYYY-MM-DD. */
const mondayOf = (t: number) => new Date((t - (((Math.floor(t / 86_400) + 3) % 7) * 86_400)) * 1000).toISOString().slice(0, 10);

/** name, arguments, what its result must satisfy (exit 0 always; anything else it must show). */
const COMMANDS: Array<[string, (c: Ctx) => string[], (r: Run, c: Ctx) => void]> = [
  ['generate', (c) => ['generate', '--config', c.config, '--out', join(c.dir, 'out')], (r) => expect(r.stdout).toMatch(/^wrote \d+ files/)],
  ['generate --check', (c) => ['generate', '--check', '--config', c.config, '--out', join(c.dir, 'out')], (r) => expect(r.stdout).toMatch(/is up to date/)],
  ['validate', (c) => ['validate', '--config', c.config], (r) => expect(r.stdout).toMatch(/: ok \(/)],
  ['schema', () => ['schema'], (r) => expect(JSON.parse(r.stdout)).toHaveProperty('properties.cluster')],
  ['check', (c) => ['check', '--config', c.config, '--prometheus-url', c.url, '--lookback', `${HOURS + 2}h`], (r) => expect(r.stdout).not.toMatch(/BLIND/)],
  ['backtest', (c) => ['backtest', '--config', c.config, '--prometheus-url', c.url, '--from', c.from, '--to', c.to, '--format', 'json'], (r, c) => {
    const pages = pagesPerCluster(r.stdout, c);
    expect(Object.keys(pages).sort()).toEqual(c.clusters.map((x) => x.cluster).sort());
    for (const [cluster, n] of Object.entries(pages)) expect(n, `pages in ${cluster}`).toBeGreaterThan(0);
  }],
  // The ISO weeks (UTC) from the history's start to now (one, or two when it crosses a Monday); 10m evaluations keep the replay cheap (the attainment reads 5m tiles whatever the step).
  ['report', (c) => ['report', '--config', c.config, '--prometheus-url', c.url, '--period', 'week', '--from', mondayOf(Date.parse(c.from) / 1000 - 3600), '--step', '10m', '--format', 'json'], (r, c) => {
    const slos = (JSON.parse(r.stdout) as { slos: Array<{ name: string; cluster: string; component: string; sli: string; requests: number; errors: number }> }).slos;
    for (const cluster of c.clusters.map((x) => x.cluster)) {
      // The success-rate SLO only: with every option on, the latency SLO also watches destination's server side.
      const destination = slos.filter((s) => s.name === 'control-plane-success-rate' && s.cluster === cluster && s.component === 'destination' && s.sli === 'server');
      expect(destination.length, `the destination's server-side SLO in ${cluster}`).toBeGreaterThan(0);
      // By hand: the weeks hold the whole history, and 30 of its 240 minutes answered only errors.
      const [requests, errors] = destination.reduce(([n, e], s) => [n + s.requests, e + s.errors], [0, 0]);
      expect(100 * (1 - errors / requests), `the destination's attainment in ${cluster}`).toBeCloseTo(100 * (1 - (OUTAGE.to - OUTAGE.from) / (HOURS * 3600)), 2);
    }
  }],
  ['preview', (c) => ['preview', '--config', c.config, '--prometheus-url', c.url, '--from', c.from, '--to', c.to, '--out', join(c.dir, 'preview')], (r) => {
    expect(Number(/index\.html: (\d+) dashboards/.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/no series/);
  }],
  // The recordings of the hour before the outage: backfill ends at least 3 h ago (the head block); no --step (read from the Prometheus).
  ['backfill', (c) => ['backfill', '--config', c.config, '--prometheus-url', c.url, '--from', c.from, '--to', iso(Date.parse(c.from) / 1000 + 3600), '--out', join(c.dir, 'recordings.om')], (r, c) => {
    expect(r.stdout).toMatch(/^wrote .*recordings\.om: [1-9]\d* series, [1-9]\d* samples/);
    // Every cluster of a fleet is in the file, by its own label.
    const text = readFileSync(join(c.dir, 'recordings.om'), 'utf8');
    for (const cluster of c.clusters) for (const [k, v] of Object.entries(cluster.prometheus.extraMatchers)) expect(text, cluster.cluster).toContain(`${k}="${v}"`);
  }],
  ['export-openslo', (c) => ['export-openslo', '--config', c.config, '--out', join(c.dir, 'openslo.yaml')], (r) => expect(r.stdout).toMatch(/[1-9]\d* OpenSLO SLO documents/)],
  ['import-openslo of the export', (c) => ['import-openslo', join(c.dir, 'openslo.yaml'), '--cluster', 'imported', '--out', join(c.dir, 'imported.yaml')], (r) => expect(r.stdout).toMatch(/custom SLO/)],
  ['validate of the import', (c) => ['validate', '--config', join(c.dir, 'imported.yaml')], (r) => expect(r.stdout).toMatch(/: ok \(/)],
];

/**
 * One simulated mesh per distinct cluster the configs read: by version, namespace, job names and
 * extra matchers (the target labels); a config without extra matchers reads every cluster, so it
 * needs its own mesh only for a version no other has. Each mesh holds the workloads of every config
 * that reads it.
 */
function meshes(configs: ReadonlyArray<readonly Config[]>): Array<{ config: Config; workloads: NamedWorkload[] }> {
  const key = (c: Config) => JSON.stringify([c.linkerd.version, c.linkerd.namespace, c.linkerd.proxyJob, c.linkerd.controllerJob]);
  const out = new Map<string, { config: Config; workloads: NamedWorkload[] }>();
  const add = (k: string, c: Config) => {
    const m = out.get(k) ?? { config: c, workloads: [] };
    for (const w of workloadsOf(c)) if (!m.workloads.some((x) => JSON.stringify(x) === JSON.stringify(w))) m.workloads.push(w);
    out.set(k, m);
  };
  const all = configs.flat();
  for (const c of all.filter((x) => Object.keys(x.prometheus.extraMatchers).length)) add(JSON.stringify([key(c), c.prometheus.extraMatchers]), c);
  for (const c of all.filter((x) => !Object.keys(x.prometheus.extraMatchers).length)) {
    const same = [...out.entries()].find(([, m]) => key(m.config) === key(c));
    add(same ? same[0] : key(c), c);
  }
  return [...out.values()];
}

/**
 * One mesh's history into `data`: the SLI families (what the burn-rate alerts read) every minute over
 * the whole range, the outage included, then every family every 30 s over the last TAIL seconds (what
 * check and the dashboards look for): a few hundred MB less to backfill than all of it at 30 s.
 */
function simulate(m: { config: Config; workloads: NamedWorkload[] }, seed: number, start: number, end: number, data: string, work: string): void {
  const opts = {
    start: start * 1000,
    namespaces: 1,
    workloadsPerNamespace: 1,
    podsPerWorkload: 2,
    seed,
    workloads: m.workloads,
    scenario: new Scenario(start * 1000, [{ kind: 'cp-errors', component: 'destination', ratio: 1, ...OUTAGE }]),
  } as const;
  const tail = end - TAIL;
  const long = join(work, `history-${seed}-long.om`);
  writeOpenMetricsHistory(simulatorFor(m.config, opts), { until: tail * 1000, stepSeconds: 60, file: long, families: SLI_FAMILIES });
  backfill(long, data);
  rmSync(long);
  const sim = simulatorFor(m.config, opts);
  sim.advanceTo(tail * 1000);
  const last = join(work, `history-${seed}-tail.om`);
  writeOpenMetricsHistory(sim, { until: end * 1000, stepSeconds: STEP, file: last, skipFirst: true });
  backfill(last, data);
  rmSync(last);
}

/** RFC 3339 without milliseconds. */
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

// About 6 minutes on 2 cores (2026-12-06): one Prometheus, every config's history backfilled once.
describe('every command on every config users start from, against one Prometheus with an outage', () => {
  let work = '';
  let prom: RunningPrometheus | undefined;
  const loaded = new Map<string, { file: string; dir: string; clusters: readonly Config[] }>();
  let window = { from: 0, to: 0 };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'linkerd-slo-matrix-'));
    for (const [name, make] of CONFIGS) {
      const dir = mkdtempSync(join(work, 'config-'));
      const file = make(dir);
      loaded.set(name, { file, dir, clusters: (await loadConfigFile(file)).clusters });
    }
    // Four hours ending an hour ago, on the hour: the backtest reads the last three, the outage is in the middle.
    const start = (Math.floor(Date.now() / 3_600_000) - HOURS - 1) * 3600;
    const end = start + HOURS * 3600;
    const data = join(work, 'data');
    const sims = meshes([...loaded.values()].map((l) => l.clusters));
    sims.forEach((m, i) => simulate(m, i + 1, start, end, data, work));
    // The exporters the optional sources read (cert-manager, x509-certificate-exporter, node-exporter, kube-state-metrics, cAdvisor).
    const exporters = join(work, 'exporters.om');
    writeFileSync(exporters, exporterHistory(sims.map((m) => m.config.prometheus.extraMatchers), start, end, 60));
    backfill(exporters, data);
    prom = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: data });
    window = { from: start + 3600, to: end };
  }, 900_000);

  afterAll(async () => {
    await prom?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const results: string[] = [];
  afterAll(() => {
    // The matrix as printed on the outage history (kept in the test log for the record).
    if (results.length) process.stdout.write(`\ncommand matrix:\n${results.join('\n')}\n`);
  });

  describe.each(CONFIGS.map(([name]) => name))('%s', (name) => {
    it.each(COMMANDS.map(([command, args, expectation]) => ({ command, args, expectation })))('$command', ({ command, args, expectation }) => {
      const l = loaded.get(name)!;
      const ctx: Ctx = { config: l.file, dir: l.dir, url: prom!.url, from: iso(window.from), to: iso(window.to), clusters: l.clusters };
      const r = cli(args(ctx));
      const summary = command === 'backtest' && r.status === 0 ? `pages per cluster ${JSON.stringify(pagesPerCluster(r.stdout, ctx))}`
        : command === 'report' && r.status === 0 ? `destination attainment ${destinationAttainment(r.stdout)}`
        : (r.stdout.trim().split('\n').pop() ?? '').slice(0, 120);
      results.push(`${name} | ${command} | exit ${r.status} | ${summary}`);
      expect(r.status, `${command} on ${name}:\n${r.stderr}\n${r.stdout.slice(0, 3000)}`).toBe(0);
      expectation(r, ctx);
    }, 600_000); // a fleet's backtest replays every cluster: over a minute on 2 busy cores
  });
});
