/**
 * Proxy and control-plane resources against the runbook's sizing rules. Not a ratio SLO: tickets
 * (and one page) on recorded usage. One file per source the kind reads, each with its rules, panels
 * and promtool fixtures:
 *
 *  - proxy-budget.ts: the proxies' own process_* metrics and request rate against the per-proxy
 *    budget (sizing.ts: idle + per-1k-RPS × the proxy's own request rate);
 *  - kubernetes-metrics.ts (optional): kube-state-metrics and cAdvisor on the proxy container:
 *    high-throughput pods on default resources, memory near the limit, CFS throttling;
 *  - control-plane-plan.ts: the control plane against its per-node plan, the mesh's Prometheus
 *    against its per-pod plan.
 *
 * This file assembles them into the SloKind: rule groups, dashboard rows, runbooks and the bundle's
 * two promtool scenarios.
 */
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { DashboardRow } from '../../dashboard-model.js';
import type { RuleGroup } from '../../rules.js';
import { PROCESS_METRICS } from '../../linkerd/metric-names.js';
import type { BuildContext, KindOutput, SloKind } from '../kind.js';
import { scenarioTest, type PromtoolTest } from '../promtool-tests.js';
import { configSection } from './config.js';
import { rawProxyResourcesRow } from './panels.js';
import { PROXY_RESOURCES_ALERTS, PROXY_RESOURCES_ID, PROXY_RESOURCES_RULE_GROUPS } from './names.js';
import { proxyResourcesRules, templates } from './rule-set.js';
import { settingsOf, type ProxyResourcesConfig } from './sizing.js';
import { overBudgetScenario, proxyBudgetPanels, proxyBudgetRules } from './proxy-budget.js';
import { cpuThrottledScenario, highThroughputScenario, kubernetesMetricsPanels, kubernetesMetricsRules, memoryNearLimitScenario } from './kubernetes-metrics.js';
import { controlPlanePanels, controlPlaneRules, controlPlaneScenario } from './control-plane-plan.js';
import { runbookContext } from './runbook-context.js';
import { FILTERS, type ScenarioPart } from './fixtures.js';

export const proxyResources: SloKind<typeof configSection> = {
  config: configSection,
  alertLabels: ['resource'],
  id: PROXY_RESOURCES_ID,
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
    const c = settingsOf(ctx);
    // The order of the calls is the order of the rules: the kubernetes and control-plane rules read
    // the proxies' per-pod request rate and pod count.
    const rules = proxyResourcesRules(ctx);
    proxyBudgetRules(ctx, c, rules);
    kubernetesMetricsRules(ctx, c, rules);
    controlPlaneRules(ctx, c, rules);

    const dashboardRows: DashboardRow[] = [{ title: 'Proxy resources', panels: [...proxyBudgetPanels(ctx, c), ...kubernetesMetricsPanels(ctx, c)], dashboard: 'proxies' }];
    // Its control-plane memory recording stands for process_resident_memory_bytes: the mesh's raw memory panel is left out.
    if (c.controlPlane.enabled) dashboardRows.push({ title: 'Control-plane resources', panels: controlPlanePanels(ctx, c), dashboard: 'control-plane', shows: [PROCESS_METRICS.residentMemory] });

    const ruleGroups: RuleGroup[] = [
      { name: PROXY_RESOURCES_RULE_GROUPS.recordings, rules: rules.recordings },
      { name: PROXY_RESOURCES_RULE_GROUPS.alerts, rules: rules.alerts },
    ];
    const runbooks = [...rules.generated].map((name) => ({ alert: name, markdown: templates.runbook(name, runbookContext(ctx, c)) }));
    return { ruleGroups, dashboardRows, runbooks, unitTests: promtoolTests(ctx, c, rules.generated) };
  },
};

/**
 * The bundle's own promtool tests (out/tests/), built from the rules' own selectors: one scenario in
 * which each alert fires for one pod (and the control plane) while a pod within its budget and limits
 * stays quiet, and one healthy mesh that stays quiet past every `for`.
 */
function promtoolTests(ctx: BuildContext, c: ProxyResourcesConfig, generated: ReadonlySet<string>): PromtoolTest[] {
  const has = (alert: string) => generated.has(alert);
  const parts: ScenarioPart[] = [
    overBudgetScenario(ctx, c),
    ...(has(PROXY_RESOURCES_ALERTS.highThroughput) ? [highThroughputScenario(ctx, c)] : []),
    ...(has(PROXY_RESOURCES_ALERTS.memoryNearLimit) ? [memoryNearLimitScenario(ctx, c)] : []),
    ...(has(PROXY_RESOURCES_ALERTS.cpuThrottled) ? [cpuThrottledScenario(ctx, c)] : []),
  ];
  if (has(PROXY_RESOURCES_ALERTS.controlPlane)) {
    const proxies = (scenario: 'firing' | 'healthy') => parts.reduce((n, p) => n + (p.proxies?.[scenario] ?? 0), 0);
    parts.push(controlPlaneScenario(ctx, c, { firing: proxies('firing'), healthy: proxies('healthy') }));
  }
  const quietAt = Math.max(...parts.map((p) => p.check.at));
  return [
    scenarioTest(`Proxy resources: ${parts.map((p) => p.story).join('; ')}`, parts.flatMap((p) => p.firing), parts.map((p) => p.check)),
    scenarioTest(
      `Proxy resources: proxies within budget${c.kubernetesMetrics.enabled ? ' and limits' : ''}${has(PROXY_RESOURCES_ALERTS.controlPlane) ? ' and a control plane within its plan' : ''} stay quiet past every for (${quietAt}m)`,
      parts.flatMap((p) => p.healthy),
      [...generated].map((alert) => ({ alert, filters: FILTERS, at: quietAt, rows: [] })),
    ),
  ];
}
