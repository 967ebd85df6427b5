/**
 * The burn-rate engine's alerts for one SLI definition (src/slo/burn-rate.ts): one multiwindow
 * burn-rate alert per window pair (with the low-traffic guard), the budget-exhausted ticket, one
 * metrics-absent ticket per instance that can go blind, and the promtool scenario that proves the
 * fastest page.
 */
import { absent, allOf, binary, div, eq, gt, gte, mul, num, withMatchers, type Expr } from '../promql/ast.js';
import { cleanNumber, formatDuration, formatNumber, parseDuration } from '../promql/number.js';
import type { AlertingRule } from '../rules.js';
import type { BuildContext } from './kind.js';
import { burnRateTest, type PromtoolTest } from './promtool-tests.js';
import { SLI_RECORDINGS } from './series.js';
import { budgetPolicy, budgetSentence, exhaustedAlert, exhaustedAlertName, type BudgetSummary } from '../budget/policy.js';
import { burnRateFactor, isLocal, type AlertWindow } from './burn-rate-windows.js';
import type { BurnRateScope } from './burn-rate.js';

export function annotations(ctx: BuildContext, alert: string, summary: string, description: string): Record<string, string> {
  const out: Record<string, string> = { summary, description, runbook_url: ctx.runbookUrl(alert) };
  if (ctx.dashboardUrl) out.dashboard_url = ctx.dashboardUrl;
  return out;
}

/** The burn-rate alerts, then the budget-exhausted ticket, then the metrics-absent tickets. */
export function alertsFor(scope: BurnRateScope, budget: BudgetSummary): AlertingRule[] {
  return [...scope.ctx.config.alerting.windows.map((w) => burnAlert(scope, w)), exhaustedTicket(scope, budget), ...absentAlerts(scope)];
}

/** The budget-exhausted ticket of this definition and its policy, for the alert and the runbook. */
export function budgetSummary(scope: BurnRateScope): BudgetSummary {
  const { def } = scope;
  return {
    alert: exhaustedAlertName(def.burnAlert),
    burnAlert: def.burnAlert,
    title: def.title,
    objective: def.objective,
    period: scope.period,
    policy: budgetPolicy(scope.ctx.config, def.budgetPolicy),
  };
}

/** Grouped instances alert for many members per rule: inhibition must keep members apart. */
function memberLabels(scope: BurnRateScope): string[] {
  return [...new Set(scope.def.instances.flatMap((i) => i.groupBy ?? []))];
}

/** Every label that tells one SLI series from another: the budget queries of the annotations match on them. */
function seriesIdentity(scope: BurnRateScope): string[] {
  return ['slo', 'sli', 'component', ...Object.keys(scope.def.labels ?? {}), ...memberLabels(scope), ...scope.ctx.clusterLabels];
}

const severityName = (scope: BurnRateScope, s: 'page' | 'ticket') => scope.ctx.config.alerting.severities[s];

function formatHours(seconds: number): string {
  const hours = seconds / 3600;
  return hours >= 48 ? `${formatNumber(cleanNumber(hours / 24, 3))} days` : `${formatNumber(cleanNumber(hours, 3))} hours`;
}

/** `burn rate over long > factor and over short > factor`, and enough requests over the long window. */
function burnAlert(scope: BurnRateScope, w: AlertWindow): AlertingRule {
  const { ctx, def, period, budget, recorded } = scope;
  const { config } = ctx;
  const long = formatDuration(parseDuration(w.long));
  const short = formatDuration(parseDuration(w.short));
  const factor = burnRateFactor(w, period);
  const burn = (win: string) => gt(div(recorded(SLI_RECORDINGS.errorRatio(win)), num(budget)), num(factor));
  const clauses: Expr[] = [burn(long), burn(short)];
  if (config.alerting.lowTraffic.minRequests > 0) {
    clauses.push(gte(mul(recorded(SLI_RECORDINGS.requestsOver(long)), num(parseDuration(long))), num(config.alerting.lowTraffic.minRequests)));
  }
  const text = {
    ...def.textContext,
    cluster: config.cluster,
    title: def.title,
    objective: formatNumber(def.objective),
    period,
    long,
    short,
    factor: formatNumber(factor),
    budgetConsumed: formatNumber(w.budgetConsumed),
    severity: w.severity,
    minRequests: config.alerting.lowTraffic.minRequests,
    exhaustion: formatHours(parseDuration(period) / factor),
  };
  const identity = memberLabels(scope);
  return {
    alert: def.burnAlert,
    expr: allOf(clauses[0]!, ...clauses.slice(1)),
    ...(w.for ? { for: w.for } : {}),
    ...(w.keepFiringFor ? { keepFiringFor: w.keepFiringFor } : {}),
    labels: { ...ctx.ruleLabels, ...scope.baseLabels, severity: severityName(scope, w.severity), long, short },
    annotations: annotations(
      ctx,
      def.burnAlert,
      def.templates.source.line(def.templates.summary, text),
      `${def.templates.source.render(def.templates.description, text)}\n${budgetSentence(seriesIdentity(scope), period, budget, long)}`,
    ),
    ...(identity.length ? { inhibitEqual: identity } : {}),
    ...(isLocal(long) ? {} : { placement: 'global' as const }),
  };
}

/**
 * The budget is spent (remaining ≤ 0 over the period), with the low-traffic guard over the longest
 * alert window: a handful of requests (a new workload's first hour) can spend a budget on paper, and
 * a freeze over them would be noise.
 */
function exhaustedTicket(scope: BurnRateScope, summary: BudgetSummary): AlertingRule {
  const { ctx, period, recorded } = scope;
  const { minRequests } = ctx.config.alerting.lowTraffic;
  const byLength = [...scope.longWindows].sort((a, b) => parseDuration(a) - parseDuration(b));
  const spent: Expr = binary('<=', withMatchers(recorded(SLI_RECORDINGS.budgetRemaining), [eq('period', period)]), num(0));
  const longest = byLength[byLength.length - 1]!;
  const guarded = minRequests > 0
    ? binary('and', spent, gte(mul(recorded(SLI_RECORDINGS.requestsOver(longest)), num(parseDuration(longest))), num(minRequests)), { matching: { ignoring: ['period'] } })
    : spent;
  return {
    ...exhaustedAlert(ctx, summary, guarded, { ...ctx.ruleLabels, ...scope.baseLabels }, seriesIdentity(scope), byLength[0]!),
    ...(isLocal(period) ? {} : { placement: 'global' as const }),
  };
}

/** A ticket per instance whose SLI can go blind: every member missing (grouped), or its presence series absent. */
function absentAlerts(scope: BurnRateScope): AlertingRule[] {
  const { ctx, def } = scope;
  const { config } = ctx;
  return def.instances.flatMap((inst) => {
    const blind = inst.missing ?? (inst.presence ? absent(inst.presence) : undefined);
    if (!blind) return [];
    const text = { ...def.textContext, cluster: config.cluster, title: def.title, component: inst.component, absentFor: config.alerting.absentFor };
    return [{
      alert: def.absentAlert,
      expr: blind,
      for: config.alerting.absentFor,
      labels: { ...ctx.ruleLabels, ...scope.baseLabels, component: inst.component, severity: severityName(scope, 'ticket') },
      annotations: annotations(ctx, def.absentAlert, def.templates.source.line(def.templates.absentSummary, text), def.templates.source.render(def.templates.absentDescription, text)),
    }];
  });
}

/**
 * The generated promtool test (out/tests/): healthy traffic stays quiet, and a full outage of the
 * first instance with a fixture fires the fastest page (the shortest long window; the shortest window
 * of any severity when none pages) for that instance alone. None when no instance has a fixture.
 */
export function unitTestsFor(scope: BurnRateScope): PromtoolTest[] {
  const { def, period } = scope;
  const { config } = scope.ctx;
  const withFixture = def.instances.filter((i) => i.fixture?.length);
  if (withFixture.length === 0) return [];
  const byLong = [...config.alerting.windows].sort((a, b) => parseDuration(a.long) - parseDuration(b.long));
  const chosen = byLong.find((w) => w.severity === 'page') ?? byLong[0]!;
  const window = { ...chosen, long: formatDuration(parseDuration(chosen.long)), short: formatDuration(parseDuration(chosen.short)) };
  return [
    burnRateTest(config, {
      name: def.title,
      slo: def.slo,
      sli: def.sli,
      ...(def.labels ? { labels: def.labels } : {}),
      objective: def.objective,
      burnAlert: def.burnAlert,
      absentAlert: def.absentAlert,
      window,
      factor: burnRateFactor(chosen, period),
      components: withFixture.map((i) => ({ component: i.component, series: i.fixture! })),
    }),
  ];
}
