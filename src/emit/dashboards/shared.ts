/** What the dashboard builders share: their input. */
export { extraKeys, legendPrefix, orZero } from '../../slo/panel-queries.js';
import type { BuildContext, KindOutput } from '../../slo/kind.js';
import type { RuleGroup } from '../../rules.js';
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
