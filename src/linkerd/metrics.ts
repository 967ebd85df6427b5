/**
 * Catalogue of the raw metrics our dashboards may read, with the Linkerd versions that expose them.
 * Every entry cites the public source (repository, path, tag) it comes from (the same
 * ground truth as catalog.ts); test/dashboards.test.ts checks that every selector of every panel
 * names either one of these (available on the configured version) or one of our recording rules.
 */
import { minor, type LinkerdVersion } from './catalog.js';

type MetricSource = 'proxy' | 'controller' | 'prometheus' | 'cert-manager' | 'x509-certificate-exporter' | 'kube-state-metrics' | 'cadvisor' | 'node-exporter';

export interface MetricFact {
  readonly source: MetricSource;
  /** Linkerd minor version range (inclusive) exposing it; open-ended when omitted. */
  readonly since?: number;
  readonly until?: number;
  /** Where the fact comes from. */
  readonly ref: string;
}

const m = (source: MetricSource, ref: string, since?: number, until?: number): MetricFact => ({
  source,
  ref,
  ...(since !== undefined ? { since } : {}),
  ...(until !== undefined ? { until } : {}),
});

/** Metric name → who exposes it. A name exposed by several sources lists each. */
export const METRIC_CATALOGUE: Readonly<Record<string, readonly MetricFact[]>> = {
  // ---- proxy, legacy HTTP families -----------------------------------------------------------
  request_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 legacy HTTP families')],
  response_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 legacy HTTP families (classification, grpc_status, error)')],
  response_latency_ms_bucket: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 response_latency_ms histogram, ms, time to first byte')],
  // The same histogram stored as one native histogram with custom buckets: Prometheus 3 with convert_classic_histograms_to_nhcb
  // (https://prometheus.io/docs/prometheus/latest/configuration/configuration/), read with linkerd.histograms: native.
  response_latency_ms: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 response_latency_ms histogram as Prometheus 3 stores it with convert_classic_histograms_to_nhcb')],
  // ---- proxy, outbound route families (2.16+; Gateway API / HTTPRoute, GRPCRoute) ----------------
  outbound_http_route_request_statuses_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/outbound/src/http/logical/policy/route/metrics/labels.rs` at release/v2.246.0 (Linkerd 2.16)', 16)],
  outbound_grpc_route_request_statuses_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/outbound/src/http/logical/policy/route/metrics/labels.rs` at release/v2.246.0 (Linkerd 2.16)', 16)],
  // ---- proxy, control-plane client families ----------------------------------------------------
  control_request_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0 control_* families (addr label)')],
  control_response_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0 control_* families (addr label)')],
  control_response_latency_ms_bucket: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0 control_response_latency_ms histogram')],
  // The proxy's view of the control plane (src/linkerd/control-clients.ts), 2.15+.
  control_destination_balancer_endpoints: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/core/src/control.rs`, `linkerd/proxy/balance/gauge-endpoints/src/lib.rs` at release/v2.221.0 (Linkerd 2.15) {addr, endpoint_state}', 15)],
  control_policy_balancer_endpoints: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/core/src/control.rs`, `linkerd/proxy/balance/gauge-endpoints/src/lib.rs` at release/v2.221.0 (Linkerd 2.15) {addr, endpoint_state}', 15)],
  control_identity_balancer_endpoints: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/app/core/src/control.rs`, `linkerd/app/src/identity.rs` at release/v2.221.0 (Linkerd 2.15) {addr, endpoint_state}', 15)],
  // ---- process metrics: proxies (linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18) and Go controllers (linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18) ---------------------------------
  process_cpu_seconds_total: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18 proxy process metrics'), m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 client_golang default registry')],
  process_resident_memory_bytes: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18 proxy process metrics'), m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 client_golang default registry')],
  process_open_fds: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18 proxy process metrics'), m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 client_golang default registry')],
  process_max_fds: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18 proxy process metrics'), m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 client_golang default registry')],
  process_start_time_seconds: [m('proxy', 'linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18 proxy process metrics'), m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 client_golang default registry')],
  proxy_build_info: [m('proxy', 'proxy_build_info = 1: {version,git_sha,profile,date,vendor} from proxy v2.205 (2.14), {git_branch,git_sha,git_version,profile,rust_version} before (linkerd/linkerd2-proxy linkerd/app/core/src/telemetry/build_info.rs)')],
  // ---- proxy workload certificate, renamed twice (linkerd/linkerd2-proxy PRs #2617, #2887) ----------------------------------------
  identity_cert_expiration_timestamp_seconds: [m('proxy', 'linkerd/linkerd2-proxy PRs #2617, #2887 expiry gauge 2.10–2.15', 10, 15)],
  control_identity_cert_expiration_timestamp_seconds: [m('proxy', 'linkerd/linkerd2-proxy PRs #2617, #2887 expiry gauge renamed in 2.16', 16)],
  identity_cert_refresh_count: [m('proxy', 'linkerd/linkerd2-proxy PRs #2617, #2887 refresh counter 2.10–2.14 (no result label)', 10, 14)],
  identity_cert_refreshes_total: [m('proxy', 'linkerd/linkerd2-proxy PRs #2617, #2887 refreshes_total{result} in 2.15', 15, 15)],
  control_identity_cert_refreshes_total: [m('proxy', 'linkerd/linkerd2-proxy PRs #2617, #2887 refreshes_total{result} renamed in 2.16', 16)],
  // ---- Go controllers (destination, identity, proxy-injector, sp-validator) (linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18), policy (linkerd/linkerd2 `policy-controller/src/main.rs` at version-2.15) --
  go_goroutines: [m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 client_golang default registry (Go components only)')],
  grpc_server_handled_total: [m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18 go-grpc-prometheus (destination, identity); linkerd/linkerd2 `policy-controller/src/main.rs` at version-2.15 policy from 2.19')],
  issuer_cert_ttl_seconds: [m('controller', 'linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18/linkerd/linkerd2 `pkg/identity/service.go` at version-2.18 identity container, 2.18+', 18)],
  // ---- Prometheus itself ---------------------------------------------------------------------------
  up: [m('prometheus', 'Prometheus sets up{job,instance} for every scrape target (https://linkerd.io/2.18/reference/proxy-metrics/: control-plane availability)')],
  ALERTS: [m('prometheus', 'Prometheus writes ALERTS{alertname,alertstate,…} for every pending/firing alert')],
  // ---- cert-manager (cert-manager `internal/collectors/certificate_collector.go`) and x509-certificate-exporter (enix/x509-certificate-exporter `internal/collector.go` at v3.21.0) ----------------------------------
  certmanager_certificate_expiration_timestamp_seconds: [m('cert-manager', 'cert-manager `internal/collectors/certificate_collector.go` = status.notAfter, 0 until issued')],
  certmanager_certificate_renewal_timestamp_seconds: [m('cert-manager', 'cert-manager `internal/collectors/certificate_collector.go` = status.renewalTime (v1.6.0+)')],
  certmanager_certificate_ready_status: [m('cert-manager', 'cert-manager `internal/collectors/certificate_collector.go` condition True/False/Unknown')],
  x509_cert_not_after: [m('x509-certificate-exporter', 'enix/x509-certificate-exporter `internal/collector.go` at v3.21.0 v3 and v4')],
  // ---- kube-state-metrics (optional source, not Linkerd; https://linkerd.io/2.18/reference/proxy-metrics/ control-plane availability) ----------------
  kube_deployment_status_replicas_available: [m('kube-state-metrics', 'https://linkerd.io/2.18/reference/proxy-metrics/ HA replicas of the control-plane Deployments')],
  // The proxy container, regular or native sidecar (init container; src/linkerd/proxy-container.ts): kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0.
  kube_pod_container_info: [m('kube-state-metrics', 'kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0 (regular containers)')],
  kube_pod_container_resource_limits: [m('kube-state-metrics', 'kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0 (regular containers)')],
  kube_pod_init_container_info: [m('kube-state-metrics', 'kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0 (init containers, restart_policy label)')],
  kube_pod_init_container_resource_limits: [m('kube-state-metrics', 'kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0 (init containers)')],
  // ---- cAdvisor (kubelet /metrics/cadvisor; optional source): every running container by name, init containers included ----
  container_memory_working_set_bytes: [m('cadvisor', 'google/cadvisor `metrics/prometheus.go` container_memory_working_set_bytes')],
  container_cpu_cfs_periods_total: [m('cadvisor', 'google/cadvisor `metrics/prometheus.go` container_cpu_cfs_periods_total')],
  container_cpu_cfs_throttled_periods_total: [m('cadvisor', 'google/cadvisor `metrics/prometheus.go` container_cpu_cfs_throttled_periods_total')],
  // ---- node-exporter timex collector (optional source, not Linkerd): node clock skew -----------------------
  // prometheus/node_exporter collector/timex.go: adjtimex(2) offset, maxerror (µs → s) and STA_UNSYNC.
  node_timex_offset_seconds: [m('node-exporter', 'node_exporter collector/timex.go: kernel time offset (adjtimex offset)')],
  node_timex_maxerror_seconds: [m('node-exporter', 'node_exporter collector/timex.go: kernel maximum error estimate (adjtimex maxerror)')],
  node_timex_sync_status: [m('node-exporter', 'node_exporter collector/timex.go: 1 when the clock is synchronised (STA_UNSYNC clear)')],
};

/** Whether a raw metric is exposed (by any source) on this Linkerd version. */
export function isKnownMetric(name: string, version: LinkerdVersion): boolean {
  const v = minor(version);
  return (METRIC_CATALOGUE[name] ?? []).some((f) => (f.since === undefined || v >= f.since) && (f.until === undefined || v <= f.until));
}

/**
 * Containers of the core control plane on the linkerd-controller job (`component` = container
 * name, linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18, linkerd/linkerd2 `charts/linkerd-control-plane/templates/` at version-2.18; linkerd/linkerd2#7067); the viz containers on the same job are left out of control-plane panels.
 */
export const CORE_CONTROLLER_CONTAINERS = ['destination', 'policy', 'sp-validator', 'identity', 'proxy-injector'] as const;
/** Go containers: go_* metrics and, for destination and identity, gRPC server metrics (linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18). */
export const GO_CONTROLLER_CONTAINERS = ['destination', 'sp-validator', 'identity', 'proxy-injector'] as const;

/**
 * Core containers of the controller job whose /metrics works on this version: the policy
 * controller's from 2.15 (linkerd/linkerd2 `policy-controller/src/main.rs` at version-2.15,
 * linkerd/linkerd2#7067; `charts/linkerd-control-plane/templates/` at version-2.18).
 */
export function scrapedControllerContainers(version: LinkerdVersion): Array<(typeof CORE_CONTROLLER_CONTAINERS)[number]> {
  return CORE_CONTROLLER_CONTAINERS.filter((c) => c !== 'policy' || minor(version) >= 15);
}
