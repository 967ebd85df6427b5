/**
 * The control plane against the runbook's resource plan: 0.5 core and 512 MB per control-plane node.
 * Anti-affinity puts at most one replica of each component on a node, so Σ over containers of the
 * heaviest replica is the worst any node can carry (exact without HA). The mesh's Prometheus (Viz,
 * `prometheus` container of the controller job, linkerd/linkerd2
 * `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18) is planned at
 * ~5 MB per meshed pod. Source: the controllers' own process_cpu_seconds_total and
 * process_resident_memory_bytes (Go and Rust process collectors, one series per container).
 */
import { anyOf, binary, call, div, eq, gt, mul, num, rate, re, sum, type Matcher, type Selector } from '../../promql/ast.js';
import { formatNumber, normalDuration } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { PROCESS_METRICS } from '../../linkerd/metric-names.js';
import type { BuildContext } from '../kind.js';
import { counter, fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import { PROXY_RESOURCES_ALERTS, PROXY_RESOURCES_RECORDINGS } from './names.js';
import { agg, uniq, WINDOW, type ProxyResourcesRules } from './rule-set.js';
import { CORES_UNIT, MIB, type ProxyResourcesConfig, type Resource } from './sizing.js';
import { FILTERS, SETTLE_MINUTES, type ScenarioPart } from './fixtures.js';

/** The containers watched (the planned ones, and Prometheus when its plan is on) and their raw series. */
function controlPlaneSeries(ctx: BuildContext, c: ProxyResourcesConfig): { readonly watched: readonly string[]; readonly cpu: Selector; readonly memory: Selector } {
  const cp = c.controlPlane;
  const watched = cp.enabled ? uniq([...cp.containers, ...(cp.prometheus.enabled ? ['prometheus'] : [])]) : [];
  const containers = re('component', anyOf(watched.length ? watched : cp.containers));
  return {
    watched,
    cpu: ctx.controllerSelector(PROCESS_METRICS.cpuSeconds, [containers]),
    memory: ctx.controllerSelector(PROCESS_METRICS.residentMemory, [containers]),
  };
}

/** The Prometheus plan (per meshed pod, with a floor) and a ticket when its memory exceeds it. */
function prometheusPlanRules(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  const cluster = ctx.clusterLabels;
  const p = c.controlPlane.prometheus;
  const rec = (record: string, matchers: readonly Matcher[] = []): Selector => ctx.recordedSelector(record, matchers);
  rules.record(
    PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan,
    call('clamp_min', mul(num(p.memoryMiBPerMeshedPod * MIB), rec(PROXY_RESOURCES_RECORDINGS.pods)), num(p.minimumMemoryMiB * MIB)),
  );
  const used = agg('max', rec(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory, [eq('component', 'prometheus')]), cluster);
  rules.alert({
    name: PROXY_RESOURCES_ALERTS.controlPlane,
    severity: 'ticket',
    expr: binary('>', used, rec(PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan), { matching: { on: cluster } }),
    for: c.controlPlane.for,
    template: 'prometheus',
    labels: { component: 'prometheus', resource: 'memory' },
    text: { perPod: formatNumber(p.memoryMiBPerMeshedPod), minimum: formatNumber(p.minimumMemoryMiB), planRecord: PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan },
  });
}

/** Per-container and worst-case-node records, a ticket per resource over the per-node plan, and the Prometheus plan. */
export function controlPlaneRules(ctx: BuildContext, c: ProxyResourcesConfig, rules: ProxyResourcesRules): void {
  const cp = c.controlPlane;
  if (!cp.enabled) return;
  const raw = controlPlaneSeries(ctx, c);
  const cluster = ctx.clusterLabels;
  const byInstance = uniq([...cluster, 'component', 'instance']);
  rules.record(PROXY_RESOURCES_RECORDINGS.controlPlaneCpu, sum(rate(raw.cpu, WINDOW), byInstance));
  rules.record(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory, agg('max', raw.memory, byInstance));
  const core = re('component', anyOf(cp.containers));
  const byComponent = uniq([...cluster, 'component']);
  const heaviestReplicas = (record: string) => agg('sum', agg('max', ctx.recordedSelector(record, [core]), byComponent), cluster);
  // Worst-case node: the heaviest replica of every container, all on one node.
  rules.record(PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu, heaviestReplicas(PROXY_RESOURCES_RECORDINGS.controlPlaneCpu));
  rules.record(PROXY_RESOURCES_RECORDINGS.controlPlaneNodeMemory, heaviestReplicas(PROXY_RESOURCES_RECORDINGS.controlPlaneMemory));
  const planText = { containers: cp.containers, perNodeCpu: formatNumber(cp.perNodeCpuCores), perNodeMemory: formatNumber(cp.perNodeMemoryMiB) };
  const plans: Record<Resource, { record: string; plan: number }> = {
    cpu: { record: PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu, plan: cp.perNodeCpuCores },
    memory: { record: PROXY_RESOURCES_RECORDINGS.controlPlaneNodeMemory, plan: cp.perNodeMemoryMiB * MIB },
  };
  for (const resource of ['cpu', 'memory'] as const) {
    rules.alert({
      name: PROXY_RESOURCES_ALERTS.controlPlane,
      severity: 'ticket',
      expr: gt(ctx.recordedSelector(plans[resource].record), num(plans[resource].plan)),
      for: cp.for,
      template: 'control-plane',
      labels: { component: 'control-plane', resource },
      text: { ...planText, resource },
    });
  }
  if (cp.prometheus.enabled) prometheusPlanRules(ctx, c, rules);
}

/** The control-plane dashboard's resources row (none while the plan is off). */
export function controlPlanePanels(ctx: BuildContext, c: ProxyResourcesConfig): PanelSpec[] {
  const cp = c.controlPlane;
  const rec = (record: string, matchers: readonly Matcher[] = []): Selector => ctx.recordedSelector(record, matchers);
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

/**
 * A control plane at twice its per-node plan (and a Prometheus at twice its memory plan) tickets; at a
 * quarter of it, quiet. One replica per container; the core ones share the per-node plan, Prometheus
 * has its own, which grows with the meshed pods of the other parts' fixtures (`proxies`).
 */
export function controlPlaneScenario(ctx: BuildContext, c: ProxyResourcesConfig, proxies: { readonly firing: number; readonly healthy: number }): ScenarioPart {
  const cp = c.controlPlane;
  const raw = controlPlaneSeries(ctx, c);
  const core = new Set(cp.containers);
  const cpuShare = cp.perNodeCpuCores / core.size;
  const memoryShare = (cp.perNodeMemoryMiB * MIB) / core.size;
  const prometheusPlan = (pods: number) => Math.max(cp.prometheus.memoryMiBPerMeshedPod * pods, cp.prometheus.minimumMemoryMiB) * MIB;
  const controlPlane = (factor: number, pods: number): ScenarioSeries[] =>
    raw.watched.flatMap((component) => {
      const limits = [...(core.has(component) ? [memoryShare] : []), ...(component === 'prometheus' && cp.prometheus.enabled ? [prometheusPlan(pods)] : [])];
      const more = { instance: `${component}-0:9990` };
      return [
        { labels: fixtureLabels(raw.cpu, { component }, more), values: counter(core.has(component) ? cpuShare * factor : 0.01) },
        { labels: fixtureLabels(raw.memory, { component }, more), values: gauge(Math.round((factor > 1 ? Math.max(...limits) : Math.min(...limits)) * factor)) },
      ];
    });
  const row = (component: string, resource: string) => ({ component, resource, severity: ctx.config.alerting.severities.ticket });
  return {
    firing: controlPlane(2, proxies.firing),
    healthy: controlPlane(0.25, proxies.healthy),
    check: {
      alert: PROXY_RESOURCES_ALERTS.controlPlane,
      filters: FILTERS,
      by: ['component', 'resource', 'severity'],
      at: minutesOf(cp.for) + SETTLE_MINUTES,
      rows: [row('control-plane', 'cpu'), row('control-plane', 'memory'), ...(cp.prometheus.enabled ? [row('prometheus', 'memory')] : [])],
    },
    story: `a control plane at twice its per-node plan${cp.prometheus.enabled ? ' and a Prometheus at twice its memory plan' : ''} ticket`,
  };
}
