/**
 * Topology of a simulated mesh: the control plane (destination, identity, proxy-injector pods in
 * the control-plane namespace) and N meshed workload pods, with the target labels the standard
 * scrape configs give their series (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18):
 *  - job "linkerd-proxy": job, instance (<pod IP>:4191), namespace, pod, and every pod label
 *    relabelled (linkerd.io/proxy-deployment → deployment, linkerd.io/control-plane-ns →
 *    control_plane_ns, linkerd.io/workload-ns → workload_ns, linkerd.io/control-plane-component →
 *    control_plane_component on control-plane pods, pod-template-hash → pod_template_hash, app);
 *  - job "linkerd-controller": job, instance (<pod IP>:<admin port>), component = container name.
 */
import type { PodRef } from './scenario.js';
import { PROXY_ADMIN_PORT, simFacts, type ControllerContainer, type SimFacts, type SimVersion } from './linkerd.js';

export interface MeshOptions {
  /** Linkerd minor version (metric and label names). Default 2.18. */
  readonly version?: SimVersion;
  readonly controlPlaneNamespace?: string;
  readonly clusterDomain?: string;
  /** Data-plane shape: namespaces × workloads per namespace × pods per workload. */
  readonly namespaces?: number;
  readonly workloadsPerNamespace?: number;
  readonly podsPerWorkload?: number;
  readonly replicas?: { readonly destination?: number; readonly identity?: number; readonly proxyInjector?: number };
  /** Linkerd Viz installed (metrics-api, tap, tap-injector, web, prometheus: meshed, scraped by the controller job). Default true. */
  readonly viz?: boolean;
  readonly vizNamespace?: string;
  /**
   * Named workloads, in addition to the generated app-<n> namespaces (set namespaces: 0 for only
   * these), e.g. the workloads a config's slos.workloads.list names.
   */
  readonly workloads?: ReadonlyArray<{ readonly namespace: string; readonly name: string; readonly kind?: WorkloadKind; readonly pods?: number }>;
  /** Labels added to every target (e.g. {cluster: "prod-eu1"}, as a relabel rule or external scrape config would). */
  readonly targetLabels?: Readonly<Record<string, string>>;
  /** Prometheus job names of the proxy and controller scrapes (the chart's PodMonitors give "linkerd/linkerd-proxy"). */
  readonly proxyJob?: string;
  readonly controllerJob?: string;
  /** Seed of the names and IPs (same seed, same mesh). */
  readonly seed?: number;
}

export type CpPodKind = 'destination' | 'identity' | 'proxy-injector';

/** Owner kind of a workload pod; the injector labels the pod linkerd.io/proxy-<kind> (linkerd/linkerd2 `pkg/inject/inject.go` at version-2.18). */
export type WorkloadKind = 'deployment' | 'statefulset' | 'daemonset';

export interface SimPod extends PodRef {
  readonly ip: string;
  readonly serviceAccount: string;
  readonly templateHash: string;
  /** Control-plane pod kind (linkerd.io/control-plane-component), undefined for workload pods. */
  readonly component?: CpPodKind;
  /** Extension pod (linkerd.io/extension), e.g. viz; neither control plane nor application. */
  readonly extension?: 'viz';
  /** Index of the pod among all pods (stable). */
  readonly index: number;
  /** Target labels of this pod's proxy under the linkerd-proxy job (job and instance included). */
  readonly proxyTargetLabels: Readonly<Record<string, string>>;
  /** Containers scraped by the linkerd-controller job (control-plane pods only). */
  readonly controllers: readonly ControllerContainer[];
}

export interface Workload {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly serviceAccount: string;
  readonly pods: readonly SimPod[];
  /** Workload its pods send their outbound traffic to. */
  upstream?: Workload;
}

export interface Mesh {
  readonly facts: SimFacts;
  readonly controlPlaneNamespace: string;
  readonly clusterDomain: string;
  readonly targetLabels: Readonly<Record<string, string>>;
  readonly proxyJob: string;
  readonly controllerJob: string;
  readonly pods: readonly SimPod[];
  readonly controlPlanePods: readonly SimPod[];
  /** Application pods (neither control plane nor extensions). */
  readonly dataPods: readonly SimPod[];
  readonly extensionPods: readonly SimPod[];
  readonly workloads: readonly Workload[];
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Kubernetes' safe alphabet for generated name suffixes (no vowels, no confusable digits). */
const ALPHANUM = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUM[Math.floor(rand() * ALPHANUM.length)];
  return s;
}

/** A mesh shape with about `pods` workload pods (2 pods per workload, 10 workloads per namespace). */
export function meshShapeForPods(pods: number): Pick<MeshOptions, 'namespaces' | 'workloadsPerNamespace' | 'podsPerWorkload'> {
  const podsPerWorkload = pods >= 4 ? 2 : 1;
  const workloads = Math.max(1, Math.round(pods / podsPerWorkload));
  const workloadsPerNamespace = Math.min(10, workloads);
  return { namespaces: Math.max(1, Math.ceil(workloads / workloadsPerNamespace)), workloadsPerNamespace, podsPerWorkload };
}

const WORKLOAD_NAMES = ['web', 'api', 'cart', 'checkout', 'search', 'auth', 'emoji', 'voting', 'books', 'authors', 'payments', 'ledger', 'gateway', 'worker'];

export function buildMesh(opts: MeshOptions = {}): Mesh {
  const facts = simFacts(opts.version ?? '2.18');
  const cpNs = opts.controlPlaneNamespace ?? 'linkerd';
  const domain = opts.clusterDomain ?? 'cluster.local';
  const extra = { ...(opts.targetLabels ?? {}) };
  const rand = prng(opts.seed ?? 42);
  const pods: SimPod[] = [];
  let ipCounter = 0;
  const nextIp = () => {
    ipCounter++;
    return `10.42.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 2}`;
  };

  const makePod = (
    namespace: string, workload: string, sa: string, templateHash: string, component?: CpPodKind,
    extension?: { kind: 'viz'; containers: ControllerContainer[] }, kind: WorkloadKind = 'deployment', ordinal = 0,
  ): SimPod => {
    const name = kind === 'statefulset' ? `${workload}-${ordinal}` : kind === 'daemonset' ? `${workload}-${suffix(rand, 5)}` : `${workload}-${templateHash}-${suffix(rand, 5)}`;
    const ip = nextIp();
    // Pod labels after the linkerd-proxy job's relabelling (viz prometheus.yaml, above), then the target's own labels.
    // Viz pods carry linkerd.io/extension and their chart's `component` label.
    const owner: Record<string, string> =
      kind === 'deployment'
        ? { deployment: workload, pod_template_hash: templateHash }
        : kind === 'statefulset'
          ? { statefulset: workload, controller_revision_hash: `${workload}-${templateHash}`, statefulset_kubernetes_io_pod_name: name }
          : { daemonset: workload, controller_revision_hash: templateHash, pod_template_generation: '1' };
    const podLabels: Record<string, string> = {
      control_plane_ns: cpNs,
      ...owner,
      workload_ns: namespace,
      ...(component ? { control_plane_component: component } : extension ? { extension: extension.kind, component: workload } : { app: workload }),
    };
    const proxyTargetLabels = { ...podLabels, ...extra, job: opts.proxyJob ?? 'linkerd-proxy', instance: `${ip}:${PROXY_ADMIN_PORT}`, namespace, pod: name };
    const controllers = component ? facts.controllerContainers[component] : (extension?.containers ?? []);
    const pod: SimPod = {
      namespace,
      workload,
      name,
      controlPlane: component !== undefined,
      ip,
      serviceAccount: sa,
      templateHash,
      ...(component ? { component } : {}),
      ...(extension ? { extension: extension.kind } : {}),
      index: pods.length,
      proxyTargetLabels,
      controllers,
    };
    pods.push(pod);
    return pod;
  };

  const cp: Array<[CpPodKind, number]> = [
    ['destination', opts.replicas?.destination ?? 1],
    ['identity', opts.replicas?.identity ?? 1],
    ['proxy-injector', opts.replicas?.proxyInjector ?? 1],
  ];
  for (const [kind, replicas] of cp) {
    const hash = suffix(rand, 10);
    for (let i = 0; i < replicas; i++) makePod(cpNs, `linkerd-${kind}`, `linkerd-${kind}`, hash, kind);
  }

  if (opts.viz ?? true) {
    // Viz (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/*.yaml` at version-2.18): admin ports scraped by the linkerd-controller job, component = container name.
    const vizNs = opts.vizNamespace ?? 'linkerd-viz';
    const viz: Array<[string, number]> = [['metrics-api', 9995], ['tap', 9998], ['tap-injector', 9995], ['web', 9994], ['prometheus', 9090]];
    for (const [name, port] of viz) {
      makePod(vizNs, name, name, suffix(rand, 10), undefined, { kind: 'viz', containers: [{ container: name, adminPort: port, go: true }] });
    }
  }

  const workloads: Workload[] = [];
  const nsCount = opts.namespaces ?? 3;
  const perNs = opts.workloadsPerNamespace ?? 2;
  const perWorkload = opts.podsPerWorkload ?? 2;
  for (let n = 0; n < nsCount; n++) {
    const namespace = `app-${n}`;
    for (let w = 0; w < perNs; w++) {
      const base = WORKLOAD_NAMES[w % WORKLOAD_NAMES.length]!;
      const name = w < WORKLOAD_NAMES.length ? base : `${base}-${Math.floor(w / WORKLOAD_NAMES.length)}`;
      const hash = suffix(rand, 10);
      const wlPods: SimPod[] = [];
      for (let p = 0; p < perWorkload; p++) wlPods.push(makePod(namespace, name, name, hash));
      workloads.push({ namespace, name, kind: 'deployment', serviceAccount: name, pods: wlPods });
    }
  }
  for (const w of opts.workloads ?? []) {
    const kind = w.kind ?? 'deployment';
    const hash = suffix(rand, 10);
    const wlPods: SimPod[] = [];
    for (let p = 0; p < (w.pods ?? perWorkload); p++) wlPods.push(makePod(w.namespace, w.name, w.name, hash, undefined, undefined, kind, p));
    workloads.push({ namespace: w.namespace, name: w.name, kind, serviceAccount: w.name, pods: wlPods });
  }
  // Each workload calls the next one in its namespace (a ring), the last one calls the first.
  for (let i = 0; i < workloads.length; i++) {
    const wl = workloads[i]!;
    const sameNs = workloads.filter((x) => x.namespace === wl.namespace);
    const j = sameNs.indexOf(wl);
    wl.upstream = sameNs[(j + 1) % sameNs.length];
  }

  return {
    facts,
    controlPlaneNamespace: cpNs,
    clusterDomain: domain,
    targetLabels: extra,
    proxyJob: opts.proxyJob ?? 'linkerd-proxy',
    controllerJob: opts.controllerJob ?? 'linkerd-controller',
    pods,
    controlPlanePods: pods.filter((p) => p.controlPlane),
    dataPods: pods.filter((p) => !p.controlPlane && !p.extension),
    extensionPods: pods.filter((p) => p.extension !== undefined),
    workloads,
  };
}

/** mTLS identity of a service account (the client_id / server_id label value). */
export function identityOf(mesh: Mesh, namespace: string, serviceAccount: string): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.${mesh.controlPlaneNamespace}.${mesh.clusterDomain}`;
}
