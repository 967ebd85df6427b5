/**
 * Catalogue of the raw metrics our dashboards may read, with the Linkerd versions that expose them.
 * Every entry cites the section of shared/reference/linkerd-metrics.md it comes from (the same
 * ground truth as catalog.ts); test/dashboards.test.ts checks that every selector of every panel
 * names either one of these (available on the configured version) or one of our recording rules.
 */
import { minor, type LinkerdVersion } from './catalog.js';

export type MetricSource = 'proxy' | 'controller' | 'prometheus' | 'cert-manager' | 'x509-certificate-exporter' | 'kube-state-metrics' | 'node-exporter';

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
  request_total: [m('proxy', '§1.2 legacy HTTP families')],
  response_total: [m('proxy', '§1.2 legacy HTTP families (classification, grpc_status, error)')],
  response_latency_ms_bucket: [m('proxy', '§1.2 response_latency_ms histogram, ms, time to first byte')],
  // ---- proxy, control-plane client families ----------------------------------------------------
  control_request_total: [m('proxy', '§1.3 control_* families (addr label)')],
  control_response_total: [m('proxy', '§1.3 control_* families (addr label)')],
  control_response_latency_ms_bucket: [m('proxy', '§1.3 control_response_latency_ms histogram')],
  // ---- process metrics: proxies (§1.7) and Go controllers (§3.2) ---------------------------------
  process_cpu_seconds_total: [m('proxy', '§1.7 proxy process metrics'), m('controller', '§3.2 client_golang default registry')],
  process_resident_memory_bytes: [m('proxy', '§1.7 proxy process metrics'), m('controller', '§3.2 client_golang default registry')],
  process_open_fds: [m('proxy', '§1.7 proxy process metrics'), m('controller', '§3.2 client_golang default registry')],
  process_max_fds: [m('proxy', '§1.7 proxy process metrics'), m('controller', '§3.2 client_golang default registry')],
  process_start_time_seconds: [m('proxy', '§1.7 proxy process metrics'), m('controller', '§3.2 client_golang default registry')],
  proxy_build_info: [m('proxy', 'proxy_build_info = 1: {version,git_sha,profile,date,vendor} from proxy v2.205 (2.14), {git_branch,git_sha,git_version,profile,rust_version} before (linkerd/linkerd2-proxy linkerd/app/core/src/telemetry/build_info.rs)')],
  // ---- proxy workload certificate, renamed twice (§1.8) ----------------------------------------
  identity_cert_expiration_timestamp_seconds: [m('proxy', '§1.8 expiry gauge 2.10–2.15', 10, 15)],
  control_identity_cert_expiration_timestamp_seconds: [m('proxy', '§1.8 expiry gauge renamed in 2.16', 16)],
  identity_cert_refresh_count: [m('proxy', '§1.8 refresh counter 2.10–2.14 (no result label)', 10, 14)],
  identity_cert_refreshes_total: [m('proxy', '§1.8 refreshes_total{result} in 2.15', 15, 15)],
  control_identity_cert_refreshes_total: [m('proxy', '§1.8 refreshes_total{result} renamed in 2.16', 16)],
  // ---- Go controllers (destination, identity, proxy-injector, sp-validator) (§3.2), policy (§3.3) --
  go_goroutines: [m('controller', '§3.2 client_golang default registry (Go components only)')],
  grpc_server_handled_total: [m('controller', '§3.2 go-grpc-prometheus (destination, identity); §3.3 policy from 2.19')],
  issuer_cert_ttl_seconds: [m('controller', '§3.2/§5.1 identity container, 2.18+', 18)],
  // ---- Prometheus itself ---------------------------------------------------------------------------
  up: [m('prometheus', 'Prometheus sets up{job,instance} for every scrape target (§7: control-plane availability)')],
  ALERTS: [m('prometheus', 'Prometheus writes ALERTS{alertname,alertstate,…} for every pending/firing alert')],
  // ---- cert-manager (§5.2) and x509-certificate-exporter (§5.3) ----------------------------------
  certmanager_certificate_expiration_timestamp_seconds: [m('cert-manager', '§5.2 = status.notAfter, 0 until issued')],
  certmanager_certificate_renewal_timestamp_seconds: [m('cert-manager', '§5.2 = status.renewalTime (v1.6.0+)')],
  certmanager_certificate_ready_status: [m('cert-manager', '§5.2 condition True/False/Unknown')],
  x509_cert_not_after: [m('x509-certificate-exporter', '§5.3 v3 and v4')],
  // ---- kube-state-metrics (optional source, not Linkerd; §7 control-plane availability) ----------------
  kube_deployment_status_replicas_available: [m('kube-state-metrics', '§7 HA replicas of the control-plane Deployments')],
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
 * name, §2.3, §3.1); the viz containers on the same job are left out of control-plane panels.
 */
export const CORE_CONTROLLER_CONTAINERS = ['destination', 'policy', 'sp-validator', 'identity', 'proxy-injector'] as const;
/** Go containers: go_* metrics and, for destination and identity, gRPC server metrics (§3.2). */
export const GO_CONTROLLER_CONTAINERS = ['destination', 'sp-validator', 'identity', 'proxy-injector'] as const;
