/** The `slos.proxyResources` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { labelMap, k8sName, duration } from '../../config/fields.js';
import type { ConfigSection } from '../../config/section.js';
import { PROXY_CONTAINER } from '../../linkerd/proxy-container.js';

/** Containers of one control-plane replica set that the per-node plan covers (controller job `component` label, linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18). */
const CORE_CONTROL_PLANE_CONTAINERS = ['destination', 'sp-validator', 'policy', 'identity', 'proxy-injector'];

const proxyResourcesConfig = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe('Generate proxy and control-plane resource alerts. Default true: they read only the proxies\' and controllers\' own process metrics, which every Linkerd version exports.'),
  budget: z
    .strictObject({
      cpuCoresPer1kRps: z
        .number()
        .positive()
        .default(0.25)
        .describe('CPU cores a proxy may use per 1,000 requests per second it handles (inbound + outbound). Default 0.25: the Linkerd runbook\'s rule of thumb.'),
      memoryMiBPer1kRps: z
        .number()
        .positive()
        .default(20)
        .describe('Memory (MiB) a proxy may use per 1,000 requests per second. Default 20: the runbook\'s "20 MB per 1,000 RPS" (MiB vs MB is well inside the rule of thumb\'s precision).'),
      idleCpuCores: z
        .number()
        .positive()
        .default(0.1)
        .describe('CPU cores every proxy may use on top of the per-RPS budget (the idle floor; must be > 0). Default 0.1: an idle proxy uses a few millicores; 0.1 absorbs TLS handshakes, discovery updates and scrapes without hiding a runaway proxy.'),
      idleMemoryMiB: z
        .number()
        .positive()
        .default(64)
        .describe('Memory (MiB) every proxy may use on top of the per-RPS budget (the idle floor; must be > 0). Default 64: idle proxies hold tens of MB, more when they talk to many destinations (discovery caches, connection pools).'),
      for: duration
        .default('1h')
        .describe('How long a proxy must stay over its budget before LinkerdProxyOverResourceBudget opens a ticket. Default 1h: "persistently" over budget; traffic bursts, rollouts and GC-like allocator spikes pass well within an hour.'),
    })
    .prefault({})
    .describe('Per-proxy budget: idle floor + per-1k-RPS share, against process_cpu_seconds_total and process_resident_memory_bytes of the proxy job.'),
  highThroughput: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Open a ticket when a pod above requestsPerSecond still runs its proxy on default resources. Needs kubernetesMetrics (kube-state-metrics): without it the alert is not generated and the dashboard only counts such pods.'),
      requestsPerSecond: z
        .number()
        .positive()
        .default(5000)
        .describe('The high-throughput line, in requests per second through the pod\'s proxy (inbound + outbound). Default 5000: above ~5,000 RPS the runbook calls for custom proxy resources.'),
      defaultCpuLimitCores: z
        .number()
        .positive()
        .optional()
        .describe('The CPU limit your installation gives every proxy (Helm proxy.resources.cpu.limit), if any. A proxy with no CPU limit, or exactly this one, counts as on default resources. Omitted: only "no CPU limit" counts, which is Linkerd\'s default (a single runtime worker, no requests or limits).'),
      for: duration
        .default('1h')
        .describe('How long the pod must stay above the line before the ticket opens. Default 1h: a sustained load level, not a burst.'),
    })
    .prefault({})
    .describe('LinkerdProxyHighThroughputDefaultResources: pods above the high-throughput line still on default proxy resources.'),
  kubernetesMetrics: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(`Use cAdvisor (container_*) and kube-state-metrics (kube_pod_container_*, and kube_pod_init_container_* for a native-sidecar proxy, the 2.20 default) series for the ${PROXY_CONTAINER} container: memory near its limit, CPU throttling, default-resources detection. Default false: neither ships with Linkerd.`),
      cadvisorMatchers: labelMap
        .default({})
        .describe(`Equality matchers that select cAdvisor series, e.g. {job: kubelet, metrics_path: /metrics/cadvisor}. Default none: the metric names and container="${PROXY_CONTAINER}" suffice.`),
      kubeStateMetricsMatchers: labelMap
        .default({})
        .describe('Equality matchers that select kube-state-metrics (v2) series, e.g. {job: kube-state-metrics}. Default none. Its namespace and pod labels must be the pod\'s (kube-prometheus-stack scrapes it with honorLabels).'),
      memoryNearLimit: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Page when a proxy container\'s working set nears its memory limit (OOM-kill risk).'),
          ratio: z
            .number()
            .gt(0)
            .lte(1)
            .default(0.9)
            .describe('Fire above this share of the memory limit. Default 0.9: at 90% one traffic burst away from an OOM kill, which drops every connection of the pod.'),
          for: duration.default('5m').describe('How long the working set must stay above the ratio. Default 5m: longer than an allocation spike, shorter than a typical leak-to-OOM run.'),
        })
        .prefault({})
        .describe('LinkerdProxyMemoryNearLimit (page).'),
      cpuThrottled: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Open a ticket when a proxy container is CPU-throttled (only containers with a CPU limit can be).'),
          ratio: z
            .number()
            .gt(0)
            .lte(1)
            .default(0.25)
            .describe('Fire above this share of throttled CFS periods. Default 0.25, as kubernetes-mixin\'s CPUThrottlingHigh: each throttled period stalls every request the proxy holds.'),
          for: duration.default('15m').describe('How long throttling must persist. Default 15m: sustained, not a burst at startup.'),
        })
        .prefault({})
        .describe('LinkerdProxyCpuThrottled (ticket).'),
    })
    .prefault({})
    .describe(`Optional source: cAdvisor and kube-state-metrics series for the ${PROXY_CONTAINER} container.`),
  controlPlane: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when the control plane outgrows its resource plan (LinkerdControlPlaneOverResourcePlan).'),
      containers: z
        .array(k8sName)
        .min(1)
        .default([...CORE_CONTROL_PLANE_CONTAINERS])
        .describe('Controller-job containers (`component` label) that one control-plane node hosts, one replica each. Default: the core containers destination, sp-validator, policy, identity and proxy-injector.'),
      perNodeCpuCores: z
        .number()
        .positive()
        .default(0.5)
        .describe('CPU cores planned for the control plane on each node. Default 0.5: the runbook\'s plan (0.5 core on each control-plane node, three nodes in HA mode).'),
      perNodeMemoryMiB: z
        .number()
        .positive()
        .default(512)
        .describe('Memory (MiB) planned for the control plane on each node. Default 512: the runbook\'s plan.'),
      for: duration.default('1h').describe('How long usage must exceed the plan before the ticket opens. Default 1h: outgrowing a plan is a trend, not a spike.'),
      prometheus: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe('Also watch the Prometheus that scrapes the mesh (the controller job\'s `prometheus` container, Linkerd Viz). No series, no alert: harmless without Viz\'s Prometheus. Off under the chart\'s PodMonitor from 2.19, which never scrapes it.'),
          memoryMiBPerMeshedPod: z
            .number()
            .positive()
            .default(5)
            .describe('Memory (MiB) planned per meshed pod (proxy scraped). Default 5: the runbook\'s ~5 MB per meshed pod.'),
          minimumMemoryMiB: z
            .number()
            .positive()
            .default(512)
            .describe('The plan never drops below this. Default 512: Prometheus\' own fixed overhead (head block, WAL, query buffers) dominates until ~100 meshed pods.'),
        })
        .prefault({})
        .describe('Memory plan of the mesh\'s Prometheus: memoryMiBPerMeshedPod × meshed pods, at least minimumMemoryMiB.'),
    })
    .prefault({})
    .describe('Control-plane resource plan, per node.'),
});

export const configSection = {
  key: 'proxyResources',
  schema: proxyResourcesConfig
    .prefault({})
    .describe('Proxy resources against a per-1k-RPS budget, high-throughput pods on default resources, proxy containers near their limits (optional cAdvisor/kube-state-metrics), and the control plane against its per-node plan.'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts).
  examples: {
    allOptions: { highThroughput: { enabled: true }, kubernetesMetrics: { enabled: true } },
    off: { enabled: false },
  },
} as const satisfies ConfigSection;
