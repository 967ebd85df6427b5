/**
 * Names of the Linkerd metrics the kinds read, in one place: kinds build selectors from these and
 * hand them to their templates (`{{metrics.buildInfo}}`), so a renamed metric changes here only.
 * Which versions expose each name, and where that is written down, is METRIC_CATALOGUE in
 * metrics.ts; test/linkerd-literals.test.ts checks that every name here is catalogued and that no
 * kind or template spells one literally.
 */
import { PROXY_HTTP } from './proxy-admin.js';

/** Process metrics of a proxy (linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18) and of a Go or Rust controller (client_golang's default registry: linkerd/linkerd2 `pkg/admin/admin.go` at version-2.18). */
export const PROCESS_METRICS = {
  cpuSeconds: 'process_cpu_seconds_total',
  residentMemory: 'process_resident_memory_bytes',
  openFds: 'process_open_fds',
  maxFds: 'process_max_fds',
  startTime: 'process_start_time_seconds',
} as const;

/** The proxy's own families beyond PROXY_HTTP: its build (linkerd/linkerd2-proxy `linkerd/app/core/src/telemetry/build_info.rs`) and its request counter of both directions (`linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0). */
export const PROXY_METRICS = {
  buildInfo: 'proxy_build_info',
  requests: 'request_total',
} as const;

/**
 * What a proxy measures of its calls to the control plane (destination, policy, identity): the legacy
 * HTTP families under the `control_` prefix, labelled with the controller's `addr`
 * (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0).
 */
export const CONTROL_HTTP = {
  responses: 'control_response_total',
  latencyBucket: 'control_response_latency_ms_bucket',
  latencyHistogram: 'control_response_latency_ms',
} as const;

/**
 * Controller families: Go components' runtime (client_golang), the gRPC servers of destination and
 * identity (go-grpc-prometheus; policy from 2.19: linkerd/linkerd2 `policy-controller/src/main.rs` at
 * version-2.19), and the identity controller's issuer lifetime (linkerd/linkerd2
 * `pkg/identity/service.go` at version-2.18, 2.18+).
 */
export const CONTROLLER_METRICS = {
  goroutines: 'go_goroutines',
  grpcServerHandled: 'grpc_server_handled_total',
  issuerCertTtl: 'issuer_cert_ttl_seconds',
} as const;

/** Every name above, flat, as templates receive them (`{{metrics.<key>}}`). */
export const METRIC_NAMES = {
  ...PROCESS_METRICS,
  ...PROXY_METRICS,
  ...CONTROLLER_METRICS,
  responses: PROXY_HTTP.responses,
  latencyBucket: PROXY_HTTP.latencyBucket,
  controlResponses: CONTROL_HTTP.responses,
  controlLatencyBucket: CONTROL_HTTP.latencyBucket,
} as const;
