/**
 * Dashboard rows → Grafana dashboard JSON (classic model, schemaVersion 42), typed with
 * @grafana/schema (panel options with the panel plugins' own option types). Queries use a
 * `datasource` template variable so the same JSON works for provisioning, the Helm sidecar and the
 * Grafana Operator; the import flavour (src/emit/dashboards/formats.ts) adds `__inputs` on top.
 *
 * Only properties that both @grafana/schema and Grafana's published JSON Schemas (the draft-07
 * schemas generated in grafana/grafana-foundation-sdk `jsonschema/dashboard.jsonschema.json` and the
 * panel schemas beside it) accept are written: test/dashboards.test.ts validates every dashboard
 * against those schemas when a copy of them is present.
 */
import type {
  AnnotationQuery, Dashboard, DashboardLink, DataSourceRef, FieldConfig, FieldConfigSource, Panel, RangeMap, ReduceDataOptions, RowPanel,
  ThresholdsConfig, VariableModel,
} from '@grafana/schema';
import {
  BarGaugeDisplayMode, BarGaugeNamePlacement, BarGaugeSizing, BarGaugeValueMode, BigValueColorMode, BigValueGraphMode,
  BigValueJustifyMode, BigValueTextMode, DashboardCursorSync, defaultDashboard, FieldColorModeId, GraphDrawStyle, MappingType,
  AxisPlacement, GraphThresholdsStyleMode, HeatmapCellLayout, LegendDisplayMode, ScaleDistribution, PercentChangeColorMode, SortOrder, StackingMode, TableCellDisplayMode,
  TableCellHeight, ThresholdsMode, TooltipDisplayMode, VariableHide, VariableRefresh, VariableSort, VisibilityMode, VizOrientation,
} from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as BarGaugeOptions } from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type { Options as GaugeOptions } from '@grafana/schema/dist/esm/raw/composable/gauge/panelcfg/x/GaugePanelCfg_types.gen';
import type { Options as TableOptions, FieldConfig as TableFieldConfig } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type {
  Options as TimeSeriesOptions, FieldConfig as TimeSeriesFieldConfig,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import { TextMode, type Options as TextOptions } from '@grafana/schema/dist/esm/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen';
import {
  HeatmapColorMode, HeatmapColorScale, type FieldConfig as HeatmapFieldConfig, type Options as HeatmapOptions,
} from '@grafana/schema/dist/esm/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen';
import { format, grafanaInert, type Expr } from '../../promql/ast.js';
import type { DashboardId, DashboardRow, PanelLink, PanelSpec, Threshold, ValueText } from '../../dashboard-model.js';

export const DATASOURCE_VARIABLE = 'datasource';
const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** Grafana's own annotation source ("Annotations & Alerts"), present on every new dashboard. */
const BUILT_IN_ANNOTATION: AnnotationQuery = {
  builtIn: 1,
  datasource: { type: 'grafana', uid: '-- Grafana --' },
  enable: true,
  hide: true,
  iconColor: 'rgba(0, 211, 255, 1)',
  name: 'Annotations & Alerts',
  type: 'dashboard',
};

/** A Prometheus annotation query: @grafana/schema's AnnotationQuery lacks the Prometheus fields the JSON Schema has. */
interface PrometheusAnnotation extends AnnotationQuery {
  expr: string;
  step: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  useValueForTime: boolean;
}

export interface DashboardMeta {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly description: string;
}

/** A template variable standing for one of prometheus.extraMatchers (e.g. cluster). */
export interface MatcherVariable {
  readonly name: string;
  /** The configured value: the variable's default. */
  readonly value: string;
  /** `label_values(<selector>, <name>)`: where Grafana finds the other values. */
  readonly query: string;
  /** Several values and "All" (the cluster label of a multi-cluster bundle). */
  readonly multi?: boolean;
}

/** What every dashboard of a bundle shares. */
export interface DashboardEnv {
  /** UID of each dashboard of the bundle, for links between them. */
  readonly uids: Readonly<Record<DashboardId, string>>;
  readonly titles: Readonly<Record<DashboardId, string>>;
  /** The dashboards the bundle writes, for the links between them. */
  readonly emitted: readonly DashboardId[];
  readonly variables: readonly MatcherVariable[];
  /** Name or UID of the data source the datasource variable starts on. */
  readonly datasource?: string;
  /** The alert annotation query (firing Linkerd SLO alerts). */
  readonly annotation: Expr;
  /** More dashboard-level links (e.g. the runbooks). */
  readonly extraLinks: readonly { readonly title: string; readonly url: string; readonly tooltip: string }[];
  /** Rewrites a query before it is written (extra-matcher values → variables). */
  readonly template: (e: Expr) => Expr;
}

function thresholdsConfig(steps: readonly Threshold[]): ThresholdsConfig {
  return { mode: ThresholdsMode.Absolute, steps: steps.map((t) => ({ color: t.color, value: t.value })) };
}

/** A range of values shown as a text in a colour instead of the number (a value mapping). */
function rangeText(t: ValueText): RangeMap {
  return { type: MappingType.RangeToText, options: { from: t.from ?? null, to: t.to ?? null, result: { text: t.text, color: t.color, index: 0 } } };
}

const reduceLast = (): ReduceDataOptions => ({ calcs: ['lastNotNull'], fields: '', values: false });

function linkTo(link: PanelLink, env: DashboardEnv): DashboardLink {
  const internal = 'dashboard' in link;
  return {
    title: link.title,
    type: 'link',
    // Panel links are data links: the macros carry the time range and every variable along.
    url: internal ? `/d/${env.uids[link.dashboard]}?\${__url_time_range}&\${__all_variables}` : link.url,
    icon: internal ? 'dashboard' : 'doc',
    tooltip: internal ? `Open ${env.titles[link.dashboard]}` : link.url,
    tags: [],
    asDropdown: false,
    targetBlank: !internal,
    includeVars: false,
    keepTime: false,
  };
}

function options(spec: PanelSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'stat': {
      const o: StatOptions = {
        reduceOptions: reduceLast(),
        orientation: VizOrientation.Auto,
        // Without thresholds of its own a stat is informational: Grafana's default thresholds (red
        // from 80) would paint a healthy 236 req/s red, so it is not coloured at all.
        colorMode: spec.thresholds ? BigValueColorMode.Background : BigValueColorMode.None,
        graphMode: BigValueGraphMode.None,
        justifyMode: BigValueJustifyMode.Auto,
        // Auto hides the series name when there is one series; some stats say what a value means in its name.
        textMode: spec.names ? BigValueTextMode.ValueAndName : BigValueTextMode.Auto,
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: PercentChangeColorMode.Standard,
      };
      return { ...o };
    }
    case 'bargauge': {
      const o: BarGaugeOptions = {
        reduceOptions: reduceLast(),
        orientation: VizOrientation.Horizontal,
        displayMode: BarGaugeDisplayMode.Gradient,
        valueMode: BarGaugeValueMode.Color,
        namePlacement: BarGaugeNamePlacement.Auto,
        showUnfilled: true,
        sizing: BarGaugeSizing.Auto,
        minVizWidth: 8,
        minVizHeight: 16,
        maxVizHeight: 300,
        legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: false, calcs: [] },
      };
      return { ...o };
    }
    case 'gauge': {
      // The options Grafana's published gauge schema knows; newer Grafana defaults the rest.
      const o: Pick<GaugeOptions, 'reduceOptions' | 'orientation' | 'showThresholdLabels' | 'showThresholdMarkers' | 'sizing' | 'minVizWidth' | 'minVizHeight'> = {
        reduceOptions: reduceLast(),
        orientation: VizOrientation.Auto,
        showThresholdLabels: false,
        showThresholdMarkers: true,
        sizing: BarGaugeSizing.Auto,
        minVizWidth: 75,
        minVizHeight: 75,
      };
      return { ...o };
    }
    case 'table': {
      const o: TableOptions = { showHeader: true, cellHeight: TableCellHeight.Sm, frameIndex: 0 };
      return { ...o };
    }
    case 'timeseries': {
      const o: TimeSeriesOptions = {
        legend: { displayMode: LegendDisplayMode.Table, placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] },
        tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
      };
      return { ...o };
    }
    case 'text': {
      const o: TextOptions = { mode: TextMode.Markdown, content: spec.content ?? '' };
      return { ...o };
    }
    case 'heatmap':
      return heatmapOptions(spec);
  }
}

/**
 * A latency heatmap as Grafana draws one from a histogram it does not recompute (calculate off): the
 * buckets are the histogram's own (Linkerd's bounds), the y axis in the panel's unit, empty cells
 * left out (filterValues) so the distribution stands out, colour on an exponential scale so the few
 * slow responses are not lost next to the many fast ones.
 */
function heatmapOptions(spec: PanelSpec): Record<string, unknown> {
  const o: HeatmapOptions = {
    calculate: false,
    cellGap: 1,
    color: { mode: HeatmapColorMode.Scheme, scheme: 'Oranges', fill: 'dark-orange', scale: HeatmapColorScale.Exponential, exponent: 0.5, steps: 64, reverse: false },
    exemplars: { color: 'rgba(255,0,255,0.7)' },
    filterValues: { le: 1e-9 },
    legend: { show: true },
    rowsFrame: { layout: HeatmapCellLayout.auto },
    showValue: VisibilityMode.Never,
    tooltip: { mode: TooltipDisplayMode.Single, showColorScale: false, yHistogram: false },
    yAxis: { axisPlacement: AxisPlacement.Left, reverse: false, unit: spec.unit },
  };
  return { ...o };
}

function fieldConfig(spec: PanelSpec): FieldConfigSource {
  const defaults: FieldConfig = { unit: spec.unit };
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  const perQuery = spec.queries.some((q) => q.thresholds);
  if (perQuery && spec.type !== 'table') throw new Error(`panel "${spec.title}": per-query thresholds are only supported on tables`);
  if (spec.valueTexts?.length) defaults.mappings = spec.valueTexts.map(rangeText);
  if (spec.thresholds) defaults.thresholds = thresholdsConfig(spec.thresholds);
  if (spec.thresholds || perQuery) defaults.color = { mode: FieldColorModeId.Thresholds };
  const overrides: FieldConfigSource['overrides'] = [];
  if (spec.type === 'heatmap') {
    const custom: HeatmapFieldConfig = { hideFrom: { legend: false, tooltip: false, viz: false }, scaleDistribution: { type: ScaleDistribution.Linear } };
    defaults.custom = { ...custom };
  }
  if (spec.type === 'timeseries') {
    const custom: TimeSeriesFieldConfig = {
      drawStyle: GraphDrawStyle.Line,
      lineWidth: 1,
      fillOpacity: spec.stack ? 40 : 10,
      showPoints: VisibilityMode.Never,
      spanNulls: false,
      thresholdsStyle: { mode: spec.thresholds ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off },
      ...(spec.stack ? { stacking: { mode: StackingMode.Normal, group: 'A' } } : {}),
    };
    defaults.custom = { ...custom };
    // Series keep the classic palette; the thresholds are drawn as dashed lines.
    defaults.color = { mode: FieldColorModeId.PaletteClassic };
  }
  if (spec.type === 'table') {
    // No default cellOptions (auto): the published schema's cellOptions oneOf cannot tell its branches apart.
    const custom: Pick<TableFieldConfig, 'align' | 'inspect'> = { align: 'auto', inspect: false };
    defaults.custom = { ...custom };
    // Prometheus names the value column "Value", or "Value #<refId>" with several queries. Matching by
    // those names (byNames takes an object, as the published schema requires of matcher options)
    // colours the value cells only: label columns would take the base (alarm) colour.
    const valueColumns = spec.queries.length === 1 ? ['Value'] : spec.queries.map((_, i) => `Value #${refId(i)}`);
    const byNames = (names: string[]) => ({ id: 'byNames', options: { mode: 'include', names } });
    if (spec.thresholds || perQuery) {
      overrides.push({ matcher: byNames(valueColumns), properties: [{ id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorBackground } }] });
    }
    spec.queries.forEach((q, i) => {
      if (q.thresholds) overrides.push({ matcher: byNames([valueColumns[i]!]), properties: [{ id: 'thresholds', value: { ...thresholdsConfig(q.thresholds) } }] });
    });
  }
  return { defaults, overrides };
}

const refId = (i: number): string => String.fromCharCode(65 + i);


function panel(spec: PanelSpec, id: number, x: number, y: number, env: DashboardEnv): Panel {
  const height = spec.height ?? (spec.type === 'stat' || spec.type === 'gauge' ? 6 : 8);
  const p: Panel = {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    gridPos: { x, y, w: spec.width, h: height },
    options: options(spec),
    fieldConfig: fieldConfig(spec),
  };
  if (spec.links?.length) p.links = spec.links.map((l) => linkTo(l, env));
  if (spec.type === 'text') return p;
  p.datasource = DATASOURCE;
  const table = spec.type === 'table';
  if (table) {
    p.transformations = [
      ...(spec.queries.length > 1 ? [{ id: 'merge', options: {} }] : []),
      { id: 'organize', options: { excludeByName: { Time: true }, indexByName: {}, renameByName: {} } },
    ];
  }
  p.targets = spec.queries.map((q, i) => ({
    refId: refId(i),
    datasource: DATASOURCE,
    editorMode: 'code',
    expr: format(grafanaInert(env.template(q.expr))),
    ...(q.legend ? { legendFormat: q.legend } : {}),
    ...(q.instant ? { instant: true, range: false, format: table ? 'table' : 'time_series' } : { instant: false, range: true }),
    ...(q.histogram === 'buckets' ? { format: 'heatmap' } : {}),
  }));
  return p;
}

function variables(env: DashboardEnv): VariableModel[] {
  const datasource: VariableModel = {
    type: 'datasource',
    name: DATASOURCE_VARIABLE,
    label: 'Prometheus',
    query: 'prometheus',
    refresh: VariableRefresh.onDashboardLoad,
    hide: VariableHide.dontHide,
    ...(env.datasource ? { current: { selected: true, text: env.datasource, value: env.datasource } } : {}),
  };
  return [
    datasource,
    ...env.variables.map((v): VariableModel => ({
      type: 'query',
      name: v.name,
      label: v.name,
      description: v.multi
        ? `Cluster label (multiCluster.clusterLabel): every query selects ${v.name}=~"$${v.name}"; choose one cluster, several, or All.`
        : `prometheus.extraMatchers.${v.name}: every query of this dashboard selects ${v.name}="$${v.name}"; the generated rules were configured for "${v.value}".`,
      datasource: DATASOURCE,
      query: v.query,
      current: v.multi ? { selected: true, text: ['All'], value: ['$__all'] } : { selected: true, text: v.value, value: v.value },
      refresh: VariableRefresh.onDashboardLoad,
      sort: VariableSort.alphabeticalAsc,
      hide: VariableHide.dontHide,
      includeAll: v.multi ?? false,
      multi: v.multi ?? false,
      ...(v.multi ? { allValue: '.+' } : {}),
    })),
  ];
}

export function buildDashboard(id: DashboardId, meta: DashboardMeta, rows: readonly DashboardRow[], env: DashboardEnv): Dashboard {
  const panels: Array<Panel | RowPanel> = [];
  let panelId = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ type: 'row', id: panelId++, title: row.title, collapsed: false, panels: [], gridPos: { x: 0, y, w: 24, h: 1 } });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of row.panels) {
      if (x + spec.width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const p = panel(spec, panelId++, x, y, env);
      panels.push(p);
      x += spec.width;
      rowHeight = Math.max(rowHeight, p.gridPos!.h);
    }
    y += rowHeight;
  }
  const annotation: PrometheusAnnotation = {
    name: 'Linkerd SLO alerts',
    datasource: DATASOURCE,
    enable: true,
    iconColor: 'red',
    expr: format(grafanaInert(env.template(env.annotation))),
    step: '1m',
    titleFormat: '{{alertname}} ({{severity}})',
    textFormat: '{{slo}} {{sli}} {{component}}{{certificate}}',
    tagKeys: 'severity,slo',
    useValueForTime: false,
  };
  const siblings = env.emitted.filter((d) => d !== id);
  const links: DashboardLink[] = [
    ...siblings.map((d): DashboardLink => ({
      title: env.titles[d],
      type: 'link',
      url: `/d/${env.uids[d]}`,
      icon: 'dashboard',
      tooltip: `Open ${env.titles[d]}`,
      tags: [],
      asDropdown: false,
      targetBlank: false,
      includeVars: true,
      keepTime: true,
    })),
    ...env.extraLinks.map((l): DashboardLink => ({
      title: l.title,
      type: 'link',
      url: l.url,
      icon: 'doc',
      tooltip: l.tooltip,
      tags: [],
      asDropdown: false,
      targetBlank: true,
      includeVars: false,
      keepTime: false,
    })),
  ];
  return {
    ...defaultDashboard,
    uid: meta.uid,
    title: meta.title,
    description: meta.description,
    tags: [...meta.tags],
    editable: true,
    graphTooltip: DashboardCursorSync.Crosshair,
    schemaVersion: 42,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    links,
    panels,
    templating: { list: variables(env) },
    annotations: { list: [BUILT_IN_ANNOTATION, annotation] },
  };
}

export function dashboardJson(d: unknown): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
