/**
 * Reads a schema v2 dashboard (`dashboard.grafana.app/v2`, out/grafana/v2/) into the shape the
 * preview renders (the classic panel list): every tab's rows one after the other, each row's grid
 * placed below the previous one, its panels' queries, options and field config as they are. The
 * same panels and queries as the classic file of the same dashboard, so the preview queries and
 * draws them the same way. Rows Grafana shows only while they have data (conditional rendering)
 * are drawn anyway and say so in their title: the preview shows what a responder could see.
 */
import type { DashboardJson, PanelJson, TargetJson } from './data.js';
import type { DashboardVariable } from './variables.js';

/** The parts of a v2 resource the preview reads; anything else is ignored. */
interface V2Kind<K extends string, S> {
  readonly kind: K;
  readonly spec: S;
}
type V2Grid = V2Kind<'GridLayout', { readonly items: ReadonlyArray<V2Kind<'GridLayoutItem', { x: number; y: number; width: number; height: number; element: { name: string } }>> }>;
type V2Rows = V2Kind<'RowsLayout', { readonly rows: ReadonlyArray<V2Kind<'RowsLayoutRow', { title?: string; collapse?: boolean; conditionalRendering?: unknown; layout: V2Layout }>> }>;
type V2Tabs = V2Kind<'TabsLayout', { readonly tabs: ReadonlyArray<V2Kind<'TabsLayoutTab', { title?: string; layout: V2Layout }>> }>;
type V2Layout = V2Grid | V2Rows | V2Tabs | V2Kind<'AutoGridLayout', unknown>;
interface V2Panel {
  readonly id: number;
  readonly title?: string;
  readonly description?: string;
  readonly links?: ReadonlyArray<{ title?: string; url?: string }>;
  readonly data?: { spec?: { queries?: ReadonlyArray<{ spec: { refId: string; hidden?: boolean; query: { spec: Record<string, unknown> } } }>; transformations?: ReadonlyArray<{ group: string; spec: { options?: Record<string, unknown> } }> } };
  readonly vizConfig: { group: string; spec: { options?: Record<string, unknown>; fieldConfig?: PanelJson['fieldConfig'] } };
}
export interface V2DashboardJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly title?: string;
    readonly description?: string;
    readonly elements: Readonly<Record<string, { kind: string; spec: V2Panel }>>;
    readonly layout: V2Layout;
    readonly variables?: ReadonlyArray<V2Kind<string, Record<string, unknown>>>;
    readonly links?: DashboardJson['links'];
    readonly timeSettings?: { from?: string; to?: string };
  };
}

export const isV2Dashboard = (d: unknown): d is V2DashboardJson =>
  typeof d === 'object' && d !== null && /^dashboard\.grafana\.app\/v2/.test(String((d as { apiVersion?: unknown }).apiVersion)) && (d as { kind?: unknown }).kind === 'Dashboard';

function panelOf(p: V2Panel, gridPos: PanelJson['gridPos']): PanelJson {
  const targets = (p.data?.spec?.queries ?? []).filter((q) => !q.spec.hidden).map((q): TargetJson => ({ ...(q.spec.query.spec as TargetJson), refId: q.spec.refId }));
  return {
    id: p.id,
    type: p.vizConfig.group,
    ...(p.title !== undefined ? { title: p.title } : {}),
    ...(p.description ? { description: p.description } : {}),
    gridPos,
    options: p.vizConfig.spec.options ?? {},
    fieldConfig: p.vizConfig.spec.fieldConfig ?? {},
    targets,
    transformations: (p.data?.spec?.transformations ?? []).map((t) => ({ id: t.group, ...(t.spec.options ? { options: t.spec.options } : {}) })),
    links: p.links ?? [],
  };
}

const SORTS: Readonly<Record<string, number>> = { disabled: 0, alphabeticalAsc: 1, alphabeticalDesc: 2, numericalAsc: 3, numericalDesc: 4, alphabeticalCaseInsensitiveAsc: 5, alphabeticalCaseInsensitiveDesc: 6 };

function variableOf(v: V2Kind<string, Record<string, unknown>>): DashboardVariable {
  const s = v.spec as { name: string; current?: DashboardVariable['current']; multi?: boolean; includeAll?: boolean; allValue?: string; pluginId?: string; sort?: string; definition?: string; query?: unknown };
  const common = { name: s.name, ...(s.current ? { current: s.current } : {}), multi: s.multi ?? false, includeAll: s.includeAll ?? false, ...(s.allValue ? { allValue: s.allValue } : {}) };
  switch (v.kind) {
    case 'DatasourceVariable':
      return { ...common, type: 'datasource', query: s.pluginId };
    case 'QueryVariable': {
      const q = (s.query as { spec?: { query?: unknown; __legacyStringValue?: unknown } } | undefined)?.spec;
      return { ...common, type: 'query', query: String(q?.query ?? q?.__legacyStringValue ?? s.definition ?? ''), sort: SORTS[s.sort ?? ''] ?? 0 } as DashboardVariable;
    }
    case 'CustomVariable':
      return { ...common, type: 'custom', query: v.spec.query };
    case 'ConstantVariable':
      return { ...common, type: 'constant', query: v.spec.query };
    case 'TextVariable':
      return { ...common, type: 'textbox', query: v.spec.query };
    default:
      throw new Error(`variable ${s.name}: ${v.kind} is not supported by the preview`);
  }
}

/** The v2 dashboard as a classic panel list: rows (tab title first when there are tabs), then their panels. */
export function dashboardFromV2(d: V2DashboardJson): DashboardJson {
  const panels: PanelJson[] = [];
  let y = 0;
  let rowId = 1_000_000;
  const grid = (g: V2Grid) => {
    let bottom = 0;
    for (const item of g.spec.items) {
      const el = d.spec.elements[item.spec.element.name];
      if (!el || el.kind !== 'Panel') throw new Error(`${d.metadata.name}: layout names ${item.spec.element.name}, which is not a panel of the dashboard`);
      const { x, y: dy, width: w, height: h } = item.spec;
      panels.push(panelOf(el.spec, { x, y: y + dy, w, h }));
      bottom = Math.max(bottom, dy + h);
    }
    y += bottom;
  };
  const walk = (layout: V2Layout, prefix: string) => {
    switch (layout.kind) {
      case 'GridLayout':
        return grid(layout);
      case 'RowsLayout':
        for (const r of layout.spec.rows) {
          const title = `${prefix}${r.spec.title ?? ''}${r.spec.conditionalRendering ? ' (shown while it has data)' : ''}`;
          panels.push({ id: rowId++, type: 'row', title, collapsed: false, panels: [], gridPos: { x: 0, y, w: 24, h: 1 } });
          y += 1;
          walk(r.spec.layout, '');
        }
        return;
      case 'TabsLayout':
        for (const t of layout.spec.tabs) {
          if (t.spec.layout.kind === 'GridLayout') {
            panels.push({ id: rowId++, type: 'row', title: t.spec.title ?? '', collapsed: false, panels: [], gridPos: { x: 0, y, w: 24, h: 1 } });
            y += 1;
          }
          walk(t.spec.layout, `${t.spec.title ?? ''} › `);
        }
        return;
      default:
        throw new Error(`${d.metadata.name}: layout ${layout.kind} is not supported by the preview`);
    }
  };
  walk(d.spec.layout, '');
  return {
    uid: d.metadata.name,
    ...(d.spec.title !== undefined ? { title: d.spec.title } : {}),
    ...(d.spec.description ? { description: d.spec.description } : {}),
    panels,
    templating: { list: (d.spec.variables ?? []).map(variableOf) },
    links: d.spec.links ?? [],
    time: { ...(d.spec.timeSettings?.from ? { from: d.spec.timeSettings.from } : {}), ...(d.spec.timeSettings?.to ? { to: d.spec.timeSettings.to } : {}) },
  };
}
