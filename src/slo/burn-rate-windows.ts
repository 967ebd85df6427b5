/**
 * The window arithmetic of the burn-rate engine (src/slo/burn-rate.ts): which windows an SLI
 * records, how each is built from the 5m base rates, where it is evaluated under split evaluation,
 * and the burn-rate factor of an alert's window pair.
 */
import { binary, offset, type Expr, type Selector } from '../promql/ast.js';
import { cleanNumber, formatDuration, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';

export const BASE_WINDOW = '5m';
/** Under split evaluation, windows up to this run in the cluster; longer ones on the global ruler. */
const LOCAL_WINDOW_MAX_SECONDS = 6 * 3600;
export const isLocal = (w: string) => parseDuration(w) <= LOCAL_WINDOW_MAX_SECONDS;
/** Windows shorter than the base one (test setups with second-long windows) read the raw counters. */
export const shorter = (w: string) => parseDuration(w) < parseDuration(BASE_WINDOW);
/** Longest window summed from whole 5m tiles; longer ones are rolled up with sum_over_time. */
const TILED_MAX_SECONDS = 3600;
/** Number of whole 5m tiles a window is made of, or undefined when it is rolled up instead. */
export function tilesOf(w: string): number | undefined {
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
export function tileSum(sel: Selector, tiles: number): Expr {
  const base = parseDuration(BASE_WINDOW);
  let total: Expr = sel;
  for (let i = 1; i < tiles; i++) total = binary('+', total, offset(sel, formatDuration(i * base)));
  return total;
}

/** Every window an SLI records its error ratio over: the base one, the period and each alert window, shortest first. */
export function windowsOf(config: Config, period: string): string[] {
  const all = new Set<string>([BASE_WINDOW, period]);
  for (const w of config.alerting.windows) {
    all.add(w.long);
    all.add(w.short);
  }
  return [...all].map((w) => formatDuration(parseDuration(w))).sort((a, b) => parseDuration(a) - parseDuration(b));
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
