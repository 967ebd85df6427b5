/**
 * The burn-rate engine's recording rules for one SLI definition (src/slo/burn-rate.ts): per
 * instance, the 5m base rates read from the raw counters, the error ratio over every window built
 * from them, the request rate over each alert's long window (the low-traffic guard) and the error
 * budget left over the period. Rules of a group run in order: each rule reads the ones made before
 * it in the same evaluation.
 */
import { call, div, mul, num, or, sub, subquery, sum, sumOverTime, type Expr, type Selector } from '../promql/ast.js';
import { parseDuration } from '../promql/number.js';
import type { LintExemption, RecordingRule } from '../rules.js';
import { SLI_RECORDINGS } from './series.js';
import { BASE_WINDOW, isLocal, shorter, tilesOf, tileSum, windowsOf } from './burn-rate-windows.js';
import type { BurnRateScope, SliInstance } from './burn-rate.js';

/**
 * pint's promql/nan: a NaN inside sum() hides the other series of its group. The budget's sum groups
 * by every label the period's ratio keeps besides those its selector fixes, so each group holds one
 * series, and a NaN there (no request in the whole period) is the honest answer for that SLI alone.
 */
const BUDGET_SUM_HOLDS_ONE_SERIES =
  'each sum group holds one series (the selector fixes every other label the ratio keeps), so a NaN ratio (no request in the period) hides no other SLI';

/** The definition's shared recordings (one pass over a raw family), then every instance's. */
export function recordingsFor(scope: BurnRateScope): RecordingRule[] {
  const windows = windowsOf(scope.ctx.config, scope.period);
  return [...(scope.def.sharedRecordings ?? []), ...scope.def.instances.flatMap((inst) => instanceRecordings(scope, inst, windows))];
}

/** What every recording of one instance shares: its labels, grouping, 5m base rates and pint exemptions. */
interface InstanceRates {
  readonly inst: SliInstance;
  readonly labels: Readonly<Record<string, string>>;
  /** The extra matchers' labels and the instance's own grouping. */
  readonly by: readonly string[];
  readonly errors5m: Selector;
  readonly requests5m: Selector;
  /** The instance's pint exemptions, for the rules that read its raw selectors. */
  readonly ownLint: { readonly lint?: readonly LintExemption[] };
}

function instanceRecordings(scope: BurnRateScope, inst: SliInstance, windows: readonly string[]): RecordingRule[] {
  const r: InstanceRates = {
    inst,
    labels: { ...scope.ctx.ruleLabels, ...scope.baseLabels, component: inst.component },
    by: [...scope.ctx.clusterLabels, ...(inst.groupBy ?? [])],
    errors5m: scope.recorded(SLI_RECORDINGS.errorsRate, inst.component),
    requests5m: scope.recorded(SLI_RECORDINGS.requestsRate, inst.component),
    ownLint: inst.lint?.length ? { lint: inst.lint } : {},
  };
  return [
    { record: SLI_RECORDINGS.errorsRate, expr: inst.errorsRate(BASE_WINDOW), labels: r.labels, ...r.ownLint },
    { record: SLI_RECORDINGS.requestsRate, expr: inst.requestsRate(BASE_WINDOW), labels: r.labels, ...r.ownLint },
    ...windows.flatMap((w) => [errorRatioRule(r, w), ...(scope.longWindows.includes(w) ? [requestsOverRule(r, w)] : [])]),
    budgetRule(scope, r),
  ];
}

const placementOf = (w: string) => (isLocal(w) ? {} : { placement: 'global' as const });

/** The error ratio over one window. The 5m ratio divides the two recordings just made (rules of a group run in order). */
function errorRatioRule(r: InstanceRates, w: string): RecordingRule {
  const base = w === BASE_WINDOW;
  const tiles = tilesOf(w);
  const { errors5m, requests5m, by } = r;
  const rolledUpRatio = div(sum(sumOverTime(errors5m, w), by), sum(sumOverTime(requests5m, w), by));
  const expr: Expr = base
    ? div(errors5m, requests5m)
    : shorter(w)
      ? div(r.inst.errorsRate(w), r.inst.requestsRate(w))
      : tiles
        ? or(div(sum(tileSum(errors5m, tiles), by), sum(tileSum(requests5m, tiles), by)), rolledUpRatio)
        : rolledUpRatio;
  return { record: SLI_RECORDINGS.errorRatio(w), expr, labels: r.labels, ...placementOf(w), ...(!base && shorter(w) ? r.ownLint : {}) };
}

/**
 * Requests per second over an alert's long window, from the 5m rate sampled every 5 minutes: whole,
 * non-overlapping tiles, so a window that is only partly filled (a new series, a restart) counts only
 * the requests it holds and the low-traffic guard is not fooled.
 */
function requestsOverRule(r: InstanceRates, w: string): RecordingRule {
  const tiles = tilesOf(w);
  const { requests5m, by } = r;
  const subqueryTiles = div(mul(sum(call('sum_over_time', subquery(requests5m, w, BASE_WINDOW)), by), num(parseDuration(BASE_WINDOW))), num(parseDuration(w)));
  const expr: Expr = w === BASE_WINDOW
    ? requests5m
    : shorter(w)
      ? r.inst.requestsRate(w)
      : tiles
        // The same tiles as the ratio, ending now rather than on the last whole 5 minutes.
        ? or(div(sum(tileSum(requests5m, tiles), by), num(tiles)), subqueryTiles)
        : subqueryTiles;
  return { record: SLI_RECORDINGS.requestsOver(w), expr, labels: r.labels, ...placementOf(w) };
}

/** The share of the period's error budget left: 1 − error ratio over the period ÷ budget. */
function budgetRule(scope: BurnRateScope, r: InstanceRates): RecordingRule {
  const { period } = scope;
  return {
    record: SLI_RECORDINGS.budgetRemaining,
    expr: sub(num(1), div(sum(scope.recorded(SLI_RECORDINGS.errorRatio(period), r.inst.component), r.by), num(scope.budget))),
    labels: { ...r.labels, period },
    placement: isLocal(period) ? 'local' : 'global',
    lint: [{ check: 'promql/nan', reason: BUDGET_SUM_HOLDS_ONE_SERIES }],
  };
}
