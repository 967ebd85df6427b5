/**
 * Label names of real captures, per family, transcribed (names only, no file copied) so that tests
 * compare the simulator and the fixtures with reality in a clean clone too. test/captures.test.ts
 * checks this transcription against the capture itself when ../shared/anchors is present.
 *
 *  - PROXY_CAPTURE: one Linkerd proxy's /metrics, linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`
 *    (blob d43190dc76bd2e74941d015e96bf42d77cdf5fdd, last changed by commit 58650b65, 2022-06-07). Its only
 *    inbound stream is the proxy's own admin server (target_port 4191: probes and scrapes).
 *  - KUBE_STATE_CAPTURE: the label keys kube-state-metrics puts on the proxy container's families,
 *    kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0 and v2.20.0, the same at both
 *    (descPodLabelsDefaultLabels namespace, pod, uid first, added by wrapPodFunc; init containers only
 *    under the `kube_pod_init_container_*` families), as `docs/metrics/workload/pod-metrics.md` lists them.
 */

/** Family → label names of its series in the proxy capture (admin-server inbound streams for the HTTP families). */
export const PROXY_CAPTURE: Readonly<Record<string, readonly (readonly string[])[]>> = {
  request_total: [['authz_kind', 'authz_name', 'direction', 'no_tls_reason', 'srv_kind', 'srv_name', 'target_addr', 'target_ip', 'target_port', 'tls']],
  response_total: [['authz_kind', 'authz_name', 'classification', 'direction', 'no_tls_reason', 'srv_kind', 'srv_name', 'status_code', 'target_addr', 'target_ip', 'target_port', 'tls']],
  response_latency_ms_bucket: [['authz_kind', 'authz_name', 'direction', 'le', 'no_tls_reason', 'srv_kind', 'srv_name', 'status_code', 'target_addr', 'target_ip', 'target_port', 'tls']],
  control_request_total: [['addr', 'server_id', 'tls']],
  control_response_total: [
    ['addr', 'classification', 'grpc_status', 'server_id', 'status_code', 'tls'],
    ['addr', 'classification', 'server_id', 'status_code', 'tls'],
  ],
};

/** The admin server's inbound label values in the capture (the ones that identify it). */
export const PROXY_CAPTURE_ADMIN = {
  direction: 'inbound', target_addr: '0.0.0.0:4191', target_ip: '0.0.0.0', target_port: '4191', tls: 'no_identity', no_tls_reason: 'no_tls_from_remote',
  srv_kind: 'default', srv_name: 'all-unauthenticated', authz_kind: 'default', authz_name: 'all-unauthenticated',
} as const;

/** kube-state-metrics v2.13.0–v2.20.0: family → its label keys (without the scrape's job/instance). */
export const KUBE_STATE_CAPTURE: Readonly<Record<string, readonly string[]>> = {
  kube_pod_container_info: ['namespace', 'pod', 'uid', 'container', 'image_spec', 'image', 'image_id', 'container_id'],
  kube_pod_init_container_info: ['namespace', 'pod', 'uid', 'container', 'image_spec', 'image', 'image_id', 'container_id', 'restart_policy'],
  kube_pod_container_resource_limits: ['namespace', 'pod', 'uid', 'container', 'node', 'resource', 'unit'],
  kube_pod_init_container_resource_limits: ['namespace', 'pod', 'uid', 'container', 'node', 'resource', 'unit'],
  kube_pod_container_resource_requests: ['namespace', 'pod', 'uid', 'container', 'node', 'resource', 'unit'],
  kube_pod_init_container_resource_requests: ['namespace', 'pod', 'uid', 'container', 'node', 'resource', 'unit'],
};

/** The values kube-state-metrics writes for a resource's `unit` (UnitCore, UnitByte in kubernetes/kube-state-metrics `pkg/constant/resource_unit.go` at v2.20.0). */
export const KUBE_STATE_UNITS = { cpu: 'core', memory: 'byte' } as const;

/**
 * The kubelet's cAdvisor endpoint: every container series carries id, name, image, pod, namespace,
 * container (kubernetes/kubernetes `pkg/kubelet/server/server.go`, containerPrometheusLabelsFunc; the
 * metric from google/cadvisor `metrics/prometheus.go`), without the scrape's job/instance/metrics_path.
 */
export const CADVISOR_CAPTURE: Readonly<Record<string, readonly string[]>> = {
  container_memory_working_set_bytes: ['container', 'id', 'image', 'name', 'namespace', 'pod'],
};
