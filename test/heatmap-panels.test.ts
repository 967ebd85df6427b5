/**
 * Latency heatmap panels (issue #23) on both histogram storages (linkerd.histograms):
 *  - classic: Linkerd's `response_latency_ms_bucket` rates summed by le, target format heatmap (Grafana
 *    turns the cumulative buckets into per-bucket counts), calculate off, y axis in ms;
 *  - native: the native histogram summed whole, no format (Grafana 10+ draws a native histogram as a
 *    heatmap), no `le` anywhere;
 * one per control-plane component and one for the workloads with a latency SLO; the quantile panels
 * beside them read histogram_quantile on the same storage. Each heatmap validates against Grafana's
 * published JSON Schemas (when a copy is present), appears in the schema v2 resources, and is drawn
 * (classic) or described (native) by the preview.
 * That the queries find data on a real Prometheus 3 with and without NHCB conversion is
 * test/e2e/native-histograms.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load.js';
import type { ConfigInput } from '../src/config/schema.js';
import { generate } from '../src/generate.js';
import { bucketCells } from '../src/preview/heatmap.js';
import { renderDashboardPage } from '../src/preview/render.js';
import { linkResolver } from '../src/preview/markdown.js';
import type { PanelData, PanelJson } from '../src/preview/data.js';

const ROOT = resolve(import.meta.dirname, '..');
/** ../shared beside the repository (the lead's checkout), or beside the worktrees' folder. */
const SCHEMAS = [resolve(ROOT, '..', 'shared', 'anchors', 'grafana-jsonschema'), resolve(ROOT, '..', '..', 'shared', 'anchors', 'grafana-jsonschema')].find(existsSync);

interface Target { expr: string; format?: string; legendFormat?: string }
interface Panel { type: string; title: string; options: Record<string, unknown>; fieldConfig: { defaults: Record<string, unknown> }; targets?: Target[] }

const config = (histograms: 'classic' | 'native', latencyOn = true): ConfigInput => ({
  cluster: 'hm',
  grafana: { formats: ['provisioning', 'v2'] },
  linkerd: { version: '2.18', histograms },
  slos: {
    controlPlaneLatency: { enabled: latencyOn, components: ['identity', 'destination'] },
    workloads: {
      defaults: { class: 'web' },
      classes: { web: { successRate: { enabled: false, objective: 99 }, latency: { enabled: true, objective: 99, thresholdMs: 500 } } },
      list: [{ namespace: 'shop', deployment: 'cart' }],
    },
  },
});

function dashboards(input: ConfigInput, dir = 'grafana') {
  const gen = generate(validateConfig(input, 'hm.yaml'), 'hm.yaml');
  const read = (name: string) => JSON.parse(gen.files.get(`${dir}/${name}.json`)!) as { panels: Panel[]; spec?: unknown };
  return { gen, controlPlane: read('linkerd-slo-hm-control-plane'), overview: read('linkerd-slo-hm') };
}
const heatmaps = (d: { panels: Panel[] }) => d.panels.filter((p) => p.type === 'heatmap');

describe('latency heatmaps in the Grafana JSON', () => {
  it('classic: one per component and one for the workloads, le buckets in the heatmap format, calculate off, y axis in ms', () => {
    const { controlPlane, overview } = dashboards(config('classic'));
    const cp = heatmaps(controlPlane);
    // Every serving component of 2.18 (the panels stand whether or not the SLO covers it), in the dashboard's order.
    expect(cp.map((p) => p.title)).toEqual(['Latency distribution: destination', 'Latency distribution: policy', 'Latency distribution: identity']);
    expect(cp[2]!.targets).toEqual([expect.objectContaining({
      expr: 'sum by (le) (linkerd_slo:response_latency_ms_bucket:rate5m{slo="control-plane-latency", sli="server", component="identity"})',
      format: 'heatmap',
      legendFormat: '{{le}}',
    })]);
    const wl = heatmaps(overview);
    expect(wl.map((p) => p.title)).toEqual(['Latency distribution: workloads with a latency SLO']);
    expect(wl[0]!.targets![0]!.expr).toBe('sum by (le) (linkerd_slo:workload_response_latency_ms_bucket:rate5m)');
    for (const p of [...cp, ...wl]) {
      expect(p.options).toMatchObject({ calculate: false, yAxis: { unit: 'ms' } });
      expect(p.targets![0]!.format).toBe('heatmap');
    }
  });

  it('native: the summed native histogram, no le and no heatmap format (Grafana draws native histograms itself)', () => {
    const { controlPlane, overview } = dashboards(config('native'));
    const all = [...heatmaps(controlPlane), ...heatmaps(overview)];
    expect(all.map((p) => p.targets![0]!.expr)).toEqual([
      'sum (linkerd_slo:response_latency_ms:rate5m{slo="control-plane-latency", sli="server", component="destination"})',
      'sum (linkerd_slo:response_latency_ms:rate5m{slo="control-plane-latency", sli="server", component="policy"})',
      'sum (linkerd_slo:response_latency_ms:rate5m{slo="control-plane-latency", sli="server", component="identity"})',
      'sum (linkerd_slo:workload_response_latency_ms:rate5m)',
    ]);
    for (const p of all) {
      expect(p.targets![0]!.format).toBeUndefined();
      expect(p.targets![0]!.legendFormat).toBeUndefined();
      expect(p.options).toMatchObject({ calculate: false, yAxis: { unit: 'ms' } });
    }
  });

  it('latency SLO off: the heatmaps read the raw histogram over 5m, per storage', () => {
    const classic = heatmaps(dashboards(config('classic', false)).controlPlane);
    const native = heatmaps(dashboards(config('native', false)).controlPlane);
    expect(classic[2]!.targets![0]!.expr).toBe('sum by (le) (rate(response_latency_ms_bucket{job="linkerd-proxy", namespace="linkerd", control_plane_component="identity", direction="inbound", target_port="8080"}[5m]))');
    expect(native[2]!.targets![0]!.expr).toBe('sum (rate(response_latency_ms{job="linkerd-proxy", namespace="linkerd", control_plane_component="identity", direction="inbound", target_port="8080"}[5m]))');
  });

  it('the quantile panels beside them read histogram_quantile on the same storage', () => {
    const quantiles = (h: 'classic' | 'native') => dashboards(config(h)).controlPlane.panels
      .filter((p) => p.title === 'Latency: identity').flatMap((p) => p.targets!.map((t) => t.expr));
    expect(quantiles('classic')).toContain('histogram_quantile(0.99, linkerd_slo:response_latency_ms_bucket:rate5m{slo="control-plane-latency", sli="server", component="identity"})');
    expect(quantiles('native')).toContain('histogram_quantile(0.99, linkerd_slo:response_latency_ms:rate5m{slo="control-plane-latency", sli="server", component="identity"})');
  });

  it('the schema v2 resources carry the same heatmaps (vizConfig heatmap, same queries)', () => {
    for (const h of ['classic', 'native'] as const) {
      const { gen } = dashboards(config(h));
      const v2 = JSON.parse(gen.files.get('grafana/v2/linkerd-slo-hm-control-plane.json')!) as { spec: { elements: Record<string, { spec: { title: string; vizConfig: { group: string }; data: { spec: { queries: Array<{ spec: { query: { spec: Target } } }> } } } }> } };
      const els = Object.values(v2.spec.elements).filter((e) => e.spec.vizConfig.group === 'heatmap');
      expect(els.map((e) => e.spec.title)).toEqual(['Latency distribution: destination', 'Latency distribution: policy', 'Latency distribution: identity']);
      expect(els[0]!.spec.data.spec.queries[0]!.spec.query.spec.format).toBe(h === 'classic' ? 'heatmap' : undefined);
    }
  });
});

describe.skipIf(!SCHEMAS)("Grafana's published JSON Schemas (heatmap panel)", () => {
  if (!SCHEMAS) console.log('heatmap-panels: JSON Schema validation skipped: ../shared/anchors/grafana-jsonschema is absent');
  const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS!, `${name}.jsonschema.json`), 'utf8')) as Record<string, unknown>;
  const part = (name: string, definition: string) => new Ajv({ allErrors: true, strict: true }).compile({ ...schema(name), $ref: `#/definitions/${definition}` });

  it.each(['classic', 'native'] as const)('%s: options, field config and targets of every heatmap validate', (h) => {
    const options = part('heatmap', 'Options');
    const custom = part('heatmap', 'FieldConfig');
    const query = new Ajv({ allErrors: true, strict: true }).compile(schema('prometheus'));
    const { controlPlane, overview } = dashboards(config(h));
    const all = [...heatmaps(controlPlane), ...heatmaps(overview)];
    expect(all).toHaveLength(4);
    for (const p of all) {
      expect(options(p.options), JSON.stringify(options.errors)).toBe(true);
      expect(custom(p.fieldConfig.defaults.custom ?? {}), JSON.stringify(custom.errors)).toBe(true);
      for (const t of p.targets!) expect(query(t), JSON.stringify(query.errors)).toBe(true);
    }
    // Not vacuous: a heatmap format the schema does not know, a colour mode it does not know.
    expect(query({ expr: 'x', format: 'buckets' })).toBe(false);
    expect(options({ ...all[0]!.options, color: { mode: 'rainbow' } })).toBe(false);
  });
});

describe('the preview draws a classic heatmap and describes a native one', () => {
  // Cumulative le series as Prometheus returns them for sum by (le) (rate(..._bucket[5m])): at t=0
  // 10 responses/s, 6 of them within 10 ms, 9 within 100 ms; at t=60 the slow share grows.
  const series = [
    { le: '10', v: [6, 2] }, { le: '100', v: [9, 4] }, { le: '+Inf', v: [10, 10] }, { le: '1000', v: [10, 7] },
  ].map(({ le, v }) => ({ name: le, labels: { le }, points: [[0, v[0]!], [60, v[1]!]] as Array<[number, number]>, refId: 'A' }));

  it('turns cumulative buckets into per-bucket rates, lowest bound first', () => {
    expect(bucketCells(series)).toEqual({ rows: ['10', '100', '1000', '+Inf'], times: [0, 60], cells: [[6, 2], [3, 2], [1, 3], [0, 3]] });
  });

  const page = (panel: PanelJson, data: Omit<PanelData, 'panel' | 'intervals'>) => renderDashboardPage(
    { file: 'grafana/t.json', dashboard: { uid: 't', title: 'T', panels: [panel] }, variables: [], panels: new Map([[panel, { panel, intervals: { intervalSeconds: 60, stepSeconds: 60, rateIntervalSeconds: 60, rangeSeconds: 120 }, ...data }]]) },
    { resolve: linkResolver(new Set()), prometheusUrl: 'http://prometheus:9090', from: 0, to: 120, scrapeIntervalSeconds: 15, generator: 'test' },
  );
  const panel = (format?: string): PanelJson => ({ id: 7, type: 'heatmap', title: 'Latency distribution: identity', gridPos: { x: 0, y: 0, w: 8, h: 8 }, options: { calculate: false, yAxis: { unit: 'ms' } }, targets: [{ refId: 'A', expr: 'e', ...(format ? { format } : {}) }] });

  it('classic: one SVG cell per non-empty bucket and time, the y axis labelled by bound', () => {
    const html = page(panel('heatmap'), { queries: [{ refId: 'A', expr: 'e', instant: false, format: 'heatmap', stepSeconds: 60 }], series });
    expect(html).toMatch(/data-type="heatmap"[^>]*data-state="data"/);
    expect(html).toContain('data-buckets="4" data-times="2"');
    expect(html.match(/<rect /g)).toHaveLength(7); // 8 cells, the empty +Inf one at t=0 left out
    expect(html).not.toContain('not supported by the preview');
  });

  it('native: says what Grafana draws, with the histogram_count the preview ran', () => {
    const html = page(panel(), { queries: [{ refId: 'A', expr: 'histogram_count(e)', instant: false, format: 'time_series', stepSeconds: 60 }], series: [{ name: 'x', labels: {}, points: [[0, 4], [60, 5]], refId: 'A' }] });
    expect(html).toMatch(/data-type="heatmap"[^>]*data-state="data"/);
    expect(html).toContain('A native histogram: Grafana 10+ draws it as a heatmap');
    expect(html).toMatch(/The histogram has data: 5[.0]* req\/s/);
  });
});
