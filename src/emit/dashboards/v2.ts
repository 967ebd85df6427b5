/**
 * The dashboards as Grafana's schema v2 resources (`dashboard.grafana.app/v2`, the newest version
 * @grafana/schema ships types for: `@grafana/schema/apis/dashboard.grafana.app/v2`), the shape
 * Grafana 12+ stores dynamic dashboards in and Grafana 13 uses by default.
 *
 * Built from the same rows as the classic JSON and from its panels (grafana.ts), so both formats
 * show the same panels, queries, thresholds and variables; only the layout differs:
 *  - a tab per SLO kind (the kind that contributed the row, DashboardRow.kind; rows no kind owns,
 *    such as the overview's "At a glance", open the dashboard on a tab of their own);
 *  - inside a tab, the kind's rows as they are in the classic dashboard, each a grid;
 *  - a row of a kind that is off (standing rows showing raw signals) is shown only while it has
 *    data (conditional rendering), so a mesh without that component does not show empty rows. The
 *    rows of enabled kinds always show: an empty SLO row is a finding, not clutter.
 */
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import type {
  AnnotationQueryKind, ConditionalRenderingGroupKind, DashboardLink, DataQueryKind, Element, FieldConfigSource, GridLayoutItemKind, GridLayoutKind, PanelQueryKind,
  RowsLayoutKind, RowsLayoutRowKind, Spec, TabsLayoutKind, TabsLayoutTabKind, TransformationKind, VariableKind, VariableOption,
} from '@grafana/schema/apis/dashboard.grafana.app/v2';
import { pluginVersion } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { DashboardRow } from '../../dashboard-model.js';
import { DATASOURCE_VARIABLE } from './grafana.js';

const V2_API_VERSION = 'dashboard.grafana.app/v2';

/**
 * A v2 dashboard as a file holds it: the Kubernetes-style object without what the server sets
 * (status, namespace, resourceVersion...). @grafana/schema exports the spec's types; the object
 * around them is Kubernetes' (apiVersion, kind, metadata.name = the dashboard UID).
 */
export interface V2Resource {
  readonly apiVersion: typeof V2_API_VERSION;
  readonly kind: 'Dashboard';
  readonly metadata: { readonly name: string };
  readonly spec: Spec;
}

/** Data source of every query: the dashboard's datasource variable, as the classic JSON uses it. */
const DATASOURCE = { name: `\${${DATASOURCE_VARIABLE}}` };

const dataQuery = (group: string, spec: Record<string, unknown>, datasource?: { name: string }): DataQueryKind => ({
  kind: 'DataQuery',
  group,
  // Data source queries carry the data source API version; every built-in data source is v0.
  version: 'v0',
  ...(datasource ? { datasource } : {}),
  spec,
});

/** The classic field config in v2's types (the same properties; v2 spells enums as string literals). */
function fieldConfig(p: Panel): FieldConfigSource {
  const { defaults, overrides } = p.fieldConfig!;
  return { defaults: { ...defaults }, overrides: overrides.map((o) => ({ matcher: { ...o.matcher }, properties: o.properties.map((x) => ({ ...x })) })) };
}

const elementName = (id: number): string => `panel-${id}`;

function element(p: Panel): Element {
  const queries = (p.targets ?? []).map((t): PanelQueryKind => {
    const { refId, datasource: _datasource, ...query } = t as { refId: string; datasource?: unknown } & Record<string, unknown>;
    return { kind: 'PanelQuery', spec: { refId, hidden: false, query: dataQuery('prometheus', query, DATASOURCE) } };
  });
  const transformations = (p.transformations ?? []).map((t): TransformationKind => ({ kind: 'Transformation', group: t.id, spec: { options: t.options } }));
  return {
    kind: 'Panel',
    spec: {
      id: p.id!,
      title: p.title ?? '',
      description: p.description ?? '',
      links: (p.links ?? []).map((l) => ({ title: l.title, url: l.url ?? '', ...(l.targetBlank ? { targetBlank: true } : {}) })),
      data: { kind: 'QueryGroup', spec: { queries, transformations, queryOptions: {} } },
      vizConfig: {
        kind: 'VizConfig',
        group: p.type,
        version: pluginVersion,
        spec: { options: { ...p.options }, fieldConfig: fieldConfig(p) },
      },
    },
  };
}

/** Shown only while the row's panels return data (Grafana's "has data" condition). */
const WHILE_DATA: ConditionalRenderingGroupKind = {
  kind: 'ConditionalRenderingGroup',
  spec: { visibility: 'show', condition: 'and', items: [{ kind: 'ConditionalRenderingData', spec: { value: true } }] },
};

interface LaidRow {
  readonly row: DashboardRow;
  readonly grid: GridLayoutKind;
}

/** The classic panels under each row header, as a grid of their own (y from the row's top). */
function rowGrids(d: Dashboard, rows: readonly DashboardRow[], elements: Record<string, Element>): LaidRow[] {
  const out: LaidRow[] = [];
  let items: GridLayoutItemKind[] = [];
  let top = 0;
  for (const p of d.panels ?? []) {
    if (p.type === 'row') {
      items = [];
      top = (p as RowPanel).gridPos!.y + 1;
      out.push({ row: rows[out.length]!, grid: { kind: 'GridLayout', spec: { items } } });
      continue;
    }
    const panel = p as Panel;
    const g = panel.gridPos!;
    elements[elementName(panel.id!)] = element(panel);
    items.push({ kind: 'GridLayoutItem', spec: { x: g.x, y: g.y - top, width: g.w, height: g.h, element: { kind: 'ElementReference', name: elementName(panel.id!) } } });
  }
  if (out.length !== rows.length) throw new Error(`dashboard ${d.uid}: ${out.length} row headers for ${rows.length} rows`);
  return out;
}

function rowKind({ row, grid }: LaidRow): RowsLayoutRowKind {
  return { kind: 'RowsLayoutRow', spec: { title: row.title, collapse: false, layout: grid, ...(row.kind?.state === 'off' ? { conditionalRendering: WHILE_DATA } : {}) } };
}

/** A tab per kind, in the order the kinds' rows come; one kind only: its rows without tabs. */
function layoutOf(rows: readonly LaidRow[]): RowsLayoutKind | TabsLayoutKind {
  const tabs = new Map<string, LaidRow[]>();
  for (const r of rows) {
    const key = r.row.kind?.id ?? `row:${r.row.title}`;
    tabs.set(key, [...(tabs.get(key) ?? []), r]);
  }
  const rowsLayout = (of: readonly LaidRow[]): RowsLayoutKind => ({ kind: 'RowsLayout', spec: { rows: of.map(rowKind) } });
  if (tabs.size <= 1) return rowsLayout(rows);
  return {
    kind: 'TabsLayout',
    spec: {
      tabs: [...tabs.values()].map((of): TabsLayoutTabKind => ({
        kind: 'TabsLayoutTab',
        spec: {
          title: of[0]!.row.kind?.title ?? of[0]!.row.title,
          layout: rowsLayout(of),
          // A tab holding only rows of a kind that is off shows while any of them has data.
          ...(of.every((r) => r.row.kind?.state === 'off') ? { conditionalRendering: WHILE_DATA } : {}),
        },
      })),
    },
  };
}

const option = (v: { text?: string | string[]; value?: string | string[] } | undefined): VariableOption => ({ text: v?.text ?? '', value: v?.value ?? '' });

function variables(d: Dashboard): VariableKind[] {
  return (d.templating?.list ?? []).map((v): VariableKind => {
    const common = { name: v.name, label: v.label ?? v.name, hide: 'dontHide' as const, skipUrlSync: false, current: option(v.current) };
    if (v.type === 'datasource') {
      return {
        kind: 'DatasourceVariable',
        spec: { ...common, pluginId: String(v.query), refresh: 'onDashboardLoad', regex: '', options: [], multi: false, includeAll: false, allowCustomValue: true },
      };
    }
    if (v.type !== 'query') throw new Error(`dashboard ${d.uid}: variable ${v.name} of type ${v.type} has no v2 form here`);
    const query = String(v.query);
    return {
      kind: 'QueryVariable',
      spec: {
        ...common,
        ...(v.description ? { description: v.description } : {}),
        refresh: 'onDashboardLoad',
        // The Prometheus data source's variable query object (label_values(...) in `query`).
        query: dataQuery('prometheus', { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' }, DATASOURCE),
        definition: query,
        regex: '',
        sort: 'alphabeticalAsc',
        options: [],
        multi: v.multi ?? false,
        includeAll: v.includeAll ?? false,
        ...(v.allValue ? { allValue: v.allValue } : {}),
        allowCustomValue: true,
      },
    };
  });
}

function annotations(d: Dashboard): AnnotationQueryKind[] {
  return (d.annotations?.list ?? []).map((a): AnnotationQueryKind => {
    const { name, enable, hide, iconColor, builtIn, datasource, type: _type, ...rest } = a as typeof a & Record<string, unknown>;
    const grafana = datasource?.type === 'grafana';
    return {
      kind: 'AnnotationQuery',
      spec: {
        name,
        enable,
        hide: hide ?? false,
        iconColor,
        ...(builtIn ? { builtIn: true } : {}),
        query: grafana ? dataQuery('grafana', {}, { name: '-- Grafana --' }) : dataQuery('prometheus', rest, DATASOURCE),
      },
    };
  });
}

/** The v2 resource of one dashboard, from its classic JSON and the rows it was built from. */
export function v2Dashboard(d: Dashboard, rows: readonly DashboardRow[]): V2Resource {
  const elements: Record<string, Element> = {};
  const layout = layoutOf(rowGrids(d, rows, elements));
  const spec: Spec = {
    title: d.title ?? '',
    description: d.description ?? '',
    tags: [...(d.tags ?? [])],
    editable: d.editable ?? true,
    cursorSync: 'Crosshair',
    preload: false,
    liveNow: false,
    links: (d.links ?? []).map((l): DashboardLink => ({ ...l, url: l.url ?? '' })),
    timeSettings: {
      from: d.time?.from ?? 'now-6h',
      to: d.time?.to ?? 'now',
      autoRefresh: d.refresh ?? '',
      autoRefreshIntervals: ['5s', '10s', '30s', '1m', '5m', '15m', '30m', '1h', '2h', '1d'],
      hideTimepicker: false,
      fiscalYearStartMonth: 0,
      timezone: 'browser',
    },
    variables: variables(d),
    annotations: annotations(d),
    elements,
    layout,
  };
  return { apiVersion: V2_API_VERSION, kind: 'Dashboard', metadata: { name: d.uid! }, spec };
}
