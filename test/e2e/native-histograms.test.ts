/**
 * Latency SLIs on native histograms (issue #23, linkerd.histograms: native), against Prometheus 3.
 * One simulator, two Prometheus 3 scraping it:
 *  - classic: the proxy's response_latency_ms stored as `_bucket` series, the default (classic) bundle;
 *  - NHCB: `convert_classic_histograms_to_nhcb: true`, so the same exposition is stored as one native
 *    histogram with Linkerd's bounds and no `_bucket` series; the native bundle.
 * Both bundles measure control-plane latency (identity, 1 s threshold) and workload latency (app-0/web,
 * 1 s threshold) over compressed windows (period 1h at 99%, one page 1m/10s consuming 20%: factor 12,
 * slow ratio 0.12). The proxies also serve their admin port (probes, scrapes: fast), which the workload
 * SLI must leave out. Asserted:
 *  - healthy over more than the long window: no latency page on either;
 *  - identity slow for 40 s, later web slow for 40 s: each bundle pages once per incident, the same
 *    episodes on both (starts and ends within a few evaluations of each other);
 *  - `linkerd-slo check` reports the classic bundle on the NHCB store with the fix
 *    (linkerd.histograms: native), the native bundle on the classic store with the reverse, and the
 *    native bundle on the NHCB store not at all.
 * Needs Prometheus 3 (NHCB conversion of scraped classic histograms); skipped with a message otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { LinkerdSimulator, type RunningPrometheus, type Sample } from '../../tools/sim/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { enginePath, engineRelease } from '../support/engines.js';
import { runCli } from '../support/cli.js';
import { validateConfig } from '../../src/config/load.js';
import { generate } from '../../src/generate.js';
import { prometheusClient } from '../../src/check/prometheus-client.js';
import { runBacktest, type BacktestReport } from '../../src/backtest/index.js';
import { bundleFor, dashboardQueries, hasData, sleep, startStack, waitForScrapes, type Bundle, type Stack } from './support/harness.js';

const PAGES = { controlPlane: 'LinkerdControlPlaneLatencyBudgetBurn', workload: 'LinkerdWorkloadLatencyBudgetBurn' } as const;
type Page = keyof typeof PAGES;
const HEALTHY_SECONDS = 75;
/** Incidents, in seconds after the onset: identity slow, then web slow; polled until the end. */
const INCIDENTS: Record<Page, { from: number; to: number }> = { controlPlane: { from: 0, to: 40 }, workload: { from: 70, to: 110 } };
const OBSERVE_UNTIL_SECONDS = 160;
/** Two Prometheus scrape and evaluate every second, each at its own phase. */
const SAME_EPISODE_SECONDS = 5;
/** Budget spent over the backtest range, native against classic (relative). */
const BUDGET_TOLERANCE = 0.1;

const prometheus3 = enginePath('prometheus');
const promtool3 = enginePath('promtool');
const skip = prometheus3 && promtool3 ? undefined : `Prometheus ${engineRelease('prometheus')} not built (node scripts/engines.mjs): scraped classic histograms become native ones only in Prometheus 3`;
if (skip) console.log(`native-histograms: skipped: ${skip}`);

const config = (histograms: 'classic' | 'native'): ConfigInput => {
  const off = { enabled: false };
  return {
    cluster: 'e2e',
    linkerd: { version: '2.18', histograms },
    alerting: { windows: [{ severity: 'page', long: '1m', short: '10s', budgetConsumed: 20 }], lowTraffic: { minRequests: 0 } },
    slos: {
      controlPlaneLatency: { objective: 99, period: '1h', components: ['identity'], thresholdMs: 1000, spike: off, volumeChange: off },
      workloads: {
        defaults: { class: 'E2E', period: '1h' },
        classes: { E2E: { successRate: { enabled: false, objective: 99 }, latency: { enabled: true, objective: 99, thresholdMs: 1000 } } },
        list: [{ namespace: 'app-0', deployment: 'web' }],
      },
      controlPlaneSuccessRate: off, controlPlaneAvailability: off, proxyResources: off, certificates: off,
    },
  };
};

interface Episode { start: number; end?: number }
/** What the assertions read of `backtest --format json` (docs/backtest.md). */
interface BacktestJson {
  from: number;
  pages: Array<{ alert: string; labels: Record<string, string>; start: number; end: number; peakBurnRate?: number }>;
}

const firing = async (p: RunningPrometheus, alert: string) => (await p.alerts()).some((a) => a.labels.alertname === alert && a.state === 'firing');

describe.skipIf(!!skip)('latency SLIs on native histograms (Prometheus 3, convert_classic_histograms_to_nhcb)', () => {
  const stacks: Stack[] = [];
  const falsePages: string[][] = [[], []];
  /** Per stack (classic, native) and page: firing episodes, in seconds after the onset. */
  const episodes: Array<Record<Page, Episode[]>> = [{ controlPlane: [], workload: [] }, { controlPlane: [], workload: [] }];
  let bucketSeriesInNhcb = -1;
  let nativeSeriesInNhcb = -1;
  /** Per stack: the quantile panels' queries (histogram_quantile) and whether each shows data. */
  const quantilePanels: Array<Map<string, boolean>> = [new Map(), new Map()];
  /** Per stack: each heatmap panel's answer: distinct `le` series (classic) and native histogram samples. */
  const heatmapPanels: Array<Map<string, { les: number; histogramSamples: number }>> = [new Map(), new Map()];
  /** Per stack: `linkerd-slo backtest --format json` of its bundle over the incidents, replayed from its store. */
  const backtests: Array<{ status: number | null; stderr: string; report?: BacktestJson }> = [];
  /** Per stack: the backtest's replayed burn rate over each burn-rate alert's long window. */
  const burnRates: Array<BacktestReport['burnRates']> = [];
  /** Per stack: `linkerd-slo preview` of its bundle: the control-plane page's heatmap panels. */
  const previews: Array<{ status: number | null; stderr: string; heatmaps: Array<{ title: string; state: string; cells: number; native: boolean }> }> = [];
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-nh-e2e-'));

  beforeAll(async () => {
    const sim = new LinkerdSimulator({
      start: Date.now(), version: '2.18', namespaces: 1, workloadsPerNamespace: 1, podsPerWorkload: 2, viz: false,
      rates: { identityPerProxy: 2, appRps: 5 }, histograms: 'all',
    });
    const engine = { name: `Prometheus ${engineRelease('prometheus')}`, prometheus: prometheus3!, promtool: promtool3! };
    const bundles: Bundle[] = [bundleFor(config('classic')), bundleFor(config('native'))];
    stacks.push(await startStack({ sim, rules: bundles[0]!.rules, engine }));
    stacks.push(await startStack({
      sim, rules: bundles[1]!.rules, engine,
      extraConfig: { global: { scrape_interval: '1s', evaluation_interval: '1s', convert_classic_histograms_to_nhcb: true } },
    }));
    for (const s of stacks) await waitForScrapes(s, sim, 2);
    // Healthy: poll both over more than the long window; any latency page here is false.
    const healthyUntil = Date.now() + HEALTHY_SECONDS * 1000;
    while (Date.now() < healthyUntil) {
      for (const [i, s] of stacks.entries()) {
        for (const a of await s.prom.alerts()) if (a.state === 'firing' && Object.values(PAGES).includes(a.labels.alertname as never)) falsePages[i]!.push(a.labels.alertname!);
      }
      await sleep(2000);
    }
    const nhcb = stacks[1]!.prom;
    bucketSeriesInNhcb = (await nhcb.query('count(response_latency_ms_bucket) or vector(0)'))[0]?.value?.[1] === '0' ? 0 : 1;
    nativeSeriesInNhcb = (await nhcb.query('histogram_count(response_latency_ms)')).length;

    const onset = Date.now();
    const at = (s: number) => sim.scenario.offset(onset + s * 1000);
    sim.scenario.add({ kind: 'cp-latency', component: 'identity', medianMs: 3000, sigma: 0.3, from: at(INCIDENTS.controlPlane.from), to: at(INCIDENTS.controlPlane.to) });
    sim.scenario.add({ kind: 'app-latency', medianMs: 3000, sigma: 0.3, select: { namespace: 'app-0', workload: 'web' }, from: at(INCIDENTS.workload.from), to: at(INCIDENTS.workload.to) });
    while (Date.now() < onset + OBSERVE_UNTIL_SECONDS * 1000) {
      const now = (Date.now() - onset) / 1000;
      for (const [i, s] of stacks.entries()) {
        for (const page of Object.keys(PAGES) as Page[]) {
          const list = episodes[i]![page];
          const open = list.at(-1)?.end === undefined ? list.at(-1) : undefined;
          const on = await firing(s.prom, PAGES[page]);
          if (on && !open) list.push({ start: now });
          if (!on && open) open.end = now;
        }
      }
      await sleep(1000);
    }
    // Each bundle's dashboards on its own store: every quantile panel, over the whole run.
    for (const [i, s] of stacks.entries()) {
      for (const q of await dashboardQueries(bundles[i]!.dashboards, s.prom, 300)) {
        if (!q.expr.includes('histogram_quantile')) continue;
        quantilePanels[i]!.set(`${q.panel}\u0000${q.expr}`, hasData(await s.prom.queryRange(q.expr, onset - 60_000, Date.now(), 5)));
      }
    }
    for (const [i, s] of stacks.entries()) {
      for (const q of await dashboardQueries(bundles[i]!.dashboards, s.prom, 300)) {
        if (q.type !== 'heatmap') continue;
        const r = (await s.prom.queryRange(q.expr, onset - 60_000, Date.now(), 5)) as Array<Sample & { histograms?: unknown[] }>;
        heatmapPanels[i]!.set(q.panel, { les: new Set(r.filter((x) => hasData([x])).map((x) => x.metric.le)).size, histogramSamples: r.reduce((n, x) => n + (x.histograms?.length ?? 0), 0) });
      }
    }
    // The backtest replays each store's history through its bundle's alerts, from before the first
    // incident to now, on the stores' 1 s evaluation grid.
    const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
    const [from, to] = [iso(onset - 30_000), iso(Date.now() - 2000)];
    for (const [i, histograms] of (['classic', 'native'] as const).entries()) {
      const file = join(dir, `backtest-${histograms}.yaml`);
      writeFileSync(file, dump(config(histograms)));
      const r = await runCli(['backtest', '--config', file, '--prometheus-url', stacks[i]!.prom.url, '--from', from, '--to', to, '--step', '1s', '--format', 'json']);
      backtests.push({ status: r.status, stderr: r.stderr, ...(r.status === 0 ? { report: JSON.parse(r.stdout) as BacktestJson } : {}) });
      // The JSON report leaves out the burn-rate series; the same replay in process keeps them.
      const cfg = validateConfig(config(histograms), 'e2e.yaml');
      const { report } = await runBacktest(generate(cfg, 'e2e.yaml').groups, prometheusClient(stacks[i]!.prom.url), {
        from: Date.parse(from) / 1000, to: Date.parse(to) / 1000, step: 1, pageSeverity: cfg.alerting.severities.page, ticketSeverity: cfg.alerting.severities.ticket, whatIfMaxPages: 0,
      });
      burnRates.push(report.burnRates);
    }
    // The preview of each bundle's dashboards from its own store (the native heatmaps answer with histogram samples).
    for (const [i, histograms] of (['classic', 'native'] as const).entries()) {
      const out = join(dir, `preview-${histograms}`);
      const r = await runCli(['preview', '--config', join(dir, `backtest-${histograms}.yaml`), '--prometheus-url', stacks[i]!.prom.url, '--from', from, '--to', to, '--out', out]);
      const page = r.status === 0 ? readFileSync(join(out, 'linkerd-slo-e2e-control-plane.html'), 'utf8') : '';
      previews.push({ status: r.status, stderr: r.stderr, heatmaps: [...page.matchAll(/<section class="panel panel-heatmap"[^>]*data-title="([^"]*)" data-state="(\w+)"[^>]*>([\s\S]*?)<\/section>/g)].map((m) => ({ title: m[1]!, state: m[2]!, cells: (m[3]!.match(/<rect /g) ?? []).length, native: m[3]!.includes('A native histogram') })) });
    }
    const show = (e: Episode[]) => (e.length ? e.map((x) => `${x.start.toFixed(0)}–${x.end === undefined ? '…' : x.end.toFixed(0)} s`).join(', ') : 'none');
    for (const page of Object.keys(PAGES) as Page[]) {
      console.log(`native-histograms: ${PAGES[page]} episodes after the onset (incident ${INCIDENTS[page].from}–${INCIDENTS[page].to} s): classic ${show(episodes[0]![page])}; native on NHCB ${show(episodes[1]![page])}`);
    }
  }, 900_000);

  afterAll(async () => {
    for (const s of stacks) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the NHCB store holds the histogram natively and no _bucket series', () => {
    expect(bucketSeriesInNhcb).toBe(0);
    expect(nativeSeriesInNhcb).toBeGreaterThan(0);
  });

  it('healthy: neither bundle pages', () => {
    expect(falsePages).toEqual([[], []]);
  });

  it.each(Object.keys(PAGES) as Page[])('%s latency: one page per incident on each bundle, the same episode on both', (page) => {
    for (const s of stacks) expect(s.prom.logs()).not.toMatch(/level=error/i);
    const [classic, native] = [episodes[0]![page], episodes[1]![page]];
    expect(classic, 'classic bundle: one episode').toHaveLength(1);
    expect(native, 'native bundle: one episode').toHaveLength(1);
    const { from, to } = INCIDENTS[page];
    for (const e of [classic[0]!, native[0]!]) {
      expect(e.start).toBeGreaterThan(from);
      expect(e.start).toBeLessThan(to);
      expect(e.end, 'the page resolves after the incident').toBeDefined();
    }
    expect(Math.abs(native[0]!.start - classic[0]!.start)).toBeLessThanOrEqual(SAME_EPISODE_SECONDS);
    expect(Math.abs(native[0]!.end! - classic[0]!.end!)).toBeLessThanOrEqual(SAME_EPISODE_SECONDS);
  });

  it('heatmap panels: classic reads le buckets on classic storage, native reads native histograms on the NHCB store, for the same panels', () => {
    console.log(`native-histograms: heatmaps: classic ${JSON.stringify([...heatmapPanels[0]!])}; native ${JSON.stringify([...heatmapPanels[1]!])}`);
    // One per serving component of 2.18 and one for the workloads.
    expect([...heatmapPanels[0]!.keys()].sort()).toEqual(['destination', 'identity', 'policy', 'workloads with a latency SLO'].map((c) => `Latency distribution: ${c}`));
    expect([...heatmapPanels[1]!.keys()].sort()).toEqual([...heatmapPanels[0]!.keys()].sort());
    for (const [panel, got] of heatmapPanels[0]!) {
      // Linkerd's 26 bounds (1 ms … 50 s and +Inf), each a series of the heatmap.
      expect(got.les, `${panel}: le series with data`).toBeGreaterThan(5);
      expect(got.histogramSamples, panel).toBe(0);
    }
    for (const [panel, got] of heatmapPanels[1]!) {
      expect(got.les, `${panel}: no le series on native`).toBe(0);
      expect(got.histogramSamples, `${panel}: native histogram samples`).toBeGreaterThan(10);
    }
  });

  it('preview: draws the classic heatmaps from their buckets and describes the native ones, each with data', () => {
    for (const p of previews) expect(p.status, p.stderr).toBe(0);
    console.log(`native-histograms: preview heatmaps: classic ${JSON.stringify(previews[0]!.heatmaps)}; native ${JSON.stringify(previews[1]!.heatmaps)}`);
    const identity = (i: number) => previews[i]!.heatmaps.find((h) => h.title === 'Latency distribution: identity')!;
    expect(identity(0)).toMatchObject({ state: 'data', native: false });
    expect(identity(0).cells).toBeGreaterThan(10);
    expect(identity(1)).toMatchObject({ state: 'data', native: true, cells: 0 });
    expect(previews[1]!.heatmaps.map((h) => h.title)).toEqual(previews[0]!.heatmaps.map((h) => h.title));
  });

  it('backtest: the native bundle replayed from the NHCB store reports the latency pages the classic bundle reports from classic storage', () => {
    for (const b of backtests) expect(b.status, b.stderr).toBe(0);
    const [classic, native] = backtests.map((b) => b.report!) as [BacktestJson, BacktestJson];
    const pages = (r: BacktestJson, alert: string) => r.pages.filter((p) => p.labels.alertname === alert);
    /**
     * Budget of the 1h period spent over the range, from the replayed burn rate over the page's long
     * window: Σ burn × step / period (the report's budget table reads 5m rates every 5 minutes,
     * which a few minutes of compressed history do not have).
     */
    const spent = (i: number, alert: string) => burnRates[i]!.filter((b) => b.alert.startsWith(`${alert} `)).reduce((n, b) => n + b.points.reduce((m, [, v]) => m + (Number.isFinite(v) ? v : 0), 0), 0) / 3600;
    for (const page of Object.values(PAGES)) {
      const [c, n] = [pages(classic, page), pages(native, page)];
      const show = (r: BacktestJson, list: BacktestJson['pages']) => list.map((p) => `${p.labels.component} ${p.start - r.from}–${p.end - r.from} s peak burn ${p.peakBurnRate?.toFixed(1)}`).join(', ');
      console.log(`native-histograms: backtest ${page}: classic ${show(classic, c)}, budget spent ${(spent(0, page) * 100).toFixed(2)}%; native ${show(native, n)}, budget spent ${(spent(1, page) * 100).toFixed(2)}%`);
      // One page per incident on both, the same component, at the same time.
      expect(c, `classic backtest: ${page}`).toHaveLength(1);
      expect(n.map((p) => p.labels.component), `native backtest: ${page}`).toEqual(c.map((p) => p.labels.component));
      expect(Math.abs(n[0]!.start - c[0]!.start), `${page} start`).toBeLessThanOrEqual(SAME_EPISODE_SECONDS);
      expect(Math.abs(n[0]!.end - c[0]!.end), `${page} end`).toBeLessThanOrEqual(SAME_EPISODE_SECONDS);
      // Same budget within 10%: the two stores scrape the same simulator at their own phases.
      expect(spent(0, page)).toBeGreaterThan(0);
      expect(Math.abs(spent(1, page) / spent(0, page) - 1), `${page}: budget spent, native vs classic`).toBeLessThanOrEqual(BUDGET_TOLERANCE);
    }
  });

  it('quantile panels: the native bundle\'s show data on the NHCB store wherever the classic bundle\'s do on classic storage', () => {
    const withData = (i: number) => [...quantilePanels[i]!].filter(([, data]) => data).map(([key]) => key.split('\u0000')[0]!).sort();
    console.log(`native-histograms: quantile panels with data: classic ${withData(0).length}/${quantilePanels[0]!.size}, native ${withData(1).length}/${quantilePanels[1]!.size}`);
    expect(withData(0)).toEqual(expect.arrayContaining(['Latency: identity', 'Latency: p99 time to first byte (slowest 20)']));
    expect(withData(1)).toEqual(withData(0));
    expect(quantilePanels[1]!.size).toBe(quantilePanels[0]!.size);
  });

  const check = async (histograms: 'classic' | 'native', prom: RunningPrometheus) => {
    const file = join(dir, `${histograms}.yaml`);
    writeFileSync(file, dump(config(histograms)));
    const r = await runCli(['check', '--config', file, '--prometheus-url', prom.url, '--format', 'json']);
    const report = JSON.parse(r.stdout) as { findings: Array<{ kind: string; severity: string; selector: string; message: string; fix: string }> };
    return { status: r.status, storage: report.findings.filter((f) => f.kind === 'histogram-storage') };
  };

  it('check: the classic bundle on the NHCB store is a blind finding whose fix is linkerd.histograms: native', async () => {
    const r = await check('classic', stacks[1]!.prom);
    expect(r.status).toBe(1);
    expect(r.storage.length).toBeGreaterThan(0);
    expect(new Set(r.storage.map((f) => f.fix))).toEqual(new Set(['set linkerd.histograms: native']));
    expect(r.storage.every((f) => f.severity === 'blind' && f.selector.startsWith('response_latency_ms_bucket{'))).toBe(true);
    // Both kinds' selectors: the control plane's identity port and the workload's inbound non-admin series.
    expect(r.storage.some((f) => f.selector.includes('control_plane_component="identity"'))).toBe(true);
    expect(r.storage.some((f) => f.selector.includes('deployment="web"'))).toBe(true);
  });

  it('check: the native bundle on classic storage gets the reverse fix; on the NHCB store, no such finding', async () => {
    const onClassic = await check('native', stacks[0]!.prom);
    expect(onClassic.status).toBe(1);
    expect(onClassic.storage.length).toBeGreaterThan(0);
    expect(onClassic.storage.every((f) => f.fix.startsWith('set linkerd.histograms: classic') && f.selector.startsWith('response_latency_ms{'))).toBe(true);
    const onNhcb = await check('native', stacks[1]!.prom);
    expect(onNhcb.storage).toEqual([]);
  });
});

if (skip) {
  describe('native histograms', () => {
    it.skip(`skipped: ${skip}`, () => undefined);
  });
}
