/**
 * The workload SLOs of each request class: its workloads grouped by the label that names them
 * (deployment, statefulset, daemonset, or a label selector), a success-rate and a latency definition
 * for the burn-rate engine (as the class enables them), and the per-workload histogram each group
 * records for the dashboard.
 */
import { groupBy } from '../../collections.js';
import { vector } from '../../promql/ast.js';
import type { RecordingRule } from '../../rules.js';
import type { BuildContext } from '../kind.js';
import { burnRateTemplates, type SliDefinition } from '../burn-rate.js';
import type { Templates } from '../../templates.js';
import type { Component, Member, RequestClass, WorkloadsConfig } from './members.js';
import { makeGroup, RECORD_WORKLOAD, type Group } from './groups.js';
import { histogramRule, latencyInstance } from './latency.js';
import { presenceFixture, successRateInstance } from './success-rate.js';
import { WORKLOAD_ALERTS, WORKLOAD_SLO, type MetricNames } from './names.js';

/** Rule labels of a workload's info series. */
function infoLabels(ctx: BuildContext, m: Member): Record<string, string> {
  return { ...ctx.ruleLabels, ...ctx.config.prometheus.extraMatchers, class: m.class, component: m.component, namespace: m.namespace, [m.component]: m.name };
}

/** 1 per configured workload: the expected set the workload sums are joined with. */
export function workloadInfoRules(ctx: BuildContext, members: readonly Member[]): RecordingRule[] {
  return members.map((m) => ({ record: RECORD_WORKLOAD.info, expr: vector(1), labels: infoLabels(ctx, m) }));
}

/** What one class's SLOs make: burn-rate definitions and the groups' histogram recordings. */
export interface ClassSlos {
  readonly definitions: SliDefinition[];
  readonly histogramRules: RecordingRule[];
}

/** Every class's definitions (success rate, then latency) and histogram rules, in the order classes first appear in the list. */
export function classSlos(
  ctx: BuildContext,
  w: WorkloadsConfig,
  members: readonly Member[],
  common: (cls: string) => Pick<SliDefinition, 'period' | 'labels' | 'budgetPolicy'>,
  metrics: MetricNames,
  templates: Templates,
): ClassSlos {
  const out: ClassSlos = { definitions: [], histogramRules: [] };
  for (const [clsName, clsMembers] of groupBy(members, (m) => m.class)) {
    const cls: RequestClass = w.classes[clsName]!;
    const groups = [...groupBy(clsMembers, (m) => m.component)].map(([component, ms]) => makeGroup(ctx, clsName, component as Component, ms));
    const shared = { ...common(clsName), absentAlert: WORKLOAD_ALERTS.absent, templates: burnRateTemplates(templates) };
    const text = { class: clsName, proxyJob: ctx.config.linkerd.proxyJob, metrics };
    if (cls.successRate.enabled) {
      out.definitions.push({
        ...shared,
        slo: WORKLOAD_SLO.successRate,
        sli: 'server',
        title: `Workload success rate (${clsName})`,
        objective: cls.successRate.objective,
        instances: groups.map((g) => successRateInstance(g, true)),
        burnAlert: WORKLOAD_ALERTS.burn,
        textContext: { ...text, sliName: 'success-rate', latency: false, thresholdMs: 0 },
      });
    }
    if (cls.latency.enabled) out.definitions.push(latencyDefinition(ctx, cls, clsName, groups, shared, text));
    out.histogramRules.push(...groups.map((g) => histogramRule(ctx, g, clsName)));
  }
  return out;
}

function latencyDefinition(
  ctx: BuildContext,
  cls: RequestClass,
  clsName: string,
  groups: readonly Group[],
  shared: Pick<SliDefinition, 'period' | 'labels' | 'budgetPolicy' | 'absentAlert' | 'templates'>,
  text: Readonly<Record<string, unknown>>,
): SliDefinition {
  const thresholdMs = cls.latency.thresholdMs;
  // Without a success-rate SLO, the blind-workload ticket comes from here.
  const absence = (g: Group) => (cls.successRate.enabled ? undefined : { missing: g.missing, fixture: presenceFixture(g) });
  return {
    ...shared,
    slo: WORKLOAD_SLO.latency,
    sli: 'server',
    title: `Workload latency (${clsName}, ${thresholdMs} ms)`,
    objective: cls.latency.objective,
    instances: groups.map((g) => latencyInstance(ctx, g, thresholdMs, absence(g))),
    burnAlert: WORKLOAD_ALERTS.latencyBurn,
    textContext: { ...text, sliName: 'latency', latency: true, thresholdMs },
  };
}
