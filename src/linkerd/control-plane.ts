/**
 * How Linkerd exposes the traffic of a control-plane component, read by every SLI, panel and
 * export that measures the control plane: from the server side (the component's own proxy, inbound
 * response_total on its serving port) and from the client side (every meshed proxy's
 * control_response_total towards the component's Service).
 *
 * Sources: linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` and
 * `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 (Linkerd 2.18); the pod label
 * linkerd.io/control-plane-component becomes control_plane_component through the relabel_configs of
 * linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18.
 */
import { eq, escapeRegex, re, type Matcher, type Selector } from '../promql/ast.js';
import { CONTROL_PLANE_CLIENT_ADDR, CONTROL_PLANE_POD_COMPONENT, type LinkerdFacts, type ServingComponent } from './catalog.js';

/** What selecting the mesh's series needs: the version facts, the control-plane namespace and the proxy job. */
/**
 * Every proxy's client-side counter of its control-plane calls, by `addr` (linkerd/linkerd2-proxy
 * `linkerd/app/core/src/metrics.rs` at release/v2.294.0, the control_* families).
 */
export const CONTROL_RESPONSES = 'control_response_total';

export interface MeshScope {
  readonly facts: LinkerdFacts;
  readonly config: { readonly linkerd: { readonly namespace: string } };
  proxySelector(metric: string, matchers?: readonly Matcher[]): Selector;
}

/** The components of a list that run on this version: policy has its own controller from 2.11. */
export function runningComponents<T extends string>(components: readonly T[], facts: LinkerdFacts): T[] {
  return [...new Set(components)].filter((c) => c !== 'policy' || facts.hasPolicyController);
}

/**
 * Matchers for one component's inbound traffic as its own pod's proxy sees it: `pod` selects the
 * pod's inbound series (any port), `port` narrows them to the component's serving port.
 */
export function serverMatchers(scope: MeshScope, component: ServingComponent, port: number): { pod: Matcher[]; port: Matcher } {
  return {
    pod: [
      eq('namespace', scope.config.linkerd.namespace),
      eq('control_plane_component', CONTROL_PLANE_POD_COMPONENT[component]),
      eq('direction', 'inbound'),
    ],
    // target_port exists from 2.11 (linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs`
    // at release/v2.161.0); 2.10 only has target_addr ("ip:port").
    port: scope.facts.hasTargetPort ? eq('target_port', String(port)) : re('target_addr', `.+:${port}`),
  };
}

/** Server-side selectors of one component's inbound responses on its serving port. */
export function serverSelectors(scope: MeshScope, component: ServingComponent, port: number): { total: Selector; bad: Selector; presence: Selector } {
  const { pod, port: portMatcher } = serverMatchers(scope, component, port);
  return {
    total: scope.proxySelector('response_total', [...pod, portMatcher]),
    // classification="failure" covers 5xx, failing gRPC codes and stream errors
    // (linkerd/linkerd2-proxy `linkerd/app/core/src/classify.rs` at release/v2.294.0).
    bad: scope.proxySelector('response_total', [...pod, portMatcher, eq('classification', 'failure')]),
    // The admin port's own scrapes keep these series alive even when no client calls the component.
    presence: scope.proxySelector('response_total', pod),
  };
}

/**
 * The addr pattern of every proxy's calls to one control-plane Service: addr is
 * "<svc>.<ns>.svc.<cluster domain>[.]:<port>"; a real scrape has no trailing dot
 * (linkerd/linkerd2 `charts/partials/templates/_proxy.tpl` at version-2.18).
 */
export function clientAddrPattern(scope: MeshScope, component: ServingComponent): string {
  const { service, port } = CONTROL_PLANE_CLIENT_ADDR[component];
  return `${escapeRegex(`${service}.${scope.config.linkerd.namespace}.svc.`)}.+:${port}`;
}

/**
 * Why clientAddrPattern() is a regex with a wildcard between literals, which pint's promql/regexp calls
 * "smelly" (extracting a substring of a label): addr is the proxy's own label, one string per
 * control-plane Service, and its cluster-domain part varies by cluster (cluster.local by default).
 */
export const CLIENT_ADDR_PATTERN_REASON =
  "addr is the proxy's own <service>.<namespace>.svc.<cluster domain>:<port> label, and the cluster domain differs between clusters";

/** Client-side selectors of every proxy's calls to one control-plane Service. */
export function clientSelectors(scope: MeshScope, component: ServingComponent): { total: Selector; bad: Selector } {
  const addr = re('addr', clientAddrPattern(scope, component));
  return {
    total: scope.proxySelector(CONTROL_RESPONSES, [addr]),
    bad: scope.proxySelector(CONTROL_RESPONSES, [addr, eq('classification', 'failure')]),
  };
}

/** Every proxy's calls to any of the given control-plane Services: one selector for one pass over the family. */
export function clientTrafficSelector(scope: MeshScope, components: readonly ServingComponent[]): Selector {
  return scope.proxySelector(CONTROL_RESPONSES, [re('addr', components.map((c) => clientAddrPattern(scope, c)).join('|'))]);
}
