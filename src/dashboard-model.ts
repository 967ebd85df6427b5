/**
 * What an SLO kind contributes to a dashboard, independent of Grafana's JSON model.
 * The Grafana emitter (src/emit/dashboards/grafana.ts) turns these into typed panels.
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
  /**
   * Heatmaps only: `buckets` for a classic histogram's per-`le` rates (Grafana's heatmap format:
   * cumulative buckets become per-bucket counts), `native` for a native histogram, which Grafana
   * 10+ draws as a heatmap by itself.
   */
  readonly histogram?: 'buckets' | 'native';
}

export interface Threshold { readonly value: number | null; readonly color: string }

/** Values from `from` to `to` (either open) shown as `text` in `color` instead of the number. */
export interface ValueText { readonly from?: number; readonly to?: number; readonly text: string; readonly color: string }

/** A link in a panel's header: an external page (a runbook) or another dashboard of the bundle. */
export type PanelLink =
  | { readonly title: string; readonly url: string }
  | { readonly title: string; readonly dashboard: DashboardId };

type PanelType = 'stat' | 'timeseries' | 'table' | 'bargauge' | 'gauge' | 'text' | 'heatmap';

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
  /** Values shown as a word instead of a number (e.g. "exhausted"); the word's colour wins over the thresholds. */
  readonly valueTexts?: readonly ValueText[];
  /** Stat: show each series' name even when there is one (the name says what the value means). */
  readonly names?: boolean;
  /** Timeseries: stack the series (e.g. gRPC codes). */
  readonly stack?: boolean;
  /**
   * A stand-in: the raw metric this panel shows only while no other row of its dashboard shows it
   * (DashboardRow.shows). E.g. the controller memory panel a kind that is off leaves to the mesh.
   */
  readonly unlessShown?: string;
}

/**
 * A heatmap of one histogram (a latency histogram's rates with no other label left), in `unit` on
 * the y axis: classic buckets by le (Grafana turns the cumulative buckets into per-bucket counts,
 * format heatmap), or one native histogram, which Grafana 10+ draws with its own buckets.
 */
export function histogramHeatmap(title: string, description: string, native: boolean, histogram: Expr, width: number, unit = 'ms'): PanelSpec {
  return {
    title,
    description,
    type: 'heatmap',
    unit,
    queries: [native ? { expr: histogram, histogram: 'native' } : { expr: histogram, legend: '{{le}}', histogram: 'buckets' }],
    width,
  };
}

/** The dashboards of a bundle; each row names the one it belongs to (default: the SLO overview). */
export const DASHBOARDS = ['overview', 'control-plane', 'proxies', 'certificates'] as const;
export type DashboardId = (typeof DASHBOARDS)[number];

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
  readonly dashboard?: DashboardId;
  /**
   * Its place on the dashboard (one of ROW_PLACES): rows with a place come first, by place; the
   * others follow in the order the kinds contribute them (registry order, built rows before
   * standing rows). Rows of several kinds at the same place are one row, their panels side by side
   * in that order (e.g. the latency kind's panels beside the success rate).
   */
  readonly order?: number;
  /**
   * Raw metrics this row shows, directly or through a recording of ours: stand-in panels for them
   * (PanelSpec.unlessShown) are left out of its dashboard.
   */
  readonly shows?: readonly string[];
  /**
   * The kind that contributed the row, set by the generator (src/generate.ts), not by the kind:
   * the v2 dashboards put each kind's rows on a tab of its own, and show the rows of a kind that
   * is off only while they have data. `state`: on (enabled), off, or always (a kind without a
   * config section, e.g. the mesh's panel-only rows).
   */
  readonly kind?: RowKind;
}

interface RowKind {
  readonly id: string;
  readonly title: string;
  readonly state: 'on' | 'off' | 'always';
}

/**
 * Rows that open a dashboard, in this order, and that several kinds may fill (spread one into a
 * DashboardRow). The control-plane dashboard opens with the control plane's traffic as its own
 * proxies and as the mesh see it, then scrape health and controller internals.
 */
export const ROW_PLACES = {
  controlPlaneServerSide: { order: 1, title: 'Server side: each component as its own proxy sees it' },
  controlPlaneMeshView: { order: 2, title: 'The mesh\'s view: every proxy\'s calls to the control plane' },
  controlPlaneInternals: { order: 3, title: 'Scrape health and controller internals' },
} as const;

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
