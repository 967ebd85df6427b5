/**
 * The kubelet's cAdvisor endpoint (/metrics/cadvisor) as it reports the proxy container of every
 * meshed pod: `container_memory_working_set_bytes` (google/cadvisor `metrics/prometheus.go`) with the
 * labels the kubelet gives every container series, id (the cgroup), name (the runtime's container ID),
 * image, pod, namespace and container (kubernetes/kubernetes `pkg/kubelet/server/server.go`,
 * containerPrometheusLabelsFunc). The container is named `linkerd-proxy` whether it is a regular or
 * a native sidecar: cAdvisor sees every running container. Scraped as kube-prometheus-stack's kubelet
 * ServiceMonitor does: job "kubelet", metrics_path "/metrics/cadvisor"; one kubelet stands for all nodes.
 */
import type { SimPod } from './mesh.js';
import { labelText, type Registry, type Scalar } from './registry.js';
import { PROXY_CONTAINER_NAME, proxyContainerId, proxyImage, uidOf } from './kube-state.js';

export const KUBELET_JOB = 'kubelet';

/** What the container's working set holds beyond the proxy's resident memory (a little page cache). */
const PAGE_CACHE_BYTES = 1 << 20;

/** The working-set gauge of each pod's proxy container, by pod name; set them with `workingSetOf`. */
export function writeCadvisor(registry: Registry, pods: readonly SimPod[], minor: number, t: number): Map<string, Scalar> {
  const family = registry.family('container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes');
  const out = new Map<string, Scalar>();
  for (const pod of pods) {
    const id = proxyContainerId(pod);
    const labels = {
      container: PROXY_CONTAINER_NAME,
      id: `/kubepods/burstable/pod${uidOf(pod)}/${id}`,
      image: proxyImage(minor),
      name: id,
      namespace: pod.namespace,
      pod: pod.name,
    };
    out.set(pod.name, registry.scalar(family, labelText(labels), t));
  }
  return out;
}

/** The container's working set for a proxy with resident memory `rss`. */
export const workingSetOf = (rss: number): number => Math.round(rss + PAGE_CACHE_BYTES);
