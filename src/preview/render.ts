/**
 * A dashboard's data as one self-contained HTML page: Grafana's 24-column grid from gridPos (rows
 * 30 px high with 8 px gaps, react-grid-layout as Grafana configures it in
 * grafana/grafana `public/app/core/constants.ts`: GRID_CELL_HEIGHT 30, GRID_CELL_VMARGIN 8), row
 * headers (collapsed rows shown collapsed, their panels not queried, as in Grafana), titles with the
 * description as tooltip, panel and dashboard links, and the panel types the generated dashboards
 * use. Everything but the charts is static HTML; charts are drawn by uPlot (inlined) from data the
 * page carries. Every piece of text from the dashboard or from Prometheus is HTML-escaped.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { drawCharts, type ChartSpec } from './client.js';
import { CLASSIC_PALETTE, formatValue, namedColor, thresholdColor, type ThresholdStep } from './format.js';
import { escapeHtml } from '../text.js';
import { renderMarkdown, type LinkResolver } from './markdown.js';
import type { DashboardData, PanelData, PanelJson, PanelLink, Series } from './data.js';
import { durationText } from './variables.js';
import { HEATMAP_CSS, heatmapBody } from './heatmap.js';

const GRID_COLUMNS = 24;
const GRID_CELL_HEIGHT = 30;
const GRID_CELL_VMARGIN = 8;

const require = createRequire(import.meta.url);
let uplotAssets: { js: string; css: string } | undefined;
function uplot(): { js: string; css: string } {
  uplotAssets ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotAssets;
}

/** JSON safe inside <script>: no "</script>", no "<!--". */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

interface FieldDefaults {
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: { steps?: ThresholdStep[] };
  mappings?: unknown[];
  color?: { mode?: string };
  custom?: { fillOpacity?: number; lineWidth?: number; thresholdsStyle?: { mode?: string }; stacking?: { mode?: string }; cellOptions?: { type?: string } };
}

const defaultsOf = (p: PanelJson) => (p.fieldConfig?.defaults ?? {}) as FieldDefaults;

export type PanelState = 'data' | 'nodata' | 'error';

/** Whether the panel's queries failed, returned nothing, or returned at least one finite value. */
export function panelState(d: PanelData): PanelState {
  if (d.queries.some((q) => q.error)) return 'error';
  return d.series.some((s) => s.points.some(([, v]) => Number.isFinite(v))) ? 'data' : 'nodata';
}

/** Grafana's reducers (calcs) the dashboards use. */
function reduce(points: Series['points'], calc: string): number | null {
  const finite = points.map(([, v]) => v).filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  switch (calc) {
    case 'max':
      return Math.max(...finite);
    case 'min':
      return Math.min(...finite);
    case 'mean':
      return finite.reduce((a, b) => a + b, 0) / finite.length;
    case 'sum':
      return finite.reduce((a, b) => a + b, 0);
    case 'first':
    case 'firstNotNull':
      return finite[0]!;
    default:
      return finite[finite.length - 1]!;
  }
}

const CALC_NAMES: Record<string, string> = { lastNotNull: 'Last *', last: 'Last', max: 'Max', min: 'Min', mean: 'Mean', sum: 'Total', first: 'First', firstNotNull: 'First *' };

function fmt(p: PanelJson, v: number | null): string {
  const d = defaultsOf(p);
  return formatValue(v, d.unit, d.decimals);
}

/**
 * A panel without thresholds gets Grafana's default: base green, red from 80 (the default value of
 * the standard `thresholds` field option; https://grafana.com/docs/grafana/latest/panels-visualizations/configure-thresholds/),
 * so a stat without thresholds turns red at 80 in Grafana too.
 */
const GRAFANA_DEFAULT_THRESHOLDS: readonly ThresholdStep[] = [
  { color: 'green', value: null },
  { color: 'red', value: 80 },
];

function colorFor(p: PanelJson, v: number | null): string | undefined {
  const c = thresholdColor(v, defaultsOf(p).thresholds?.steps ?? GRAFANA_DEFAULT_THRESHOLDS);
  return c ? namedColor(c) : undefined;
}

/** Text colour readable on a background: dark on light colours (Grafana's getContrastText does the same). */
function readableOn(background: string): string {
  const m = /^#([0-9a-f]{6})/i.exec(background);
  if (!m) return '#fff';
  const n = parseInt(m[1]!, 16);
  const luminance = (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  return luminance > 0.7 ? '#111217' : '#fff';
}

function linkHtml(l: PanelLink, resolve: LinkResolver): string {
  const target = l.url ? resolve(l.url) : undefined;
  const title = escapeHtml(l.title ?? l.url ?? 'link');
  const tip = l.tooltip ? ` title="${escapeHtml(l.tooltip)}"` : '';
  if (!target) return `<span class="link"${tip}>${title}</span>`;
  return `<a class="link" href="${escapeHtml(target)}"${tip}${/^https?:/i.test(target) ? ' target="_blank" rel="noopener noreferrer"' : ''}>${title}</a>`;
}

/** A value mapping's text and colour for a value (Grafana's range and value mappings), if one matches. */
function mapped(p: PanelJson, v: number | null): { text: string; color?: string } | undefined {
  if (v === null) return undefined;
  for (const m of (defaultsOf(p).mappings ?? []) as Array<{ type: string; options: Record<string, unknown> }>) {
    const result = (m.type === 'range' ? (m.options as { result?: { text?: string; color?: string } }).result : (m.options[String(v)] as { text?: string; color?: string } | undefined)) ?? undefined;
    if (m.type === 'range') {
      const { from, to } = m.options as { from?: number | null; to?: number | null };
      if ((from !== null && from !== undefined && v < from) || (to !== null && to !== undefined && v > to)) continue;
    }
    if (result?.text !== undefined) return { text: result.text, ...(result.color ? { color: namedColor(result.color) } : {}) };
  }
  return undefined;
}

function statBody(p: PanelJson, d: PanelData): string {
  const calc = ((p.options?.reduceOptions as { calcs?: string[] } | undefined)?.calcs ?? ['lastNotNull'])[0]!;
  const colorMode = (p.options?.colorMode as string | undefined) ?? 'value';
  const values = d.series.map((s) => ({ name: s.name, value: reduce(s.points, calc) }));
  const showNames = values.length > 1 || p.options?.textMode === 'value_and_name';
  return `<div class="stat">${values
    .map((v) => {
      const map = mapped(p, v.value);
      const color = map?.color ?? colorFor(p, v.value) ?? namedColor('text');
      const style = colorMode === 'background' ? `background:${color};color:${readableOn(color)}` : colorMode === 'none' ? '' : `color:${color}`;
      return `<div class="stat-item" style="${style}" data-value="${v.value ?? ''}">${showNames ? `<div class="stat-name">${escapeHtml(v.name)}</div>` : ''}<div class="stat-value">${escapeHtml(map?.text ?? fmt(p, v.value))}</div></div>`;
    })
    .join('')}</div>`;
}

function gaugeBody(p: PanelJson, d: PanelData): string {
  const def = defaultsOf(p);
  const min = def.min ?? 0;
  const max = def.max ?? (def.unit === 'percentunit' ? 1 : 100);
  const calc = ((p.options?.reduceOptions as { calcs?: string[] } | undefined)?.calcs ?? ['lastNotNull'])[0]!;
  const items = d.series.map((s) => ({ name: s.name, value: reduce(s.points, calc) }));
  // A 240° arc, as Grafana draws it.
  const arc = (from: number, to: number, r: number) => {
    const angle = (f: number) => ((150 + 240 * Math.min(1, Math.max(0, f))) * Math.PI) / 180;
    const [a0, a1] = [angle(from), angle(to)];
    const pt = (a: number) => `${(50 + r * Math.cos(a)).toFixed(2)} ${(50 + r * Math.sin(a)).toFixed(2)}`;
    return `M ${pt(a0)} A ${r} ${r} 0 ${a1 - a0 > Math.PI ? 1 : 0} 1 ${pt(a1)}`;
  };
  const frac = (v: number) => (v - min) / (max - min || 1);
  const steps = def.thresholds?.steps ?? [];
  return `<div class="gauges">${items
    .map((it) => {
      const color = colorFor(p, it.value) ?? CLASSIC_PALETTE[0]!;
      const marks = steps
        .map((s, i) => {
          const lo = s.value === null ? min : s.value;
          const hi = i + 1 < steps.length ? (steps[i + 1]!.value ?? max) : max;
          return `<path d="${arc(frac(lo), frac(hi), 46)}" stroke="${namedColor(s.color)}" stroke-width="3" fill="none"/>`;
        })
        .join('');
      const value = it.value === null ? '' : `<path d="${arc(0, frac(it.value), 38)}" stroke="${color}" stroke-width="9" fill="none"/>`;
      return `<div class="gauge" data-value="${it.value ?? ''}"><svg viewBox="0 0 100 90"><path d="${arc(0, 1, 38)}" stroke="rgba(204,204,220,0.1)" stroke-width="9" fill="none"/>${marks}${value}<text x="50" y="56" text-anchor="middle" fill="${color}" font-size="13">${escapeHtml(fmt(p, it.value))}</text></svg>${items.length > 1 ? `<div class="stat-name">${escapeHtml(it.name)}</div>` : ''}</div>`;
    })
    .join('')}</div>`;
}

function barGaugeBody(p: PanelJson, d: PanelData): string {
  const def = defaultsOf(p);
  const calc = ((p.options?.reduceOptions as { calcs?: string[] } | undefined)?.calcs ?? ['lastNotNull'])[0]!;
  const items = d.series.map((s) => ({ name: s.name, value: reduce(s.points, calc) }));
  const min = def.min ?? Math.min(0, ...items.map((i) => i.value ?? 0));
  const max = def.max ?? Math.max(min + 1e-9, ...items.map((i) => i.value ?? 0));
  return `<div class="bars">${items
    .map((it) => {
      const map = mapped(p, it.value);
      const color = map?.color ?? colorFor(p, it.value) ?? CLASSIC_PALETTE[0]!;
      const pct = it.value === null ? 0 : Math.max(0, Math.min(100, ((it.value - min) / (max - min || 1)) * 100));
      return `<div class="bar" data-value="${it.value ?? ''}"><div class="bar-name">${escapeHtml(it.name)}</div><div class="bar-track"><div class="bar-fill" style="width:${pct.toFixed(2)}%;background:linear-gradient(90deg, ${color}55, ${color})"></div></div><div class="bar-value" style="color:${color}">${escapeHtml(map?.text ?? fmt(p, it.value))}</div></div>`;
    })
    .join('')}</div>`;
}

/** A table as Grafana builds it from instant results (format table): Time, the labels, Value; then the organize transformation. */
function tableOf(p: PanelJson, d: PanelData): { columns: string[]; rows: Array<Record<string, string | number>> } {
  const multi = new Set(d.series.map((s) => s.refId)).size > 1;
  const labelNames = [...new Set(d.series.flatMap((s) => Object.keys(s.labels).filter((k) => k !== '__name__')))].sort();
  let columns = ['Time', ...labelNames];
  const valueCols = new Set<string>();
  const rows = d.series.map((s) => {
    const last = s.points[s.points.length - 1];
    const valueCol = multi ? `Value #${s.refId}` : 'Value';
    valueCols.add(valueCol);
    const row: Record<string, string | number> = { Time: last ? new Date(last[0] * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '') : '' };
    for (const l of labelNames) row[l] = s.labels[l] ?? '';
    row[valueCol] = last ? last[1] : NaN;
    return row;
  });
  columns.push(...[...valueCols].sort());
  for (const t of p.transformations ?? []) {
    if (t.id !== 'organize') continue;
    const o = (t.options ?? {}) as { excludeByName?: Record<string, boolean>; indexByName?: Record<string, number>; renameByName?: Record<string, string> };
    columns = columns.filter((c) => !o.excludeByName?.[c]);
    const index = o.indexByName ?? {};
    if (Object.keys(index).length) columns.sort((a, b) => (index[a] ?? 1e9) - (index[b] ?? 1e9));
    if (o.renameByName && Object.keys(o.renameByName).length) {
      const rename = o.renameByName;
      for (const r of rows) for (const [from, to] of Object.entries(rename)) if (from in r) r[to] = r[from]!;
      columns = columns.map((c) => rename[c] || c);
    }
  }
  return { columns, rows };
}

function tableBody(p: PanelJson, d: PanelData): string {
  const { columns, rows } = tableOf(p, d);
  const colored = new Set<string>();
  for (const o of (p.fieldConfig?.overrides ?? []) as Array<{ matcher?: { id?: string; options?: { names?: string[] } | string }; properties?: Array<{ id: string; value?: { type?: string } }> }>) {
    const names = o.matcher?.id === 'byNames' ? ((o.matcher.options as { names?: string[] }).names ?? []) : o.matcher?.id === 'byName' ? [String(o.matcher.options)] : [];
    if (o.properties?.some((pr) => pr.id === 'custom.cellOptions' && pr.value?.type === 'color-background')) for (const n of names) colored.add(n);
  }
  const cell = (c: string, v: string | number | undefined) => {
    if (typeof v === 'number') {
      const bg = colored.has(c) ? colorFor(p, v) : undefined;
      return `<td class="num"${bg ? ` style="background:${bg};color:${readableOn(bg)}"` : ''}>${escapeHtml(fmt(p, v))}</td>`;
    }
    return `<td>${escapeHtml(v ?? '')}</td>`;
  };
  return `<div class="table-wrap"><table><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${columns.map((c) => cell(c, r[c])).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function chartSpec(id: string, p: PanelJson, d: PanelData): ChartSpec {
  const def = defaultsOf(p);
  const xs = [...new Set(d.series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = d.series.map((s) => {
    const y: Array<number | null> = xs.map(() => null);
    for (const [t, v] of s.points) if (Number.isFinite(v)) y[index.get(t)!] = v;
    return y;
  });
  return {
    id,
    ...(def.unit !== undefined ? { unit: def.unit } : {}),
    ...(def.decimals !== undefined ? { decimals: def.decimals } : {}),
    ...(def.min !== undefined ? { min: def.min } : {}),
    ...(def.max !== undefined ? { max: def.max } : {}),
    thresholds: (def.thresholds?.steps ?? []).map((s) => ({ color: namedColor(s.color), value: s.value })),
    thresholdsStyle: def.custom?.thresholdsStyle?.mode ?? 'off',
    fillOpacity: def.custom?.fillOpacity ?? 0,
    lineWidth: def.custom?.lineWidth ?? 1,
    stacked: def.custom?.stacking?.mode === 'normal',
    series: d.series.map((s, i) => ({ name: s.name, color: CLASSIC_PALETTE[i % CLASSIC_PALETTE.length]! })),
    x: xs,
    ys,
  };
}

function legendHtml(p: PanelJson, d: PanelData): string {
  const legend = (p.options?.legend ?? {}) as { showLegend?: boolean; displayMode?: string; calcs?: string[] };
  if (legend.showLegend === false || legend.displayMode === 'hidden' || d.series.length === 0) return '';
  const calcs = legend.calcs ?? [];
  const swatch = (i: number) => `<span class="swatch" style="background:${CLASSIC_PALETTE[i % CLASSIC_PALETTE.length]}"></span>`;
  if (legend.displayMode === 'table') {
    return `<table class="legend"><thead><tr><th></th>${calcs.map((c) => `<th>${escapeHtml(CALC_NAMES[c] ?? c)}</th>`).join('')}</tr></thead><tbody>${d.series
      .map((s, i) => `<tr><td>${swatch(i)}${escapeHtml(s.name)}</td>${calcs.map((c) => `<td class="num">${escapeHtml(fmt(p, reduce(s.points, c)))}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  }
  return `<div class="legend-list">${d.series.map((s, i) => `<span>${swatch(i)}${escapeHtml(s.name)}</span>`).join('')}</div>`;
}

function legendRows(p: PanelJson, d: PanelData): number {
  const legend = (p.options?.legend ?? {}) as { showLegend?: boolean; displayMode?: string };
  if (legend.showLegend === false || d.series.length === 0) return 0;
  return legend.displayMode === 'table' ? Math.min(d.series.length + 1, 6) : 1;
}

const px = (h: number) => h * GRID_CELL_HEIGHT + Math.max(0, h - 1) * GRID_CELL_VMARGIN;

function panelHtml(p: PanelJson, d: PanelData | undefined, resolve: LinkResolver, charts: ChartSpec[]): string {
  const id = `panel-${p.id ?? `${p.gridPos.x}-${p.gridPos.y}`}`;
  const g = p.gridPos;
  const style = `left:${((g.x / GRID_COLUMNS) * 100).toFixed(4)}%;width:calc(${((g.w / GRID_COLUMNS) * 100).toFixed(4)}% - ${GRID_CELL_VMARGIN}px);top:${g.y * (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN)}px;height:${px(g.h)}px`;
  const desc = p.description ? ` title="${escapeHtml(p.description)}"` : '';
  const info = p.description ? `<span class="info"${desc}>i</span>` : '';
  // Grafana draws panel links as one icon in the header that opens a menu of them, so they never crowd the title.
  const links = (p.links ?? []).length
    ? `<details class="links"><summary title="Panel links (${(p.links ?? []).length})">&#128279;</summary><div class="link-menu">${(p.links ?? []).map((l) => linkHtml(l, resolve)).join('')}</div></details>`
    : '';
  const attrs = (state: string) =>
    `class="panel panel-${escapeHtml(p.type)}" id="${id}" data-panel-id="${p.id ?? ''}" data-type="${escapeHtml(p.type)}" data-title="${escapeHtml(p.title ?? '')}" data-state="${state}" data-grid="${g.x},${g.y},${g.w},${g.h}" style="${style}"`;
  if (p.type === 'row') {
    const hidden = (p.panels ?? []).length;
    return `<div ${attrs(p.collapsed ? 'collapsed' : 'row')}><span class="row-toggle">${p.collapsed ? '&#9656;' : '&#9662;'}</span> ${escapeHtml(p.title ?? '')}${p.collapsed ? ` <span class="row-count">(${hidden} panel${hidden === 1 ? '' : 's'})</span>` : ''}</div>`;
  }
  if (p.type === 'text') {
    const content = String((p.options as { content?: string } | undefined)?.content ?? '');
    const mode = (p.options as { mode?: string } | undefined)?.mode ?? 'markdown';
    const body = mode === 'markdown' ? renderMarkdown(content, resolve) : `<pre>${escapeHtml(content)}</pre>`;
    return `<section ${attrs('data')}><header><h3${desc}>${escapeHtml(p.title ?? '')}</h3>${info}${links}</header><div class="body text">${body}</div></section>`;
  }
  const data = d ?? { panel: p, intervals: { intervalSeconds: 0, stepSeconds: 0, rateIntervalSeconds: 0, rangeSeconds: 0 }, queries: [], series: [] };
  const state = panelState(data);
  const queryTip = data.queries.map((q) => `${q.refId}: ${q.expr}${q.instant ? ' (instant)' : ` (step ${durationText(q.stepSeconds ?? 0)})`}`).join('\n\n');
  let body: string;
  if (state === 'error') {
    body = `<div class="error">${data.queries
      .filter((q) => q.error)
      .map((q) => escapeHtml(`${q.refId}: ${q.error}`))
      .join('<br>')}</div>`;
  } else if (state === 'nodata') {
    body = '<div class="nodata">No data</div>';
  } else if (p.type === 'timeseries') {
    charts.push(chartSpec(id, p, data));
    body = `<div class="chart" style="height:calc(100% - ${legendRows(p, data) * 20}px)"></div>${legendHtml(p, data)}`;
  } else if (p.type === 'stat') {
    body = statBody(p, data);
  } else if (p.type === 'gauge') {
    body = gaugeBody(p, data);
  } else if (p.type === 'bargauge') {
    body = barGaugeBody(p, data);
  } else if (p.type === 'table') {
    body = tableBody(p, data);
  } else if (p.type === 'heatmap') {
    body = heatmapBody(p, data);
  } else {
    body = `<div class="error">panel type ${escapeHtml(p.type)} is not supported by the preview</div>`;
  }
  return `<section ${attrs(state)}><header><h3${desc}>${escapeHtml(p.title ?? '')}</h3>${info}<span class="query" title="${escapeHtml(`PromQL as run:\n${queryTip}`)}">Q</span>${links}</header><div class="body">${body}</div></section>`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#111217;color:#ccccdc;font:13px/1.4 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:#6e9fff}
.top{padding:12px 16px 4px}
.top h1{font-size:18px;margin:0 0 4px;font-weight:500}
.meta{color:#8e8e9a;font-size:12px}
.meta b{color:#ccccdc;font-weight:500}
.dash-links{margin-top:6px}
.dash-links .link{margin-right:12px;font-size:12px}
.grid{position:relative;margin:8px 8px 16px 16px}
.panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:2px;overflow:hidden;display:flex;flex-direction:column}
.panel header{display:flex;align-items:center;gap:4px;padding:4px 8px;height:28px;flex:none}
.panel{overflow:visible}
.panel h3{margin:0;font-size:13px;font-weight:500;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0;flex:0 1 auto}
.info,.query{font-size:10px;color:#8e8e9a;border:1px solid #3a3f44;border-radius:8px;padding:0 5px;cursor:help;flex:none}
.links{margin-left:auto;flex:none;position:relative;font-size:11px}
.links summary{list-style:none;cursor:pointer;color:#8e8e9a}.links summary::-webkit-details-marker{display:none}
.link-menu{position:absolute;right:0;top:18px;z-index:10;background:#22252b;border:1px solid #3a3f44;border-radius:2px;padding:4px 0;min-width:160px}
.link-menu .link{display:block;padding:3px 10px;white-space:nowrap}
.panel .body{flex:1;min-height:0;padding:0 8px 6px;position:relative;overflow:hidden}
.panel.panel-row{background:none;border:none;font-size:15px;font-weight:500;padding:6px 0;flex-direction:row}
.row-count{color:#8e8e9a;font-size:12px}
.nodata{color:#8e8e9a;display:flex;align-items:center;justify-content:center;height:100%}
.error{color:#f2495c;font-size:12px;white-space:pre-wrap}
.chart{width:100%}
.stat{display:flex;flex-wrap:wrap;gap:4px;height:100%}
.stat-item{flex:1 1 30%;display:flex;flex-direction:column;align-items:center;justify-content:center;border-radius:2px;min-width:60px}
.stat-value{font-size:26px;font-weight:500}
.stat-name{font-size:11px;opacity:.85;text-align:center}
.gauges{display:flex;height:100%;gap:4px}.gauge{flex:1;display:flex;flex-direction:column;align-items:center}.gauge svg{height:100%;max-height:100%;width:100%}
.bars{display:flex;flex-direction:column;gap:4px;height:100%;overflow:hidden}
.bar{display:grid;grid-template-columns:minmax(80px,40%) 1fr 70px;align-items:center;gap:8px;min-height:16px;flex:1;max-height:32px}
.bar-name{font-size:11px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.bar-track{background:rgba(204,204,220,.07);height:100%;min-height:10px}.bar-fill{height:100%}
.bar-value{text-align:right;font-weight:500}
.table-wrap{overflow:auto;height:100%}
table{border-collapse:collapse;width:100%;font-size:12px}
th{text-align:left;color:#6e9fff;font-weight:500;border-bottom:1px solid #2c3235;padding:3px 6px;white-space:nowrap}
td{border-bottom:1px solid #22252b;padding:3px 6px;white-space:nowrap}
td.num{text-align:right}
.legend{margin-top:2px;font-size:11px}.legend td,.legend th{padding:1px 6px;border:none}
.legend-list{font-size:11px;display:flex;flex-wrap:wrap;gap:10px;height:20px;overflow:hidden}
.swatch{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle}
.text{overflow:auto}.text p{margin:4px 0}.text ul{margin:4px 0;padding-left:18px}
code{background:#22252b;padding:0 3px;border-radius:2px}
`;

export interface PageOptions {
  readonly resolve: LinkResolver;
  readonly prometheusUrl: string;
  /** Epoch seconds. */
  readonly from: number;
  readonly to: number;
  readonly scrapeIntervalSeconds: number;
  readonly generator: string;
}

/**
 * The CSP source of one inline script: the page carries data from Prometheus and the dashboards, so
 * only the page's own two scripts may run (by hash), never markup that escaping might have missed,
 * and nothing may be loaded from anywhere (default-src 'none'), in a browser or in --png's Chromium.
 */
const scriptHash = (code: string) => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

export function renderDashboardPage(data: DashboardData, o: PageOptions): string {
  const d = data.dashboard;
  const charts: ChartSpec[] = [];
  const panels = (d.panels ?? []).map((p) => panelHtml(p, data.panels.get(p), o.resolve, charts));
  const bottom = Math.max(0, ...(d.panels ?? []).map((p) => (p.gridPos.y + p.gridPos.h) * (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN)));
  const vars = data.variables.map((v) => `<b>$${escapeHtml(v.name)}</b> = ${escapeHtml(v.display)}`).join(' &middot; ');
  const links = (d.links ?? []).map((l) => linkHtml(l, o.resolve)).join('');
  const assets = uplot();
  const script = `(${drawCharts.toString()})(JSON.parse(document.getElementById('charts').textContent), ${formatValue.toString()});`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scriptHash(assets.js)} ${scriptHash(script)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(d.title ?? data.file)} (preview)</title>
<style>${assets.css}</style><style>${CSS}${HEATMAP_CSS}</style></head>
<body data-dashboard="${escapeHtml(d.uid ?? '')}">
<div class="top"><h1>${escapeHtml(d.title ?? data.file)}</h1>
<div class="meta">${vars} &middot; <b>time</b> ${iso(o.from)} to ${iso(o.to)} (UTC) &middot; <b>scrape interval</b> ${durationText(o.scrapeIntervalSeconds)} &middot; <a href="index.html">all dashboards</a></div>
<div class="meta">Rendered by ${escapeHtml(o.generator)} from ${escapeHtml(data.file)} against ${escapeHtml(o.prometheusUrl)}; hover a title (or "i") for its description, "Q" for the PromQL as run; panel links are under the link icon.</div>
${links ? `<div class="dash-links">${links}</div>` : ''}</div>
<div class="grid" style="height:${bottom}px">
${panels.join('\n')}
</div>
<script id="charts" type="application/json">${scriptJson(charts)}</script>
<script>${assets.js}</script>
<script>${script}</script>
</body></html>
`;
}

export function renderIndexPage(entries: ReadonlyArray<{ uid: string; title: string; file: string; panels: number; empty: number; errors: number }>, o: Omit<PageOptions, 'resolve'>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>linkerd-slo dashboards (preview)</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>${CSS} .index{padding:16px} .index td,.index th{padding:4px 10px}</style></head>
<body data-rendered="true"><div class="top"><h1>Dashboards</h1><div class="meta"><b>time</b> ${iso(o.from)} to ${iso(o.to)} (UTC) &middot; <b>Prometheus</b> ${escapeHtml(o.prometheusUrl)} &middot; <b>scrape interval</b> ${durationText(o.scrapeIntervalSeconds)} &middot; ${escapeHtml(o.generator)}</div></div>
<div class="index"><table><thead><tr><th>Dashboard</th><th>File</th><th>Panels</th><th>No data</th><th>Errors</th></tr></thead><tbody>
${entries.map((e) => `<tr><td><a href="${escapeHtml(e.uid)}.html">${escapeHtml(e.title)}</a></td><td>${escapeHtml(e.file)}</td><td class="num">${e.panels}</td><td class="num">${e.empty}</td><td class="num">${e.errors}</td></tr>`).join('\n')}
</tbody></table></div></body></html>
`;
}
