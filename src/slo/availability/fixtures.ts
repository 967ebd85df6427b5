/**
 * What the sources' promtool fixtures share. Each source contributes one part to the kind's
 * scenarios (index.ts): series and checks in the scenario where every alert fires, its check in the
 * one where nothing is scraped, and its series in the healthy one.
 */
import type { AlertExpectation, PromtoolTest, ScenarioSeries } from '../promtool-tests.js';
import { AVAILABILITY_ID } from './names.js';

/** Picks the kind's own alerts in every check. */
export const FILTERS = { slo: AVAILABILITY_ID };

/** What most checks count the firing alerts by. */
export const BY_SEVERITY_COMPONENT = ['severity', 'component'];

export interface SourceScenario {
  /** Series, checks and clauses of the name of the scenario in which every alert fires. */
  readonly firing: readonly ScenarioSeries[];
  readonly checks: readonly AlertExpectation[];
  readonly stories: readonly string[];
  /** Its series in the healthy control plane, whose alerts are quiet from `quietAfter` (+2) minutes on. */
  readonly healthy: readonly ScenarioSeries[];
  readonly quietAfter: number;
  /** Its check in the scenario with no series at all. */
  readonly absent?: AlertExpectation;
  /** Scenarios of its own, after the one in which every alert fires. */
  readonly own?: readonly PromtoolTest[];
}
