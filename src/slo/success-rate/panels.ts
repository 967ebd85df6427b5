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
import { aggregate, call, div, eq, gt, num, oneOf, rate, ratioRates, re, sub, sum, type Expr, type Selector } from '../../promql/ast.js';
import { cleanNumber, formatNumber } from '../../promql/number.js';
import { CONTROL_PLANE_POD_COMPONENT, SERVING_COMPONENTS, type ServingComponent } from '../../linkerd/catalog.js';
import { clientAddrPattern, clientSelectors, runningComponents, serverSelectors } from '../../linkerd/control-plane.js';
import { ROW_PLACES, type DashboardRow, type PanelQuery, type PanelSpec, type Threshold } from '../../dashboard-model.js';
import { CONTROL_PLANE_SLO, SLI_RECORDINGS } from '../series.js';
import { extraKeys, legendPrefix } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';
import { CONTROL_HTTP, PROXY_METRICS } from '../../linkerd/metric-names.js';

const WINDOW = '5m';

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

function objectiveThresholds(objective: number, enabled: boolean): Threshold[] | undefined {
  return enabled ? [{ value: null, color: 'red' }, { value: cleanNumber(objective / 100), color: 'green' }] : undefined;
}

export function controlPlaneTrafficRows(ctx: BuildContext): DashboardRow[] {
  const { config, facts } = ctx;
  const by = extraKeys(ctx);
  const prefix = legendPrefix(ctx);
  const components = runningComponents(SERVING_COMPONENTS, facts);
  const sr = config.slos.controlPlaneSuccessRate;
  const recorded = recordedComponents(ctx);
  const recording = (side: Side, record: string, component: ServingComponent): Selector | undefined =>
    recorded[side].includes(component)
      ? ctx.recordedSelector(record, [eq('slo', CONTROL_PLANE_SLO.successRate), eq('sli', side), eq('component', component)])
      : undefined;
  const selectors = (side: Side, component: ServingComponent) => (side === 'server' ? serverSelectors(ctx, component, sr.ports[component]) : clientSelectors(ctx, component));
  const success = (side: Side) => (component: ServingComponent): Expr => {
    const rec = recording(side, SLI_RECORDINGS.errorRatio(WINDOW), component);
    if (rec) return sub(num(1), rec);
    const s = selectors(side, component);
    const sli = ratioRates(s.bad, s.total, by);
    return sub(num(1), div(sli.errorsRate(WINDOW), sli.requestsRate(WINDOW)));
  };
  const requests = (side: Side) => (component: ServingComponent): Expr =>
    recording(side, SLI_RECORDINGS.requestsRate, component) ?? sum(rate(selectors(side, component).total, WINDOW), by);
  const perComponent = (f: (c: ServingComponent) => Expr, instant = false): PanelQuery[] =>
    components.map((c) => ({ expr: f(c), legend: `${prefix}${c}`, ...(instant ? { instant: true } : {}) }));

  // ---- server side ---------------------------------------------------------------------------------
  const srThresholds = objectiveThresholds(sr.objective, sr.enabled);
  const srText = sr.enabled ? `Red below the ${formatNumber(sr.objective)}% objective: budget burns; sustained, it pages (LinkerdControlPlaneErrorBudgetBurn).` : '';
  const podComponents = [...new Set(components.map((c) => CONTROL_PLANE_POD_COMPONENT[c])), 'proxy-injector'];
  const server: PanelSpec[] = [
    {
      title: 'Success rate now (5m)',
      description:
        `Share of successful responses of each component over the last 5 minutes, counted by the component's own proxy on its serving port (probes and scrapes excluded). ${srText} ` +
        'When red: check the component logs and the controller gRPC codes below.',
      type: 'stat',
      unit: 'percentunit',
      decimals: 3,
      queries: perComponent(success('server'), true),
      ...(srThresholds ? { thresholds: srThresholds } : {}),
      width: 12,
    },
    {
      title: 'Meshed replicas per component',
      description:
        `Pods of each control-plane Deployment with a running, scraped proxy (${PROXY_METRICS.buildInfo} on job ${config.linkerd.proxyJob}, pod label control_plane_component; policy runs in the destination pod). ` +
        'Red: none left. Fewer than your HA replica count: a replica is crash-looping or pending; kubectl -n ' +
        `${config.linkerd.namespace} get pods.`,
      type: 'stat',
      unit: 'none',
      queries: [
        {
          expr: aggregate('count', ctx.proxySelector(PROXY_METRICS.buildInfo, [eq('namespace', config.linkerd.namespace), oneOf('control_plane_component', podComponents)]), {
            by: [...by, 'control_plane_component'],
          }),
          legend: `${prefix}{{control_plane_component}}`,
          instant: true,
        },
      ],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      width: 12,
    },
    {
      title: 'Success rate (server side)',
      description: `Per component, share of successful responses over 5m as its own proxy counts them. ${srText} A dip on one component only points at that component; all at once, at its pods' nodes or the network.`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: perComponent(success('server')),
      ...(srThresholds ? { thresholds: srThresholds } : {}),
      max: 1,
      width: 12,
    },
    {
      title: 'Request rate (server side)',
      description: 'Requests per second each component serves on its serving port. A drop to zero usually means missing metrics or a dead component, not a quiet mesh: proxies keep watches open and renew certificates all the time.',
      type: 'timeseries',
      unit: 'reqps',
      queries: perComponent(requests('server')),
      min: 0,
      width: 12,
    },
  ];

  // ---- client side: the mesh's view ----------------------------------------------------------------------
  const anyAddr = re('addr', components.map((c) => clientAddrPattern(ctx, c)).join('|'));
  const cs = sr.clientSide;
  const clientThresholds = objectiveThresholds(cs.objective, sr.enabled && cs.enabled);
  const client: PanelSpec[] = [
    {
      title: 'Success rate seen by the mesh',
      description:
        `Share of successful calls from every meshed proxy to destination, policy and identity (${CONTROL_HTTP.responses}, 5m). This is what workloads experience: failures here delay new connections, discovery updates and certificate renewals. ` +
        (clientThresholds ? `Red below the ${formatNumber(cs.objective)}% client-side objective. ` : '') +
        'When red while the server side is green: look between them (network policy, DNS, node-level problems).',
      type: 'timeseries',
      unit: 'percentunit',
      queries: perComponent(success('client')),
      ...(clientThresholds ? { thresholds: clientThresholds } : {}),
      max: 1,
      width: 8,
    },
    {
      title: 'Calls per second from proxies',
      description: `Calls the proxies make to each control-plane service (${CONTROL_HTTP.responses}). Watch streams count when they end, so destination and policy rates reflect stream churn; a spike means mass reconnects (restarts, rollouts).`,
      type: 'timeseries',
      unit: 'reqps',
      queries: perComponent(requests('client')),
      min: 0,
      width: 8,
    },
    {
      title: 'p99 latency seen by proxies',
      description: `p99 time to first byte of the proxies' calls to each control-plane service (${CONTROL_HTTP.latencyHistogram}, 5m). Identity is a unary call, so its value is the certificate issuance time the mesh sees.`,
      type: 'timeseries',
      unit: 'ms',
      queries: perComponent((c) =>
        call(
          'histogram_quantile',
          num(0.99),
          aggregate('sum', rate(ctx.proxySelector(CONTROL_HTTP.latencyBucket, [re('addr', clientAddrPattern(ctx, c))]), WINDOW), { by: ['le', ...by] }),
        ),
      ),
      min: 0,
      width: 8,
    },
    {
      title: 'Proxies with failing control-plane calls',
      description: 'The ten pods whose proxies see the most failing calls to the control plane now (failures per second, 5m). Empty is good. One namespace or node standing out points at its network path; everything at once, at the control plane.',
      type: 'table',
      unit: 'reqps',
      decimals: 3,
      queries: [
        {
          expr: aggregate(
            'topk',
            gt(sum(rate(ctx.proxySelector(CONTROL_HTTP.responses, [anyAddr, eq('classification', 'failure')]), WINDOW), [...by, 'namespace', 'pod', 'addr']), num(0)),
            { param: num(10) },
          ),
          instant: true,
        },
      ],
      thresholds: [{ value: null, color: 'green' }, { value: 0.001, color: 'orange' }],
      width: 24,
    },
  ];

  return [
    { ...ROW_PLACES.controlPlaneServerSide, panels: server, dashboard: 'control-plane' },
    { ...ROW_PLACES.controlPlaneMeshView, panels: client, dashboard: 'control-plane' },
  ];
}
