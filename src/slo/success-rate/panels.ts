/**
 * The control-plane dashboard's traffic rows, shown whether or not the success-rate SLO is on:
 * success rate and request rate per component as its own proxy counts them (server side, with the
 * replicas serving it), and the mesh's view of the control plane (control_response_total of every
 * proxy). Where this kind records a component's SLI the panels read the recording, elsewhere the
 * raw series (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` and
 * `linkerd/app/core/src/metrics.rs` at release/v2.294.0; the pod label control_plane_component
 * from the relabel_configs of linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml`
 * at version-2.18). The latency kind adds its panels to the server-side row (same place).
 */
import { ROW_PLACES, type DashboardRow } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { trafficQueries } from './traffic-queries.js';
import { serverSidePanels } from './server-panels.js';
import { meshViewPanels } from './mesh-panels.js';

export function controlPlaneTrafficRows(ctx: BuildContext): DashboardRow[] {
  const q = trafficQueries(ctx);
  return [
    { ...ROW_PLACES.controlPlaneServerSide, panels: serverSidePanels(ctx, q), dashboard: 'control-plane' },
    { ...ROW_PLACES.controlPlaneMeshView, panels: meshViewPanels(ctx, q), dashboard: 'control-plane' },
  ];
}
