/**
 * The workloads and routes of `slos.workloads` as the rules and the OpenSLO mapping both see them:
 * who is measured, which label names them, and which route responses count as good.
 */
import { anyOf, eq, nre, type Matcher } from '../../promql/ast.js';
import type { Config } from '../../config/schema.js';
import { WORKLOAD_KINDS } from '../../linkerd/catalog.js';
import { routeStatusesMetric } from '../../linkerd/proxy-admin.js';

/** gRPC codes Linkerd classifies as failures by default (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0), in the route metrics' spelling (linkerd/linkerd2-proxy `linkerd/app/outbound/src/metrics.rs` at release/v2.246.0). */
const GRPC_FAILURE_CODES = ['UNKNOWN', 'DEADLINE_EXCEEDED', 'PERMISSION_DENIED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS'];
export const ROUTE_LABELS = ['parent_namespace', 'parent_name', 'route_namespace', 'route_name'] as const;
/** Label names the workload rules set from the series; user rule labels or extra matchers must not reuse them. */
export const WORKLOAD_LABELS = ['namespace', ...WORKLOAD_KINDS, 'workload'];

export type Component = (typeof WORKLOAD_KINDS)[number] | 'workload';
export type WorkloadsConfig = Config['slos']['workloads'];
export type RequestClass = WorkloadsConfig['classes'][string];

export interface Member {
  readonly namespace: string;
  /** The label naming the workload: deployment, statefulset, daemonset, or workload for selector workloads. */
  readonly component: Component;
  readonly name: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly class: string;
}

export interface RouteMember {
  readonly labels: Readonly<Record<(typeof ROUTE_LABELS)[number], string>>;
  readonly protocol: 'http' | 'grpc';
  readonly class: string;
}

export function membersOf(w: WorkloadsConfig): Member[] {
  return w.list.map((item) => {
    const cls = item.class ?? w.defaults.class;
    const kind = WORKLOAD_KINDS.find((k) => item[k] !== undefined);
    if (kind) return { namespace: item.namespace, component: kind, name: item[kind]!, class: cls };
    return { namespace: item.namespace, component: 'workload', name: item.name!, selector: item.selector!, class: cls };
  });
}

export function routesOf(w: WorkloadsConfig): RouteMember[] {
  return w.routes.map((r) => ({
    labels: { parent_namespace: r.namespace, parent_name: r.service, route_namespace: r.routeNamespace ?? r.namespace, route_name: r.route },
    protocol: r.protocol,
    class: r.class ?? w.defaults.class,
  }));
}

/** The callers' per-route counter (Linkerd 2.16+). */
export const routeMetric = (protocol: RouteMember['protocol']) => routeStatusesMetric(protocol);

/**
 * The route responses that succeed. linkerd/linkerd2-proxy `linkerd/app/outbound/src/metrics.rs` at
 * release/v2.246.0: failure = 5xx (HTTP) or a failing gRPC status, or any proxy error (timeouts,
 * fail-fast, resets).
 */
export function routeSuccessMatchers(protocol: RouteMember['protocol']): Matcher[] {
  return [protocol === 'http' ? nre('http_status', '5..') : nre('grpc_status', anyOf(GRPC_FAILURE_CODES)), eq('error', '')];
}
