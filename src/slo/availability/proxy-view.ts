/**
 * The data plane's view of the control plane (Linkerd 2.15+): the share of meshed proxies whose
 * destination, policy or identity client holds no ready endpoint (src/linkerd/control-clients.ts).
 * This is the outage users feel while every controller still answers its own scrape (`up` is 1): a
 * NetworkPolicy or a broken mTLS chain between proxies and controllers, a headless Service without
 * endpoints, DNS failing in the pods. Only a share of the mesh pages: one proxy that is starting, or
 * one node with a broken network, is not a control-plane outage.
 */
import { aggregate, binary, eq, num, type Expr } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import {
  CONTROL_CLIENTS, controlBalancerEndpoints, ENDPOINT_STATE, hasControlBalancerEndpoints, type ControlClient,
} from '../../linkerd/control-clients.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import { AVAILABILITY_ALERTS } from './names.js';
import type { AvailabilityAlerts } from './alert-set.js';
import { BY_SEVERITY_COMPONENT, FILTERS, type SourceScenario } from './fixtures.js';

/** The clients watched: none before 2.15 or when switched off. */
export function proxyViewClients(ctx: BuildContext): readonly ControlClient[] {
  const v = ctx.config.slos.controlPlaneAvailability.proxyView;
  return v.enabled && hasControlBalancerEndpoints(ctx.facts.version) ? CONTROL_CLIENTS : [];
}

/** Ready endpoints of one client, per proxy (one `addr` per client; sum in case a proxy has two). */
function readyPerProxy(ctx: BuildContext, client: ControlClient): Expr {
  const ready = ctx.proxySelector(controlBalancerEndpoints(client), [eq(ENDPOINT_STATE.label, ENDPOINT_STATE.ready)]);
  return aggregate('sum', ready, { by: [...ctx.clusterLabels, 'namespace', 'pod'] });
}

/** Share (0–1) of the proxies exporting the client's gauge that hold no ready endpoint of it. */
function blindShare(ctx: BuildContext, client: ControlClient): Expr {
  const blind = binary('==', readyPerProxy(ctx, client), num(0), { bool: true });
  return aggregate('avg', blind, ctx.clusterLabels.length ? { by: ctx.clusterLabels } : {});
}

/** The page's expression for one client. */
const proxyViewExpr = (ctx: BuildContext, client: ControlClient): Expr =>
  binary('>', blindShare(ctx, client), num(ctx.config.slos.controlPlaneAvailability.proxyView.share));

/** What the annotations and the runbook say. */
export function proxyViewText(ctx: BuildContext): Record<string, unknown> {
  const v = ctx.config.slos.controlPlaneAvailability.proxyView;
  return {
    share: `${Math.round(v.share * 1000) / 10}%`,
    viewFor: normalDuration(v.for),
    metrics: Object.fromEntries(CONTROL_CLIENTS.map((c) => [c, controlBalancerEndpoints(c)])),
    stateLabel: ENDPOINT_STATE.label,
  };
}

export function proxyViewPanel(ctx: BuildContext, clients: readonly ControlClient[]): PanelSpec {
  const v = ctx.config.slos.controlPlaneAvailability.proxyView;
  return {
    title: 'Proxies with no ready control-plane endpoint',
    description:
      'Per control-plane client of the proxies (destination, policy, identity), the share of meshed proxies whose balancer holds no ready endpoint ' +
      `(control_<client>_balancer_endpoints{${ENDPOINT_STATE.label}="${ENDPOINT_STATE.ready}"} is 0). Above ${proxyViewText(ctx).share} for ${normalDuration(v.for)} pages ` +
      '(LinkerdProxiesLostControlPlane). A rise while the instances above are up means the proxies cannot reach or trust the controllers: network policy, mTLS, DNS, Service endpoints.',
    type: 'timeseries',
    unit: 'percentunit',
    queries: clients.map((c) => ({ expr: blindShare(ctx, c), legend: c })),
    thresholds: [{ value: null, color: 'green' }, { value: v.share, color: 'red' }],
    min: 0,
    max: 1,
    width: 12,
  };
}

/** One page per client whose share of blind proxies is above the configured one. */
export function proxyViewAlerts(ctx: BuildContext, alerts: AvailabilityAlerts, clients: readonly ControlClient[]): void {
  const v = ctx.config.slos.controlPlaneAvailability.proxyView;
  for (const client of clients) {
    alerts.add({ name: AVAILABILITY_ALERTS.proxyView, severity: 'page', expr: proxyViewExpr(ctx, client), for: v.for, template: 'proxy-view', text: { view: proxyViewText(ctx) }, component: client });
  }
}

/**
 * Series and checks for the bundle's own promtool tests (built from the rule's selectors, like the
 * kind's others), merged into the kind's firing and healthy scenarios (one promtool test each, so the
 * bundle's tests do not grow): more than the configured share of three proxies with only pending
 * endpoints page per client; every proxy with a ready one is quiet.
 */
export function proxyViewScenario(ctx: BuildContext, clients: readonly ControlClient[]): SourceScenario | undefined {
  if (!clients.length) return undefined;
  const v = ctx.config.slos.controlPlaneAvailability.proxyView;
  const proxy = (client: ControlClient, pod: string, ready: number): ScenarioSeries[] =>
    [[ENDPOINT_STATE.ready, ready], [ENDPOINT_STATE.pending, 1 - ready]].map(([state, value]) => ({
      labels: fixtureLabels(ctx.proxySelector(controlBalancerEndpoints(client), [eq(ENDPOINT_STATE.label, String(state))]), {}, { namespace: 'app', pod }),
      values: gauge(Number(value)),
    }));
  const pods = ['a', 'b', 'c'];
  // The fewest of three proxies above the configured share.
  const blindCount = Math.floor(v.share * pods.length) + 1;
  const page = ctx.config.alerting.severities.page;
  return {
    firing: clients.flatMap((c) => pods.flatMap((pod, i) => proxy(c, `view-${pod}`, i < blindCount ? 0 : 1))),
    checks: [{ alert: AVAILABILITY_ALERTS.proxyView, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: minutesOf(v.for) + 2, rows: clients.map((component) => ({ severity: page, component })) }],
    stories: [`${blindCount} of ${pods.length} proxies with no ready ${clients.join('/')} endpoint page`],
    healthy: clients.flatMap((c) => pods.flatMap((pod) => proxy(c, `view-${pod}`, 1))),
    quietAfter: minutesOf(v.for),
  };
}
