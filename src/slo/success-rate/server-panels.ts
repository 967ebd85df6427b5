/**
 * The server-side row of the control-plane dashboard: success rate and request rate per component
 * as its own proxy counts them on its serving port, and the meshed replicas serving it.
 */
import { aggregate, eq, oneOf } from '../../promql/ast.js';
import { formatNumber } from '../../promql/number.js';
import { CONTROL_PLANE_POD_COMPONENT } from '../../linkerd/catalog.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { legendPrefix } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';
import { PROXY_METRICS } from '../../linkerd/metric-names.js';
import { objectiveThresholds, type TrafficQueries } from './traffic-queries.js';

export function serverSidePanels(ctx: BuildContext, q: TrafficQueries): PanelSpec[] {
  const { config } = ctx;
  const sr = config.slos.controlPlaneSuccessRate;
  const by = ctx.clusterLabels;
  const prefix = legendPrefix(ctx);
  const components = q.components;
  const srThresholds = objectiveThresholds(sr.objective, sr.enabled);
  const srText = sr.enabled ? `Red below the ${formatNumber(sr.objective)}% objective: budget burns; sustained, it pages (LinkerdControlPlaneErrorBudgetBurn).` : '';
  const podComponents = [...new Set(components.map((c) => CONTROL_PLANE_POD_COMPONENT[c])), 'proxy-injector'];
  return [
    {
      title: 'Success rate now (5m)',
      description:
        `Share of successful responses of each component over the last 5 minutes, counted by the component's own proxy on its serving port (probes and scrapes excluded). ${srText} ` +
        'When red: check the component logs and the controller gRPC codes below.',
      type: 'stat',
      unit: 'percentunit',
      decimals: 3,
      queries: q.perComponent(q.success('server'), true),
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
      queries: q.perComponent(q.success('server')),
      ...(srThresholds ? { thresholds: srThresholds } : {}),
      max: 1,
      width: 12,
    },
    {
      title: 'Request rate (server side)',
      description: 'Requests per second each component serves on its serving port. A drop to zero usually means missing metrics or a dead component, not a quiet mesh: proxies keep watches open and renew certificates all the time.',
      type: 'timeseries',
      unit: 'reqps',
      queries: q.perComponent(q.requests('server')),
      min: 0,
      width: 12,
    },
  ];
}
