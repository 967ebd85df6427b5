/**
 * The proxy as a Kubernetes container, as cAdvisor and kube-state-metrics see it.
 *
 * The injector names the container `linkerd-proxy` (linkerd/linkerd2 `charts/partials/templates/_proxy.tpl`
 * at version-2.20). It is either a regular sidecar (`spec.containers`) or a native sidecar: an init
 * container with `restartPolicy: Always` (Kubernetes 1.28+). Native sidecars are the default from
 * Linkerd 2.20 (`proxy.nativeSidecar: true`, linkerd/linkerd2 #15267; the identity pod keeps a regular
 * sidecar) and opt-in before (`config.alpha.linkerd.io/proxy-enable-native-sidecar` 2.15–2.18,
 * `config.beta.linkerd.io/…` 2.19). kube-state-metrics reports init containers under their own
 * families only, `kube_pod_init_container_resource_limits` and `kube_pod_init_container_info`
 * (kubernetes/kube-state-metrics `internal/store/pod.go`), so a rule on `kube_pod_container_*`
 * alone never sees a native-sidecar proxy. cAdvisor's `container_*` series name every running
 * container, init or not, by its name.
 */
import type { LinkerdFacts } from './catalog.js';
import { minor } from './catalog.js';

export const PROXY_CONTAINER = 'linkerd-proxy';

/** kube-state-metrics container families the proxy-resources rules read. */
export type ContainerFamily = 'resource_limits' | 'info';

/** The family's metric for a regular container and for an init container (a native sidecar): read both. */
export function containerMetrics(family: ContainerFamily): { readonly sidecar: string; readonly nativeSidecar: string } {
  return { sidecar: `kube_pod_container_${family}`, nativeSidecar: `kube_pod_init_container_${family}` };
}

/**
 * The other family that reports the proxy container where `metric` does not: a pod's proxy is either a
 * regular or a native sidecar, so a rule reads both and one of them is legitimately empty in a mesh
 * that runs only one shape.
 */
export function alternativeContainerMetric(metric: string): string | undefined {
  for (const family of ['resource_limits', 'info'] as const) {
    const { sidecar, nativeSidecar } = containerMetrics(family);
    if (metric === sidecar) return nativeSidecar;
    if (metric === nativeSidecar) return sidecar;
  }
  return undefined;
}

/** Whether a default install of this version injects the proxy as a native sidecar (2.20+). */
export function nativeSidecarByDefault(facts: Pick<LinkerdFacts, 'version'>): boolean {
  return minor(facts.version) >= 20;
}

/**
 * A proxy gauge every scraped proxy exports from its first scrape on, whatever its traffic: its
 * presence means the pod's proxy is scraped (linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`;
 * kubert-prometheus-process from 2.18).
 */
export const PROXY_PRESENCE_METRIC = 'process_start_time_seconds';
