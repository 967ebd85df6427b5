/**
 * The queries both traffic rows of the control-plane dashboard ask per component: success and
 * request rate of either side, from this kind's SLI recording where it records one, else from the
 * raw series (so the rows stand whether or not the SLO is on).
 */
import { div, eq, num, rate, ratioRates, sub, sum, type Expr, type Selector } from '../../promql/ast.js';
import { cleanNumber } from '../../promql/number.js';
import { SERVING_COMPONENTS, type ServingComponent } from '../../linkerd/catalog.js';
import { clientSelectors, runningComponents, serverSelectors } from '../../linkerd/control-plane.js';
import type { PanelQuery, Threshold } from '../../dashboard-model.js';
import { CONTROL_PLANE_SLO, SLI_RECORDINGS } from '../series.js';
import { legendPrefix } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';

export const WINDOW = '5m';

type Side = 'server' | 'client';

/** The components this kind records an SLI for on each side (none while it is off). */
function recordedComponents(ctx: BuildContext): Record<Side, readonly ServingComponent[]> {
  const slo = ctx.config.slos.controlPlaneSuccessRate;
  if (!slo.enabled) return { server: [], client: [] };
  return {
    server: runningComponents(slo.components, ctx.facts),
    client: slo.clientSide.enabled ? runningComponents(slo.clientSide.components, ctx.facts) : [],
  };
}

export function objectiveThresholds(objective: number, enabled: boolean): Threshold[] | undefined {
  return enabled ? [{ value: null, color: 'red' }, { value: cleanNumber(objective / 100), color: 'green' }] : undefined;
}

/** The queries both rows ask per running component: from the SLI recording where there is one, else from the raw series. */
export interface TrafficQueries {
  readonly components: readonly ServingComponent[];
  /** Share of successful responses over 5m of one side. */
  success(side: Side): (component: ServingComponent) => Expr;
  /** Requests per second over 5m of one side. */
  requests(side: Side): (component: ServingComponent) => Expr;
  /** One query per running component, legend the component (and the cluster labels). */
  perComponent(f: (c: ServingComponent) => Expr, instant?: boolean): PanelQuery[];
}

export function trafficQueries(ctx: BuildContext): TrafficQueries {
  const by = ctx.clusterLabels;
  const prefix = legendPrefix(ctx);
  const components = runningComponents(SERVING_COMPONENTS, ctx.facts);
  const sr = ctx.config.slos.controlPlaneSuccessRate;
  const recorded = recordedComponents(ctx);
  const recording = (side: Side, record: string, component: ServingComponent): Selector | undefined =>
    recorded[side].includes(component)
      ? ctx.recordedSelector(record, [eq('slo', CONTROL_PLANE_SLO.successRate), eq('sli', side), eq('component', component)])
      : undefined;
  const selectors = (side: Side, component: ServingComponent) => (side === 'server' ? serverSelectors(ctx, component, sr.ports[component]) : clientSelectors(ctx, component));
  return {
    components,
    success: (side) => (component) => {
      const rec = recording(side, SLI_RECORDINGS.errorRatio(WINDOW), component);
      if (rec) return sub(num(1), rec);
      const s = selectors(side, component);
      const sli = ratioRates(s.bad, s.total, by);
      return sub(num(1), div(sli.errorsRate(WINDOW), sli.requestsRate(WINDOW)));
    },
    requests: (side) => (component) =>
      recording(side, SLI_RECORDINGS.requestsRate, component) ?? sum(rate(selectors(side, component).total, WINDOW), by),
    perComponent: (f, instant = false) => components.map((c) => ({ expr: f(c), legend: `${prefix}${c}`, ...(instant ? { instant: true } : {}) })),
  };
}
