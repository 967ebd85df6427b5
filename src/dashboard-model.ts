/**
 * What an SLO kind contributes to a dashboard, independent of Grafana's JSON model.
 * The Grafana emitter (src/emit/grafana.ts) turns these into typed panels.
 */
import { boundedName } from './text.js';
import type { Expr } from './promql/ast.js';

export interface PanelQuery {
  readonly expr: Expr;
  /** Grafana legend template, e.g. "{{component}}". */
  readonly legend?: string;
  readonly instant?: boolean;
  /**
   * Tables only: thresholds for this query's value column, overriding the panel's (e.g. time left
   * and renewal due in one table). Ascending; the first value must be null.
   */
  readonly thresholds?: readonly Threshold[];
}

export interface Threshold { readonly value: number | null; readonly color: string }

/** A link in a panel's header: an external page (a runbook) or another dashboard of the bundle. */
export type PanelLink =
  | { readonly title: string; readonly url: string }
  | { readonly title: string; readonly dashboard: DashboardId };

export type PanelType = 'stat' | 'timeseries' | 'table' | 'bargauge' | 'gauge' | 'text';

export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and what to do when it is red. */
  readonly description: string;
  readonly type: PanelType;
  readonly unit: string;
  /** Empty for text panels. */
  readonly queries: readonly PanelQuery[];
  /** Ascending thresholds; the first value must be null (the base colour). */
  readonly thresholds?: readonly Threshold[];
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  /** Grid width out of 24. */
  readonly width: number;
  readonly height?: number;
  readonly links?: readonly PanelLink[];
  /** Markdown of a text panel. */
  readonly content?: string;
  /** Timeseries: stack the series (e.g. gRPC codes). */
  readonly stack?: boolean;
}

/** The dashboards of a bundle; each row names the one it belongs to (default: the SLO overview). */
export const DASHBOARDS = ['overview', 'control-plane', 'proxies', 'certificates'] as const;
export type DashboardId = (typeof DASHBOARDS)[number];

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
  readonly dashboard?: DashboardId;
}

const UID_MAX = 40;

/**
 * Stable Grafana UID of one dashboard of a cluster's bundle (≤ 40 chars of [a-zA-Z0-9_-], what
 * Grafana accepts): `linkerd-slo-<cluster>` for the overview, `linkerd-slo-<cluster>-<id>` for the
 * others. A longer name keeps its readable start and ends in a hash of the whole name, so two long
 * cluster names sharing a prefix never collide.
 */
export function dashboardUidFor(cluster: string, id: DashboardId): string {
  const full = id === 'overview' ? `linkerd-slo-${cluster}` : `linkerd-slo-${cluster}-${id}`;
  return boundedName(full, UID_MAX);
}
