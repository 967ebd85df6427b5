/**
 * The mesh's view of the control plane on its dashboard: success rate, call rate and p99 latency of
 * every meshed proxy's calls to destination, policy and identity (control_response_total and
 * control_response_latency_ms), and the proxies that see the most failing calls.
 */
import { aggregate, call, eq, gt, num, rate, re, sum } from '../../promql/ast.js';
import { formatNumber } from '../../promql/number.js';
import { clientAddrPattern } from '../../linkerd/control-plane.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { CONTROL_HTTP } from '../../linkerd/metric-names.js';
import { objectiveThresholds, WINDOW, type TrafficQueries } from './traffic-queries.js';

export function meshViewPanels(ctx: BuildContext, q: TrafficQueries): PanelSpec[] {
  const sr = ctx.config.slos.controlPlaneSuccessRate;
  const by = ctx.clusterLabels;
  const anyAddr = re('addr', q.components.map((c) => clientAddrPattern(ctx, c)).join('|'));
  const cs = sr.clientSide;
  const clientThresholds = objectiveThresholds(cs.objective, sr.enabled && cs.enabled);
  return [
    {
      title: 'Success rate seen by the mesh',
      description:
        `Share of successful calls from every meshed proxy to destination, policy and identity (${CONTROL_HTTP.responses}, 5m). This is what workloads experience: failures here delay new connections, discovery updates and certificate renewals. ` +
        (clientThresholds ? `Red below the ${formatNumber(cs.objective)}% client-side objective. ` : '') +
        'When red while the server side is green: look between them (network policy, DNS, node-level problems).',
      type: 'timeseries',
      unit: 'percentunit',
      queries: q.perComponent(q.success('client')),
      ...(clientThresholds ? { thresholds: clientThresholds } : {}),
      max: 1,
      width: 8,
    },
    {
      title: 'Calls per second from proxies',
      description: `Calls the proxies make to each control-plane service (${CONTROL_HTTP.responses}). Watch streams count when they end, so destination and policy rates reflect stream churn; a spike means mass reconnects (restarts, rollouts).`,
      type: 'timeseries',
      unit: 'reqps',
      queries: q.perComponent(q.requests('client')),
      min: 0,
      width: 8,
    },
    {
      title: 'p99 latency seen by proxies',
      description: `p99 time to first byte of the proxies' calls to each control-plane service (${CONTROL_HTTP.latencyHistogram}, 5m). Identity is a unary call, so its value is the certificate issuance time the mesh sees.`,
      type: 'timeseries',
      unit: 'ms',
      queries: q.perComponent((c) =>
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
}
