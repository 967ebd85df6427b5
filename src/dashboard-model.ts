/**
 * What an SLO kind contributes to a dashboard, independent of Grafana's JSON model.
 * The Grafana emitter (src/emit/grafana.ts) turns these into typed panels.
 */
import type { Expr } from './promql/ast.js';

export interface PanelQuery {
  readonly expr: Expr;
  /** Grafana legend template, e.g. "{{component}}". */
  readonly legend?: string;
  readonly instant?: boolean;
}

export interface Threshold { readonly value: number | null; readonly color: string }

export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and what to do when it is red. */
  readonly description: string;
  readonly type: 'stat' | 'timeseries' | 'table';
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** Ascending thresholds; the first value must be null (the base colour). */
  readonly thresholds?: readonly Threshold[];
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  /** Grid width out of 24. */
  readonly width: number;
  readonly height?: number;
}

/** The dashboards of a bundle; each row names the one it belongs to (default: the SLO overview). */
export const DASHBOARDS = ['overview', 'control-plane', 'proxies', 'certificates'] as const;
export type DashboardId = (typeof DASHBOARDS)[number];

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
  readonly dashboard?: DashboardId;
}
