/**
 * Proxy and control-plane resources against the runbook's sizing rules. Not a ratio SLO: tickets
 * (and one page) on recorded usage.
 *
 *  - Budget: a proxy may use idle + per-1k-RPS × its own request rate, in CPU and memory. Usage is the
 *    proxy process' own process_cpu_seconds_total / process_resident_memory_bytes (job
 *    linkerd-proxy; linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`, kubert-prometheus-process
 *    from 2.18); the request rate is request_total of both directions (linkerd/linkerd2-proxy
 *    `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0): each request
 *    is counted once per direction by the proxy that handles it, so inbound + outbound of a pod's proxy
 *    is exactly what that proxy carries.
 *  - High throughput: above ~5,000 RPS a pod needs custom proxy resources. The pod annotation is not
 *    visible to Prometheus, so the signal comes from kube-state-metrics (optional source): a linkerd-proxy
 *    container without a CPU limit (Linkerd's default: no requests or limits, one runtime worker), or with
 *    exactly the installation-wide default limit, is "on default resources". The proxy injector sizes the
 *    proxy's worker pool from its CPU limit, so the limit is the setting that matters for throughput.
 *  - cAdvisor + kube-state-metrics (optional): working set near the memory limit (page: OOM kill) and
 *    CFS throttling (ticket).
 *  - Control plane: the runbook plans 0.5 core and 512 MB per control-plane node. Anti-affinity puts at
 *    most one replica of each component on a node, so Σ over containers of the heaviest replica is the
 *    worst any node can carry (exact without HA). The mesh's Prometheus (Viz, `prometheus` container of
 *    the controller job, linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18) is planned at ~5 MB per meshed pod.
 *
 * Cost at 10,000 pods: on the benchmark's Prometheus a join of two 10,000-series vectors costs
 * about as much as a rate over the raw per-pod family, and the budget ratio (usage ÷ the pod's own
 * budget) is such a join. It used to be computed six times per evaluation (p99 and max per
 * resource, and the two over-budget alerts); now once per resource, into a per-pod record that the
 * alerts and the p99/max aggregates read. Three per-pod records in all, each read by an alert that
 * needs the pod (request rate: high throughput; CPU and memory budget ratios: over budget); raw
 * usage per pod is not stored. request_total is read once; the proxies' process_* gauges also feed
 * the zero-request fill and the cluster totals, plain aggregations that measured cheaper than
 * deriving the totals from the ratio records (a join each). The dashboard's heaviest-proxies
 * tables multiply ratio × budget at query time (an instant query of ten rows).
 */
import {
  aggregate, and, anyOf, binary, call, div, eq, gt, inline, mul, num, or, quote, rate, re, selector, sum, withMatchers,
  type AggregateOp, type Expr, type Matcher, type Selector,
} from '../../promql/ast.js';
import { normalDuration, cleanNumber, formatNumber} from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { AlertingRule, RecordingRule, RuleGroup } from '../../rules.js';
import type { DashboardRow, PanelSpec } from '../../dashboard-model.js';
import type { BuildContext, KindOutput, Runbook, SloKind } from '../kind.js';
import { annotations } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { rawProxyResourcesRow } from './panels.js';
import { CONTROL_PLANE_MEMORY_RECORDING } from '../series.js';
import { controllerTargets, scrapeStyleOf } from '../../linkerd/catalog.js';
import { containerMetrics, nativeSidecarByDefault, PROXY_CONTAINER, type ContainerFamily } from '../../linkerd/proxy-container.js';
import { METRIC_NAMES, PROCESS_METRICS, PROXY_METRICS } from '../../linkerd/metric-names.js';
import { PROXY_ADMIN_PORT } from '../../linkerd/proxy-admin.js';
import { counter, fixtureLabels, gauge, minutesOf, scenarioTest, type AlertExpectation, type PromtoolTest, type ScenarioSeries } from '../promtool-tests.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'proxy-resources';
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

const WINDOW = '5m';
const MIB = 1024 * 1024;
const CORES_UNIT = 'suffix: cores';
const TOP_K = 10;

type Severity = 'page' | 'ticket';
type Resource = 'cpu' | 'memory';
type ProxyResourcesConfig = Config['slos']['proxyResources'];

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/** An aggregation that leaves out an empty `by ()`. */
function agg(op: AggregateOp, expr: Expr, by: readonly string[], param?: Expr): Expr {
  return aggregate(op, expr, { ...(by.length ? { by } : {}), ...(param ? { param } : {}) });
}

/** `linear(x) = a + b·x` with clean numbers. */
function affine(intercept: number, slope: number, x: Expr): Expr {
  return binary('+', num(cleanNumber(intercept)), mul(num(cleanNumber(slope)), x));
}

/**
 * The kind's config with the Prometheus plan switched off when the configured scrape never scrapes
 * Viz's Prometheus (the chart's PodMonitor from 2.19: catalog.ts controllerTargets): its recordings,
 * alert and panel would stay empty.
 */
function settingsOf(ctx: BuildContext): ProxyResourcesConfig {
  const c = ctx.config.slos.proxyResources;
  const scraped = controllerTargets(ctx.facts, scrapeStyleOf(ctx.config.linkerd.controllerJob)).viz.includes('prometheus');
  return scraped ? c : { ...c, controlPlane: { ...c.controlPlane, prometheus: { ...c.controlPlane.prometheus, enabled: false } } };
}

/** The per-pod budget of one resource, in its unit (cores or bytes), from a per-pod request rate. */
function budgetOf(c: ProxyResourcesConfig, resource: Resource, requests: Expr): Expr {
  const b = c.budget;
  return resource === 'cpu'
    ? affine(b.idleCpuCores, b.cpuCoresPer1kRps / 1000, requests)
    : affine(b.idleMemoryMiB * MIB, (b.memoryMiBPer1kRps * MIB) / 1000, requests);
}

/** Per-pod usage (cores or bytes) back from the recorded budget ratio: ratio × the pod's own budget. */
function usageOf(c: ProxyResourcesConfig, resource: Resource, ratio: Expr, requests: Expr): Expr {
  return binary('*', ratio, budgetOf(c, resource, requests));
}

export const proxyResources: SloKind<typeof configSection> = {
  config: configSection,
  alertLabels: ['resource'],
  id: ID,
  title: 'Proxy and control-plane resources',
  enabled: (config: Config) => config.slos.proxyResources.enabled,
  // While off, the proxies dashboard still answers its questions from the raw proxy metrics.
  standingRows: (ctx) => (ctx.config.slos.proxyResources.enabled ? [] : [rawProxyResourcesRow(ctx)]),

  check(config: Config): ConfigIssue[] {
    const c = config.slos.proxyResources;
    if (!c.enabled) return [];
    const base = ['slos', 'proxyResources'];
    const issues: ConfigIssue[] = [];
    const k = c.kubernetesMetrics;
    if (k.enabled && !k.memoryNearLimit.enabled && !k.cpuThrottled.enabled && !c.highThroughput.enabled) {
      issues.push({ path: [...base, 'kubernetesMetrics', 'enabled'], message: 'no alert uses cAdvisor or kube-state-metrics any more; disable the source instead (enabled: false)' });
    }
    return issues;
  },

  build(ctx: BuildContext): KindOutput {
    const { config, facts } = ctx;
    const c = settingsOf(ctx);
    const extraKeys = Object.keys(config.prometheus.extraMatchers);
    const podKeys = uniq([...extraKeys, 'namespace', 'pod']);
    const extra: Matcher[] = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
    const k8s = c.kubernetesMetrics;
    const cadvisor = (metric: string, more: readonly Matcher[] = []): Selector =>
      withMatchers(selector(metric, [eq('container', PROXY_CONTAINER), ...more, ...Object.entries(k8s.cadvisorMatchers).map(([k, v]) => eq(k, v))]), extra);
    const ksmSelector = (metric: string, more: readonly Matcher[] = []): Selector =>
      withMatchers(selector(metric, [eq('container', PROXY_CONTAINER), ...more, ...Object.entries(k8s.kubeStateMetricsMatchers).map(([k, v]) => eq(k, v))]), extra);
    // A regular sidecar or a native one (an init container, the 2.20 default): whichever the pod has.
    const ksm = (family: ContainerFamily, more: readonly Matcher[] = []): Expr => {
      const { sidecar, nativeSidecar } = containerMetrics(family);
      return or(ksmSelector(sidecar, more), ksmSelector(nativeSidecar, more));
    };
    const rec = (record: string, matchers: readonly Matcher[] = []): Selector => ctx.recordedSelector(record, matchers);

    const recordings: RecordingRule[] = [];
    const alerts: AlertingRule[] = [];
    const runbookAlerts = new Set<string>();
    const record = (name: string, expr: Expr): void => {
      recordings.push({ record: name, expr, labels: { ...ctx.ruleLabels } });
    };

    const text = {
      cluster: config.cluster,
      namespace: config.linkerd.namespace,
      version: facts.version,
      proxyJob: config.linkerd.proxyJob,
      controllerJob: config.linkerd.controllerJob,
      metrics: METRIC_NAMES,
      proxyContainer: PROXY_CONTAINER,
    };
    const alert = (
      name: string,
      severity: Severity,
      expr: Expr,
      forDuration: string,
      template: string,
      labels: Record<string, string>,
      extraText: Record<string, unknown>,
    ): void => {
      const context = { ...text, ...extraText, severity, for: normalDuration(forDuration) };
      alerts.push({
        alert: name,
        expr,
        for: normalDuration(forDuration),
        labels: { ...ctx.ruleLabels, ...labels, slo: ID, severity: config.alerting.severities[severity] },
        annotations: annotations(ctx, name, templates.line(`${template}-summary`, context), templates.render(`${template}-description`, context)),
      });
      runbookAlerts.add(name);
    };

    // ---- 1. per pod: request rate, then usage ÷ budget per resource, each recorded once --------------
    // The over-budget alert needs the pod, so the per-pod records are exactly what it reads: the
    // budget ratio of each resource (and the request rate the budgets are made of, which the
    // high-throughput alert reads too). Raw usage per pod is not stored: the ratio is computed once
    // per evaluation, and the alerts, the p99/max aggregates and the usage totals read it.
    const cpuRaw = ctx.proxySelector(PROCESS_METRICS.cpuSeconds);
    const memoryRaw = ctx.proxySelector(PROCESS_METRICS.residentMemory);
    const requestsRaw = ctx.proxySelector(PROXY_METRICS.requests);
    // linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0: idle request_total series are evicted after 10m; a scraped but idle proxy handles 0 RPS,
    // not "unknown" (else its budget, and any over-budget alert, would vanish with its traffic). The
    // scraped proxies are those exporting process_resident_memory_bytes (an instant read, no window).
    const scrapedProxies = mul(num(0), agg('group', memoryRaw, podKeys));
    record(PROXY_RESOURCES_RECORDINGS.requests, binary('or', sum(rate(requestsRaw, WINDOW), podKeys), scrapedProxies, { matching: { on: podKeys } }));
    const requests = rec(PROXY_RESOURCES_RECORDINGS.requests);
    const usage: Record<Resource, Expr> = { cpu: sum(rate(cpuRaw, WINDOW), podKeys), memory: agg('max', memoryRaw, podKeys) };
    const ratioRecord: Record<Resource, string> = { cpu: PROXY_RESOURCES_RECORDINGS.cpuBudgetRatioPerPod, memory: PROXY_RESOURCES_RECORDINGS.memoryBudgetRatioPerPod };
    for (const resource of ['cpu', 'memory'] as const) {
      record(ratioRecord[resource], binary('/', usage[resource], budgetOf(c, resource, requests), { matching: { on: podKeys } }));
    }
    const ratio = (resource: Resource): Selector => rec(ratioRecord[resource]);

    // ---- 2. cluster-level aggregates for dashboards (no pod label) ---------------------------------
    // The usage totals sum the raw gauge/counter again rather than Σ ratio × budget over the records:
    // on the benchmark (bench/RESULTS.md) that derivation is a second 10,000-series join per resource
    // and cost more than this plain aggregation of one sample (memory) or one rate (CPU) per proxy.
    record(PROXY_RESOURCES_RECORDINGS.cpuTotal, agg('sum', rate(cpuRaw, WINDOW), extraKeys));
    record(PROXY_RESOURCES_RECORDINGS.memoryTotal, agg('sum', usage.memory, extraKeys));
    record(PROXY_RESOURCES_RECORDINGS.requestsTotal, agg('sum', requests, extraKeys));
    record(PROXY_RESOURCES_RECORDINGS.pods, agg('count', ratio('memory'), extraKeys));
    const pods = rec(PROXY_RESOURCES_RECORDINGS.pods);
    const line = c.highThroughput.requestsPerSecond;
    record(PROXY_RESOURCES_RECORDINGS.highThroughputPods, binary('or', agg('count', gt(requests, num(line)), extraKeys), mul(num(0), pods), { matching: { on: extraKeys } }));
    for (const resource of ['cpu', 'memory'] as const) {
      const name = resource === 'cpu' ? PROXY_RESOURCES_RECORDINGS.cpuBudgetRatio : PROXY_RESOURCES_RECORDINGS.memoryBudgetRatio;
      record(name('p99'), agg('quantile', ratio(resource), extraKeys, num(0.99)));
      record(name('max'), agg('max', ratio(resource), extraKeys));
    }

    // ---- 3. over budget (ticket) -------------------------------------------------------------------
    const b = c.budget;
    const budgetText = {
      idleCpu: formatNumber(b.idleCpuCores),
      cpuPer1k: formatNumber(b.cpuCoresPer1kRps),
      idleMemory: formatNumber(b.idleMemoryMiB),
      memoryPer1k: formatNumber(b.memoryMiBPer1kRps),
    };
    for (const resource of ['cpu', 'memory'] as const) {
      alert(PROXY_RESOURCES_ALERTS.overBudget, 'ticket', gt(ratio(resource), num(1)), b.for, 'over-budget', { resource }, {
        ...budgetText,
        resource,
        ratioRecord: ratioRecord[resource],
      });
    }

    // ---- 4. high-throughput pods on default resources (needs kube-state-metrics) --------------------
    const h = c.highThroughput;
    if (h.enabled && k8s.enabled) {
      const cpuLimit = agg('max', ksm('resource_limits', [eq('resource', 'cpu')]), podKeys);
      const custom = h.defaultCpuLimitCores === undefined ? cpuLimit : binary('!=', cpuLimit, num(h.defaultCpuLimitCores));
      // The container's info series guards against a kube-state-metrics that does not see the pod at all:
      // then we know nothing about its limits, and must not claim they are the defaults.
      const known = agg('max', ksm('info'), podKeys);
      alert(
        PROXY_RESOURCES_ALERTS.highThroughput,
        'ticket',
        and(binary('unless', gt(requests, num(line)), custom, { matching: { on: podKeys } }), known, { on: podKeys }),
        h.for,
        'high-throughput',
        {},
        { line: formatNumber(line), defaultCpuLimit: h.defaultCpuLimitCores === undefined ? '' : formatNumber(h.defaultCpuLimitCores) },
      );
    }

    // ---- 5. cAdvisor + kube-state-metrics: memory near limit (page), CPU throttled (ticket) ---------
    if (k8s.enabled) {
      const memoryLimitRatio = div(
        agg('max', cadvisor('container_memory_working_set_bytes'), podKeys),
        agg('max', ksm('resource_limits', [eq('resource', 'memory')]), podKeys),
      );
      const throttledRatio = div(
        sum(rate(cadvisor('container_cpu_cfs_throttled_periods_total'), WINDOW), podKeys),
        sum(rate(cadvisor('container_cpu_cfs_periods_total'), WINDOW), podKeys),
      );
      record(PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax, agg('max', memoryLimitRatio, extraKeys));
      record(PROXY_RESOURCES_RECORDINGS.cpuThrottledRatioMax, agg('max', throttledRatio, extraKeys));
      if (k8s.memoryNearLimit.enabled) {
        alert(PROXY_RESOURCES_ALERTS.memoryNearLimit, 'page', gt(memoryLimitRatio, num(k8s.memoryNearLimit.ratio)), k8s.memoryNearLimit.for, 'memory-near-limit', {}, {
          ratio: formatNumber(cleanNumber(k8s.memoryNearLimit.ratio * 100)),
          ksmLimits: containerMetrics('resource_limits').sidecar,
        });
      }
      if (k8s.cpuThrottled.enabled) {
        alert(PROXY_RESOURCES_ALERTS.cpuThrottled, 'ticket', gt(throttledRatio, num(k8s.cpuThrottled.ratio)), k8s.cpuThrottled.for, 'cpu-throttled', {}, {
          ratio: formatNumber(cleanNumber(k8s.cpuThrottled.ratio * 100)),
          window: WINDOW,
        });
      }
    }

    // ---- 6. control plane against its per-node plan -------------------------------------------------
    const cp = c.controlPlane;
    const watched = cp.enabled ? uniq([...cp.containers, ...(cp.prometheus.enabled ? ['prometheus'] : [])]) : [];
    const containerMatcher = re('component', anyOf(watched.length ? watched : cp.containers));
    const cpCpuRaw = ctx.controllerSelector(PROCESS_METRICS.cpuSeconds, [containerMatcher]);
    const cpMemoryRaw = ctx.controllerSelector(PROCESS_METRICS.residentMemory, [containerMatcher]);
    if (cp.enabled) {
      const byInstance = uniq([...extraKeys, 'component', 'instance']);
      record(PROXY_RESOURCES_RECORDINGS.controlPlaneCpu, sum(rate(cpCpuRaw, WINDOW), byInstance));
      record(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory, agg('max', cpMemoryRaw, byInstance));
      const core = re('component', anyOf(cp.containers));
      const byComponent = uniq([...extraKeys, 'component']);
      // Worst-case node: the heaviest replica of every container, all on one node.
      record(PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu, agg('sum', agg('max', rec(PROXY_RESOURCES_RECORDINGS.controlPlaneCpu, [core]), byComponent), extraKeys));
      record(PROXY_RESOURCES_RECORDINGS.controlPlaneNodeMemory, agg('sum', agg('max', rec(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory, [core]), byComponent), extraKeys));
      const planText = {
        containers: cp.containers,
        perNodeCpu: formatNumber(cp.perNodeCpuCores),
        perNodeMemory: formatNumber(cp.perNodeMemoryMiB),
      };
      const plans: Record<Resource, { record: string; plan: number }> = {
        cpu: { record: PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu, plan: cp.perNodeCpuCores },
        memory: { record: PROXY_RESOURCES_RECORDINGS.controlPlaneNodeMemory, plan: cp.perNodeMemoryMiB * MIB },
      };
      for (const resource of ['cpu', 'memory'] as const) {
        alert(PROXY_RESOURCES_ALERTS.controlPlane, 'ticket', gt(rec(plans[resource].record), num(plans[resource].plan)), cp.for, 'control-plane', { component: 'control-plane', resource }, {
          ...planText,
          resource,
        });
      }
      if (cp.prometheus.enabled) {
        const p = cp.prometheus;
        record(
          PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan,
          call('clamp_min', mul(num(p.memoryMiBPerMeshedPod * MIB), rec(PROXY_RESOURCES_RECORDINGS.pods)), num(p.minimumMemoryMiB * MIB)),
        );
        alert(
          PROXY_RESOURCES_ALERTS.controlPlane,
          'ticket',
          binary('>', agg('max', rec(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory, [eq('component', 'prometheus')]), extraKeys), rec(PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan), { matching: { on: extraKeys } }),
          cp.for,
          'prometheus',
          { component: 'prometheus', resource: 'memory' },
          { perPod: formatNumber(p.memoryMiBPerMeshedPod), minimum: formatNumber(p.minimumMemoryMiB), planRecord: PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan },
        );
      }
    }

    const dashboardRows: DashboardRow[] = [{ title: 'Proxy resources', panels: proxyPanels(ctx, rec, extraKeys), dashboard: 'proxies' }];
    // Its control-plane memory recording stands for process_resident_memory_bytes: the mesh's raw memory panel is left out.
    if (cp.enabled) dashboardRows.push({ title: 'Control-plane resources', panels: controlPlanePanels(ctx, rec), dashboard: 'control-plane', shows: [PROCESS_METRICS.residentMemory] });

    const runbooks: Runbook[] = [...runbookAlerts].map((name) => ({ alert: name, markdown: templates.runbook(name, runbookContext(ctx)) }));
    const ruleGroups: RuleGroup[] = [
      { name: PROXY_RESOURCES_RULE_GROUPS.recordings, rules: recordings },
      { name: PROXY_RESOURCES_RULE_GROUPS.alerts, rules: alerts },
    ];
    const unitTests = unitTestsFor(ctx, {
      proxy: { cpu: cpuRaw, memory: memoryRaw, requests: requestsRaw },
      // The generated tests write the shape a default install of this version has.
      ksm: (family, more) => {
        const metrics = containerMetrics(family);
        return ksmSelector(nativeSidecarByDefault(facts) ? metrics.nativeSidecar : metrics.sidecar, more);
      },
      cadvisor,
      controlPlane: { cpu: cpCpuRaw, memory: cpMemoryRaw, watched },
      generated: runbookAlerts,
    });
    return { ruleGroups, dashboardRows, runbooks, unitTests };
  },
};

interface TestInputs {
  readonly proxy: { readonly cpu: Selector; readonly memory: Selector; readonly requests: Selector };
  readonly ksm: (family: ContainerFamily, more?: readonly Matcher[]) => Selector;
  readonly cadvisor: (metric: string, more?: readonly Matcher[]) => Selector;
  readonly controlPlane: { readonly cpu: Selector; readonly memory: Selector; readonly watched: readonly string[] };
  readonly generated: ReadonlySet<string>;
}

/** Namespace of the synthetic pods. */
const TEST_NAMESPACE = 'app';

/** A share of a threshold ratio that lies above it (and above 1 when the ratio is 1). */
const above = (ratio: number): number => ratio + (1.05 - ratio) / 2;

/**
 * The bundle's own promtool tests (out/tests/), built from the rules' own selectors: one scenario in
 * which each alert fires for one pod (and the control plane) while a pod within its budget and limits
 * stays quiet, and one healthy mesh that stays quiet past every `for`.
 */
function unitTestsFor(ctx: BuildContext, t: TestInputs): PromtoolTest[] {
  const { config } = ctx;
  const c = settingsOf(ctx);
  const sev = config.alerting.severities;
  const b = c.budget;
  const k8s = c.kubernetesMetrics;
  const cp = c.controlPlane;
  const filters = { slo: ID };
  const has = (alert: string) => t.generated.has(alert);
  const budget = (rps: number) => ({ cpu: b.idleCpuCores + (b.cpuCoresPer1kRps * rps) / 1000, memory: (b.idleMemoryMiB + (b.memoryMiBPer1kRps * rps) / 1000) * MIB });

  /** A meshed pod's proxy: `rps` requests per second (half each way), at the given shares of its budget. */
  const proxy = (pod: string, rps: number, cpuShare: number, memoryShare: number): ScenarioSeries[] => {
    const more = { namespace: TEST_NAMESPACE, pod, instance: `${pod}:${PROXY_ADMIN_PORT}` };
    const own = budget(rps);
    return [
      { labels: fixtureLabels(t.proxy.cpu, {}, more), values: counter(own.cpu * cpuShare) },
      { labels: fixtureLabels(t.proxy.memory, {}, more), values: gauge(Math.round(own.memory * memoryShare)) },
      ...['inbound', 'outbound'].map((direction) => ({ labels: fixtureLabels(t.proxy.requests, {}, { ...more, direction }), values: counter(rps / 2) })),
    ];
  };
  const podLabels = (pod: string) => ({ namespace: TEST_NAMESPACE, pod });
  const ksmSeries = (family: ContainerFamily, pod: string, value: number, more: readonly Matcher[] = []): ScenarioSeries => ({
    labels: fixtureLabels(t.ksm(family, more), {}, podLabels(pod)),
    values: gauge(value),
  });
  const cadvisorSeries = (metric: string, pod: string, values: ScenarioSeries['values']): ScenarioSeries => ({ labels: fixtureLabels(t.cadvisor(metric), {}, podLabels(pod)), values });

  // rate() over WINDOW reads low until the window is full of samples: rate-based alerts go pending
  // only then, so their checks come `settle` minutes after their `for`.
  const settle = minutesOf(WINDOW) + 2;
  const rps = Math.min(1000, c.highThroughput.requestsPerSecond / 2);
  const busy = c.highThroughput.requestsPerSecond * 1.2;
  const customLimit = (c.highThroughput.defaultCpuLimitCores ?? 1) * 2;
  const memoryLimit = 256 * MIB;
  const firing: ScenarioSeries[] = [];
  const healthy: ScenarioSeries[] = [];
  const checks: AlertExpectation[] = [];
  const story: string[] = [];
  const quietAfter: number[] = [];
  let firingPods = 0;
  let healthyPods = 0;

  // Over budget: one proxy on twice its CPU budget, one on twice its memory budget; one within both.
  const overAt = minutesOf(b.for) + settle;
  firing.push(...proxy('over-cpu', rps, 2, 0.5), ...proxy('over-memory', rps, 0.5, 2), ...proxy('within-budget', rps, 0.5, 0.5));
  healthy.push(...proxy('within-budget', rps, 0.5, 0.5));
  firingPods += 3;
  healthyPods += 1;
  checks.push({
    alert: PROXY_RESOURCES_ALERTS.overBudget,
    filters,
    by: ['pod', 'resource', 'severity'],
    at: overAt,
    rows: [{ pod: 'over-cpu', resource: 'cpu', severity: sev.ticket }, { pod: 'over-memory', resource: 'memory', severity: sev.ticket }],
  });
  story.push(`proxies at ${formatNumber(rps)} RPS on twice their CPU or memory budget ticket, one within it does not`);
  quietAfter.push(overAt);

  if (has(PROXY_RESOURCES_ALERTS.highThroughput)) {
    const info = (pod: string) => ksmSeries('info', pod, 1);
    const custom = ksmSeries('resource_limits', 'busy-custom', customLimit, [eq('resource', 'cpu')]);
    firing.push(...proxy('busy-default', busy, 0.5, 0.5), info('busy-default'), ...proxy('busy-custom', busy, 0.5, 0.5), info('busy-custom'), custom);
    healthy.push(...proxy('busy-custom', busy, 0.5, 0.5), info('busy-custom'), custom);
    firingPods += 2;
    healthyPods += 1;
    const at = minutesOf(c.highThroughput.for) + settle;
    checks.push({ alert: PROXY_RESOURCES_ALERTS.highThroughput, filters, by: ['pod', 'severity'], at, rows: [{ pod: 'busy-default', severity: sev.ticket }] });
    story.push(`a pod at ${formatNumber(busy)} RPS without a proxy CPU limit tickets, one with a ${formatNumber(customLimit)}-core limit does not`);
    quietAfter.push(at);
  }
  if (has(PROXY_RESOURCES_ALERTS.memoryNearLimit)) {
    const r = k8s.memoryNearLimit.ratio;
    const pod = (name: string, share: number) => [
      cadvisorSeries('container_memory_working_set_bytes', name, gauge(Math.round(memoryLimit * share))),
      ksmSeries('resource_limits', name, memoryLimit, [eq('resource', 'memory')]),
    ];
    firing.push(...pod('near-memory-limit', above(r)), ...pod('within-memory-limit', r / 2));
    healthy.push(...pod('within-memory-limit', r / 2));
    const at = minutesOf(k8s.memoryNearLimit.for) + 2;
    checks.push({ alert: PROXY_RESOURCES_ALERTS.memoryNearLimit, filters, by: ['pod', 'severity'], at, rows: [{ pod: 'near-memory-limit', severity: sev.page }] });
    story.push(`a proxy container at ${formatNumber(cleanNumber(above(r) * 100, 4))}% of its memory limit pages`);
    quietAfter.push(at);
  }
  if (has(PROXY_RESOURCES_ALERTS.cpuThrottled)) {
    const r = k8s.cpuThrottled.ratio;
    const pod = (name: string, share: number) => [
      cadvisorSeries('container_cpu_cfs_periods_total', name, counter(10)),
      cadvisorSeries('container_cpu_cfs_throttled_periods_total', name, counter(10 * share)),
    ];
    firing.push(...pod('throttled', above(r)), ...pod('not-throttled', r / 2));
    healthy.push(...pod('not-throttled', r / 2));
    const at = minutesOf(k8s.cpuThrottled.for) + settle;
    checks.push({ alert: PROXY_RESOURCES_ALERTS.cpuThrottled, filters, by: ['pod', 'severity'], at, rows: [{ pod: 'throttled', severity: sev.ticket }] });
    story.push(`a proxy container throttled in ${formatNumber(cleanNumber(above(r) * 100, 4))}% of its CFS periods tickets`);
    quietAfter.push(at);
  }
  if (has(PROXY_RESOURCES_ALERTS.controlPlane)) {
    // One replica per container; the core ones share the per-node plan, Prometheus has its own.
    const core = new Set(cp.containers);
    const cpuShare = cp.perNodeCpuCores / core.size;
    const memoryShare = (cp.perNodeMemoryMiB * MIB) / core.size;
    const prometheusPlan = (pods: number) => Math.max(cp.prometheus.memoryMiBPerMeshedPod * pods, cp.prometheus.minimumMemoryMiB) * MIB;
    const controlPlane = (factor: number, pods: number): ScenarioSeries[] =>
      t.controlPlane.watched.flatMap((component) => {
        const limits = [...(core.has(component) ? [memoryShare] : []), ...(component === 'prometheus' && cp.prometheus.enabled ? [prometheusPlan(pods)] : [])];
        const more = { instance: `${component}-0:9990` };
        return [
          { labels: fixtureLabels(t.controlPlane.cpu, { component }, more), values: counter(core.has(component) ? cpuShare * factor : 0.01) },
          { labels: fixtureLabels(t.controlPlane.memory, { component }, more), values: gauge(Math.round((factor > 1 ? Math.max(...limits) : Math.min(...limits)) * factor)) },
        ];
      });
    firing.push(...controlPlane(2, firingPods));
    healthy.push(...controlPlane(0.25, healthyPods));
    const at = minutesOf(cp.for) + settle;
    const row = (component: string, resource: string) => ({ component, resource, severity: sev.ticket });
    checks.push({
      alert: PROXY_RESOURCES_ALERTS.controlPlane,
      filters,
      by: ['component', 'resource', 'severity'],
      at,
      rows: [row('control-plane', 'cpu'), row('control-plane', 'memory'), ...(cp.prometheus.enabled ? [row('prometheus', 'memory')] : [])],
    });
    story.push(`a control plane at twice its per-node plan${cp.prometheus.enabled ? ' and a Prometheus at twice its memory plan' : ''} ticket`);
    quietAfter.push(at);
  }

  const quietAt = Math.max(...quietAfter);
  return [
    scenarioTest(`Proxy resources: ${story.join('; ')}`, firing, checks),
    scenarioTest(
      `Proxy resources: proxies within budget${k8s.enabled ? ' and limits' : ''}${has(PROXY_RESOURCES_ALERTS.controlPlane) ? ' and a control plane within its plan' : ''} stay quiet past every for (${quietAt}m)`,
      healthy,
      [...t.generated].map((alert) => ({ alert, filters, at: quietAt, rows: [] })),
    ),
  ];
}

function proxyPanels(ctx: BuildContext, rec: (record: string, matchers?: readonly Matcher[]) => Selector, extraKeys: readonly string[]): PanelSpec[] {
  const c = ctx.config.slos.proxyResources;
  const b = c.budget;
  const line = formatNumber(c.highThroughput.requestsPerSecond);
  const pods = rec(PROXY_RESOURCES_RECORDINGS.pods);
  const requestsTotal = rec(PROXY_RESOURCES_RECORDINGS.requestsTotal);
  /** Σ budgets = idle × pods + per-RPS × Σ requests: the sum of every proxy's budget, from two aggregates. */
  const budgetTotal = (resource: Resource): Expr =>
    resource === 'cpu'
      ? binary('+', mul(num(b.idleCpuCores), pods), mul(num(cleanNumber(b.cpuCoresPer1kRps / 1000)), requestsTotal))
      : binary('+', mul(num(cleanNumber(b.idleMemoryMiB * MIB)), pods), mul(num(cleanNumber((b.memoryMiBPer1kRps * MIB) / 1000)), requestsTotal));
  const ratioThresholds = [{ value: null, color: 'green' }, { value: 0.8, color: 'orange' }, { value: 1, color: 'red' }];
  const top = (expr: Expr): Expr => aggregate('topk', expr, { param: num(TOP_K) });
  /** Per-pod usage is not recorded (the budget ratio is): ratio × the pod's own budget, at query time for ten rows. */
  const topUsage = (resource: Resource): Expr =>
    top(usageOf(c, resource, rec(resource === 'cpu' ? PROXY_RESOURCES_RECORDINGS.cpuBudgetRatioPerPod : PROXY_RESOURCES_RECORDINGS.memoryBudgetRatioPerPod), rec(PROXY_RESOURCES_RECORDINGS.requests)));
  const legend = extraKeys.length ? extraKeys.map((k) => `{{${k}}}`).join(' ') + ' ' : '';
  const panels: PanelSpec[] = [
    { title: 'Meshed proxies', description: `Proxies scraped by job ${ctx.config.linkerd.proxyJob} (one per meshed pod).`, type: 'stat', unit: 'none', queries: [{ expr: pods, instant: true }], width: 4 },
    { title: 'Requests through proxies', description: 'Requests per second handled by all proxies, inbound and outbound counted separately: what the proxies carry, not what the applications serve.', type: 'stat', unit: 'reqps', queries: [{ expr: requestsTotal, instant: true }], width: 5 },
    { title: 'Proxy CPU', description: 'CPU cores used by all proxy processes together.', type: 'stat', unit: CORES_UNIT, decimals: 2, queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.cpuTotal), instant: true }], width: 5 },
    { title: 'Proxy memory', description: 'Resident memory of all proxy processes together.', type: 'stat', unit: 'bytes', queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.memoryTotal), instant: true }], width: 5 },
    {
      title: `Pods above ${line} RPS`,
      description: `Pods whose proxy handles more than ${line} requests per second. They need custom proxy resources (config.linkerd.io/proxy-cpu-request, -cpu-limit, -memory-request, -memory-limit); see ${PROXY_RESOURCES_ALERTS.highThroughput}.`,
      type: 'stat',
      unit: 'none',
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.highThroughputPods), instant: true }],
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
      width: 5,
    },
    {
      title: 'Proxy CPU vs budget',
      description: `All proxies' CPU against the sum of their budgets (${formatNumber(b.idleCpuCores)} cores idle + ${formatNumber(b.cpuCoresPer1kRps)} cores per 1,000 RPS each). The total hides single proxies: see the worst-proxy panel.`,
      type: 'timeseries',
      unit: CORES_UNIT,
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.cpuTotal), legend: `${legend}used` }, { expr: budgetTotal('cpu'), legend: `${legend}budget` }],
      width: 12,
    },
    {
      title: 'Proxy memory vs budget',
      description: `All proxies' resident memory against the sum of their budgets (${formatNumber(b.idleMemoryMiB)} MiB idle + ${formatNumber(b.memoryMiBPer1kRps)} MiB per 1,000 RPS each).`,
      type: 'timeseries',
      unit: 'bytes',
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.memoryTotal), legend: `${legend}used` }, { expr: budgetTotal('memory'), legend: `${legend}budget` }],
      width: 12,
    },
    {
      title: 'Usage to budget: worst proxies',
      description: `p99 and maximum over all proxies of usage divided by the proxy's own budget. Above 100% for ${normalDuration(b.for)} opens ${PROXY_RESOURCES_ALERTS.overBudget}.`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: rec(PROXY_RESOURCES_RECORDINGS.cpuBudgetRatio('max')), legend: `${legend}CPU max` },
        { expr: rec(PROXY_RESOURCES_RECORDINGS.cpuBudgetRatio('p99')), legend: `${legend}CPU p99` },
        { expr: rec(PROXY_RESOURCES_RECORDINGS.memoryBudgetRatio('max')), legend: `${legend}memory max` },
        { expr: rec(PROXY_RESOURCES_RECORDINGS.memoryBudgetRatio('p99')), legend: `${legend}memory p99` },
      ],
      thresholds: ratioThresholds,
      width: 12,
    },
    {
      title: 'Request rate through proxies',
      description: 'Requests per second handled by all proxies (inbound + outbound).',
      type: 'timeseries',
      unit: 'reqps',
      queries: [{ expr: requestsTotal, legend: `${legend}requests` }],
      width: 12,
    },
    { title: 'Heaviest proxies: CPU', description: `The ${TOP_K} proxies using the most CPU (cores).`, type: 'table', unit: CORES_UNIT, decimals: 3, queries: [{ expr: topUsage('cpu'), instant: true }], width: 8 },
    { title: 'Heaviest proxies: memory', description: `The ${TOP_K} proxies using the most resident memory.`, type: 'table', unit: 'bytes', queries: [{ expr: topUsage('memory'), instant: true }], width: 8 },
    { title: 'Busiest proxies', description: `The ${TOP_K} proxies handling the most requests per second; above ${line} they need custom resources.`, type: 'table', unit: 'reqps', queries: [{ expr: top(rec(PROXY_RESOURCES_RECORDINGS.requests)), instant: true }], width: 8 },
  ];
  if (c.kubernetesMetrics.enabled) {
    panels.push({
      title: 'Proxy containers: closest to their limits',
      description: `From cAdvisor and kube-state-metrics: the highest working-set-to-memory-limit ratio of any ${PROXY_CONTAINER} container (${PROXY_RESOURCES_ALERTS.memoryNearLimit} pages above ${formatNumber(c.kubernetesMetrics.memoryNearLimit.ratio * 100)}%) and the highest share of CPU-throttled periods (${PROXY_RESOURCES_ALERTS.cpuThrottled} above ${formatNumber(c.kubernetesMetrics.cpuThrottled.ratio * 100)}%).`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: rec(PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax), legend: `${legend}memory / limit` },
        { expr: rec(PROXY_RESOURCES_RECORDINGS.cpuThrottledRatioMax), legend: `${legend}CPU throttled` },
      ],
      max: 1,
      width: 24,
    });
  }
  return panels;
}

function controlPlanePanels(ctx: BuildContext, rec: (record: string, matchers?: readonly Matcher[]) => Selector): PanelSpec[] {
  const cp = settingsOf(ctx).controlPlane;
  const panels: PanelSpec[] = [
    {
      title: 'Control plane vs per-node plan',
      description:
        `The worst case for one node (the heaviest replica of each of ${cp.containers.join(', ')}) against the plan of ` +
        `${formatNumber(cp.perNodeCpuCores)} cores and ${formatNumber(cp.perNodeMemoryMiB)} MiB per node. Above 100% for ${normalDuration(cp.for)} opens ${PROXY_RESOURCES_ALERTS.controlPlane}.`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: div(rec(PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu), num(cp.perNodeCpuCores)), legend: 'CPU' },
        { expr: div(rec(PROXY_RESOURCES_RECORDINGS.controlPlaneNodeMemory), num(cp.perNodeMemoryMiB * MIB)), legend: 'memory' },
      ],
      thresholds: [{ value: null, color: 'green' }, { value: 0.8, color: 'orange' }, { value: 1, color: 'red' }],
      width: 8,
    },
    {
      title: 'Control-plane CPU per container',
      description: `CPU cores of each control-plane container replica (${PROCESS_METRICS.cpuSeconds} of the controller job).`,
      type: 'timeseries',
      unit: CORES_UNIT,
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.controlPlaneCpu), legend: '{{component}} {{instance}}' }],
      width: 8,
    },
    {
      title: 'Control-plane memory per container',
      description: `Resident memory of each control-plane container replica (${PROCESS_METRICS.residentMemory} of the controller job).`,
      type: 'timeseries',
      unit: 'bytes',
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory), legend: '{{component}} {{instance}}' }],
      width: 8,
    },
  ];
  if (cp.prometheus.enabled) {
    panels.push({
      title: 'Prometheus memory vs plan',
      description: `Resident memory of the mesh's Prometheus (controller job, component prometheus) against ${formatNumber(cp.prometheus.memoryMiBPerMeshedPod)} MiB per meshed pod (at least ${formatNumber(cp.prometheus.minimumMemoryMiB)} MiB).`,
      type: 'timeseries',
      unit: 'bytes',
      queries: [
        { expr: rec(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory, [eq('component', 'prometheus')]), legend: 'used {{instance}}' },
        { expr: rec(PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan), legend: 'plan' },
      ],
      width: 24,
    });
  }
  return panels;
}

function runbookContext(ctx: BuildContext): Record<string, unknown> {
  const { config, facts } = ctx;
  const c = settingsOf(ctx);
  const extra = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
  const extraSelector = extra.length ? inline(selector(undefined, extra)) : '';
  /** Ready-made selectors for the runbooks' queries (a template cannot write `…}}}`), written by the PromQL builder. */
  const sel = (...matchers: Matcher[]): string => inline(selector(undefined, [...matchers, ...extra]));
  const placeholders = [eq('namespace', '<namespace>'), eq('pod', '<pod>')];
  const selectors = {
    pod: sel(...placeholders),
    proxyPod: sel(eq('job', config.linkerd.proxyJob), ...placeholders),
    podProxy: sel(...placeholders, eq('container', PROXY_CONTAINER)),
    proxy: sel(eq('container', PROXY_CONTAINER)),
    proxyMemoryLimit: sel(eq('container', PROXY_CONTAINER), eq('resource', 'memory')),
  };
  return {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    version: facts.version,
    proxyJob: config.linkerd.proxyJob,
    controllerJob: config.linkerd.controllerJob,
    metrics: METRIC_NAMES,
    proxyContainer: PROXY_CONTAINER,
    severities: config.alerting.severities,
    alerts: PROXY_RESOURCES_ALERTS,
    record: PROXY_RESOURCES_RECORDINGS,
    extraSelector,
    sel: selectors,
    // kube-state-metrics families of the proxy container: regular sidecar and native sidecar (init container).
    ksm: { limits: containerMetrics('resource_limits'), info: containerMetrics('info') },
    nativeSidecarDefault: nativeSidecarByDefault(facts),
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

