/**
 * Heatmap panels in the preview. Grafana draws two kinds from a Prometheus latency histogram:
 *  - classic buckets (target format `heatmap`): one cumulative series per `le`, which Grafana turns
 *    into per-bucket counts; the preview does the same and draws the cells as one static SVG (time
 *    across, buckets up, colour on the panel's exponential scale);
 *  - a native histogram (no format: Grafana 10+ reads the histogram's own buckets). The preview's
 *    client reads float samples only, so data.ts runs `histogram_count(<query>)` instead and
 *    says what Grafana would draw, with the observations per second that prove the histogram has data.
 * Every text is HTML-escaped.
 */
import { escapeHtml } from '../text.js';
import { formatValue } from './format.js';
import type { PanelData, PanelJson, Series } from './data.js';

interface Bucket { readonly le: number; readonly label: string; readonly points: ReadonlyMap<number, number> }

/** Prometheus writes the last bound +Inf. */
const bound = (le: string | undefined): number => (le === '+Inf' ? Infinity : Number(le));

function buckets(series: readonly Series[]): Bucket[] {
  return series
    .filter((s) => s.labels.le !== undefined && !Number.isNaN(bound(s.labels.le)))
    .map((s) => ({ le: bound(s.labels.le), label: s.labels.le!, points: new Map(s.points) }))
    .sort((a, b) => a.le - b.le);
}

/** Per-bucket rates at each time: the cumulative `le` series minus the one below (never below 0). */
export function bucketCells(series: readonly Series[]): { rows: string[]; times: number[]; cells: number[][] } {
  const bs = buckets(series);
  const times = [...new Set(bs.flatMap((b) => [...b.points.keys()]))].sort((a, b) => a - b);
  const cells = bs.map((b, i) => times.map((t) => {
    const v = b.points.get(t) ?? 0;
    const below = i > 0 ? bs[i - 1]!.points.get(t) ?? 0 : 0;
    return Number.isFinite(v - below) ? Math.max(0, v - below) : 0;
  }));
  return { rows: bs.map((b) => b.label), times, cells };
}

function classicBody(p: PanelJson, d: PanelData): string {
  const { rows, times, cells } = bucketCells(d.series);
  const max = Math.max(0, ...cells.flat());
  if (rows.length === 0 || max === 0) return '<div class="nodata">No data</div>';
  const unit = ((p.options?.yAxis ?? {}) as { unit?: string }).unit ?? 'ms';
  // Bottom row = the lowest bucket, as Grafana draws the y axis upwards.
  const rects = cells.flatMap((row, r) => row.map((v, c) => {
    if (v <= 0) return '';
    const opacity = Math.max(0.08, Math.sqrt(v / max)).toFixed(3);
    return `<rect x="${c}" y="${rows.length - 1 - r}" width="1" height="1" fill="#ff780a" fill-opacity="${opacity}"><title>le ${escapeHtml(rows[r]!)}: ${escapeHtml(formatValue(v, 'reqps', 2))}</title></rect>`;
  })).join('');
  const labels = [...rows].reverse().map((le) => `<span>${escapeHtml(le === '+Inf' ? '+Inf' : formatValue(Number(le), unit, 0))}</span>`).join('');
  return `<div class="heatmap" data-buckets="${rows.length}" data-times="${times.length}"><div class="heatmap-axis">${labels}</div>` +
    `<svg viewBox="0 0 ${times.length} ${rows.length}" preserveAspectRatio="none">${rects}</svg></div>`;
}

function nativeBody(d: PanelData): string {
  const last = d.series.map((s) => [...s.points].reverse().find(([, v]) => Number.isFinite(v))?.[1]).find((v) => v !== undefined);
  return `<div class="heatmap-native">A native histogram: Grafana 10+ draws it as a heatmap with the histogram's own buckets; this preview does not read native histogram samples.` +
    `<br>The histogram has data: ${escapeHtml(formatValue(last ?? 0, 'reqps', 2))} observations at the end of the range (histogram_count of the query, see Q).</div>`;
}

export function heatmapBody(p: PanelJson, d: PanelData): string {
  return d.queries.some((q) => q.format === 'heatmap') ? classicBody(p, d) : nativeBody(d);
}

export const HEATMAP_CSS = `
.heatmap{display:flex;height:100%;gap:4px}
.heatmap-axis{display:flex;flex-direction:column;justify-content:space-between;font-size:10px;color:#8e8e9a;text-align:right;min-width:44px;overflow:hidden}
.heatmap svg{flex:1;height:100%;background:rgba(204,204,220,.03)}
.heatmap-native{color:#8e8e9a;font-size:12px;padding-top:8px}
`;
