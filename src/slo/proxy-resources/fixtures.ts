/**
 * What the sources' promtool fixtures share. Each source contributes one part to the kind's two
 * scenarios (index.ts): its series in the scenario where every alert fires and in the healthy one,
 * the check of its alert, and a clause of the scenario's name.
 */
import { minutesOf, type AlertExpectation, type ScenarioSeries } from '../promtool-tests.js';
import { WINDOW } from './rule-set.js';
import { PROXY_RESOURCES_ID } from './names.js';

/** Namespace of the synthetic pods. */
export const TEST_NAMESPACE = 'app';

/** Picks the kind's own alerts in every check. */
export const FILTERS = { slo: PROXY_RESOURCES_ID };

/** A share of a threshold ratio that lies above it (and above 1 when the ratio is 1). */
export const above = (ratio: number): number => ratio + (1.05 - ratio) / 2;

/**
 * rate() over WINDOW reads low until the window is full of samples: rate-based alerts go pending
 * only then, so their checks come this many minutes after their `for`.
 */
export const SETTLE_MINUTES = minutesOf(WINDOW) + 2;

export interface ScenarioPart {
  readonly firing: readonly ScenarioSeries[];
  readonly healthy: readonly ScenarioSeries[];
  /** Its alert fires for exactly these rows; the healthy scenario is quiet from `check.at` on. */
  readonly check: AlertExpectation;
  readonly story: string;
  /** Meshed pods (proxies) among its series, in each scenario: the Prometheus plan grows with them. */
  readonly proxies?: { readonly firing: number; readonly healthy: number };
}
