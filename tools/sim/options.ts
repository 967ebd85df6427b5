/** What a LinkerdSimulator can be asked to simulate, and its defaults. */
import type { CpComponent } from './linkerd.js';
import type { Mesh, MeshOptions } from './mesh.js';
import type { Scenario } from './scenario.js';
import type { KubeStateOptions } from './kube-state.js';
import type { LatencyDist } from './latency.js';

export interface TrafficRates {
  /** Inbound application requests per second per workload pod (and as many outbound). */
  readonly appRps: number;
  /** Requests per second each proxy makes to destination, policy and identity. */
  readonly destinationPerProxy: number;
  readonly policyPerProxy: number;
  readonly identityPerProxy: number;
  /** Prometheus scrape interval of proxies and controllers (their admin ports see these requests). */
  readonly scrapeIntervalSeconds: number;
  /** Kubelet probe period (liveness and readiness, so two requests per period). */
  readonly probePeriodSeconds: number;
}

export interface SimulatorOptions extends MeshOptions {
  /** Epoch ms at which the simulation (and the counters) start. Default: now. */
  readonly start?: number;
  readonly scenario?: Scenario;
  readonly rates?: Partial<TrafficRates>;
  /** Normal latency of each control-plane component and of applications. */
  readonly latency?: Partial<Record<CpComponent | 'app', LatencyDist>>;
  /** Which traffic gets response_latency_ms histograms (default all). */
  readonly histograms?: 'all' | 'control-plane' | 'identity' | 'none';
  /** Workload certificate lifetime (Helm identity.issuer.issuanceLifetime, 24h; Linkerd docs https://linkerd.io/2.18/features/automatic-mtls/). */
  readonly certLifetimeSeconds?: number;
  /** Identity issuer notAfter, epoch seconds (default: 300 days after start). Leaf certificates are clamped to it (linkerd/linkerd2 `pkg/tls/ca.go` at version-2.18). */
  readonly issuerNotAfter?: number;
  /** Proxy idle-series retention (LINKERD2_PROXY_METRICS_RETAIN_IDLE, 10 min, linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0); 0 keeps series forever. */
  readonly retainIdleSeconds?: number;
  /** Also expose control_response_latency_ms (off by default: it triples the series of every proxy). */
  readonly controlLatency?: boolean;
  /** Also expose a target label set on every series of the aggregate /metrics endpoint (always on per-target endpoints' targets). */
  readonly mesh?: Mesh;
  /** Also simulate kube-state-metrics' series of every proxy container (kube-state.ts); off by default. */
  readonly kubeStateMetrics?: boolean | KubeStateOptions;
  /** Also simulate the kubelet's cAdvisor working set of every proxy container (cadvisor.ts); off by default. */
  readonly cadvisor?: boolean;
}

export const DEFAULT_RATES: TrafficRates = {
  appRps: 5,
  destinationPerProxy: 0.05,
  policyPerProxy: 0.02,
  // A proxy renews its 24h certificate at 70% of its lifetime (Linkerd docs https://linkerd.io/2.18/features/automatic-mtls/).
  identityPerProxy: 1 / (0.7 * 86400),
  scrapeIntervalSeconds: 10,
  probePeriodSeconds: 10,
};

export const DEFAULT_LATENCY: Record<CpComponent | 'app', LatencyDist> = {
  destination: { medianMs: 3, sigma: 0.6 },
  policy: { medianMs: 2, sigma: 0.6 },
  identity: { medianMs: 25, sigma: 0.5 },
  app: { medianMs: 8, sigma: 0.8 },
};

/** What the emitters of each source read from a running simulator. */
export interface SimContext {
  readonly mesh: Mesh;
  readonly scenario: Scenario;
  readonly rates: TrafficRates;
  readonly latency: Readonly<Record<CpComponent | 'app', LatencyDist>>;
  /** Epoch ms at which the simulation starts. */
  readonly start: number;
}
