/**
 * The names the proxy-resources kind publishes: rule groups, alerts and recording rules. Dashboards,
 * runbooks and the tests read them; every source of the kind (proxy-budget.ts, kubernetes-metrics.ts,
 * control-plane-plan.ts) writes under them.
 */
import { CONTROL_PLANE_MEMORY_RECORDING } from '../series.js';

/** The `slo` label of every alert of the kind. */
export const PROXY_RESOURCES_ID = 'proxy-resources';

export const PROXY_RESOURCES_RULE_GROUPS = { recordings: 'linkerd-slo-proxy-resources-recordings', alerts: 'linkerd-slo-proxy-resources-alerts' } as const;

export const PROXY_RESOURCES_ALERTS = {
  overBudget: 'LinkerdProxyOverResourceBudget',
  highThroughput: 'LinkerdProxyHighThroughputDefaultResources',
  memoryNearLimit: 'LinkerdProxyMemoryNearLimit',
  cpuThrottled: 'LinkerdProxyCpuThrottled',
  controlPlane: 'LinkerdControlPlaneOverResourcePlan',
} as const;

export const PROXY_RESOURCES_RECORDINGS = {
  // per pod (by extra-matcher labels, namespace, pod): what the alerts need the pod for
  requests: 'linkerd_slo:proxy_requests:rate5m',
  cpuBudgetRatioPerPod: 'linkerd_slo:proxy_cpu_budget:ratio',
  memoryBudgetRatioPerPod: 'linkerd_slo:proxy_memory_budget:ratio',
  // cluster level (by extra-matcher labels only)
  cpuTotal: 'linkerd_slo:proxy_cpu_cores:sum_rate5m',
  memoryTotal: 'linkerd_slo:proxy_memory_bytes:sum',
  requestsTotal: 'linkerd_slo:proxy_requests:sum_rate5m',
  pods: 'linkerd_slo:proxy_pods:count',
  highThroughputPods: 'linkerd_slo:proxy_pods_high_throughput:count',
  cpuBudgetRatio: (agg: 'p99' | 'max') => `linkerd_slo:proxy_cpu_budget:ratio_${agg}`,
  memoryBudgetRatio: (agg: 'p99' | 'max') => `linkerd_slo:proxy_memory_budget:ratio_${agg}`,
  memoryLimitRatioMax: 'linkerd_slo:proxy_memory_limit:ratio_max',
  cpuThrottledRatioMax: 'linkerd_slo:proxy_cpu_throttled:ratio_max',
  // control plane (by extra-matcher labels, component, instance: tens of series)
  controlPlaneCpu: 'linkerd_slo:control_plane_cpu_cores:rate5m',
  controlPlaneMemory: CONTROL_PLANE_MEMORY_RECORDING,
  // worst-case node and Prometheus plan (by extra-matcher labels only)
  controlPlaneNodeCpu: 'linkerd_slo:control_plane_node_cpu_cores:rate5m',
  controlPlaneNodeMemory: 'linkerd_slo:control_plane_node_memory_bytes',
  prometheusMemoryPlan: 'linkerd_slo:prometheus_memory_plan:bytes',
} as const;

/** Aggregate from the per-pod records: these must never carry a pod label. */
export const CLUSTER_LEVEL_RECORDS: readonly string[] = [
  PROXY_RESOURCES_RECORDINGS.cpuTotal, PROXY_RESOURCES_RECORDINGS.memoryTotal, PROXY_RESOURCES_RECORDINGS.requestsTotal, PROXY_RESOURCES_RECORDINGS.pods, PROXY_RESOURCES_RECORDINGS.highThroughputPods,
  PROXY_RESOURCES_RECORDINGS.cpuBudgetRatio('p99'), PROXY_RESOURCES_RECORDINGS.cpuBudgetRatio('max'), PROXY_RESOURCES_RECORDINGS.memoryBudgetRatio('p99'), PROXY_RESOURCES_RECORDINGS.memoryBudgetRatio('max'),
  PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax, PROXY_RESOURCES_RECORDINGS.cpuThrottledRatioMax, PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu, PROXY_RESOURCES_RECORDINGS.controlPlaneNodeMemory, PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan,
];
