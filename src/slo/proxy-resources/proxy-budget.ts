/**
 * The proxies' own metrics against the runbook's per-proxy budget (sizing.ts). Usage is the proxy
 * process' own process_cpu_seconds_total / process_resident_memory_bytes (job linkerd-proxy;
 * linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`, kubert-prometheus-process from 2.18); the
 * request rate is request_total of both directions (linkerd/linkerd2-proxy
 * `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0): each request is counted once per
 * direction by the proxy that handles it, so inbound + outbound of a pod's proxy is exactly what that
 * proxy carries.
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
import { aggregate, binary, gt, mul, num, rate, sum, type Expr, type Selector } from '../../promql/ast.js';
import { cleanNumber, formatNumber, normalDuration } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { PROCESS_METRICS, PROXY_METRICS } from '../../linkerd/metric-names.js';
import { PROXY_ADMIN_PORT } from '../../linkerd/proxy-admin.js';
import type { BuildContext } from '../kind.js';
import { legendPrefix } from '../panel-queries.js';
import { counter, fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import { PROXY_RESOURCES_ALERTS, PROXY_RESOURCES_RECORDINGS } from './names.js';
import { agg, podKeys, WINDOW, type ProxyResourcesRules } from './rule-set.js';
import { budgetOf, CORES_UNIT, MIB, usageOf, type ProxyResourcesConfig, type Resource } from './sizing.js';
import { FILTERS, SETTLE_MINUTES, TEST_NAMESPACE, type ScenarioPart } from './fixtures.js';

const TOP_K = 10;

/** The per-pod budget ratio record of each resource. */
const RATIO_RECORD: Record<Resource, string> = { cpu: PROXY_RESOURCES_RECORDINGS.cpuBudgetRatioPerPod, memory: PROXY_RESOURCES_RECORDINGS.memoryBudgetRatioPerPod };

/** The proxies' raw series: the rules read them, the fixtures write them. */
function proxySeries(ctx: BuildContext): { readonly cpu: Selector; readonly memory: Selector; readonly requests: Selector } {
  return {
    cpu: ctx.proxySelector(PROCESS_METRICS.cpuSeconds),
    memory: ctx.proxySelector(PROCESS_METRICS.residentMemory),
    requests: ctx.proxySelector(PROXY_METRICS.requests),
  };
}

/**
 * Per pod: the request rate, then usage ÷ budget per resource, each recorded once. The over-budget
 * alert needs the pod, so the per-pod records are exactly what it reads: the budget ratio of each
 * resource (and the request rate the budgets are made of, which the high-throughput alert reads too).
 */
function perPodRecords(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  const raw = proxySeries(ctx);
  const perPod = podKeys(ctx);
  // linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0: idle request_total series are evicted after 10m; a scraped but idle proxy handles 0 RPS,
  // not "unknown" (else its budget, and any over-budget alert, would vanish with its traffic). The
  // scraped proxies are those exporting process_resident_memory_bytes (an instant read, no window).
  const scrapedProxies = mul(num(0), agg('group', raw.memory, perPod));
  rules.record(PROXY_RESOURCES_RECORDINGS.requests, binary('or', sum(rate(raw.requests, WINDOW), perPod), scrapedProxies, { matching: { on: perPod } }));
  const requests = ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.requests);
  const usage: Record<Resource, Expr> = { cpu: sum(rate(raw.cpu, WINDOW), perPod), memory: agg('max', raw.memory, perPod) };
  for (const resource of ['cpu', 'memory'] as const) {
    rules.record(RATIO_RECORD[resource], binary('/', usage[resource], budgetOf(c, resource, requests), { matching: { on: perPod } }));
  }
}

/**
 * Cluster-level aggregates for dashboards (no pod label). The usage totals sum the raw gauge/counter
 * again rather than Σ ratio × budget over the records: on the benchmark (bench/RESULTS.md) that
 * derivation is a second 10,000-series join per resource and cost more than this plain aggregation
 * of one sample (memory) or one rate (CPU) per proxy.
 */
function clusterRecords(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  const raw = proxySeries(ctx);
  const cluster = ctx.clusterLabels;
  const rec = (record: string): Selector => ctx.recordedSelector(record);
  const requests = rec(PROXY_RESOURCES_RECORDINGS.requests);
  rules.record(PROXY_RESOURCES_RECORDINGS.cpuTotal, agg('sum', rate(raw.cpu, WINDOW), cluster));
  rules.record(PROXY_RESOURCES_RECORDINGS.memoryTotal, agg('sum', agg('max', raw.memory, podKeys(ctx)), cluster));
  rules.record(PROXY_RESOURCES_RECORDINGS.requestsTotal, agg('sum', requests, cluster));
  rules.record(PROXY_RESOURCES_RECORDINGS.pods, agg('count', rec(RATIO_RECORD.memory), cluster));
  const pods = rec(PROXY_RESOURCES_RECORDINGS.pods);
  const line = num(c.highThroughput.requestsPerSecond);
  rules.record(PROXY_RESOURCES_RECORDINGS.highThroughputPods, binary('or', agg('count', gt(requests, line), cluster), mul(num(0), pods), { matching: { on: cluster } }));
  for (const resource of ['cpu', 'memory'] as const) {
    const name = resource === 'cpu' ? PROXY_RESOURCES_RECORDINGS.cpuBudgetRatio : PROXY_RESOURCES_RECORDINGS.memoryBudgetRatio;
    rules.record(name('p99'), agg('quantile', rec(RATIO_RECORD[resource]), cluster, num(0.99)));
    rules.record(name('max'), agg('max', rec(RATIO_RECORD[resource]), cluster));
  }
}

/** The proxies' records, and a ticket for a proxy over its budget in either resource. */
export function proxyBudgetRules(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  perPodRecords(ctx, c, rules);
  clusterRecords(ctx, c, rules);
  const b = c.budget;
  const budgetText = {
    idleCpu: formatNumber(b.idleCpuCores),
    cpuPer1k: formatNumber(b.cpuCoresPer1kRps),
    idleMemory: formatNumber(b.idleMemoryMiB),
    memoryPer1k: formatNumber(b.memoryMiBPer1kRps),
  };
  for (const resource of ['cpu', 'memory'] as const) {
    rules.alert({
      name: PROXY_RESOURCES_ALERTS.overBudget,
      severity: 'ticket',
      expr: gt(ctx.recordedSelector(RATIO_RECORD[resource]), num(1)),
      for: b.for,
      template: 'over-budget',
      labels: { resource },
      text: { ...budgetText, resource, ratioRecord: RATIO_RECORD[resource] },
    });
  }
}

/** Σ budgets = idle × pods + per-RPS × Σ requests: the sum of every proxy's budget, from two aggregates. */
function budgetTotal(ctx: BuildContext, c: ProxyResourcesConfig, resource: Resource): Expr {
  const b = c.budget;
  const pods = ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.pods);
  const requestsTotal = ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.requestsTotal);
  return resource === 'cpu'
    ? binary('+', mul(num(b.idleCpuCores), pods), mul(num(cleanNumber(b.cpuCoresPer1kRps / 1000)), requestsTotal))
    : binary('+', mul(num(cleanNumber(b.idleMemoryMiB * MIB)), pods), mul(num(cleanNumber((b.memoryMiBPer1kRps * MIB) / 1000)), requestsTotal));
}

const top = (expr: Expr): Expr => aggregate('topk', expr, { param: num(TOP_K) });

/** Per-pod usage is not recorded (the budget ratio is): ratio × the pod's own budget, at query time for ten rows. */
function topUsage(ctx: BuildContext, c: ProxyResourcesConfig, resource: Resource): Expr {
  return top(usageOf(c, resource, ctx.recordedSelector(RATIO_RECORD[resource]), ctx.recordedSelector(PROXY_RESOURCES_RECORDINGS.requests)));
}

/** The stat tiles over the proxies dashboard's resources row. */
function proxyTotalsPanels(ctx: BuildContext, c: ProxyResourcesConfig): PanelSpec[] {
  const rec = (record: string): Selector => ctx.recordedSelector(record);
  const line = formatNumber(c.highThroughput.requestsPerSecond);
  return [
    { title: 'Meshed proxies', description: `Proxies scraped by job ${ctx.config.linkerd.proxyJob} (one per meshed pod).`, type: 'stat', unit: 'none', queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.pods), instant: true }], width: 4 },
    { title: 'Requests through proxies', description: 'Requests per second handled by all proxies, inbound and outbound counted separately: what the proxies carry, not what the applications serve.', type: 'stat', unit: 'reqps', queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.requestsTotal), instant: true }], width: 5 },
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
  ];
}

/** Usage against the budgets over time, then the heaviest and busiest proxies. */
function proxyBudgetTrendPanels(ctx: BuildContext, c: ProxyResourcesConfig): PanelSpec[] {
  const b = c.budget;
  const rec = (record: string): Selector => ctx.recordedSelector(record);
  const legend = legendPrefix(ctx);
  const line = formatNumber(c.highThroughput.requestsPerSecond);
  const ratioThresholds = [{ value: null, color: 'green' }, { value: 0.8, color: 'orange' }, { value: 1, color: 'red' }];
  return [
    {
      title: 'Proxy CPU vs budget',
      description: `All proxies' CPU against the sum of their budgets (${formatNumber(b.idleCpuCores)} cores idle + ${formatNumber(b.cpuCoresPer1kRps)} cores per 1,000 RPS each). The total hides single proxies: see the worst-proxy panel.`,
      type: 'timeseries',
      unit: CORES_UNIT,
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.cpuTotal), legend: `${legend}used` }, { expr: budgetTotal(ctx, c, 'cpu'), legend: `${legend}budget` }],
      width: 12,
    },
    {
      title: 'Proxy memory vs budget',
      description: `All proxies' resident memory against the sum of their budgets (${formatNumber(b.idleMemoryMiB)} MiB idle + ${formatNumber(b.memoryMiBPer1kRps)} MiB per 1,000 RPS each).`,
      type: 'timeseries',
      unit: 'bytes',
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.memoryTotal), legend: `${legend}used` }, { expr: budgetTotal(ctx, c, 'memory'), legend: `${legend}budget` }],
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
      queries: [{ expr: rec(PROXY_RESOURCES_RECORDINGS.requestsTotal), legend: `${legend}requests` }],
      width: 12,
    },
    { title: 'Heaviest proxies: CPU', description: `The ${TOP_K} proxies using the most CPU (cores).`, type: 'table', unit: CORES_UNIT, decimals: 3, queries: [{ expr: topUsage(ctx, c, 'cpu'), instant: true }], width: 8 },
    { title: 'Heaviest proxies: memory', description: `The ${TOP_K} proxies using the most resident memory.`, type: 'table', unit: 'bytes', queries: [{ expr: topUsage(ctx, c, 'memory'), instant: true }], width: 8 },
    { title: 'Busiest proxies', description: `The ${TOP_K} proxies handling the most requests per second; above ${line} they need custom resources.`, type: 'table', unit: 'reqps', queries: [{ expr: top(rec(PROXY_RESOURCES_RECORDINGS.requests)), instant: true }], width: 8 },
  ];
}

/** The proxies dashboard's resources row, as far as the proxies' own metrics answer it. */
export function proxyBudgetPanels(ctx: BuildContext, c: ProxyResourcesConfig): PanelSpec[] {
  return [...proxyTotalsPanels(ctx, c), ...proxyBudgetTrendPanels(ctx, c)];
}

/**
 * A meshed pod's proxy for the promtool fixtures: `rps` requests per second (half each way), at the
 * given shares of its budget; scraped on the proxy admin port like a real one.
 */
export function proxyFixture(ctx: BuildContext, c: ProxyResourcesConfig, pod: string, rps: number, cpuShare: number, memoryShare: number): ScenarioSeries[] {
  const raw = proxySeries(ctx);
  const b = c.budget;
  const more = { namespace: TEST_NAMESPACE, pod, instance: `${pod}:${PROXY_ADMIN_PORT}` };
  const own = { cpu: b.idleCpuCores + (b.cpuCoresPer1kRps * rps) / 1000, memory: (b.idleMemoryMiB + (b.memoryMiBPer1kRps * rps) / 1000) * MIB };
  return [
    { labels: fixtureLabels(raw.cpu, {}, more), values: counter(own.cpu * cpuShare) },
    { labels: fixtureLabels(raw.memory, {}, more), values: gauge(Math.round(own.memory * memoryShare)) },
    ...['inbound', 'outbound'].map((direction) => ({ labels: fixtureLabels(raw.requests, {}, { ...more, direction }), values: counter(rps / 2) })),
  ];
}

/** Over budget: one proxy on twice its CPU budget, one on twice its memory budget; one within both. */
export function overBudgetScenario(ctx: BuildContext, c: ProxyResourcesConfig): ScenarioPart {
  const sev = ctx.config.alerting.severities;
  const rps = Math.min(1000, c.highThroughput.requestsPerSecond / 2);
  const proxy = (pod: string, cpuShare: number, memoryShare: number) => proxyFixture(ctx, c, pod, rps, cpuShare, memoryShare);
  return {
    firing: [...proxy('over-cpu', 2, 0.5), ...proxy('over-memory', 0.5, 2), ...proxy('within-budget', 0.5, 0.5)],
    healthy: proxy('within-budget', 0.5, 0.5),
    proxies: { firing: 3, healthy: 1 },
    check: {
      alert: PROXY_RESOURCES_ALERTS.overBudget,
      filters: FILTERS,
      by: ['pod', 'resource', 'severity'],
      at: minutesOf(c.budget.for) + SETTLE_MINUTES,
      rows: [{ pod: 'over-cpu', resource: 'cpu', severity: sev.ticket }, { pod: 'over-memory', resource: 'memory', severity: sev.ticket }],
    },
    story: `proxies at ${formatNumber(rps)} RPS on twice their CPU or memory budget ticket, one within it does not`,
  };
}
