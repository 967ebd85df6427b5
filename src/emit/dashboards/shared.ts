/** What the dashboard builders share: their input, and questions about the generated rules. */
export { external, extraKeys, legendPrefix, orZero } from '../../slo/panel-queries.js';
import { eq, walk, type Expr, type Selector } from '../../promql/ast.js';
import type { BuildContext, KindOutput } from '../../slo/kind.js';
import { isAlert, type RuleGroup } from '../../rules.js';
import type { DashboardRow } from '../../dashboard-model.js';

export interface DashboardInput {
  readonly ctx: BuildContext;
  readonly outputs: readonly KindOutput[];
  readonly groups: readonly RuleGroup[];
  /** Rows the kinds show whatever their state (SloKind.standingRows), after the enabled kinds' rows. */
  readonly standingRows: readonly DashboardRow[];
  /**
   * Multi-cluster: the cluster label. Its dashboard variable then allows several values and
   * "All" (the all-clusters view), and queries match it with =~.
   */
  readonly fleetLabel?: string;
  /**
   * Multi-cluster: every cluster's own input (its version, facts, recordings and kind rows), the
   * dashboards being built once for the fleet from all of them (mixed Linkerd versions included).
   */
  readonly fleetMembers?: readonly DashboardInput[];
  /** Labels the bundle's alerts carry that say what fired (the firing-alerts table's columns). */
  readonly alertLabels: readonly string[];
}

/** Whether the bundle records `record` with (at least) these labels: then panels read it instead of raw series. */
export function hasRecording(groups: readonly RuleGroup[], record: string, labels: Readonly<Record<string, string>>): boolean {
  return groups.some((g) =>
    g.rules.some((r) => !isAlert(r) && r.record === record && Object.entries(labels).every(([k, v]) => r.labels?.[k] === v)),
  );
}

/** Our recorded series with these labels (extra matchers added), for a panel query. */
export function recordedWith(ctx: BuildContext, record: string, labels: Readonly<Record<string, string>>): Selector {
  return ctx.recordedSelector(record, Object.entries(labels).map(([k, v]) => eq(k, v)));
}

/** Every metric name an expression selects (subqueries included). */
export function metricsOf(e: Expr, out = new Set<string>()): Set<string> {
  walk(e, (node) => {
    if (node.kind === 'selector' && node.metric) out.add(node.metric);
  });
  return out;
}

/** Metric names the given rows already show: built-in fallbacks are left out for these. */
export function coveredMetrics(rows: readonly DashboardRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) for (const p of r.panels) for (const q of p.queries) metricsOf(q.expr, out);
  return out;
}
