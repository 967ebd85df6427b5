/**
 * `linkerd-slo report`: compliance for calendar periods from a Prometheus' history (docs/report.md).
 * One backtest replay per cluster over the periods (recordings inlined, alerts through Prometheus'
 * state machine), then attainment, budget, incidents and worst days per period, SLO and cluster.
 */
import type { RuleGroup } from '../rules.js';
import { planBacktest, type Plan, type PlanOptions } from '../backtest/replay.js';
import { maintenanceIntervals, type MaintenanceWindow as WindowConfig } from '../maintenance/windows.js';
import { TILE, type MaintenanceWindow } from './compliance.js';
import type { Period } from './calendar.js';

export { choosePeriods, checkTimeZone, PERIOD_KINDS, type Period, type PeriodKind } from './calendar.js';
export { compliance, type MaintenanceWindow, type PeriodCompliance } from './compliance.js';
export { chartIds, formatHtml, formatJson, formatMarkdown, formatText, type ClusterCompliance } from './render.js';

/** The backtest plan covering every period: from the first one's start to the last one's end. */
export function planReport(groups: readonly RuleGroup[], periods: readonly Period[], opts: Omit<PlanOptions, 'from' | 'to'>): Plan {
  return planBacktest(groups, { ...opts, from: periods[0]!.start, to: periods[periods.length - 1]!.end });
}

/** "Now" on the SLI tiles: the end of the last whole 5-minute tile, so two runs minutes apart agree. */
export const reportNow = (epochSeconds: number): number => Math.floor(epochSeconds / TILE) * TILE;

/** The config's maintenance windows (`alerting.maintenance`) as the spans they cover in [from, to), epoch seconds. */
export function maintenanceSpans(windows: readonly WindowConfig[], from: number, to: number): MaintenanceWindow[] {
  return maintenanceIntervals(windows, from * 1000, to * 1000).map((w) => ({ name: w.name, start: w.from / 1000, end: w.to / 1000, excludeFromBudget: w.excludeFromBudget, mute: [...w.mute] }));
}
