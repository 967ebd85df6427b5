/**
 * The error-budget policy of every ratio SLO, built once for all kinds by the burn-rate engine:
 *
 * - a ticket, <Burn alert with "Burn" replaced by "Exhausted"> (e.g.
 *   LinkerdControlPlaneErrorBudgetExhausted), while an SLO's budget over its period is spent
 *   (linkerd_slo:error_budget_remaining:ratio <= 0). It stays while the budget stays spent and
 *   resolves when enough old errors have left the rolling period;
 * - the budget left and the time to exhaustion at the alert's burn rate in the burn-rate alerts'
 *   descriptions (Prometheus `query` templates, label values quoted with %q, nothing from the config);
 * - the runbook page of the ticket with each SLO's policy (what to freeze, who decides), config text
 *   made inert Markdown.
 *
 * Inhibition: a page of the same SLI (same slo, sli, component and identity labels) inhibits the
 * ticket. During an incident the on-call works the page; the ticket's action (freeze changes) is for
 * after it, and Alertmanager notifies the still-firing ticket as soon as the page resolves.
 */
import type { Expr } from '../promql/ast.js';
import { cleanNumber, formatNumber, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import type { AlertingRule } from '../rules.js';
import { templatesBeside } from '../templates.js';
import type { BuildContext, Runbook } from '../slo/kind.js';
import { SLI_RECORDINGS } from '../slo/series.js';

const templates = templatesBeside(import.meta.url);

/** The ticket's name for a burn-rate alert: LinkerdControlPlaneErrorBudgetBurn → LinkerdControlPlaneErrorBudgetExhausted. */
export function exhaustedAlertName(burnAlert: string): string {
  return burnAlert.endsWith('Burn') ? `${burnAlert.slice(0, -'Burn'.length)}Exhausted` : `${burnAlert}Exhausted`;
}

/** How long the ticket keeps firing after the budget turns positive: a budget hovering at zero sends one ticket, not one per dip. */
const EXHAUSTED_KEEP_FIRING = '1h';
/** How long the budget must be spent before the ticket fires. */
const EXHAUSTED_FOR = '10m';

export type BudgetPolicy = Config['alerting']['budgetPolicy'];
export type BudgetPolicyOverride = Partial<BudgetPolicy> | undefined;

/** What the runbook says of one SLI definition. */
export interface BudgetSummary {
  readonly alert: string;
  readonly burnAlert: string;
  readonly title: string;
  readonly objective: number;
  readonly period: string;
  readonly policy: BudgetPolicy;
}

export function budgetPolicy(config: Config, override: BudgetPolicyOverride): BudgetPolicy {
  const base = config.alerting.budgetPolicy;
  return { freeze: override?.freeze ?? base.freeze, decides: override?.decides ?? base.decides, ...(override?.notes ?? base.notes ? { notes: override?.notes ?? base.notes } : {}) };
}

/**
 * A Prometheus template query for a recorded series of the alert's own SLI: the selector names the
 * identity labels, and their values come from the alert's $labels through %q (a Go-quoted string,
 * which PromQL reads as the same string), so no label value can change the query.
 */
function labelledSelector(record: string, identity: readonly string[], extra = ''): { text: string; args: string } {
  const matchers = identity.map((l) => `${l}=%q`).join(', ');
  return { text: `${record}{${matchers}${extra}}`, args: identity.map((l) => `$labels.${l}`).join(' ') };
}

/**
 * The sentence of a burn-rate alert's description on the budget: what is left of it, and when it is
 * gone at the burn rate over the alert's long window (which is the alert's $value).
 */
export function budgetSentence(identity: readonly string[], period: string, budget: number, long: string): string {
  const remaining = labelledSelector(SLI_RECORDINGS.budgetRemaining, identity, `, period="${period}"`);
  const ratio = labelledSelector(SLI_RECORDINGS.errorRatio(long), identity);
  // remaining × period ÷ (ratio ÷ budget) = remaining × (period × budget) ÷ ratio, in seconds.
  const scale = formatNumber(cleanNumber(parseDuration(period) * budget));
  const left = `{{ with printf \`${remaining.text}\` ${remaining.args} | query }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}`;
  const until =
    `{{ with printf \`(${remaining.text} > 0) * ${scale} / ignoring(period) (${ratio.text} > 0)\` ${remaining.args} ${ratio.args} | query }}` +
    `in {{ . | first | value | humanizeDuration }}{{ else }}already{{ end }}`;
  return `Error budget left over ${period}: ${left}; at this ${long} burn rate it is gone ${until}.`;
}

/** The ticket of one SLI definition: every instance's budget at once (one series per component). */
function burnNow(identity: readonly string[], s: BudgetSummary, long: string): string {
  const ratio = labelledSelector(SLI_RECORDINGS.errorRatio(long), identity);
  const budget = formatNumber(cleanNumber(1 - s.objective / 100));
  return `{{ with printf \`${ratio.text} / ${budget}\` ${ratio.args} | query }}{{ . | first | value | printf "%.2f" }}x{{ else }}unknown{{ end }}`;
}

export function exhaustedAlert(
  ctx: BuildContext,
  s: BudgetSummary,
  condition: Expr,
  labels: Record<string, string>,
  identity: readonly string[],
  shortestLong: string,
): AlertingRule {
  const text = { title: s.title, cluster: ctx.config.cluster, period: s.period, objective: formatNumber(s.objective), burn: burnNow(identity, s, shortestLong) };
  return {
    alert: s.alert,
    expr: condition,
    for: EXHAUSTED_FOR,
    keepFiringFor: EXHAUSTED_KEEP_FIRING,
    labels: { ...labels, severity: ctx.config.alerting.severities.ticket },
    annotations: {
      summary: templates.line('exhausted-summary', text),
      description: templates.render('exhausted-description', text),
      runbook_url: ctx.runbookUrl(s.alert),
      ...(ctx.dashboardUrl ? { dashboard_url: ctx.dashboardUrl } : {}),
    },
    inhibitedBy: { alert: s.burnAlert, severity: ctx.config.alerting.severities.page, equal: identity.filter((l) => l !== 'slo' && l !== 'sli' && l !== 'component') },
  };
}

/** The runbook pages of the tickets among these summaries: one per alert, every SLO's policy on it. */
export function budgetRunbooks(config: Config, summaries: readonly BudgetSummary[]): Runbook[] {
  const byAlert = new Map<string, BudgetSummary[]>();
  for (const s of summaries) byAlert.set(s.alert, [...(byAlert.get(s.alert) ?? []), s]);
  return [...byAlert].map(([alert, list]) => ({
    alert,
    markdown: templates.render('runbooks/budget-exhausted.md', {
      alert,
      burnAlert: list[0]!.burnAlert,
      cluster: config.cluster,
      severity: config.alerting.severities.ticket,
      pageSeverity: config.alerting.severities.page,
      keepFiringFor: EXHAUSTED_KEEP_FIRING,
      for: EXHAUSTED_FOR,
      slos: list.map((s) => ({ title: s.title, objective: formatNumber(s.objective), period: s.period, ...s.policy })),
    }),
  }));
}
