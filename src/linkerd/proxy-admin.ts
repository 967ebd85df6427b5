/**
 * The proxy's admin server, and the traffic it adds to the proxy's own inbound families.
 *
 * The admin server (`/live`, `/ready`, `/metrics`, …) listens on port 4191 by default
 * (linkerd/linkerd2 `charts/linkerd-control-plane/values.yaml` `proxy.ports.admin` at version-2.20;
 * per pod: the `config.linkerd.io/admin-port` annotation) and is metered like any inbound server:
 * linkerd/linkerd2-proxy `linkerd/app/admin/src/stack.rs` at release/v2.359.0. A real scrape
 * (linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`) carries
 * `response_total{direction="inbound",target_addr="0.0.0.0:4191",target_ip="0.0.0.0",target_port="4191",
 * tls="no_identity",no_tls_reason="no_tls_from_remote",…,status_code="200",classification="success"}`.
 * The kubelet's liveness and readiness probes (every 10 s each, `charts/partials/templates/_proxy.tpl`)
 * and every Prometheus scrape land there: about 0.25–0.3 successful requests per second per pod, which
 * dilutes a workload's real failures below every burn-rate threshold when its own traffic is low.
 */
import { eq, neq, nre, type Matcher } from '../promql/ast.js';
import type { LinkerdFacts } from './catalog.js';

/** Default admin port of the proxy (`proxy.ports.admin`). */
export const PROXY_ADMIN_PORT = 4191;

/**
 * The matcher that leaves the admin server's own traffic out of a proxy's inbound families:
 * `target_port` from 2.11; Linkerd 2.10 names the target only as `target_addr` ("ip:port";
 * linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` at release/v2.138.0 and v2.161.0).
 */
function notAdminTraffic(facts: Pick<LinkerdFacts, 'hasTargetPort'>, port: number): Matcher {
  return facts.hasTargetPort ? neq('target_port', String(port)) : nre('target_addr', `.+:${port}`);
}

/** Whether a matcher is the admin-traffic exclusion of `notAdminTraffic` (for `check`'s explanation). */
export function isAdminExclusion(m: Matcher, port: number): boolean {
  return (m.label === 'target_port' && m.op === '!=' && m.value === String(port)) || (m.label === 'target_addr' && m.op === '!~' && m.value === `.+:${port}`);
}

/**
 * Matchers of the requests a workload serves, as its own proxies count them: inbound
 * (`direction`, linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs`), without the admin server's traffic.
 */
export function servedInbound(facts: Pick<LinkerdFacts, 'hasTargetPort'>, adminPort: number): Matcher[] {
  return [eq('direction', 'inbound'), notAdminTraffic(facts, adminPort)];
}

/**
 * The proxy's legacy HTTP families a workload's SLIs read (linkerd/linkerd2-proxy
 * `linkerd/app/core/src/metrics.rs`, `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0;
 * unchanged through release/v2.366.0): responses by `classification`, and the time-to-first-byte histogram in ms.
 */
export const PROXY_HTTP = { responses: 'response_total', latencyBucket: 'response_latency_ms_bucket', latencyHistogram: 'response_latency_ms' } as const;

/**
 * The latency histogram's name in the other storage (config linkerd.histograms) than the one `metric`
 * names, when it is that histogram: classic `_bucket` series, or one native histogram as Prometheus 3
 * stores a scraped classic histogram with convert_classic_histograms_to_nhcb (then without `_bucket` series).
 */
export function otherHistogramStorage(metric: string): { readonly metric: string; readonly histograms: 'classic' | 'native' } | undefined {
  if (metric === PROXY_HTTP.latencyBucket) return { metric: PROXY_HTTP.latencyHistogram, histograms: 'native' };
  if (metric === PROXY_HTTP.latencyHistogram) return { metric: PROXY_HTTP.latencyBucket, histograms: 'classic' };
  return undefined;
}

/** The callers' per-route counter of Gateway API routes, Linkerd 2.16+ (linkerd/linkerd2-proxy `linkerd/app/outbound/src/http/logical/policy/route/metrics/labels.rs` at release/v2.246.0). */
export const routeStatusesMetric = (protocol: 'http' | 'grpc') => `outbound_${protocol}_route_request_statuses_total`;
