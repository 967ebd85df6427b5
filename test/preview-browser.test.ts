/**
 * `linkerd-slo preview` end to end: the real CLI queries a real Prometheus that scrapes a healthy
 * simulated mesh (tools/sim), and headless Chromium (Debian's, through playwright-core) opens every
 * page it wrote:
 *  - every panel of every generated dashboard (example and multi-cluster configs) is on its page,
 *    and no page logs a console error or throws;
 *  - the panels without data are exactly those the e2e test expects to be empty in a healthy mesh
 *    (test/e2e/support/empty-when-healthy.ts); every other panel draws its data: uPlot series with
 *    points for time series (read from the chart objects, not pixels), values for stat, gauge, bar
 *    gauge and table panels;
 *  - the layout holds: no two panels overlap on the page, and every panel fits the 24 columns;
 *  - a responder can read them: every stat title shows whole, others at least their start (panel
 *    links sit in a menu as Grafana draws them), and no stat shows a percentage below zero;
 *  - the example written as schema v2 only (grafana.formats: [v2]) renders the same panels with the
 *    same data.
 * Skipped, saying so, when Chromium or playwright-core is missing (npm test installs chromium when
 * it runs as root: scripts/ensure-promtool.mjs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dump, load } from 'js-yaml';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfigFile, parseYamlConfig } from '../src/config/load.js';
import { generateBundle } from '../src/generate.js';
import { requirePrometheus, simulatorFor } from '../tools/sim/index.js';
import { bundleDashboards, launchBrowser, type PageReport } from '../src/preview/index.js';
import { EMPTY_WHEN_HEALTHY } from './e2e/support/empty-when-healthy.js';
import { browserMissing } from './support/browser.js';
import { bundleOf, startStack, waitFor, waitForScrapes, type Stack } from './e2e/support/harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const EXAMPLE = join(ROOT, 'examples', 'linkerd-slo.yaml');
const MULTI = join(ROOT, 'examples', 'multi-cluster.yaml');
const run = promisify(execFile);

const missing = browserMissing();
if (missing) console.log(`preview browser test skipped: ${missing}`);

interface DashboardFile {
  readonly uid: string;
  readonly panels: Array<{ type: string; title: string; gridPos: { x: number; y: number; w: number; h: number } }>;
}

describe.skipIf(missing !== undefined)('linkerd-slo preview in headless Chromium, against a real Prometheus', () => {
  let stack: Stack | undefined;
  let out = '';
  const dashboards = new Map<string, { config: string; json: DashboardFile; report: PageReport }>();
  // The example's dashboards again, written as schema v2 only (grafana.formats: [v2]): preview reads grafana/v2/.
  const v2Pages = new Map<string, PageReport>();

  beforeAll(async () => {
    requirePrometheus();
    const config = parseYamlConfig(readFileSync(EXAMPLE, 'utf8'), 'examples/linkerd-slo.yaml');
    const bundle = bundleOf(config, 'examples/linkerd-slo.yaml');
    const sim = simulatorFor(config);
    const liveFrom = new Date(Math.floor(Date.now() / 1000) * 1000);
    stack = await startStack({ sim, rules: bundle.rules, jobNames: { proxy: config.linkerd.proxyJob, controller: config.linkerd.controllerJob } });
    await waitForScrapes(stack, sim, 3);
    // Every SLI computed (as in the e2e test) before looking: then only problem lists are empty.
    await waitFor(
      'a finite error ratio over every alert window and the period, and a budget, for every SLI',
      async () => {
        // The stat panels read the longer windows, recorded by later rules than the 5m one: on a
        // loaded machine they can lag the 5m ratio by an evaluation or more.
        const queries = ['5m', '1h', '6h', '1d', '3d', '30d'].map((w) => `linkerd_slo:sli_error:ratio_rate${w}`);
        queries.push('linkerd_slo:error_budget_remaining:ratio');
        for (const q of queries) {
          const r = await stack!.prom.query(q);
          if (r.length < 7 || !r.every((s) => Number.isFinite(Number(s.value![1])))) return false;
        }
        return true;
      },
      60_000,
    );
    out = mkdtempSync(join(tmpdir(), 'linkerd-slo-preview-'));
    const browser = await launchBrowser();
    try {
      for (const [name, file] of [
        ['example', EXAMPLE],
        ['multi-cluster', MULTI],
      ] as const) {
        const dir = join(out, name);
        const t0 = Date.now();
        const { stdout } = await run(process.execPath, [CLI, 'preview', '--config', file, '--prometheus-url', stack.prom.url, '--from', liveFrom.toISOString(), '--out', dir], { encoding: 'utf8' });
        console.log(`preview of ${name}: ${Date.now() - t0} ms\n${stdout.trim()}`);
        for (const line of stdout.trim().split('\n').slice(0, -1)) {
          const uid = /\/([^/]+)\.html:/.exec(line)![1]!;
          dashboards.set(uid, { config: name, json: { uid, panels: [] }, report: await browser.open(join(dir, `${uid}.html`)) });
        }
      }
      const v2Config = join(out, 'v2.yaml');
      const exampleYaml = load(readFileSync(EXAMPLE, 'utf8')) as { grafana?: object };
      writeFileSync(v2Config, dump({ ...exampleYaml, grafana: { ...exampleYaml.grafana, formats: ['v2'] } }));
      const { stdout } = await run(process.execPath, [CLI, 'preview', '--config', v2Config, '--prometheus-url', stack.prom.url, '--from', liveFrom.toISOString(), '--out', join(out, 'v2')], { encoding: 'utf8' });
      for (const line of stdout.trim().split('\n').slice(0, -1)) {
        const uid = /\/([^/]+)\.html:/.exec(line)![1]!;
        v2Pages.set(uid, await browser.open(join(out, 'v2', `${uid}.html`)));
      }
    } finally {
      await browser.close();
    }
    // The dashboards as the generator writes them.
    for (const file of [EXAMPLE, MULTI]) {
      const loaded = await loadConfigFile(file);
      for (const { dashboard } of bundleDashboards(generateBundle(loaded, loaded.file).files)) {
        dashboards.get(dashboard.uid ?? '')?.json.panels.push(...(dashboard.panels as DashboardFile['panels']));
      }
    }
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('renders all eight dashboards, every panel, with no console error', () => {
    expect([...dashboards.keys()].sort()).toEqual([
      'linkerd-slo-fleet',
      'linkerd-slo-fleet-certificates',
      'linkerd-slo-fleet-control-plane',
      'linkerd-slo-fleet-proxies',
      'linkerd-slo-prod-eu1',
      'linkerd-slo-prod-eu1-certificates',
      'linkerd-slo-prod-eu1-control-plane',
      'linkerd-slo-prod-eu1-proxies',
    ]);
    for (const [uid, d] of dashboards) {
      expect(d.report.errors, uid).toEqual([]);
      const onPage = d.report.panels.map((p) => `${p.type}: ${p.title}`);
      expect(onPage, uid).toEqual(d.json.panels.map((p) => `${p.type}: ${p.title}`));
      expect(d.report.panels.filter((p) => p.state === 'error').map((p) => `${uid} "${p.title}": ${p.text}`)).toEqual([]);
    }
  });

  it('shows "No data" exactly on the panels the e2e test expects empty, and draws data everywhere else', () => {
    const single = [...dashboards.values()].filter((d) => d.config === 'example');
    const empty = new Set(single.flatMap((d) => d.report.panels.filter((p) => p.state === 'nodata').map((p) => p.title)));
    expect([...empty].sort()).toEqual(Object.keys(EMPTY_WHEN_HEALTHY).sort());
    const undrawn: string[] = [];
    for (const [uid, d] of dashboards) {
      for (const p of d.report.panels) {
        if (p.type === 'row' || p.type === 'text' || p.state !== 'data') continue;
        const drawn =
          p.type === 'timeseries' ? (p.drawnSeries ?? 0) > 0 && (p.drawnPoints ?? 0) > 1 : p.text.trim() !== '' && !p.text.includes('No data') && !p.text.includes('not supported');
        if (!drawn) undrawn.push(`${uid} "${p.title}" (${p.type}): ${JSON.stringify(p.text.slice(0, 80))}`);
      }
    }
    expect(undrawn).toEqual([]);
    // Multi-cluster: the fleet dashboards select cluster=~".+" (All) and find the simulated cluster.
    const fleetEmpty = [...dashboards.values()].filter((d) => d.config === 'multi-cluster').flatMap((d) => d.report.panels.filter((p) => p.state === 'nodata').map((p) => p.title));
    expect(fleetEmpty.filter((t) => !(t in EMPTY_WHEN_HEALTHY))).toEqual([]);
  });

  it('titles stay readable (panel links sit in a menu, not across the title) and no stat shows a percentage below zero', () => {
    const cut: string[] = [];
    const negative: string[] = [];
    const pages = [...[...dashboards].map(([uid, d]) => [uid, d.report] as const), ...[...v2Pages].map(([uid, r]) => [`v2 ${uid}`, r] as const)];
    for (const [uid, report] of pages) {
      for (const p of report.panels) {
        if (p.type === 'row' || p.titleShown === undefined) continue;
        // A stat's title shows whole; any other title at least its first 12 characters (then an ellipsis).
        const need = p.type === 'stat' ? p.title.length : Math.min(p.title.length, 12);
        if (p.titleShown < need) cut.push(`${uid} "${p.title}" (${p.type}, ${p.grid[2]} columns): ${p.titleShown} of ${p.title.length} characters`);
        if (p.type === 'stat' && /(^|\s)[-−]\d[\d,.]*\s*%/.test(p.text)) negative.push(`${uid} "${p.title}": ${JSON.stringify(p.text)}`);
      }
    }
    expect(cut).toEqual([]);
    expect(negative).toEqual([]);
  });

  it('renders the schema v2 dashboards as the classic ones: the same panels, empty only where a healthy mesh leaves them empty', () => {
    const shape = (r: PageReport) => r.panels.filter((p) => p.type !== 'row').map((p) => `${p.type}: ${p.title}`).sort();
    expect([...v2Pages.keys()].sort()).toEqual([...dashboards].filter(([, d]) => d.config === 'example').map(([uid]) => uid).sort());
    for (const [uid, report] of v2Pages) {
      expect(report.errors, uid).toEqual([]);
      expect(shape(report), uid).toEqual(shape(dashboards.get(uid)!.report));
      // Rendered a little later than the classic pages: compared with what a healthy mesh leaves empty, not with their states.
      expect(report.panels.filter((p) => p.state === 'error').map((p) => p.title), uid).toEqual([]);
      expect(report.panels.filter((p) => p.state === 'nodata' && !(p.title in EMPTY_WHEN_HEALTHY)).map((p) => p.title), uid).toEqual([]);
      // Tabs: the overview's kinds are tabs, their title before each row's.
      if (uid === 'linkerd-slo-prod-eu1') expect(report.panels.filter((p) => p.type === 'row').map((p) => p.title)).toContain('Control-plane latency › Control-plane latency');
    }
  });

  it('lays the panels out on the 24-column grid without overlaps', () => {
    for (const [uid, d] of dashboards) {
      for (const p of d.json.panels) {
        expect(p.gridPos.x, `${uid} "${p.title}"`).toBeGreaterThanOrEqual(0);
        expect(p.gridPos.x + p.gridPos.w, `${uid} "${p.title}" fits 24 columns`).toBeLessThanOrEqual(24);
      }
      const boxes = d.report.panels;
      const overlaps: string[] = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.rect;
          const b = boxes[j]!.rect;
          const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
          const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
          if (w > 1 && h > 1) overlaps.push(`"${boxes[i]!.title}" and "${boxes[j]!.title}"`);
        }
      }
      expect(overlaps, uid).toEqual([]);
      // The full-width panels span the page: the grid is not squeezed into a column.
      const right = Math.max(...boxes.map((b) => b.rect.x + b.rect.w));
      const left = Math.min(...boxes.map((b) => b.rect.x));
      expect(right - left, `${uid} width`).toBeGreaterThan(1000);
    }
  });
});
