/**
 * The multiwindow, multi-burn-rate engine (SRE Workbook ch. 5) shared by every ratio SLO.
 *
 * Recording rules, per SLI instance (one component of one SLO):
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
 * Alerts: one rule per window pair, `burn rate over long > factor and over short > factor`, with
 * factor = budget share × period / long window, plus the low-traffic guard.
 */
import {
  aggregate, allOf, absent, binary, call, div, eq, gt, gte, mul, num, offset, or, ratioRates, str, sub, subquery, sum, sumOverTime, withMatchers,
  type Expr, type Selector,
} from '../promql/ast.js';
import { cleanNumber, errorBudget, formatDuration, formatNumber, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import type { ConfigIssue, ConfigPath } from '../config/errors.js';
import type { AlertingRule, LintExemption, RecordingRule, RuleGroup } from '../rules.js';
import type { DashboardId, PanelSpec, Threshold } from '../dashboard-model.js';
import type { BuildContext } from './kind.js';
import type { Templates } from '../templates.js';
import { burnRateTest, type FixtureSeries, type PromtoolTest } from './promtool-tests.js';
import { SLI_RECORDINGS } from './series.js';
import { budgetPolicy, budgetSentence, exhaustedAlert, exhaustedAlertName, type BudgetPolicyOverride, type BudgetSummary } from '../budget/policy.js';


export const BASE_WINDOW = '5m';
/** Under split evaluation, windows up to this run in the cluster; longer ones on the global ruler. */
const LOCAL_WINDOW_MAX_SECONDS = 6 * 3600;
const isLocal = (w: string) => parseDuration(w) <= LOCAL_WINDOW_MAX_SECONDS;
/** Windows shorter than the base one (test setups with second-long windows) read the raw counters. */
const shorter = (w: string) => parseDuration(w) < parseDuration(BASE_WINDOW);
/** Longest window summed from whole 5m tiles; longer ones are rolled up with sum_over_time. */
const TILED_MAX_SECONDS = 3600;
/** Number of whole 5m tiles a window is made of, or undefined when it is rolled up instead. */
function tilesOf(w: string): number | undefined {
  const seconds = parseDuration(w);
  const base = parseDuration(BASE_WINDOW);
  return seconds > base && seconds <= TILED_MAX_SECONDS && seconds % base === 0 ? seconds / base : undefined;
}

/**
 * `rate5m + rate5m offset 5m + … + rate5m offset (n−1)×5m`: n whole, non-overlapping 5m tiles that
 * end at the evaluation time, so their mean is the rate over the n×5m window as a raw rate() would
 * give it. Absent while any tile is missing (a series younger than the window): callers fall back
 * to the roll-up then. `offset` picks the 5m recording made at or just before t − k×5m: exact when
 * the evaluation interval divides 5 minutes (30 s, 1m), within one interval of it otherwise.
 */
function tileSum(sel: Selector, tiles: number): Expr {
  const base = parseDuration(BASE_WINDOW);
  let total: Expr = sel;
  for (let i = 1; i < tiles; i++) total = binary('+', total, offset(sel, formatDuration(i * base)));
  return total;
}

export type AlertWindow = Config['alerting']['windows'][number];

/** Burn-rate factor for a window pair, rounded to 4 significant digits (14.4, 6, 3, 1; 13.44 for 28d). */
export function burnRateFactor(window: AlertWindow, period: string): number {
  return cleanNumber(((window.budgetConsumed / 100) * parseDuration(period)) / parseDuration(window.long), 4);
}

/** Lowest objective (percent) for which the alert of this window pair can still fire. */
export function minimumObjective(window: AlertWindow, period: string): number {
  return 100 * (1 - 1 / burnRateFactor(window, period));
}

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
   * class with its own objective): set on every rule, matched by every selector, part of the group names.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Rules recorded at the head of the recordings group, before every instance's: one pass over a
   * raw family that several instances read (RAW_RATE_RECORDINGS in src/slo/series.ts). Rules of a
   * group run in order, so the instances read this evaluation's value and alert timing is unchanged.
   */
  readonly sharedRecordings?: readonly RecordingRule[];
  /** The SLO's own error-budget policy fields, over alerting.budgetPolicy (runbook of the exhausted ticket). */
  readonly budgetPolicy?: BudgetPolicyOverride;
}

/** Error ratio from a "bad" and a "total" counter selector, aggregated by the given labels. */
/**
 * A ratio SLO's annotation templates in its kind's templates/ folder: <burn>-summary and
 * <burn>-description for the burn-rate alerts, absent-summary and absent-description for the
 * metrics-absent alert.
 */
export function burnRateTemplates(source: Templates, burn = 'burn'): SliDefinition['templates'] {
  return { source, summary: `${burn}-summary`, description: `${burn}-description`, absentSummary: 'absent-summary', absentDescription: 'absent-description' };
}

export function ratioSli(bad: Selector, total: Selector, by: readonly string[]): Pick<SliInstance, 'errorsRate' | 'requestsRate'> {
  return ratioRates(bad, total, by);
}

function windowsOf(config: Config, period: string): string[] {
  const all = new Set<string>([BASE_WINDOW, period]);
  for (const w of config.alerting.windows) {
    all.add(w.long);
    all.add(w.short);
  }
  return [...all].map((w) => formatDuration(parseDuration(w))).sort((a, b) => parseDuration(a) - parseDuration(b));
}

export interface BurnRateOutput {
  readonly groups: readonly RuleGroup[];
  readonly panels: readonly PanelSpec[];
  readonly unitTests: readonly PromtoolTest[];
  /** The budget-exhausted ticket and policy of this definition, for its runbook (budgetRunbooks). */
  readonly budget: BudgetSummary;
}

/**
 * pint's promql/nan: a NaN inside sum() hides the other series of its group. The budget's sum groups
 * by every label the period's ratio keeps besides those its selector fixes, so each group holds one
 * series, and a NaN there (no request in the whole period) is the honest answer for that SLI alone.
 */
const BUDGET_SUM_HOLDS_ONE_SERIES =
  'each sum group holds one series (the selector fixes every other label the ratio keeps), so a NaN ratio (no request in the period) hides no other SLI';

export function buildBurnRate(ctx: BuildContext, def: SliDefinition): BurnRateOutput {
  const { config } = ctx;
  const extraBy = Object.keys(config.prometheus.extraMatchers);
  const budget = errorBudget(def.objective);
  const period = formatDuration(parseDuration(def.period));
  const windows = windowsOf(config, period);
  const longWindows = [...new Set(config.alerting.windows.map((w) => formatDuration(parseDuration(w.long))))];
  const baseLabels = { slo: def.slo, sli: def.sli, ...def.labels };
  const defMatchers = Object.entries(def.labels ?? {}).map(([k, v]) => eq(k, v));
  const recorded = (record: string, component?: string): Selector =>
    ctx.recordedSelector(record, [eq('slo', def.slo), eq('sli', def.sli), ...defMatchers, ...(component ? [eq('component', component)] : [])]);

  const recordings: RecordingRule[] = [...(def.sharedRecordings ?? [])];
  for (const inst of def.instances) {
    const labels = { ...ctx.ruleLabels, ...baseLabels, component: inst.component };
    const by = [...extraBy, ...(inst.groupBy ?? [])];
    const errors5m = recorded(SLI_RECORDINGS.errorsRate, inst.component);
    const requests5m = recorded(SLI_RECORDINGS.requestsRate, inst.component);
    const ownLint = inst.lint?.length ? { lint: inst.lint } : {};
    recordings.push({ record: SLI_RECORDINGS.errorsRate, expr: inst.errorsRate(BASE_WINDOW), labels, ...ownLint });
    recordings.push({ record: SLI_RECORDINGS.requestsRate, expr: inst.requestsRate(BASE_WINDOW), labels, ...ownLint });
    for (const w of windows) {
      // The 5m ratio divides the two recordings just made (rules of a group run in order).
      const base = w === BASE_WINDOW;
      const tiles = tilesOf(w);
      const placement = isLocal(w) ? {} : { placement: 'global' as const };
      const rolledUpRatio = div(sum(sumOverTime(errors5m, w), by), sum(sumOverTime(requests5m, w), by));
      recordings.push({
        record: SLI_RECORDINGS.errorRatio(w),
        expr: base
          ? div(errors5m, requests5m)
          : shorter(w)
            ? div(inst.errorsRate(w), inst.requestsRate(w))
            : tiles
              ? or(div(sum(tileSum(errors5m, tiles), by), sum(tileSum(requests5m, tiles), by)), rolledUpRatio)
              : rolledUpRatio,
        labels,
        ...placement,
        ...(!base && shorter(w) ? ownLint : {}),
      });
      if (longWindows.includes(w)) {
        // Requests per second over the window, from the 5m rate sampled every 5 minutes: whole,
        // non-overlapping tiles, so a window that is only partly filled (a new series, a restart)
        // counts only the requests it holds and the low-traffic guard is not fooled.
        const subqueryTiles = div(mul(sum(call('sum_over_time', subquery(requests5m, w, BASE_WINDOW)), by), num(parseDuration(BASE_WINDOW))), num(parseDuration(w)));
        recordings.push({
          record: SLI_RECORDINGS.requestsOver(w),
          expr: base
            ? requests5m
            : shorter(w)
              ? inst.requestsRate(w)
              : tiles
                // The same tiles as the ratio, ending now rather than on the last whole 5 minutes.
                ? or(div(sum(tileSum(requests5m, tiles), by), num(tiles)), subqueryTiles)
                : subqueryTiles,
          labels,
          ...placement,
        });
      }
    }
    recordings.push({
      record: SLI_RECORDINGS.budgetRemaining,
      expr: sub(num(1), div(sum(recorded(SLI_RECORDINGS.errorRatio(period), inst.component), by), num(budget))),
      labels: { ...labels, period },
      placement: isLocal(period) ? 'local' : 'global',
      lint: [{ check: 'promql/nan', reason: BUDGET_SUM_HOLDS_ONE_SERIES }],
    });
  }

  const severityName = (s: 'page' | 'ticket') => config.alerting.severities[s];
  // Grouped instances alert for many members per rule: inhibition must keep members apart.
  const identity = [...new Set(def.instances.flatMap((i) => i.groupBy ?? []))];
  // Every label that tells one SLI series from another: the budget queries of the annotations match on them.
  const seriesIdentity = ['slo', 'sli', 'component', ...Object.keys(def.labels ?? {}), ...identity, ...extraBy];
  const alerts: AlertingRule[] = config.alerting.windows.map((w) => {
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
    return {
      alert: def.burnAlert,
      expr: allOf(clauses[0]!, ...clauses.slice(1)),
      ...(w.for ? { for: w.for } : {}),
      ...(w.keepFiringFor ? { keepFiringFor: w.keepFiringFor } : {}),
      labels: { ...ctx.ruleLabels, ...baseLabels, severity: severityName(w.severity), long, short },
      annotations: annotations(
        ctx,
        def.burnAlert,
        def.templates.source.line(def.templates.summary, text),
        `${def.templates.source.render(def.templates.description, text)}\n${budgetSentence(seriesIdentity, period, budget, long)}`,
      ),
      ...(identity.length ? { inhibitEqual: identity } : {}),
      ...(isLocal(long) ? {} : { placement: 'global' as const }),
    };
  });

  const absentAlerts: AlertingRule[] = def.instances.flatMap((inst) => {
    const blind = inst.missing ?? (inst.presence ? absent(inst.presence) : undefined);
    if (!blind) return [];
    const text = { ...def.textContext, cluster: config.cluster, title: def.title, component: inst.component, absentFor: config.alerting.absentFor };
    return [{
      alert: def.absentAlert,
      expr: blind,
      for: config.alerting.absentFor,
      labels: { ...ctx.ruleLabels, ...baseLabels, component: inst.component, severity: severityName('ticket') },
      annotations: annotations(ctx, def.absentAlert, def.templates.source.line(def.templates.absentSummary, text), def.templates.source.render(def.templates.absentDescription, text)),
    }];
  });

  const summary: BudgetSummary = {
    alert: exhaustedAlertName(def.burnAlert),
    burnAlert: def.burnAlert,
    title: def.title,
    objective: def.objective,
    period,
    policy: budgetPolicy(config, def.budgetPolicy),
  };
  const byLength = [...longWindows].sort((a, b) => parseDuration(a) - parseDuration(b));
  const spent: Expr = binary('<=', withMatchers(recorded(SLI_RECORDINGS.budgetRemaining), [eq('period', period)]), num(0));
  // The low-traffic guard over the longest alert window: a handful of requests (a new workload's
  // first hour) can spend a budget on paper, and a freeze over them would be noise.
  const longest = byLength[byLength.length - 1]!;
  const guarded = config.alerting.lowTraffic.minRequests > 0
    ? binary('and', spent, gte(mul(recorded(SLI_RECORDINGS.requestsOver(longest)), num(parseDuration(longest))), num(config.alerting.lowTraffic.minRequests)), { matching: { ignoring: ['period'] } })
    : spent;
  const exhausted: AlertingRule = {
    ...exhaustedAlert(ctx, summary, guarded, { ...ctx.ruleLabels, ...baseLabels }, seriesIdentity, byLength[0]!),
    ...(isLocal(period) ? {} : { placement: 'global' as const }),
  };

  const prefix = [`linkerd-slo-${def.slo}-${def.sli}`, ...Object.values(def.labels ?? {})].join('-');
  const groups: RuleGroup[] = [
    { name: `${prefix}-recordings`, rules: recordings },
    { name: `${prefix}-alerts`, rules: [...alerts, exhausted, ...absentAlerts] },
  ];
  return {
    groups,
    panels: panelsFor(def, recorded, budget, period, longWindows, config, (alert) => ctx.runbookUrl(alert)),
    unitTests: unitTestsFor(config, def, period),
    budget: summary,
  };
}

/** The fastest page (shortest long window) must fire on a full outage of the first component. */
function unitTestsFor(config: Config, def: SliDefinition, period: string): PromtoolTest[] {
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

function formatHours(seconds: number): string {
  const hours = seconds / 3600;
  return hours >= 48 ? `${formatNumber(cleanNumber(hours / 24, 3))} days` : `${formatNumber(cleanNumber(hours, 3))} hours`;
}

export function annotations(ctx: BuildContext, alert: string, summary: string, description: string): Record<string, string> {
  const out: Record<string, string> = { summary, description, runbook_url: ctx.runbookUrl(alert) };
  if (ctx.dashboardUrl) out.dashboard_url = ctx.dashboardUrl;
  return out;
}

/**
 * When the budget is gone at the burn rate over the shortest alert window: remaining × period ÷ burn
 * rate, between 0 (spent) and the period (at this rate the budget outlasts the rolling window; also
 * while nothing burns).
 */
function exhaustionPanel(recorded: (record: string) => Selector, budget: number, period: string, window: string): PanelSpec {
  const seconds = parseDuration(period);
  const burn = call('clamp_min', div(recorded(SLI_RECORDINGS.errorRatio(window)), num(budget)), num(1e-6));
  const remaining = recorded(SLI_RECORDINGS.budgetRemaining);
  // The budget recording carries a `period` label the ratio has not.
  const left = binary('/', mul(remaining, num(seconds)), burn, { matching: { ignoring: ['period'] } });
  return {
    title: 'Budget exhausted in',
    description:
      `When the ${period} error budget is gone if errors go on at the burn rate of the last ${window}, per component: 0 once it is spent; ` +
      `${period} (the period) when it outlasts the rolling window at this rate, or nothing burns.`,
    type: 'stat',
    unit: 's',
    decimals: 1,
    queries: [{ expr: call('clamp', left, num(0), num(seconds)), legend: '{{component}}', instant: true }],
    thresholds: [{ value: null, color: 'red' }, { value: 86400, color: 'orange' }, { value: 7 * 86400, color: 'green' }],
    width: 4,
  };
}

/** Stable Grafana UID of the SLO overview dashboard (≤ 40 chars of [a-zA-Z0-9_-]). */
function panelsFor(
  def: SliDefinition,
  recorded: (record: string, component?: string) => Selector,
  budget: number,
  period: string,
  longWindows: readonly string[],
  config: Config,
  runbookUrl: (alert: string) => string,
): PanelSpec[] {
  const objectiveRatio = cleanNumber(def.objective / 100);
  const pageFactor = Math.max(...config.alerting.windows.filter((w) => w.severity === 'page').map((w) => burnRateFactor(w, period)), 1);
  const links = [
    { title: 'Details', dashboard: def.detailDashboard ?? 'control-plane' },
    { title: `Runbook: ${def.burnAlert}`, url: runbookUrl(def.burnAlert) },
    { title: `Runbook: ${def.absentAlert}`, url: runbookUrl(def.absentAlert) },
  ] as const;
  /** Per long window: orange at a ticket's factor, red at a page's (the alert thresholds). */
  const windowThresholds = (long: string): Threshold[] => {
    const steps = new Map<number, string>();
    for (const w of config.alerting.windows) {
      if (formatDuration(parseDuration(w.long)) !== long) continue;
      const f = burnRateFactor(w, period);
      if (w.severity === 'page' || !steps.has(f)) steps.set(f, w.severity === 'page' ? 'red' : 'orange');
    }
    return [{ value: null, color: 'green' }, ...[...steps].sort(([a], [b]) => a - b).map(([value, color]) => ({ value, color }))];
  };
  return [
    {
      title: `SLI ${period} (objective ${formatNumber(def.objective)}%)`,
      description: `${def.title}: share of good events over the SLO period (${period}) per component. Red: below the ${def.objective}% objective, the error budget is spent; freeze risky control-plane changes and follow the runbook.`,
      type: 'stat',
      unit: 'percentunit',
      decimals: 3,
      queries: [{ expr: sub(num(1), recorded(SLI_RECORDINGS.errorRatio(period))), legend: '{{component}}', instant: true }],
      thresholds: [{ value: null, color: 'red' }, { value: objectiveRatio, color: 'green' }],
      links,
      width: 4,
    },
    {
      title: 'Error budget remaining',
      description:
        `Share of the ${period} error budget (${formatNumber(budget * 100)}% of requests) still unspent. Orange below 25%. ` +
        'Once spent it reads "exhausted", red, and the name says how many budgets the period has used ("destination: 159× its budget": 159 times what the objective allows).',
      type: 'stat',
      unit: 'percentunit',
      decimals: 1,
      // A spent budget reads as the budgets used, not as a percentage far below zero (−15,803% left is
      // 159 budgets spent): count_values carries the rounded count into a label the name shows, and the
      // series' value, -1, reads "exhausted" (no budget left is ever negative).
      queries: [
        { expr: binary('>=', recorded(SLI_RECORDINGS.budgetRemaining), num(0)), legend: '{{component}}', instant: true },
        {
          expr: mul(num(-1), aggregate('count_values', call('round', sub(num(1), binary('<', recorded(SLI_RECORDINGS.budgetRemaining), num(0)))), { by: ['component', ...Object.keys(config.prometheus.extraMatchers)], param: str('spent') })),
          legend: '{{component}}: {{spent}}× its budget',
          instant: true,
        },
      ],
      thresholds: [{ value: null, color: 'red' }, { value: 0, color: 'orange' }, { value: 0.25, color: 'green' }],
      valueTexts: [{ to: -0.5, text: 'exhausted', color: 'red' }],
      names: true,
      width: 4,
    },
    exhaustionPanel(recorded, budget, period, [...longWindows].sort((a, b) => parseDuration(a) - parseDuration(b))[0]!),
    // One stat per alert window: each is coloured at its own alert's factor.
    ...longWindows.map((w): PanelSpec => {
      const steps = windowThresholds(w);
      return {
        title: `Burn rate ${w}`,
        description:
          `How fast the error budget burns now over ${w} (1 spends the ${period} budget exactly over the period), per component. ` +
          `Alerts on this window: ${steps.slice(1).map((t) => `${t.color === 'red' ? 'page' : 'ticket'} above ${formatNumber(t.value!)}`).join(', ')} (orange: ticket, red: page), ` +
          'when the short window agrees. Red or orange: follow the runbook (panel links).',
        type: 'stat',
        unit: 'none',
        decimals: 2,
        queries: [{ expr: div(recorded(SLI_RECORDINGS.errorRatio(w)), num(budget)), legend: '{{component}}', instant: true }],
        thresholds: steps,
        links,
        width: Math.max(2, Math.floor(12 / longWindows.length)),
      };
    }),
    {
      title: 'Burn rate',
      description: `How many times faster than sustainable the error budget burns, per alert window. 1 spends the budget exactly over ${period}; above ${formatNumber(pageFactor)} over 1h pages.`,
      type: 'timeseries',
      unit: 'none',
      queries: longWindows.map((w) => ({ expr: div(recorded(SLI_RECORDINGS.errorRatio(w)), num(budget)), legend: `{{component}} ${w}` })),
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }, { value: pageFactor, color: 'red' }],
      width: 12,
    },
    {
      title: 'SLI (5m)',
      description: `${def.title}: share of good events over 5 minutes. Dips below the objective (${def.objective}%) burn budget; sustained dips page.`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: [{ expr: sub(num(1), recorded(SLI_RECORDINGS.errorRatio(BASE_WINDOW))), legend: '{{component}}' }],
      thresholds: [{ value: null, color: 'red' }, { value: objectiveRatio, color: 'green' }],
      max: 1,
      width: 12,
    },
    {
      title: 'Request rate',
      description: `Requests per second counted by this SLI (${def.title}). A sudden drop to zero usually means missing metrics, not a quiet control plane.`,
      type: 'timeseries',
      unit: 'reqps',
      queries: [{ expr: recorded(SLI_RECORDINGS.requestsRate), legend: '{{component}}' }],
      width: 12,
    },
    {
      title: 'Firing alerts',
      description: 'Alerts of this SLO firing now, from the ALERTS series (empty is good). Open the runbook linked in the panel header and in each alert.',
      type: 'table',
      unit: 'none',
      queries: [
        {
          // recorded() adds slo, sli and the extra matchers, so one cluster's alerts never show on another's dashboard.
          expr: aggregate('count', binary('==', withMatchers(recorded('ALERTS'), [eq('alertstate', 'firing')]), num(1)), {
            by: ['alertname', 'component', 'severity', 'long', 'short'],
          }),
          instant: true,
        },
      ],
      links,
      width: 12,
    },
  ];
}
export { budgetRunbooks } from '../budget/policy.js';
