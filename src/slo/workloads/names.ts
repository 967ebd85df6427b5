/** The names the workload rules, alerts and texts use: SLO ids, alert names, and the Linkerd metrics as this Prometheus stores them. */
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';
import { PROXY_PRESENCE_METRIC } from '../../linkerd/proxy-container.js';
import type { BuildContext } from '../kind.js';
import { routeMetric } from './members.js';
import { isNative } from './latency.js';

export const WORKLOAD_SLO = { successRate: 'workload-success-rate', latency: 'workload-latency', route: 'route-success-rate' } as const;
export const WORKLOAD_ALERTS = {
  burn: 'LinkerdWorkloadErrorBudgetBurn',
  latencyBurn: 'LinkerdWorkloadLatencyBudgetBurn',
  absent: 'LinkerdWorkloadMetricsAbsent',
  routeBurn: 'LinkerdRouteErrorBudgetBurn',
} as const;

/** The Linkerd metrics the alert texts and runbooks name, as this Prometheus stores them. */
export function metricNames(ctx: BuildContext) {
  const native = isNative(ctx);
  return {
    responses: PROXY_HTTP.responses,
    latency: native ? PROXY_HTTP.latencyHistogram : PROXY_HTTP.latencyBucket,
    /** The histogram family's name, whatever its storage. */
    latencyFamily: PROXY_HTTP.latencyHistogram,
    native,
    presence: PROXY_PRESENCE_METRIC,
    httpRoute: routeMetric('http'),
    grpcRoute: routeMetric('grpc'),
  };
}

export type MetricNames = ReturnType<typeof metricNames>;
