/**
 * The bundle's own promtool tests (out/tests/) for the certificates kind, gathered source by source
 * from the very selectors the rules use: one scenario where every alert fires, one where healthy
 * sources stay quiet until every `for` (and absentFor) has passed, one where no source reports
 * anything.
 */
import { normalDuration } from '../../promql/number.js';
import { minutesOf, scenarioTest, type AlertExpectation, type PromtoolTest, type ScenarioSeries } from '../promtool-tests.js';
import { CERTIFICATE_ALERTS, KIND_ID, type CertificateOutput } from './source.js';

export interface Scenarios {
  readonly firing: ScenarioSeries[];
  readonly checks: AlertExpectation[];
  /** What the firing scenario shows, for its name. */
  readonly story: string[];
  readonly healthy: ScenarioSeries[];
  /** Minutes the healthy scenario must run for every alert's `for` to have passed. */
  readonly quietAfter: number[];
  /** The absent alert's rows when nothing reports at all (node-exporter rows have no certificate). */
  readonly absent: Array<Record<string, string>>;
}

export function unitTests(out: CertificateOutput, absentFor: string): PromtoolTest[] {
  const scenarios = out.scenarios;
  if (out.alerts.length === 0) return [];
  const tests: PromtoolTest[] = [];
  if (scenarios.checks.length) tests.push(scenarioTest(`Certificate expiry: ${scenarios.story.join('; ')}`, scenarios.firing, scenarios.checks));
  const absentAt = minutesOf(absentFor) + 2;
  const quietAt = Math.max(absentAt, ...scenarios.quietAfter);
  tests.push(
    scenarioTest(
      `Certificate expiry: healthy certificates and renewals stay quiet past every for (${quietAt}m)`,
      scenarios.healthy,
      [...out.runbookAlerts].map((alert) => ({ alert, filters: { slo: KIND_ID }, at: quietAt, rows: [] })),
    ),
    scenarioTest(
      `Certificate expiry: a source that reports nothing opens ${CERTIFICATE_ALERTS.sourceAbsent} after ${normalDuration(absentFor)}`,
      [],
      // One check per source: node-exporter's alert names no certificate class.
      [...new Set(scenarios.absent.map((row) => row.source!))].map((source) => {
        const rows = scenarios.absent.filter((row) => row.source === source);
        return { alert: CERTIFICATE_ALERTS.sourceAbsent, filters: { slo: KIND_ID, source }, by: Object.keys(rows[0]!), at: absentAt, rows };
      }),
    ),
  );
  return tests;
}
