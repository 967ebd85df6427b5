/**
 * What Linkerd exposes, described for promtool fixtures independently of the generator: the label
 * sets a real proxy and the control plane put on each family, per Linkerd version, plus the target
 * labels the standard scrape configuration adds. Tests build input series from here, never from the
 * rules' own selectors, so a rule that reads the wrong metric or label finds no data and its test fails.
 *
 * Sources (public):
 *  - proxy HTTP families and their labels: linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs`,
 *    `linkerd/app/core/src/transport/labels.rs`, `linkerd/app/core/src/classify.rs` at release/v2.294.0
 *    (2.18); label history from the same files at release/v2.138.0 (2.10) and release/v2.161.0 (2.11);
 *    srv_/authz_ labels: linkerd/linkerd2-proxy#1215; a real scrape: linkerd/linkerd2
 *    `testutil/prommatch/testdata/sampleMetrics.txt`.
 *  - control_* families and `addr`: linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs`;
 *    linkerd/linkerd2 `charts/partials/templates/_proxy.tpl` at version-2.18.
 *  - target labels: linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` (linkerd-proxy and
 *    linkerd-controller jobs) and `pkg/inject/inject.go` (linkerd.io/proxy-<kind> pod labels) at version-2.18.
 *  - identity certificate gauges: linkerd/linkerd2-proxy `src/metrics.rs` of the `linkerd/proxy/identity` crates
 *    (≤2.14), linkerd/linkerd2-proxy#2617 (refreshes_total, 2.15), #2887 (control_identity_ prefix, 2.16).
 *  - proxy_build_info: linkerd/linkerd2-proxy `linkerd/app/core/src/build_info.rs` at release/v2.294.0.
 */

export type Labels = Readonly<Record<string, string>>;

/** Linkerd minor version as "2.NN". */
export type Version = `2.${number}`;
const minorOf = (version: Version): number => Number(version.split('.')[1]);

/** `metric{a="x", b="y"}` in promtool's input-series notation. */
export function series(metric: string, labels: Labels): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

// ---- target labels (added by Prometheus at scrape time, not by the proxy) ---------------------------

/** A pod's labels after the linkerd-proxy job's relabelling: linkerd.io/proxy-<kind> → <kind>, linkerd.io/x → x. */
export function proxyTarget(pod: { namespace: string; pod: string; ip: string; owner: Labels; extra?: Labels }): Labels {
  return {
    job: 'linkerd-proxy',
    instance: `${pod.ip}:4191`,
    namespace: pod.namespace,
    pod: pod.pod,
    ...pod.owner,
    control_plane_ns: 'linkerd',
    workload_ns: pod.namespace,
    ...pod.extra,
  };
}

export interface ControlPlaneComponent {
  /** linkerd.io/control-plane-component pod label and container name. */
  readonly component: 'destination' | 'identity' | 'proxy-injector';
  readonly deployment: string;
  readonly pod: string;
  readonly ip: string;
  /** The gRPC/HTTPS port the component's own server listens on (its proxy's inbound target port). */
  readonly serverPort: number;
  /** Admin port of the component's main container (the linkerd-controller job scrapes it). */
  readonly adminPort: number;
  readonly serviceAccount: string;
}

/** Core control-plane pods of a `linkerd install` (charts/linkerd-control-plane/templates/*.yaml). */
export const CONTROL_PLANE: Readonly<Record<ControlPlaneComponent['component'], ControlPlaneComponent>> = {
  destination: { component: 'destination', deployment: 'linkerd-destination', pod: 'linkerd-destination-7d9c8b6f5-q4x2m', ip: '10.42.0.17', serverPort: 8086, adminPort: 9996, serviceAccount: 'linkerd-destination' },
  identity: { component: 'identity', deployment: 'linkerd-identity', pod: 'linkerd-identity-5f6c9d7b8-k2j9p', ip: '10.42.0.12', serverPort: 8080, adminPort: 9990, serviceAccount: 'linkerd-identity' },
  'proxy-injector': { component: 'proxy-injector', deployment: 'linkerd-proxy-injector', pod: 'linkerd-proxy-injector-6c7d8e9f0-z8v5t', ip: '10.42.0.21', serverPort: 8443, adminPort: 9995, serviceAccount: 'linkerd-proxy-injector' },
};

/** Target labels of a control-plane pod's proxy on the linkerd-proxy job. */
export function controlPlaneProxy(c: ControlPlaneComponent): Labels {
  return proxyTarget({
    namespace: 'linkerd',
    pod: c.pod,
    ip: c.ip,
    owner: { deployment: c.deployment },
    extra: { control_plane_component: c.component, pod_template_hash: c.pod.split('-').at(-2)! },
  });
}

/** A meshed application pod (a Deployment). */
export const APP_POD = { namespace: 'emojivoto', deployment: 'web', pod: 'web-6b8f7c9d4-x2x9z', ip: '10.42.1.9', serviceAccount: 'web' } as const;

export function appProxy(app: { namespace: string; pod: string; ip: string; owner: Labels } = { ...APP_POD, owner: { deployment: APP_POD.deployment } }): Labels {
  return proxyTarget({ ...app, extra: { pod_template_hash: app.pod.split('-').at(-2)! } });
}

// ---- proxy HTTP families ----------------------------------------------------------------------------

const identityOf = (serviceAccount: string, namespace: string) => `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.cluster.local`;

/**
 * The proxy's own labels on an inbound request/response series for a server at ip:port, as that
 * version's proxy writes them: 2.10 names the target only as target_addr; target_ip/target_port
 * from 2.11; srv_kind/srv_name and authz_kind/authz_name from 2.12 (default policy shown).
 */
export function inboundLabels(version: Version, server: { ip: string; port: number }, client: { serviceAccount: string; namespace: string }): Labels {
  const v = minorOf(version);
  return {
    direction: 'inbound',
    target_addr: `${server.ip}:${server.port}`,
    ...(v >= 11 ? { target_ip: server.ip, target_port: String(server.port) } : {}),
    tls: 'true',
    client_id: identityOf(client.serviceAccount, client.namespace),
    ...(v >= 12 ? { srv_kind: 'default', srv_name: 'all-unauthenticated', authz_kind: 'default', authz_name: 'all-unauthenticated' } : {}),
  };
}

/**
 * The proxy's own admin server as a real scrape shows it (linkerd/linkerd2
 * `testutil/prommatch/testdata/sampleMetrics.txt`: kubelet probes and Prometheus scrapes on port
 * 4191, plaintext from outside the mesh; linkerd/linkerd2-proxy `linkerd/app/admin/src/stack.rs`):
 * inbound, target 0.0.0.0:4191, tls="no_identity" with no_tls_reason="no_tls_from_remote", always
 * status 200 success. 2.10 names the target only as target_addr.
 */
export function adminInboundLabels(version: Version, port = 4191): Labels {
  const v = minorOf(version);
  return {
    direction: 'inbound',
    target_addr: `0.0.0.0:${port}`,
    ...(v >= 11 ? { target_ip: '0.0.0.0', target_port: String(port) } : {}),
    tls: 'no_identity',
    no_tls_reason: 'no_tls_from_remote',
    // The capture's 2.11-line policy labels; from 2.12 (proxy v2.185.0) also route_kind/route_name (the
    // *_group labels are empty for the default policy, i.e. absent in Prometheus) and from 2.18 srv_port
    // (linkerd/linkerd2-proxy `linkerd/app/inbound/src/policy.rs`, #3725).
    ...(v >= 11 ? { srv_kind: 'default', srv_name: 'all-unauthenticated', authz_kind: 'default', authz_name: 'all-unauthenticated' } : {}),
    ...(v >= 12 ? { route_kind: 'default', route_name: 'default' } : {}),
    ...(v >= 18 ? { srv_port: String(port) } : {}),
  };
}

/** response_total of a pod's admin server (probes and scrapes: always 200, success). */
export function adminResponses(version: Version, target: Labels, port = 4191): string {
  return series('response_total', { ...target, ...adminInboundLabels(version, port), status_code: '200', classification: 'success' });
}

/**
 * Admin requests a pod's proxy serves per minute: the kubelet's liveness and readiness probes every
 * 10 s each (`/live` and `/ready` in `charts/partials/templates/_proxy.tpl`,
 * Kubernetes' default period of 10 s) plus one scrape per 10 s (Linkerd's scrape interval): 18 a minute, 0.3 per second, as the ~0.25–0.3/s of real pods.
 */
export const ADMIN_REQUESTS_PER_MINUTE = 18;

/** Outbound labels towards a meshed Deployment behind a Service (dst_* from the destination API). */
export function outboundLabels(version: Version, dst: { service: string; namespace: string; deployment: string; ip: string; port: number; serviceAccount: string }): Labels {
  const v = minorOf(version);
  return {
    direction: 'outbound',
    authority: `${dst.service}.${dst.namespace}.svc.cluster.local:${dst.port}`,
    target_addr: `${dst.ip}:${dst.port}`,
    ...(v >= 11 ? { target_ip: dst.ip, target_port: String(dst.port) } : {}),
    tls: 'true',
    server_id: identityOf(dst.serviceAccount, dst.namespace),
    dst_namespace: dst.namespace,
    dst_deployment: dst.deployment,
    dst_service: dst.service,
    dst_serviceaccount: dst.serviceAccount,
  };
}

export type Outcome = 'success' | 'failure';

/** response_total labels for an HTTP outcome (a 5xx is a failure; classify.rs). */
export const httpOutcome = (outcome: Outcome): Labels => ({ status_code: outcome === 'success' ? '200' : '503', classification: outcome });
/** response_total labels for a gRPC outcome: HTTP 200, failure by grpc-status (classify.rs). */
const grpcOutcome = (outcome: Outcome): Labels => ({ status_code: '200', grpc_status: outcome === 'success' ? '0' : '14', classification: outcome });

/** The server side of a control-plane component: its proxy's inbound response_total for one outcome. */
export function controlPlaneServerResponses(version: Version, c: ControlPlaneComponent, outcome: Outcome): string {
  const client = { serviceAccount: APP_POD.serviceAccount, namespace: APP_POD.namespace };
  return series('response_total', { ...controlPlaneProxy(c), ...inboundLabels(version, { ip: c.ip, port: c.serverPort }, client), ...grpcOutcome(outcome) });
}

/** Latency histogram bucket bounds of the proxy, in ms (linkerd/metrics/src/latency.rs). */
export const PROXY_LATENCY_BUCKETS_MS = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000] as const;

/** One response_latency_ms_bucket series of a control-plane component's inbound side. */
export function controlPlaneServerLatencyBucket(version: Version, c: ControlPlaneComponent, le: number | '+Inf'): string {
  const client = { serviceAccount: APP_POD.serviceAccount, namespace: APP_POD.namespace };
  return series('response_latency_ms_bucket', { ...controlPlaneProxy(c), ...inboundLabels(version, { ip: c.ip, port: c.serverPort }, client), status_code: '200', le: String(le) });
}

// ---- control_* families: a meshed pod's proxy as a client of the control plane ------------------------

/** The control-plane addresses a proxy dials (no trailing dot in a real scrape). */
export const CONTROL_ADDR = {
  destination: 'linkerd-dst-headless.linkerd.svc.cluster.local:8086',
  identity: 'linkerd-identity-headless.linkerd.svc.cluster.local:8080',
  policy: 'linkerd-policy.linkerd.svc.cluster.local:8090',
} as const;

export function controlResponses(target: keyof typeof CONTROL_ADDR, outcome: Outcome, from: Labels = appProxy()): string {
  const serviceAccount = target === 'policy' ? 'linkerd-destination' : `linkerd-${target}`;
  return series('control_response_total', {
    ...from,
    addr: CONTROL_ADDR[target],
    tls: 'true',
    server_id: identityOf(serviceAccount, 'linkerd'),
    ...grpcOutcome(outcome),
  });
}

/**
 * The endpoints a proxy's control-plane client balances over, by state (Linkerd 2.15+): gauge
 * `control_<client>_balancer_endpoints` with `endpoint_state` ("ready" | "pending") then `addr` (the address
 * the client dials). linkerd/linkerd2-proxy `linkerd/proxy/balance/gauge-endpoints/src/lib.rs` (family
 * "endpoints", StateLabel) and `linkerd/app/core/src/control.rs` (registered as "balancer", `Labels { addr }`),
 * prefixes in `linkerd/app/src/lib.rs` and `linkerd/app/src/identity.rs`, at release/v2.221.0 and release/v2.359.0.
 * The proxy creates both states together, so a proxy has both series from its first request.
 */
export function controlBalancerEndpoints(client: keyof typeof CONTROL_ADDR, state: 'ready' | 'pending', from: Labels = appProxy()): string {
  return series(`control_${client}_balancer_endpoints`, { ...from, endpoint_state: state, addr: CONTROL_ADDR[client] });
}

/**
 * An application's own outbound balancer (not the control plane): `outbound_http_balancer_endpoints` with
 * `endpoint_state` and the parent/backend labels (linkerd/linkerd2-proxy `linkerd/app/outbound/src/metrics.rs`,
 * `linkerd/app/outbound/src/http/concrete/balance.rs` at release/v2.359.0; section_name is empty, so
 * absent in Prometheus), here a Service with its default backend.
 */
export function outboundBalancerEndpoints(service: { namespace: string; name: string; port: number }, state: 'ready' | 'pending', from: Labels = appProxy()): string {
  const ref = (prefix: 'parent' | 'backend') => ({
    [`${prefix}_group`]: 'core', [`${prefix}_kind`]: 'Service', [`${prefix}_namespace`]: service.namespace, [`${prefix}_name`]: service.name, [`${prefix}_port`]: String(service.port),
  });
  return series('outbound_http_balancer_endpoints', { ...from, endpoint_state: state, ...ref('parent'), ...ref('backend') });
}

// ---- linkerd-controller job: the controllers' own admin endpoints -------------------------------------

/** up for a control-plane container on the linkerd-controller job (`component` = container name). */
export function controllerUp(c: ControlPlaneComponent): string {
  return series('up', { job: 'linkerd-controller', instance: `${c.ip}:${c.adminPort}`, namespace: 'linkerd', pod: c.pod, component: c.component });
}

// ---- proxy process, build and identity families -------------------------------------------------------

/** Name of the workload-certificate expiry gauge on this version. */
export const certExpiryMetric = (version: Version): string =>
  minorOf(version) >= 16 ? 'control_identity_cert_expiration_timestamp_seconds' : 'identity_cert_expiration_timestamp_seconds';

export const processCpu = (target: Labels): string => series('process_cpu_seconds_total', target);

// ---- kube-state-metrics: the proxy container, as a regular sidecar or a native sidecar ------------------

/**
 * How the proxy container is injected: `sidecar` in spec.containers, or `native` (Linkerd 2.20's default,
 * linkerd/linkerd2 #15267): an init container with restartPolicy Always.
 */
export type ProxyShape = 'sidecar' | 'native';

/**
 * kube-state-metrics series of the proxy container, with the label sets of kubernetes/kube-state-metrics
 * `internal/store/pod.go` at v2.13.0: every pod family carries namespace, pod, uid;
 * `kube_pod_container_info` adds container, image_spec, image, image_id, container_id, and its init
 * twin `kube_pod_init_container_info` also restart_policy ("Always" for a native sidecar);
 * `kube_pod_(init_)container_resource_limits` add container, node, resource, unit (core or byte).
 * Init containers are reported only under the init families.
 */
export function kubeStateProxyContainer(
  shape: ProxyShape,
  family: 'info' | 'limits',
  pod: { namespace: string; pod: string; container?: string; resource?: 'cpu' | 'memory' },
): string {
  const container = pod.container ?? 'linkerd-proxy';
  const base = { job: 'kube-state-metrics', namespace: pod.namespace, pod: pod.pod, uid: `0f3c2a1e-${pod.pod.length}a-4b5c-9d8e-7f6a5b4c3d2e`, container };
  if (family === 'info') {
    const image = 'cr.l5d.io/linkerd/proxy:edge-26.8.3';
    const info = { ...base, image_spec: image, image, image_id: `${image}@sha256:0a1b2c3d`, container_id: `containerd://${pod.pod}` };
    return shape === 'native' ? series('kube_pod_init_container_info', { ...info, restart_policy: 'Always' }) : series('kube_pod_container_info', info);
  }
  const resource = pod.resource ?? 'cpu';
  const limits = { ...base, node: 'node-1', resource, unit: resource === 'cpu' ? 'core' : 'byte' };
  return series(shape === 'native' ? 'kube_pod_init_container_resource_limits' : 'kube_pod_container_resource_limits', limits);
}
