/**
 * What Kubernetes says about the proxy container (optional source, slos.proxyResources.kubernetesMetrics):
 * kube-state-metrics for its limits and cAdvisor for its working set and CFS throttling.
 *
 *  - High throughput: above ~5,000 RPS a pod needs custom proxy resources. The pod annotation is not
 *    visible to Prometheus, so the signal comes from kube-state-metrics: a linkerd-proxy container
 *    without a CPU limit (Linkerd's default: no requests or limits, one runtime worker), or with exactly
 *    the installation-wide default limit, is "on default resources". The proxy injector sizes the
 *    proxy's worker pool from its CPU limit, so the limit is the setting that matters for throughput.
 *  - Working set near the memory limit (page: the kernel OOM-kills the proxy and the pod loses its
 *    traffic) and CFS throttling (ticket).
 *
 * kube-state-metrics reports a native sidecar (an init container with restartPolicy Always, the proxy's
 * shape by default from 2.20, linkerd/linkerd2 #15267) under its kube_pod_init_container_* families only
 * (kubernetes/kube-state-metrics `internal/store/pod.go`): src/linkerd/proxy-container.ts names both,
 * and the rules read whichever the pod has.
 */
import { and, binary, div, eq, gt, num, or, rate, sum, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import { cleanNumber, formatNumber } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { containerMetrics, nativeSidecarByDefault, PROXY_CONTAINER, type ContainerFamily } from '../../linkerd/proxy-container.js';
import type { BuildContext } from '../kind.js';
import { legendPrefix } from '../panel-queries.js';
import { counter, fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import { PROXY_RESOURCES_ALERTS, PROXY_RESOURCES_RECORDINGS } from './names.js';
import { agg, podKeys, WINDOW, type ProxyResourcesRules } from './rule-set.js';
import { MIB, type ProxyResourcesConfig } from './sizing.js';
import { proxyFixture } from './proxy-budget.js';
import { above, FILTERS, SETTLE_MINUTES, TEST_NAMESPACE, type ScenarioPart } from './fixtures.js';

const WORKING_SET = 'container_memory_working_set_bytes';
const CFS_PERIODS = 'container_cpu_cfs_periods_total';
const CFS_THROTTLED_PERIODS = 'container_cpu_cfs_throttled_periods_total';

/** A cAdvisor series of the proxy container, with the configured cAdvisor matchers. */
function cadvisor(ctx: BuildContext, c: ProxyResourcesConfig, metric: string, more: readonly Matcher[] = []): Selector {
  const own = Object.entries(c.kubernetesMetrics.cadvisorMatchers).map(([k, v]) => eq(k, v));
  return ctx.exporterSelector(metric, [eq('container', PROXY_CONTAINER), ...more, ...own]);
}

/** A kube-state-metrics series of the proxy container, with the configured kube-state-metrics matchers. */
function kubeState(ctx: BuildContext, c: ProxyResourcesConfig, metric: string, more: readonly Matcher[] = []): Selector {
  const own = Object.entries(c.kubernetesMetrics.kubeStateMetricsMatchers).map(([k, v]) => eq(k, v));
  return ctx.exporterSelector(metric, [eq('container', PROXY_CONTAINER), ...more, ...own]);
}

/** A regular sidecar or a native one (an init container, the 2.20 default): whichever the pod has. */
function kubeStateEitherSidecar(ctx: BuildContext, c: ProxyResourcesConfig, family: ContainerFamily, more: readonly Matcher[] = []): Expr {
  const { sidecar, nativeSidecar } = containerMetrics(family);
  return or(kubeState(ctx, c, sidecar, more), kubeState(ctx, c, nativeSidecar, more));
}

/** A pod above the high-throughput line whose proxy runs on the default CPU limit (ticket). */
function highThroughputAlert(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  const h = c.highThroughput;
  const perPod = podKeys(ctx);
  const requests = ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.requests);
  const cpuLimit = agg('max', kubeStateEitherSidecar(ctx, c, 'resource_limits', [eq('resource', 'cpu')]), perPod);
  const custom = h.defaultCpuLimitCores === undefined ? cpuLimit : binary('!=', cpuLimit, num(h.defaultCpuLimitCores));
  // The container's info series guards against a kube-state-metrics that does not see the pod at all:
  // then we know nothing about its limits, and must not claim they are the defaults.
  const known = agg('max', kubeStateEitherSidecar(ctx, c, 'info'), perPod);
  rules.alert({
    name: PROXY_RESOURCES_ALERTS.highThroughput,
    severity: 'ticket',
    expr: and(binary('unless', gt(requests, num(h.requestsPerSecond)), custom, { matching: { on: perPod } }), known, { on: perPod }),
    for: h.for,
    template: 'high-throughput',
    text: { line: formatNumber(h.requestsPerSecond), defaultCpuLimit: h.defaultCpuLimitCores === undefined ? '' : formatNumber(h.defaultCpuLimitCores) },
  });
}

/** Per pod: working set ÷ memory limit, and the share of CFS periods throttled. */
function limitRatios(ctx: BuildContext, c: ProxyResourcesConfig): { readonly memory: Expr; readonly throttled: Expr } {
  const perPod = podKeys(ctx);
  return {
    memory: div(agg('max', cadvisor(ctx, c, WORKING_SET), perPod), agg('max', kubeStateEitherSidecar(ctx, c, 'resource_limits', [eq('resource', 'memory')]), perPod)),
    throttled: div(sum(rate(cadvisor(ctx, c, CFS_THROTTLED_PERIODS), WINDOW), perPod), sum(rate(cadvisor(ctx, c, CFS_PERIODS), WINDOW), perPod)),
  };
}

/** The high-throughput ticket, and the proxy container against its limits: records, a page and a ticket. */
export function kubernetesMetricsRules(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  const k8s = c.kubernetesMetrics;
  if (!k8s.enabled) return;
  if (c.highThroughput.enabled) highThroughputAlert(ctx, c, rules);
  const ratio = limitRatios(ctx, c);
  rules.record(PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax, agg('max', ratio.memory, ctx.clusterLabels));
  rules.record(PROXY_RESOURCES_RECORDINGS.cpuThrottledRatioMax, agg('max', ratio.throttled, ctx.clusterLabels));
  if (k8s.memoryNearLimit.enabled) {
    rules.alert({
      name: PROXY_RESOURCES_ALERTS.memoryNearLimit,
      severity: 'page',
      expr: gt(ratio.memory, num(k8s.memoryNearLimit.ratio)),
      for: k8s.memoryNearLimit.for,
      template: 'memory-near-limit',
      text: { ratio: formatNumber(cleanNumber(k8s.memoryNearLimit.ratio * 100)), ksmLimits: containerMetrics('resource_limits').sidecar },
    });
  }
  if (k8s.cpuThrottled.enabled) {
    rules.alert({
      name: PROXY_RESOURCES_ALERTS.cpuThrottled,
      severity: 'ticket',
      expr: gt(ratio.throttled, num(k8s.cpuThrottled.ratio)),
      for: k8s.cpuThrottled.for,
      template: 'cpu-throttled',
      text: { ratio: formatNumber(cleanNumber(k8s.cpuThrottled.ratio * 100)), window: WINDOW },
    });
  }
}

/** The proxies dashboard's panel of the proxy containers closest to their limits (none without the source). */
export function kubernetesMetricsPanels(ctx: BuildContext, c: ProxyResourcesConfig): PanelSpec[] {
  const k8s = c.kubernetesMetrics;
  if (!k8s.enabled) return [];
  const legend = legendPrefix(ctx);
  return [
    {
      title: 'Proxy containers: closest to their limits',
      description: `From cAdvisor and kube-state-metrics: the highest working-set-to-memory-limit ratio of any ${PROXY_CONTAINER} container (${PROXY_RESOURCES_ALERTS.memoryNearLimit} pages above ${formatNumber(k8s.memoryNearLimit.ratio * 100)}%) and the highest share of CPU-throttled periods (${PROXY_RESOURCES_ALERTS.cpuThrottled} above ${formatNumber(k8s.cpuThrottled.ratio * 100)}%).`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax), legend: `${legend}memory / limit` },
        { expr: ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.cpuThrottledRatioMax), legend: `${legend}CPU throttled` },
      ],
      max: 1,
      width: 24,
    },
  ];
}

/** A kube-state-metrics series of one pod, in the shape a default install of this version has. */
function kubeStateFixture(ctx: BuildContext, c: ProxyResourcesConfig, family: ContainerFamily, pod: string, value: number, more: readonly Matcher[] = []): ScenarioSeries {
  const metrics = containerMetrics(family);
  const metric = nativeSidecarByDefault(ctx.facts) ? metrics.nativeSidecar : metrics.sidecar;
  return { labels: fixtureLabels(kubeState(ctx, c, metric, more), {}, { namespace: TEST_NAMESPACE, pod }), values: gauge(value) };
}

function cadvisorFixture(ctx: BuildContext, c: ProxyResourcesConfig, metric: string, pod: string, values: ScenarioSeries['values']): ScenarioSeries {
  return { labels: fixtureLabels(cadvisor(ctx, c, metric), {}, { namespace: TEST_NAMESPACE, pod }), values };
}

/** A pod above the line without a proxy CPU limit tickets; one with a custom limit does not. */
export function highThroughputScenario(ctx: BuildContext, c: ProxyResourcesConfig): ScenarioPart {
  const busy = c.highThroughput.requestsPerSecond * 1.2;
  const customLimit = (c.highThroughput.defaultCpuLimitCores ?? 1) * 2;
  const info = (pod: string) => kubeStateFixture(ctx, c, 'info', pod, 1);
  const custom = kubeStateFixture(ctx, c, 'resource_limits', 'busy-custom', customLimit, [eq('resource', 'cpu')]);
  const proxy = (pod: string) => proxyFixture(ctx, c, pod, busy, 0.5, 0.5);
  return {
    firing: [...proxy('busy-default'), info('busy-default'), ...proxy('busy-custom'), info('busy-custom'), custom],
    healthy: [...proxy('busy-custom'), info('busy-custom'), custom],
    proxies: { firing: 2, healthy: 1 },
    check: {
      alert: PROXY_RESOURCES_ALERTS.highThroughput,
      filters: FILTERS,
      by: ['pod', 'severity'],
      at: minutesOf(c.highThroughput.for) + SETTLE_MINUTES,
      rows: [{ pod: 'busy-default', severity: ctx.config.alerting.severities.ticket }],
    },
    story: `a pod at ${formatNumber(busy)} RPS without a proxy CPU limit tickets, one with a ${formatNumber(customLimit)}-core limit does not`,
  };
}

/** A proxy container above the memory-limit ratio pages; one at half of it does not. */
export function memoryNearLimitScenario(ctx: BuildContext, c: ProxyResourcesConfig): ScenarioPart {
  const r = c.kubernetesMetrics.memoryNearLimit.ratio;
  const memoryLimit = 256 * MIB;
  const pod = (name: string, share: number) => [
    cadvisorFixture(ctx, c, WORKING_SET, name, gauge(Math.round(memoryLimit * share))),
    kubeStateFixture(ctx, c, 'resource_limits', name, memoryLimit, [eq('resource', 'memory')]),
  ];
  return {
    firing: [...pod('near-memory-limit', above(r)), ...pod('within-memory-limit', r / 2)],
    healthy: pod('within-memory-limit', r / 2),
    // A gauge: no rate window to fill.
    check: { alert: PROXY_RESOURCES_ALERTS.memoryNearLimit, filters: FILTERS, by: ['pod', 'severity'], at: minutesOf(c.kubernetesMetrics.memoryNearLimit.for) + 2, rows: [{ pod: 'near-memory-limit', severity: ctx.config.alerting.severities.page }] },
    story: `a proxy container at ${formatNumber(cleanNumber(above(r) * 100, 4))}% of its memory limit pages`,
  };
}

/** A proxy container throttled in more than the configured share of its CFS periods tickets. */
export function cpuThrottledScenario(ctx: BuildContext, c: ProxyResourcesConfig): ScenarioPart {
  const r = c.kubernetesMetrics.cpuThrottled.ratio;
  const pod = (name: string, share: number) => [
    cadvisorFixture(ctx, c, CFS_PERIODS, name, counter(10)),
    cadvisorFixture(ctx, c, CFS_THROTTLED_PERIODS, name, counter(10 * share)),
  ];
  return {
    firing: [...pod('throttled', above(r)), ...pod('not-throttled', r / 2)],
    healthy: pod('not-throttled', r / 2),
    check: { alert: PROXY_RESOURCES_ALERTS.cpuThrottled, filters: FILTERS, by: ['pod', 'severity'], at: minutesOf(c.kubernetesMetrics.cpuThrottled.for) + SETTLE_MINUTES, rows: [{ pod: 'throttled', severity: ctx.config.alerting.severities.ticket }] },
    story: `a proxy container throttled in ${formatNumber(cleanNumber(above(r) * 100, 4))}% of its CFS periods tickets`,
  };
}
