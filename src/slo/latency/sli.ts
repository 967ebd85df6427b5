/**
 * The control-plane latency SLI for the burn-rate engine: per component, responses slower than its
 * threshold over all responses, from the component's own proxy on its serving port.
 */
import { eq, type Matcher } from '../../promql/ast.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';
import { leMatcher } from '../../linkerd/latency-buckets.js';
import { fixtureLabels } from '../promtool-tests.js';
import { burnRateTemplates, type SliDefinition, type SliInstance } from '../burn-rate.js';
import type { Templates } from '../../templates.js';
import { ABSENT_ALERT, BURN_ALERT, ID, SLI, thresholdOf, TITLE, type LatencyComponent, type LatencyScope } from './scope.js';

/** The burn-rate definition of the kind: one instance per measured component. */
export function latencyDefinition(scope: LatencyScope, templates: Templates): SliDefinition {
  const { slo } = scope;
  return {
    slo: ID,
    sli: SLI,
    title: TITLE,
    objective: slo.objective,
    period: slo.period,
    instances: scope.components.map((component) => latencyInstance(scope, component)),
    burnAlert: BURN_ALERT,
    absentAlert: ABSENT_ALERT,
    templates: burnRateTemplates(templates),
    textContext: scope.textContext,
    budgetPolicy: slo.budgetPolicy,
  };
}

function latencyInstance(scope: LatencyScope, component: LatencyComponent): SliInstance {
  const { ctx, hist } = scope;
  const by = ctx.clusterLabels;
  const m = scope.matchersOf(component);
  const t = thresholdOf(scope.slo, component);
  return {
    component,
    errorsRate: (w) => hist.slowRate(m, t, w, by),
    requestsRate: (w) => hist.requestsRate(m, w, by),
    presence: scope.presenceOf(component),
    // The generated promtool tests feed float series; native histograms are proven by
    // test/e2e/native-histograms.test.ts on Prometheus 3 instead.
    ...(hist.native ? {} : { fixture: classicFixture(scope, component, m, t) }),
  };
}

/** One response per minute within the threshold while healthy; during the outage every one is slower. */
function classicFixture(scope: LatencyScope, component: LatencyComponent, m: readonly Matcher[], t: number): SliInstance['fixture'] {
  const bucket = (le: Matcher) => scope.ctx.proxySelector(PROXY_HTTP.latencyBucket, [...m, le]);
  const targetAddr = `10.0.0.1:${scope.slo.ports[component]}`;
  return [
    { labels: fixtureLabels(bucket(leMatcher(t)), { le: String(t), target_addr: targetAddr }), healthy: 1, outage: 0 },
    { labels: fixtureLabels(bucket(eq('le', '+Inf')), { target_addr: targetAddr }), healthy: 1, outage: 1 },
  ];
}
