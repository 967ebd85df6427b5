/**
 * `linkerd-slo preview`: every dashboard the generator writes (the files themselves, not a second
 * description), queried from a real Prometheus and rendered to one static HTML page each, with an
 * index page; optionally a PNG of each through the system Chromium.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { PromClient } from '../check/prometheus-client.js';
import { checkOutputFile, writeOutputFile, type InputFile, type OutputFile } from '../output-file.js';
import { launchBrowser } from './browser.js';
import { dashboardData, type DashboardJson } from './data.js';
import { linkResolver } from './markdown.js';
import { panelState, renderDashboardPage, renderIndexPage } from './render.js';
import { dashboardFromV2, isV2Dashboard, type V2DashboardJson } from './v2.js';

export { launchBrowser } from './browser.js';
export type { PageReport } from './browser.js';

/**
 * The dashboards of a generated bundle, from whichever formats grafana.formats wrote: the plain
 * grafana/<name>.json (provisioning), else the import flavour, the ConfigMap's data or the
 * GrafanaDashboard's spec.json: the same dashboard in each (src/emit/dashboards/formats.ts), so
 * each is rendered once, listed under the file it came from; schema v2 files (grafana/v2/) for a
 * dashboard no classic format wrote.
 */
export function bundleDashboards(files: ReadonlyMap<string, string>): Array<{ file: string; dashboard: DashboardJson }> {
  const flavours: Array<[RegExp, (text: string) => DashboardJson | undefined]> = [
    [/^grafana\/([^/]+)\.json$/, (t) => JSON.parse(t) as DashboardJson],
    [/^grafana\/import\/([^/]+)\.json$/, (t) => JSON.parse(t) as DashboardJson],
    [/^grafana\/configmap\/([^/]+)\.yaml$/, (t) => {
      const data = (load(t) as { data?: Record<string, string> } | undefined)?.data ?? {};
      const json = Object.values(data)[0];
      return json === undefined ? undefined : (JSON.parse(json) as DashboardJson);
    }],
    [/^grafana\/operator\/([^/]+)\.yaml$/, (t) => {
      const json = (load(t) as { spec?: { json?: string } } | undefined)?.spec?.json;
      return json === undefined ? undefined : (JSON.parse(json) as DashboardJson);
    }],
  ];
  const byBase = new Map<string, { file: string; dashboard: DashboardJson }>();
  for (const [pattern, read] of flavours) {
    for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const base = pattern.exec(file)?.[1];
      if (base === undefined || byBase.has(base)) continue;
      const dashboard = read(text);
      if (dashboard) byBase.set(base, { file, dashboard });
    }
  }
  // Schema v2 (grafana/v2/<name>.json) for a dashboard the bundle has no classic file of.
  const uids = new Set([...byBase.values()].map((d) => d.dashboard.uid));
  const v2 = [...files]
    .filter(([k]) => /^grafana\/v2\/[^/]+\.json$/.test(k))
    .map(([file, text]) => ({ file, resource: JSON.parse(text) as unknown }))
    .filter((d): d is { file: string; resource: V2DashboardJson } => isV2Dashboard(d.resource) && !uids.has(d.resource.metadata.name))
    .map(({ file, resource }) => ({ file, dashboard: dashboardFromV2(resource) }));
  return [...byBase.values(), ...v2].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

export interface PreviewOptions {
  readonly client: PromClient;
  readonly dashboards: ReadonlyArray<{ file: string; dashboard: DashboardJson }>;
  readonly outDir: string;
  /** How --out is named in messages (what the user typed). */
  readonly outLabel?: string;
  /** Files the command reads (the config): a page never replaces them. */
  readonly inputs?: readonly InputFile[];
  /** Epoch seconds. */
  readonly from: number;
  readonly to: number;
  readonly scrapeIntervalSeconds: number;
  readonly png: boolean;
  readonly generator: string;
  readonly pageWidth?: number;
}

export interface PreviewResult {
  readonly pages: Array<{ uid: string; title: string; html: string; png?: string; panels: number; empty: string[]; errors: string[] }>;
  readonly index: string;
  readonly ms: { query: number; render: number; png: number };
}

const uidOf = (file: string, d: DashboardJson) => d.uid ?? file.replace(/^grafana\/(v2\/)?/, '').replace(/\.json$/, '');

export async function runPreview(o: PreviewOptions): Promise<PreviewResult> {
  const pageWidth = o.pageWidth ?? 1600;
  // Every file the run replaces, checked before the first query (docs/preview.md: what preview owns).
  const output = (name: string): OutputFile => ({ path: join(o.outDir, name), label: `--out ${o.outLabel ?? o.outDir} (${name})`, inputs: o.inputs ?? [] });
  const names = ['index.html', ...o.dashboards.flatMap(({ file, dashboard }) => [`${uidOf(file, dashboard)}.html`, ...(o.png ? [`${uidOf(file, dashboard)}.png`] : [])])];
  await mkdir(o.outDir, { recursive: true });
  for (const name of names) await checkOutputFile(output(name));
  const uids = new Set(o.dashboards.map((d) => d.dashboard.uid ?? ''));
  const resolve = linkResolver(uids);
  const ms = { query: 0, render: 0, png: 0 };
  const pages: PreviewResult['pages'] = [];
  for (const { file, dashboard } of o.dashboards) {
    const t0 = Date.now();
    const data = await dashboardData(file, dashboard, { client: o.client, from: o.from, to: o.to, scrapeIntervalSeconds: o.scrapeIntervalSeconds, pageWidth });
    const t1 = Date.now();
    const html = renderDashboardPage(data, { resolve, prometheusUrl: o.client.url, from: o.from, to: o.to, scrapeIntervalSeconds: o.scrapeIntervalSeconds, generator: o.generator });
    const uid = uidOf(file, dashboard);
    const path = join(o.outDir, `${uid}.html`);
    await writeOutputFile(output(`${uid}.html`), html);
    ms.query += t1 - t0;
    ms.render += Date.now() - t1;
    const states = [...data.panels.values()].map((d) => ({ title: d.panel.title ?? '', state: panelState(d), errors: d.queries.filter((q) => q.error).map((q) => `${q.refId}: ${q.error}`) }));
    pages.push({
      uid,
      title: dashboard.title ?? uid,
      html: path,
      panels: data.panels.size,
      empty: states.filter((s) => s.state === 'nodata').map((s) => s.title),
      errors: states.flatMap((s) => s.errors.map((e) => `"${s.title}" ${e}`)),
    });
  }
  const index = join(o.outDir, 'index.html');
  await writeOutputFile(
    output('index.html'),
    renderIndexPage(
      pages.map((p) => ({ uid: p.uid, title: p.title, file: o.dashboards.find((d) => (d.dashboard.uid ?? '') === p.uid)?.file ?? '', panels: p.panels, empty: p.empty.length, errors: p.errors.length })),
      { prometheusUrl: o.client.url, from: o.from, to: o.to, scrapeIntervalSeconds: o.scrapeIntervalSeconds, generator: o.generator },
    ),
  );
  if (o.png) {
    const t = Date.now();
    const browser = await launchBrowser({ width: pageWidth + 24 });
    try {
      for (const p of pages) {
        const png = p.html.replace(/\.html$/, '.png');
        // The screenshot comes back as bytes and is written like the pages (never through a link).
        const report = await browser.open(p.html, (bytes) => writeOutputFile(output(`${p.uid}.png`), bytes));
        p.png = png;
        if (report.errors.length) p.errors.push(...report.errors.map((e) => `browser: ${e}`));
      }
    } finally {
      await browser.close();
    }
    ms.png = Date.now() - t;
  }
  return { pages, index, ms };
}
