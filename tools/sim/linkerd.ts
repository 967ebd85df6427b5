/**
 * What a simulated Linkerd exposes, by minor version. Deliberately independent of
 * src/linkerd/catalog.ts (the generator's own knowledge): the simulator is the other side of the
 * end-to-end test, so it restates the facts itself (each citing its public source) instead of
 * importing what it is meant to check.
 */

export const SIM_VERSIONS = ['2.10', '2.11', '2.12', '2.13', '2.14', '2.15', '2.16', '2.17', '2.18', '2.19', '2.20'] as const;
export type SimVersion = (typeof SIM_VERSIONS)[number];

/** Latency histogram bounds of the legacy `response_latency_ms` family, in ms (linkerd/linkerd2-proxy `linkerd/metrics/src/latency.rs`). */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000,
] as const;

/** Proxy admin port (linkerd/linkerd2 `charts/linkerd-control-plane/values.yaml` proxy.ports.admin at version-2.18): every meshed pod's /metrics, scraped by the linkerd-proxy job. */
export const PROXY_ADMIN_PORT = 4191;

export type CpComponent = 'destination' | 'policy' | 'identity';
export const CP_COMPONENTS: readonly CpComponent[] = ['destination', 'policy', 'identity'];

/** Control-plane addresses proxies dial, as rendered in a real scrape (linkerd/linkerd2 `charts/partials/templates/_proxy.tpl` at version-2.18; a real scrape shows no trailing dot). */
export const CONTROL_ADDR: Record<CpComponent, { service: string; port: number; serverSa: string }> = {
  destination: { service: 'linkerd-dst-headless', port: 8086, serverSa: 'linkerd-destination' },
  policy: { service: 'linkerd-policy', port: 8090, serverSa: 'linkerd-destination' },
  identity: { service: 'linkerd-identity-headless', port: 8080, serverSa: 'linkerd-identity' },
};

/** Which pod (linkerd.io/control-plane-component) serves a component: policy runs in the destination pod (linkerd/linkerd2 `charts/linkerd-control-plane/templates/destination.yaml` at version-2.18). */
export const SERVING_POD: Record<CpComponent, 'destination' | 'identity'> = { destination: 'destination', policy: 'destination', identity: 'identity' };

/** Control-plane containers scraped by the linkerd-controller job, with their admin ports (linkerd/linkerd2 `charts/linkerd-control-plane/templates/*.yaml` at version-2.18). */
export interface ControllerContainer {
  readonly container: string;
  readonly adminPort: number;
  readonly go: boolean;
}

export interface SimFacts {
  readonly version: SimVersion;
  readonly minor: number;
  /** Inbound/outbound endpoint labels target_ip and target_port (2.11+), target_addr (2.10+) (linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` at release/v2.138.0, v2.161.0, v2.294.0). */
  readonly targetPort: boolean;
  /** srv_ and authz_ (and route_) labels on inbound series (2.12+), srv_port (2.18+) (linkerd/linkerd2-proxy#3725). */
  readonly serverLabels: boolean;
  readonly srvPort: boolean;
  /** authority on inbound series, removed by default in 2.18 (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0). */
  readonly inboundAuthority: boolean;
  /** Classification labels always rendered as classification,grpc_status,error (2.13+); only when applicable before (linkerd/linkerd2-proxy `linkerd/app/core/src/classify.rs`). */
  readonly fullClassLabels: boolean;
  /** Policy controller exists (2.11+) (linkerd/linkerd2 `charts/linkerd-control-plane/templates/destination.yaml` at stable-2.11.0). */
  readonly policy: boolean;
  /** dst_zone (2.15+), dst_zone_locality (2.17+) on outbound series (linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` at release/v2.138.0, v2.161.0, v2.294.0). */
  readonly dstZone: boolean;
  readonly dstZoneLocality: boolean;
  /** Workload certificate metrics (linkerd/linkerd2-proxy#2617 (2.15), #2887 (2.16)). */
  readonly certExpiry: string;
  readonly certRefresh: { readonly name: string; readonly labelled: boolean; readonly timestamp?: string };
  /** issuer_cert_ttl_seconds on the identity controller (2.18+) (linkerd/linkerd2 `pkg/identity/service.go` at version-2.18). */
  readonly issuerTtl: boolean;
  /** Extra proxy process families by version (linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs` (2.15–2.17), kubert-prometheus-process (2.18+)). */
  readonly processThreads: boolean;
  readonly processUptime: boolean;
  /** Policy controller /metrics served (2.15+: kubert process metrics) (linkerd/linkerd2 `policy-controller/src/main.rs` at version-2.15). */
  readonly policyMetrics: boolean;
  readonly controllerContainers: Readonly<Record<'destination' | 'identity' | 'proxy-injector', readonly ControllerContainer[]>>;
}

export function simFacts(version: SimVersion): SimFacts {
  const minor = Number(version.split('.')[1]);
  const certRefresh =
    minor >= 16
      ? { name: 'control_identity_cert_refreshes_total', labelled: true, timestamp: 'control_identity_cert_refresh_timestamp_seconds' }
      : minor === 15
        ? { name: 'identity_cert_refreshes_total', labelled: true, timestamp: 'identity_cert_refresh_timestamp_seconds' }
        : { name: 'identity_cert_refresh_count', labelled: false };
  const policyMetrics = minor >= 15;
  return {
    version,
    minor,
    targetPort: minor >= 11,
    serverLabels: minor >= 12,
    srvPort: minor >= 18,
    inboundAuthority: minor < 18,
    fullClassLabels: minor >= 13,
    policy: minor >= 11,
    dstZone: minor >= 15,
    dstZoneLocality: minor >= 17,
    certExpiry: minor >= 16 ? 'control_identity_cert_expiration_timestamp_seconds' : 'identity_cert_expiration_timestamp_seconds',
    certRefresh,
    issuerTtl: minor >= 18,
    processThreads: minor >= 15,
    processUptime: minor >= 15 && minor <= 17,
    policyMetrics,
    controllerContainers: {
      destination: [
        { container: 'destination', adminPort: 9996, go: true },
        { container: 'sp-validator', adminPort: 9997, go: true },
        ...(minor >= 11 && policyMetrics ? [{ container: 'policy', adminPort: 9990, go: false }] : []),
      ],
      identity: [{ container: 'identity', adminPort: 9990, go: true }],
      'proxy-injector': [{ container: 'proxy-injector', adminPort: 9995, go: true }],
    },
  };
}
