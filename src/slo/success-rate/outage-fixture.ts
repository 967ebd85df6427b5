/** The promtool fixture both sides of the success-rate SLO feed the generated tests (out/tests/). */
import type { Selector } from '../../promql/ast.js';
import { fixtureLabels, type FixtureSeries } from '../promtool-tests.js';

/**
 * The users' promtool fixture of one SLI: successes while healthy, failures during the outage, on
 * label sets that satisfy its selectors (a regex matcher takes the given example value).
 */
export function outageFixture(s: { readonly bad: Selector; readonly total: Selector }, regex: Readonly<Record<string, string>>): FixtureSeries[] {
  return [
    { labels: { ...fixtureLabels(s.total, regex), classification: 'success' }, healthy: 1, outage: 0 },
    { labels: fixtureLabels(s.bad, regex), healthy: 0, outage: 1 },
  ];
}
