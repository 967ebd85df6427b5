/**
 * Route SLOs: client-side success rate of Gateway API routes from every caller's
 * `outbound_{http,grpc}_route_request_statuses_total` (Linkerd 2.16+), by parent Service and route;
 * one SLI instance per class and protocol, one series per route.
 */
import { groupBy } from '../../collections.js';
import { and, eq, mul, num, or, rate, sub, sum, vector, type Expr, type Selector } from '../../promql/ast.js';
import type { RecordingRule } from '../../rules.js';
import type { BuildContext } from '../kind.js';
import { burnRateTemplates, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { fixtureLabels, type FixtureSeries } from '../promtool-tests.js';
import type { Templates } from '../../templates.js';
import { routeMetric, routeSuccessMatchers, ROUTE_LABELS, type RouteMember, type WorkloadsConfig } from './members.js';
import { prefilter, RECORD_WORKLOAD, uniq } from './groups.js';
import { WORKLOAD_ALERTS, WORKLOAD_SLO, type MetricNames } from './names.js';

type Protocol = RouteMember['protocol'];

/** 1 per configured route: the expected set the route sums are joined with. */
export function routeInfoRules(ctx: BuildContext, routes: readonly RouteMember[]): RecordingRule[] {
  return routes.map((r) => ({
    record: RECORD_WORKLOAD.routeInfo,
    expr: vector(1),
    labels: { ...ctx.ruleLabels, ...ctx.config.prometheus.extraMatchers, class: r.class, component: `${r.protocol}-route`, ...r.labels },
  }));
}

/** One route success-rate definition per class, one instance per protocol. */
export function routeDefinitions(
  ctx: BuildContext,
  w: WorkloadsConfig,
  routes: readonly RouteMember[],
  common: (cls: string) => Pick<SliDefinition, 'period' | 'labels' | 'budgetPolicy'>,
  metrics: MetricNames,
  templates: Templates,
): SliDefinition[] {
  return [...groupBy(routes, (r) => r.class)].map(([clsName, rs]) => ({
    ...common(clsName),
    slo: WORKLOAD_SLO.route,
    sli: 'client',
    title: `Route success rate (${clsName})`,
    objective: w.classes[clsName]!.successRate.objective,
    instances: [...groupBy(rs, (r) => r.protocol)].map(([protocol, ps]) => routeInstance(ctx, clsName, protocol as Protocol, ps)),
    burnAlert: WORKLOAD_ALERTS.routeBurn,
    absentAlert: WORKLOAD_ALERTS.absent,
    templates: burnRateTemplates(templates, 'route-burn'),
    textContext: { class: clsName, proxyJob: ctx.config.linkerd.proxyJob, metrics, sliName: 'success-rate', latency: false, thresholdMs: 0 },
  }));
}

function routeInstance(ctx: BuildContext, cls: string, protocol: Protocol, members: readonly RouteMember[]): SliInstance {
  const by = uniq([...ROUTE_LABELS, ...ctx.clusterLabels]);
  const component = `${protocol}-route`;
  const { matchers: narrow, exact } = prefilter(ROUTE_LABELS, members.map((m) => m.labels));
  const info = ctx.recordedSelector(RECORD_WORKLOAD.routeInfo, [eq('class', cls), eq('component', component)]);
  const restrict = (e: Expr) => (exact ? e : and(e, info, { on: by }));
  const metric = routeMetric(protocol);
  const all = ctx.proxySelector(metric, narrow);
  const good = ctx.proxySelector(metric, [...narrow, ...routeSuccessMatchers(protocol)]);
  const s = (sel: Selector, w: string) => sum(rate(sel, w), by);
  return {
    component,
    groupBy: [...ROUTE_LABELS],
    requestsRate: (w) => restrict(s(all, w)),
    // All minus good, so a request that is both 5xx and errored counts once; `or 0 *` when nothing is good.
    errorsRate: (w) => restrict(sub(s(all, w), or(s(good, w), mul(num(0), s(all, w))))),
    fixture: routeFixture(all, protocol, members[0]!),
  };
}

/** The first route: one good response per minute while healthy, one failing during the outage. */
function routeFixture(all: Selector, protocol: Protocol, first: RouteMember): FixtureSeries[] {
  const values = { ...first.labels };
  const base = { ...fixtureLabels(all, values), ...values };
  const status = protocol === 'http' ? 'http_status' : 'grpc_status';
  const ok = { [status]: protocol === 'http' ? '200' : 'OK' };
  const bad = { [status]: protocol === 'http' ? '503' : 'UNAVAILABLE' };
  return [
    { labels: { ...base, ...ok, error: '' }, healthy: 1, outage: 0 },
    { labels: { ...base, ...bad, error: '' }, healthy: 0, outage: 1 },
  ];
}
