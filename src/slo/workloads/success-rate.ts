/**
 * The workload success-rate SLI of one class × component group: failed inbound responses
 * (`classification="failure"`) over all, per workload, from the workload's own proxies.
 */
import { eq, mul, num, or, rate } from '../../promql/ast.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';
import type { SliInstance } from '../burn-rate.js';
import { fixtureLabels, type FixtureSeries } from '../promtool-tests.js';
import type { Group } from './groups.js';

/** `missing` (the blind-workload ticket) only when the class has a success-rate SLO. */
export function successRateInstance(g: Group, withMissing: boolean): SliInstance {
  return {
    component: g.component,
    groupBy: g.identity,
    requestsRate: (win) => g.sumOf(PROXY_HTTP.responses, [], (sel) => rate(sel, win)),
    // `or 0 *` keeps the error rate at 0, not absent, while no failure series exist (linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0).
    errorsRate: (win) =>
      g.combine((s) => or(s(PROXY_HTTP.responses, [eq('classification', 'failure')], (sel) => rate(sel, win)), mul(num(0), s(PROXY_HTTP.responses, [], (sel) => rate(sel, win))))),
    ...(withMissing ? { missing: g.missing } : {}),
    fixture: [...successRateFixture(g), ...presenceFixture(g)],
  };
}

/** The first member: one successful response per minute while healthy, one failed during the outage. */
function successRateFixture(g: Group): FixtureSeries[] {
  const m0 = g.members[0]!;
  const totalSel = g.memberSelector(m0, PROXY_HTTP.responses, []);
  const badSel = g.memberSelector(m0, PROXY_HTTP.responses, [eq('classification', 'failure')]);
  const id0 = g.identityLabels(m0);
  return [
    { labels: { ...fixtureLabels(totalSel, id0), ...id0, classification: 'success' }, healthy: 1, outage: 0 },
    { labels: { ...fixtureLabels(badSel, id0), ...id0 }, healthy: 0, outage: 1 },
  ];
}

/** Every member's proxies are scraped: keeps the absent alert quiet in the generated test. */
export function presenceFixture(g: Group): FixtureSeries[] {
  return g.members.map((m) => ({ labels: fixtureLabels(g.presenceOf(m)), healthy: 0, outage: 0 }));
}
