/**
 * Dashboard rows → Grafana dashboard JSON (classic model, schemaVersion 42), typed with
 * @grafana/schema. Queries use a `datasource` template variable so the same JSON works
 * for provisioning and for import.
 */
import type { Dashboard, DataSourceRef, Panel, RowPanel, VariableModel } from '@grafana/schema';
import { defaultDashboard, ThresholdsMode, VariableHide, VariableRefresh } from '@grafana/schema';
import { format } from '../promql/ast.js';
import type { DashboardRow, PanelSpec } from '../dashboard-model.js';

const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export interface DashboardMeta {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly description: string;
}

function panel(spec: PanelSpec, id: number, x: number, y: number): Panel {
  const height = spec.height ?? (spec.type === 'stat' ? 6 : 8);
  const defaults: Record<string, unknown> = { unit: spec.unit };
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  if (spec.thresholds) {
    defaults.thresholds = { mode: ThresholdsMode.Absolute, steps: spec.thresholds.map((t) => ({ color: t.color, value: t.value })) };
    defaults.color = { mode: 'thresholds' };
  }
  if (spec.type === 'timeseries') {
    defaults.custom = { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false,
      thresholdsStyle: { mode: spec.thresholds ? 'dashed' : 'off' } };
    if (spec.thresholds) defaults.color = { mode: 'palette-classic' };
  }
  const options: Record<string, unknown> =
    spec.type === 'stat'
      ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', textMode: 'value_and_name', justifyMode: 'auto', orientation: 'auto' }
      : spec.type === 'timeseries'
        ? { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } }
        : { showHeader: true, cellHeight: 'sm' };
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { x, y, w: spec.width, h: height },
    fieldConfig: { defaults, overrides: [] },
    options,
    ...(spec.type === 'table' ? { transformations: [{ id: 'labelsToFields', options: {} }] } : {}),
    targets: spec.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: format(q.expr),
      ...(q.legend ? { legendFormat: q.legend } : {}),
      ...(q.instant ? { instant: true, range: false, format: spec.type === 'table' ? 'table' : 'time_series' } : { range: true }),
    })),
  };
}

export function buildDashboard(meta: DashboardMeta, rows: readonly DashboardRow[]): Dashboard {
  const panels: Array<Panel | RowPanel> = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ type: 'row', id: id++, title: row.title, collapsed: false, panels: [], gridPos: { x: 0, y, w: 24, h: 1 } });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of row.panels) {
      if (x + spec.width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const p = panel(spec, id++, x, y);
      panels.push(p);
      x += spec.width;
      rowHeight = Math.max(rowHeight, p.gridPos!.h);
    }
    y += rowHeight;
  }
  const datasourceVar: VariableModel = {
    type: 'datasource',
    name: 'datasource',
    label: 'Prometheus',
    query: 'prometheus',
    refresh: VariableRefresh.onDashboardLoad,
    hide: VariableHide.dontHide,
  };
  return {
    ...defaultDashboard,
    uid: meta.uid,
    title: meta.title,
    description: meta.description,
    tags: [...meta.tags],
    editable: true,
    schemaVersion: 42,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    panels,
    templating: { list: [datasourceVar] },
    annotations: {
      list: [
        {
          name: 'Linkerd SLO alerts',
          datasource: DATASOURCE,
          enable: true,
          iconColor: 'red',
          expr: 'ALERTS{alertstate="firing", slo!=""}',
          titleFormat: '{{alertname}}',
          textFormat: '{{slo}} {{sli}} {{component}} {{severity}}',
        } as never,
      ],
    },
  };
}

export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
