/**
 * The multiwindow, multi-burn-rate engine (SRE Workbook ch. 5) shared by every ratio SLO.
 *
 * Recording rules, per SLI instance (one component of one SLO; per member for a grouped instance),
 * in burn-rate-recordings.ts:
 *   linkerd_slo:sli_errors:rate5m, linkerd_slo:sli_requests:rate5m   base rates, component level
 *   linkerd_slo:sli_error:ratio_rate<w>   error ratio per window. Only the 5m rates read the raw
 *                                          (per-pod) counters, so a 6h or 30d window costs no more per
 *                                          pod than the 5m one: at 10,000 pods, raw 6h rate()s over
 *                                          every proxy's series took seconds per evaluation. Every
 *                                          window is count-weighted (sum of errors / sum of requests),
 *                                          never a mean of ratios (Sloth's NaN and weighting flaw).
 *                                          Windows up to 1h (the ones that page fast) add up the whole
 *                                          5m tiles that end now (`rate5m + rate5m offset 5m + …`):
 *                                          the raw window's rate, which reacts to a step at once.
 *                                          Longer windows take sum_over_time of the 5m rates: a moving
 *                                          average that ramps over 5 minutes after a step, under 1% of
 *                                          a 6h window (on a 1h window that ramp made a full outage
 *                                          page two minutes late).
 *   linkerd_slo:sli_requests:rate<long>   request rate over each alert's long window (traffic guard)
 *   linkerd_slo:error_budget_remaining:ratio
 * Alerts (burn-rate-alerts.ts): one rule per window pair, `burn rate over long > factor and over
 * short > factor`, with factor = budget share × period / long window, plus the low-traffic guard;
 * a budget-exhausted ticket per definition; a metrics-absent ticket per instance that can go blind.
 * Dashboard panels of the SLI's row: burn-rate-panels.ts. Window arithmetic: burn-rate-windows.ts.
 */
import { eq, ratioRates, type Expr, type Selector } from '../promql/ast.js';
import { cleanNumber, errorBudget, formatDuration, formatNumber, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import type { ConfigIssue, ConfigPath } from '../config/errors.js';
import type { LintExemption, RecordingRule, RuleGroup } from '../rules.js';
import type { DashboardId, PanelSpec } from '../dashboard-model.js';
import type { BuildContext } from './kind.js';
import type { Templates } from '../templates.js';
import type { FixtureSeries, PromtoolTest } from './promtool-tests.js';
import type { BudgetPolicyOverride, BudgetSummary } from '../budget/policy.js';
import { burnRateFactor, minimumObjective } from './burn-rate-windows.js';
import { recordingsFor } from './burn-rate-recordings.js';
import { alertsFor, budgetSummary, unitTestsFor } from './burn-rate-alerts.js';
import { panelsFor } from './burn-rate-panels.js';

export { BASE_WINDOW, burnRateFactor, minimumObjective, type AlertWindow } from './burn-rate-windows.js';
export { annotations } from './burn-rate-alerts.js';
export { budgetRunbooks } from '../budget/policy.js';

/** A control-plane SLO whose component list is empty measures nothing: the one issue that says so. */
export function noComponentLeft(sloPath: ConfigPath): ConfigIssue {
  return { path: [...sloPath, 'components'], message: 'no component left to measure; disable the SLO instead (enabled: false)' };
}

/** Objective and window checks shared by every SLO that uses this engine. */
export function checkObjective(config: Config, objective: number, period: string, objectivePath: ConfigPath, periodPath: ConfigPath): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const periodSeconds = parseDuration(period);
  config.alerting.windows.forEach((w, i) => {
    if (parseDuration(w.long) > periodSeconds) {
      issues.push({ path: periodPath, message: `period ${period} is shorter than the ${w.long} long window of alerting.windows[${i}]` });
      return;
    }
    const factor = burnRateFactor(w, period);
    const threshold = cleanNumber(factor * errorBudget(objective));
    if (threshold >= 1) {
      const floor = Math.ceil(minimumObjective(w, period) * 100) / 100;
      issues.push({
        path: objectivePath,
        message:
          `objective ${objective}% means the ${w.severity} alert for ${w.long}/${w.short} could never fire: it needs an error ratio above ` +
          `${formatNumber(factor)} × ${formatNumber(errorBudget(objective))} = ${formatNumber(threshold)}, and an error ratio cannot exceed 1. ` +
          `Use an objective above ${floor}% or lower budgetConsumed in alerting.windows[${i}]`,
      });
    }
  });
  return issues;
}

export interface SliInstance {
  readonly component: string;
  /** Errors per second over a window, aggregated to component level; 0 (not absent) when there is traffic but no error. */
  errorsRate(window: string): Expr;
  /** Requests per second over a window, aggregated to component level. */
  requestsRate(window: string): Expr;
  /** Raw series whose absence means the SLI is blind; undefined when absence is normal (no alert). */
  readonly presence?: Selector;
  /**
   * Labels the instance's expressions keep besides the extra matchers' (e.g. namespace, deployment): one
   * instance then records many SLIs at once, one series per label combination, and every roll-up keeps them.
   */
  readonly groupBy?: readonly string[];
  /**
   * For a grouped instance: one series per member whose SLI is blind. Replaces absent(presence), which only
   * fires once every member is gone.
   */
  readonly missing?: Expr;
  /** Example raw series for the generated promtool tests (out/tests/): one unit of traffic per minute. */
  readonly fixture?: readonly FixtureSeries[];
  /** pint exemptions of the recordings made from errorsRate/requestsRate (their selectors are the instance's own). */
  readonly lint?: readonly LintExemption[];
}

export interface SliDefinition {
  readonly slo: string;
  readonly sli: string;
  readonly title: string;
  readonly objective: number;
  readonly period: string;
  readonly instances: readonly SliInstance[];
  readonly burnAlert: string;
  readonly absentAlert: string;
  /** The kind's annotation templates (names within its templates/ folder). */
  readonly templates: { readonly source: Templates; readonly summary: string; readonly description: string; readonly absentSummary: string; readonly absentDescription: string };
  /** Extra context for the templates. */
  readonly textContext: Readonly<Record<string, unknown>>;
  /** The dashboard with this SLI's details, linked from its overview row; default control-plane. */
  readonly detailDashboard?: DashboardId;
  /**
   * Static labels that, with slo and sli, tell this definition's series apart (e.g. a workload request
   * class with its own objective): set on every rule the engine makes, matched by every selector on its
   * recordings, part of the group names.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Rules recorded at the head of the recordings group, before every instance's: one pass over a
   * raw family that several instances read (RAW_FAMILY_RECORDINGS in src/slo/series.ts). Rules of a
   * group run in order, so the instances read this evaluation's value and alert timing is unchanged.
   */
  readonly sharedRecordings?: readonly RecordingRule[];
  /** The SLO's own error-budget policy fields, over alerting.budgetPolicy (runbook of the exhausted ticket). */
  readonly budgetPolicy?: BudgetPolicyOverride;
}

/**
 * A ratio SLO's annotation templates in its kind's templates/ folder: <burn>-summary and
 * <burn>-description for the burn-rate alerts, absent-summary and absent-description for the
 * metrics-absent alert.
 */
export function burnRateTemplates(source: Templates, burn = 'burn'): SliDefinition['templates'] {
  return { source, summary: `${burn}-summary`, description: `${burn}-description`, absentSummary: 'absent-summary', absentDescription: 'absent-description' };
}

/** Errors and requests per second from a "bad" and a "total" counter selector, aggregated by the given labels. */
export function ratioSli(bad: Selector, total: Selector, by: readonly string[]): Pick<SliInstance, 'errorsRate' | 'requestsRate'> {
  return ratioRates(bad, total, by);
}

export interface BurnRateOutput {
  readonly groups: readonly RuleGroup[];
  readonly panels: readonly PanelSpec[];
  readonly unitTests: readonly PromtoolTest[];
  /** The budget-exhausted ticket and policy of this definition, for its runbook (budgetRunbooks). */
  readonly budget: BudgetSummary;
}

/** What the engine's recordings, alerts and panels read of one SLI definition (made once by buildBurnRate). */
export interface BurnRateScope {
  readonly ctx: BuildContext;
  readonly def: SliDefinition;
  /** The period as the rules spell it (`30d`). */
  readonly period: string;
  /** The error budget as a ratio (0.001 for 99.9%). */
  readonly budget: number;
  /** The alert windows' long windows as the rules spell them, once each, in config order. */
  readonly longWindows: readonly string[];
  /** slo, sli and the definition's own labels. */
  readonly baseLabels: Readonly<Record<string, string>>;
  /** A selector on one of the definition's recordings, of one component or of all. */
  recorded(record: string, component?: string): Selector;
}

function scopeOf(ctx: BuildContext, def: SliDefinition): BurnRateScope {
  const defMatchers = Object.entries(def.labels ?? {}).map(([k, v]) => eq(k, v));
  return {
    ctx,
    def,
    period: formatDuration(parseDuration(def.period)),
    budget: errorBudget(def.objective),
    longWindows: [...new Set(ctx.config.alerting.windows.map((w) => formatDuration(parseDuration(w.long))))],
    baseLabels: { slo: def.slo, sli: def.sli, ...def.labels },
    recorded: (record, component) =>
      ctx.recordedSelector(record, [eq('slo', def.slo), eq('sli', def.sli), ...defMatchers, ...(component ? [eq('component', component)] : [])]),
  };
}

/** One SLI definition's rule groups (recordings, then alerts), dashboard panels, promtool test and budget summary. */
export function buildBurnRate(ctx: BuildContext, def: SliDefinition): BurnRateOutput {
  const scope = scopeOf(ctx, def);
  const budget = budgetSummary(scope);
  const prefix = [`linkerd-slo-${def.slo}-${def.sli}`, ...Object.values(def.labels ?? {})].join('-');
  return {
    groups: [
      { name: `${prefix}-recordings`, rules: recordingsFor(scope) },
      { name: `${prefix}-alerts`, rules: alertsFor(scope, budget) },
    ],
    panels: panelsFor(scope),
    unitTests: unitTestsFor(scope),
    budget,
  };
}
