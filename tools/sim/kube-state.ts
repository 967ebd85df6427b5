/**
 * kube-state-metrics as it reports the proxy container of every meshed pod. Written from
 * kubernetes/kube-state-metrics `internal/store/pod.go` at v2.20.0 (unchanged since v2.13.0) and its
 * `docs/metrics/workload/pod-metrics.md`, not from the generator:
 *  - every pod family starts with namespace, pod, uid (descPodLabelsDefaultLabels);
 *  - `kube_pod_container_info` adds container, image_spec (the spec's image), image, image_id,
 *    container_id (from the container status) for each container of `spec.containers`;
 *  - `kube_pod_container_resource_limits` / `_requests` add container, node (spec.nodeName), resource,
 *    unit ("core" for cpu, "byte" for memory): one series per resource the container sets, none when
 *    it sets none;
 *  - init containers (`spec.initContainers`) appear only in the `kube_pod_init_container_*` twins of
 *    these families, the info family with one more label, restart_policy (the container's
 *    restartPolicy, "Always" for a native sidecar).
 * Linkerd's injector names the container `linkerd-proxy` (linkerd/linkerd2 `charts/partials/templates/_proxy.tpl`)
 * and sets no requests or limits unless `proxy.resources` or the `config.linkerd.io/proxy-{cpu,memory}-{request,limit}`
 * annotations ask for them (linkerd/linkerd2 `charts/linkerd-control-plane/values.yaml`). With
 * `proxy.nativeSidecar` (the default from 2.20, linkerd/linkerd2 #15267) the proxy is an init container
 * with restartPolicy Always; before 2.20 it is a regular container unless a pod opts in.
 */
import type { SimPod } from './mesh.js';
import { labelText, type Registry } from './registry.js';

export const KUBE_STATE_JOB = 'kube-state-metrics';
export const PROXY_CONTAINER_NAME = 'linkerd-proxy';

/** What the pod spec asks for the proxy container (cores, bytes); unset ones have no series. */
export interface ProxyContainerResources {
  readonly limits?: { readonly cpu?: number; readonly memory?: number };
  readonly requests?: { readonly cpu?: number; readonly memory?: number };
}

export interface KubeStateOptions {
  /** Proxy as a native sidecar (init container): default from the version, 2.20+ (per pod with a function). */
  readonly nativeSidecar?: boolean | ((pod: SimPod) => boolean);
  /** The proxy container's requests and limits, for every pod or per pod. Default none (Linkerd's default). */
  readonly resources?: ProxyContainerResources | ((pod: SimPod) => ProxyContainerResources);
}

/** Whether a Linkerd minor injects the proxy as a native sidecar by default. */
export const nativeSidecarDefault = (minor: number): boolean => minor >= 20;

/** The families' HELP texts at v2.20.0. */
const HELP = {
  info: 'Information about a container in a pod.',
  initInfo: 'Information about an init container in a pod.',
  limits: 'The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.',
  initLimits: 'The number of requested limit resource by an init container.',
  requests: 'The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.',
  initRequests: 'The number of requested request resource by an init container.',
};

/** `len` stable pseudo-random hex digits from a seed (UIDs, image digests, container IDs). */
function hex(seed: number, len: number): string {
  let x = (Math.imul(seed + 1, 2654435761) >>> 0) || 1;
  let out = '';
  while (out.length < len) {
    out += x.toString(16).padStart(8, '0');
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  }
  return out.slice(0, len);
}
export const uidOf = (pod: SimPod): string => `${hex(pod.index, 8)}-${hex(pod.index + 1e3, 4)}-4${hex(pod.index + 2e3, 3)}-8${hex(pod.index + 3e3, 3)}-${hex(pod.index + 4e3, 12)}`;

/**
 * Writes the series kube-state-metrics exports for each pod's proxy container into `registry`, as
 * constant gauges from `t` (the pods do not change during a simulation).
 */
/** The proxy's image as the pod spec names it, and the runtime's ID of a pod's proxy container (shared with cadvisor.ts). */
export const proxyImage = (minor: number): string => `cr.l5d.io/linkerd/proxy:stable-2.${minor}.0`;
export const proxyContainerId = (pod: SimPod): string => hex(pod.index + 5e3, 64);

export function writeKubeState(registry: Registry, pods: readonly SimPod[], minor: number, opts: KubeStateOptions, t: number): void {
  const image = proxyImage(minor);
  for (const pod of pods) {
    const native = typeof opts.nativeSidecar === 'function' ? opts.nativeSidecar(pod) : (opts.nativeSidecar ?? nativeSidecarDefault(minor));
    const resources = (typeof opts.resources === 'function' ? opts.resources(pod) : opts.resources) ?? {};
    const prefix = native ? 'kube_pod_init_container' : 'kube_pod_container';
    const base = { namespace: pod.namespace, pod: pod.name, uid: uidOf(pod), container: PROXY_CONTAINER_NAME };
    const info = registry.family(`${prefix}_info`, 'gauge', native ? HELP.initInfo : HELP.info);
    const infoLabels = {
      ...base,
      image_spec: image,
      image,
      image_id: `cr.l5d.io/linkerd/proxy@sha256:${hex(minor, 64)}`,
      container_id: `containerd://${proxyContainerId(pod)}`,
      ...(native ? { restart_policy: 'Always' } : {}),
    };
    registry.scalar(info, labelText(infoLabels), t).set(1, t);
    const node = `node-${pod.index % 3}`;
    for (const kind of ['limits', 'requests'] as const) {
      const asked = resources[kind];
      if (!asked) continue;
      const family = registry.family(`${prefix}_resource_${kind}`, 'gauge', native ? HELP[kind === 'limits' ? 'initLimits' : 'initRequests'] : HELP[kind]);
      if (asked.cpu !== undefined) registry.scalar(family, labelText({ ...base, node, resource: 'cpu', unit: 'core' }), t).set(asked.cpu, t);
      if (asked.memory !== undefined) registry.scalar(family, labelText({ ...base, node, resource: 'memory', unit: 'byte' }), t).set(asked.memory, t);
    }
  }
}
