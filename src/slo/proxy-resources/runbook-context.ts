/** What the kind's runbook pages (templates/runbooks/) are rendered from. */
import { eq, inline, selector, type Matcher } from '../../promql/ast.js';
import { cleanNumber, formatNumber, normalDuration } from '../../promql/number.js';
import { containerMetrics, nativeSidecarByDefault, PROXY_CONTAINER } from '../../linkerd/proxy-container.js';
import type { BuildContext } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { PROXY_RESOURCES_ALERTS, PROXY_RESOURCES_RECORDINGS } from './names.js';
import type { ProxyResourcesConfig } from './sizing.js';

/**
 * Ready-made selectors for the runbooks' queries (a template cannot write `…}}}`), written by the
 * PromQL builder. They carry no metric name (the page writes it in front), which the BuildContext
 * selectors require, so the extra matchers (ctx.clusterMatchers) are appended here, after the page's
 * own matchers.
 */
function runbookSelectors(ctx: BuildContext): { readonly extraSelector: string; readonly sel: Record<string, string> } {
  const { clusterMatchers } = ctx;
  const sel = (...matchers: Matcher[]): string => inline(selector(undefined, [...matchers, ...clusterMatchers]));
  const placeholders = [eq('namespace', '<namespace>'), eq('pod', '<pod>')];
  return {
    extraSelector: clusterMatchers.length ? inline(selector(undefined, clusterMatchers)) : '',
    sel: {
      pod: sel(...placeholders),
      proxyPod: sel(eq('job', ctx.config.linkerd.proxyJob), ...placeholders),
      podProxy: sel(...placeholders, eq('container', PROXY_CONTAINER)),
      proxy: sel(eq('container', PROXY_CONTAINER)),
      proxyMemoryLimit: sel(eq('container', PROXY_CONTAINER), eq('resource', 'memory')),
    },
  };
}

/** The settings as the pages print them. */
function settingsText(c: ProxyResourcesConfig): Record<string, unknown> {
  return {
    budget: {
      idleCpu: formatNumber(c.budget.idleCpuCores),
      cpuPer1k: formatNumber(c.budget.cpuCoresPer1kRps),
      idleMemory: formatNumber(c.budget.idleMemoryMiB),
      memoryPer1k: formatNumber(c.budget.memoryMiBPer1kRps),
      for: normalDuration(c.budget.for),
    },
    highThroughput: {
      line: formatNumber(c.highThroughput.requestsPerSecond),
      for: normalDuration(c.highThroughput.for),
      defaultCpuLimit: c.highThroughput.defaultCpuLimitCores === undefined ? '' : formatNumber(c.highThroughput.defaultCpuLimitCores),
      lineCpu: formatNumber(cleanNumber(c.budget.idleCpuCores + (c.budget.cpuCoresPer1kRps * c.highThroughput.requestsPerSecond) / 1000)),
      lineMemory: formatNumber(cleanNumber(c.budget.idleMemoryMiB + (c.budget.memoryMiBPer1kRps * c.highThroughput.requestsPerSecond) / 1000)),
    },
    kubernetesMetrics: {
      enabled: c.kubernetesMetrics.enabled,
      memoryRatio: formatNumber(cleanNumber(c.kubernetesMetrics.memoryNearLimit.ratio * 100)),
      memoryFor: normalDuration(c.kubernetesMetrics.memoryNearLimit.for),
      throttledRatio: formatNumber(cleanNumber(c.kubernetesMetrics.cpuThrottled.ratio * 100)),
      throttledFor: normalDuration(c.kubernetesMetrics.cpuThrottled.for),
    },
    controlPlane: {
      containers: c.controlPlane.containers,
      perNodeCpu: formatNumber(c.controlPlane.perNodeCpuCores),
      perNodeMemory: formatNumber(c.controlPlane.perNodeMemoryMiB),
      for: normalDuration(c.controlPlane.for),
      prometheus: c.controlPlane.prometheus.enabled,
      perPod: formatNumber(c.controlPlane.prometheus.memoryMiBPerMeshedPod),
      minimum: formatNumber(c.controlPlane.prometheus.minimumMemoryMiB),
    },
  };
}

export function runbookContext(ctx: BuildContext, c: ProxyResourcesConfig): Record<string, unknown> {
  const { config, facts } = ctx;
  const { extraSelector, sel } = runbookSelectors(ctx);
  return {
    ...linkerdTemplateFacts(ctx),
    severities: config.alerting.severities,
    alerts: PROXY_RESOURCES_ALERTS,
    record: PROXY_RESOURCES_RECORDINGS,
    extraSelector,
    sel,
    // kube-state-metrics families of the proxy container: regular sidecar and native sidecar (init container).
    ksm: { limits: containerMetrics('resource_limits'), info: containerMetrics('info') },
    nativeSidecarDefault: nativeSidecarByDefault(facts),
    ...settingsText(c),
  };
}
