/**
 * The control-plane dashboard's latency panels, one per serving component, shown whether or not
 * the latency SLO is on, beside the success rate in the server-side row (same place). p50/p95/p99
 * time to first byte from the component's own proxy (response_latency_ms_bucket,
 * linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0): from
 * the histogram this kind records while it is on (for every running component, see build), from
 * the raw buckets while it is off; and a heatmap of the same histogram per component.
 */
import { aggregate, call, eq, num, type Expr } from '../../promql/ast.js';
import { latencyHistogram } from './histograms.js';
import { formatNumber } from '../../promql/number.js';
import { SERVING_COMPONENTS, type ServingComponent } from '../../linkerd/catalog.js';
import { runningComponents, serverMatchers } from '../../linkerd/control-plane.js';
import { histogramHeatmap, ROW_PLACES, type DashboardRow, type PanelSpec } from '../../dashboard-model.js';
import { CONTROL_PLANE_SLO, LATENCY_HISTOGRAM_WINDOW } from '../series.js';
import { extraKeys, legendPrefix } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';

const QUANTILES = [0.5, 0.95, 0.99] as const;

export function controlPlaneLatencyRows(ctx: BuildContext): DashboardRow[] {
  const { config, facts } = ctx;
  const lat = config.slos.controlPlaneLatency;
  const by = extraKeys(ctx);
  const prefix = legendPrefix(ctx);
  const components = runningComponents(SERVING_COMPONENTS, facts);
  // build() records the histogram of every running component as soon as one component is measured.
  const recorded = lat.enabled && runningComponents(lat.components, facts).length > 0;
  const hist = latencyHistogram(ctx);
  const covered = (c: ServingComponent): boolean => lat.enabled && lat.components.includes(c);
  /** The component's histogram (5m rates) by the dashboard's cluster keys, or `whole` (by le alone when classic). */
  const histogramOf = (component: ServingComponent, whole: boolean): Expr => {
    if (recorded) {
      const sel = ctx.recordedSelector(hist.recording, [eq('slo', CONTROL_PLANE_SLO.latency), eq('sli', 'server'), eq('component', component)]);
      return whole ? aggregate('sum', sel, hist.native ? {} : { by: ['le'] }) : sel;
    }
    // While no latency SLO covers the component, its serving port is the one the success rate is
    // configured with: the same port the server-side success-rate panels read.
    const port = covered(component) ? lat.ports[component] : config.slos.controlPlaneSuccessRate.ports[component];
    const m = serverMatchers(ctx, component, port);
    return hist.aggregateRate([...m.pod, m.port], LATENCY_HISTOGRAM_WINDOW, whole ? [] : by);
  };
  const buckets = (component: ServingComponent): Expr => histogramOf(component, false);
  const panels = components.map((c): PanelSpec => {
    const thresholdMs = covered(c) ? lat.componentThresholdMs[c] ?? lat.thresholdMs : undefined;
    return {
      title: `Latency: ${c}`,
      description:
        `p50/p95/p99 time to first byte of ${c} responses over 5m (ms), from ${c === 'identity' ? 'Certify calls (unary: the whole issuance)' : 'watch streams (time to the first update)'}. ` +
        (thresholdMs !== undefined ? `Orange above the ${thresholdMs} ms SLO threshold: slow responses burn the latency budget.` : 'No latency SLO covers this component.'),
      type: 'timeseries',
      unit: 'ms',
      queries: QUANTILES.map((q) => ({ expr: call('histogram_quantile', num(q), buckets(c)), legend: `${prefix}p${formatNumber(q * 100)}` })),
      ...(thresholdMs !== undefined ? { thresholds: [{ value: null, color: 'green' }, { value: thresholdMs, color: 'orange' }] } : {}),
      min: 0,
      width: components.length === 3 ? 8 : 12,
    };
  });
  const heatmaps = components.map((c): PanelSpec => histogramHeatmap(
    `Latency distribution: ${c}`,
    `How ${c}'s responses spread over Linkerd's latency buckets (time to first byte, ms, 5m rate per bucket): a band moving up is a slowdown of most responses, a faint upper band a slow tail the p99 above may hide.`,
    hist.native, histogramOf(c, true), components.length === 3 ? 8 : 12,
  ));
  return [{ ...ROW_PLACES.controlPlaneServerSide, panels: [...panels, ...heatmaps], dashboard: 'control-plane' }];
}
