/**
 * A simulator shaped by a linkerd-slo config: the same Linkerd version, namespaces, job names and
 * target labels the generated rules select on, and the workloads the config's workload SLOs name.
 * One place for it, so the e2e tests, the browser preview test and the preview demo simulate the
 * same mesh for the same config.
 */
import type { Config } from '../../src/config/schema.js';
import { LinkerdSimulator } from './simulator.js';
import type { SimulatorOptions } from './options.js';

export type NamedWorkload = { namespace: string; name: string; kind: 'deployment' | 'statefulset' | 'daemonset' };

/** Workloads a config's slos.workloads.list names (selector workloads have no name to simulate). */
export function workloadsOf(config: Config): NamedWorkload[] {
  const slos = config.slos as unknown as Record<string, unknown>;
  const list = ((slos.workloads as { list?: Array<Record<string, unknown>> } | undefined)?.list ?? []) as Array<Record<string, unknown>>;
  return list.flatMap((w) =>
    (['deployment', 'statefulset', 'daemonset'] as const).flatMap((kind) =>
      typeof w[kind] === 'string' && typeof w.namespace === 'string' ? [{ namespace: w.namespace, name: w[kind] as string, kind }] : [],
    ),
  );
}

/**
 * A busy mesh for `config`: every control-plane component (identity included) has traffic within
 * seconds, and control_response_latency_ms is exposed. `overrides` adds or replaces options
 * (start, scenario, issuerNotAfter, ...).
 */
export function simulatorFor(config: Config, overrides: Partial<SimulatorOptions> = {}): LinkerdSimulator {
  return new LinkerdSimulator({
    version: config.linkerd.version,
    controlPlaneNamespace: config.linkerd.namespace,
    proxyJob: config.linkerd.proxyJob,
    controllerJob: config.linkerd.controllerJob,
    targetLabels: config.prometheus.extraMatchers,
    workloads: workloadsOf(config),
    rates: { destinationPerProxy: 0.5, policyPerProxy: 0.2, identityPerProxy: 0.2 },
    controlLatency: true,
    // kube-state-metrics' and cAdvisor's proxy-container series when the config reads them (Linkerd's default resources: none set).
    ...(config.slos.proxyResources.enabled && config.slos.proxyResources.kubernetesMetrics.enabled ? { kubeStateMetrics: true, cadvisor: true } : {}),
    ...overrides,
  });
}
