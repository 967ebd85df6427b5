/**
 * Runs a generated dashboard's queries against a Prometheus as Grafana's Prometheus data source
 * would: variables resolved first, then every target of every visible panel as a range query
 * (step from the panel's interval/maxDataPoints) or, where the target sets `instant`, an instant
 * query at the end of the range; series named by the target's legendFormat.
 * https://grafana.com/docs/grafana/latest/datasources/prometheus/query-editor/
 */
import { PrometheusApiError, type PromClient } from '../check/prometheus-client.js';
import { durationText, interpolate, UnsafeVariableValue, intervals, parseLabelValues, resolveVariable, type DashboardVariable, type Intervals, type ResolvedVariable } from './variables.js';

interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface PanelLink {
  readonly title?: string;
  readonly url?: string;
  readonly tooltip?: string;
}

export interface TargetJson {
  readonly refId?: string;
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: string;
  readonly interval?: string;
}

export interface PanelJson {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly collapsed?: boolean;
  readonly panels?: readonly PanelJson[];
  readonly options?: Record<string, unknown>;
  readonly fieldConfig?: { readonly defaults?: Record<string, unknown>; readonly overrides?: readonly unknown[] };
  readonly targets?: readonly TargetJson[];
  readonly transformations?: ReadonlyArray<{ readonly id: string; readonly options?: Record<string, unknown> }>;
  readonly links?: readonly PanelLink[];
  readonly interval?: string;
  readonly maxDataPoints?: number;
}

export interface DashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly description?: string;
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: readonly DashboardVariable[] };
  readonly links?: readonly PanelLink[];
  readonly time?: { readonly from?: string; readonly to?: string };
}

export interface Series {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** [epoch seconds, value] */
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly refId: string;
}

interface QueryRun {
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
  readonly format: string;
  readonly stepSeconds?: number;
  readonly error?: string;
}

export interface PanelData {
  readonly panel: PanelJson;
  readonly intervals: Intervals;
  readonly queries: readonly QueryRun[];
  readonly series: readonly Series[];
}

export interface DashboardData {
  readonly file: string;
  readonly dashboard: DashboardJson;
  readonly variables: readonly ResolvedVariable[];
  readonly panels: ReadonlyMap<PanelJson, PanelData>;
}

export interface QueryContext {
  readonly client: PromClient;
  /** Epoch seconds. */
  readonly from: number;
  readonly to: number;
  readonly scrapeIntervalSeconds: number;
  /** Page width in CSS pixels: a panel's default maxDataPoints is its width (Grafana). */
  readonly pageWidth: number;
}

/** `{{label}}` replaced by the series' label value; no format: the series as `name{labels}` (Grafana's default). */
function legendName(format: string | undefined, labels: Record<string, string>): string {
  if (format && format !== '__auto') return format.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, l: string) => labels[l] ?? '');
  const { __name__: name, ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}="${rest[k]}"`)
    .join(', ');
  return inner ? `${name ?? ''}{${inner}}` : (name ?? 'Value');
}

/** Heatmaps (heatmap.ts draws them): a target Grafana reads as a native histogram: a heatmap whose query is not in the buckets format. */
function isNativeHeatmapTarget(panel: PanelJson, format: string | undefined): boolean {
  return panel.type === 'heatmap' && format !== 'heatmap';
}

/** The query the preview runs for a native heatmap target: the histogram's observations per second. */
const nativeHeatmapProbe = (expr: string): string => `histogram_count(${expr})`;

/** Panels Grafana shows: top-level panels, and the panels of rows that are not collapsed (those are top-level already). */
export function visiblePanels(d: DashboardJson): PanelJson[] {
  return (d.panels ?? []).filter((p) => p.type !== 'row');
}

async function resolveVariables(d: DashboardJson, ctx: QueryContext): Promise<ResolvedVariable[]> {
  const out: ResolvedVariable[] = [];
  const known = new Map<string, string>();
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'datasource') {
      out.push({ name: v.name, display: ctx.client.url, text: v.name, value: v.name });
      continue;
    }
    let options: string[] = [];
    if (v.type === 'custom') {
      const q = typeof v.query === 'string' ? v.query : '';
      options = q.split(/\s*,\s*/).filter((x) => x !== '');
    } else if (v.type === 'constant' || v.type === 'textbox') {
      options = [typeof v.query === 'string' ? v.query : ''];
    } else if (v.type === 'query') {
      const q = typeof v.query === 'string' ? v.query : ((v.query as { query?: string } | undefined)?.query ?? '');
      const lv = parseLabelValues(interpolate(q, known));
      if (!lv) throw new Error(`variable $${v.name}: only label_values() queries are supported, not ${JSON.stringify(q)}`);
      options = [...new Set(await ctx.client.labelValues(lv.label, lv.selector, ctx.from, ctx.to))];
      const sort = (v as { sort?: number }).sort ?? 0;
      if (sort === 1 || sort === 5) options.sort();
      if (sort === 2 || sort === 6) options.sort().reverse();
    }
    const r = resolveVariable(v, options);
    out.push(r);
    known.set(v.name, r.value);
  }
  return out;
}

/** Runs `tasks` with at most `limit` at a time, keeping their order. */
async function pool<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

const GRID_COLUMNS = 24;

async function panelData(panel: PanelJson, vars: ReadonlyMap<string, string>, ctx: QueryContext): Promise<PanelData> {
  const widthPx = Math.max(1, Math.round((panel.gridPos.w / GRID_COLUMNS) * ctx.pageWidth));
  const minInterval = panel.interval ? parseSimpleDuration(panel.interval) : undefined;
  const iv = intervals({
    rangeSeconds: ctx.to - ctx.from,
    maxDataPoints: panel.maxDataPoints ?? widthPx,
    scrapeIntervalSeconds: ctx.scrapeIntervalSeconds,
    ...(minInterval !== undefined ? { panelMinIntervalSeconds: minInterval } : {}),
  });
  const builtins = new Map<string, string>([
    ['__interval', durationText(iv.intervalSeconds)],
    ['__interval_ms', String(iv.intervalSeconds * 1000)],
    ['__rate_interval', durationText(iv.rateIntervalSeconds)],
    ['__range', durationText(iv.rangeSeconds)],
    ['__range_s', String(iv.rangeSeconds)],
    ['__range_ms', String(iv.rangeSeconds * 1000)],
  ]);
  const values = new Map([...vars, ...builtins]);
  const queries: QueryRun[] = [];
  const series: Series[] = [];
  for (const t of panel.targets ?? []) {
    if (!t.expr) continue;
    const refId = t.refId ?? 'A';
    const instant = t.instant === true && t.range !== true;
    const format = t.format ?? 'time_series';
    let expr = t.expr;
    try {
      expr = interpolate(t.expr, values);
      // Prometheus answers a native histogram with histogram samples, which this client does not read.
      if (isNativeHeatmapTarget(panel, t.format)) expr = nativeHeatmapProbe(expr);
      if (instant) {
        const result = await ctx.client.queryAt(expr, ctx.to);
        for (const r of result) series.push({ name: legendName(t.legendFormat, r.metric), labels: r.metric, points: [[ctx.to, r.value]], refId });
        queries.push({ refId, expr, instant, format });
      } else {
        // Grafana aligns the range to the step so that points fall on multiples of it.
        const step = iv.stepSeconds;
        const start = Math.floor(ctx.from / step) * step;
        const end = Math.floor(ctx.to / step) * step;
        const result = await ctx.client.queryRange(expr, start, end, step);
        for (const r of result) series.push({ name: legendName(t.legendFormat, r.metric), labels: r.metric, points: r.values, refId });
        queries.push({ refId, expr, instant, format, stepSeconds: step });
      }
    } catch (err) {
      // Only an error Prometheus reports for this query belongs on the panel; an unreachable or
      // stuck server, or an answer that is not the API, ends the run (exit 3): its pages would show nothing true.
      if (!(err instanceof UnsafeVariableValue) && (!(err instanceof PrometheusApiError) || err.kind !== 'query')) throw err;
      queries.push({ refId, expr, instant, format, error: err.message });
    }
  }
  return { panel, intervals: iv, queries, series };
}

function parseSimpleDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim().replace(/^>/, ''));
  if (!m) return undefined;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

export async function dashboardData(file: string, dashboard: DashboardJson, ctx: QueryContext): Promise<DashboardData> {
  const variables = await resolveVariables(dashboard, ctx);
  const vars = new Map(variables.map((v) => [v.name, v.value]));
  const panels = visiblePanels(dashboard);
  const data = await pool(
    panels.map((p) => () => panelData(p, vars, ctx)),
    4,
  );
  return { file, dashboard, variables, panels: new Map(panels.map((p, i) => [p, data[i]!])) };
}
