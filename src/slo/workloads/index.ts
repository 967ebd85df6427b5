/**
 * Workload SLOs: inbound success rate and latency of meshed workloads, by request class (the SRE
 * Workbook's Table 5-10, Google SRE Workbook ch. 5, https://sre.google/workbook/alerting-on-slos/), plus optional per-route success rate.
 *
 * Server side, always (https://linkerd.io/2.18/reference/proxy-metrics/): the SLIs read `response_total` and
 * `response_latency_ms_bucket` with `direction="inbound"` from the workload's own proxies, so a pod's
 * outbound calls never mix in, and leave out the proxy's admin port (probes and scrapes the proxy
 * meters as inbound traffic, src/linkerd/proxy-admin.ts), and aggregate by `namespace` plus the workload label the linkerd-proxy
 * job copies from the pod (`deployment`, `statefulset`, `daemonset`, linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18), never by name alone.
 * Label-selector workloads are aggregated by namespace and named by a static `workload` label.
 *
 * Cost: every workload of one class and kind shares one SLI instance of the burn-rate engine, i.e.
 * one set of recording rules whose series are split `by (namespace, deployment)`; only a constant
 * `linkerd_slo:workload_info` series per workload (the expected set) grows with the list. A regex
 * prefilter on namespace and name narrows the raw series (up to 50 values each); when it could match pairs that are not
 * configured (web in a, api in b, but not web in b), the result is joined with the info series.
 *
 * Routes (optional): client-side success rate of Gateway API routes from every caller's
 * `outbound_{http,grpc}_route_request_statuses_total` (Linkerd 2.16+, linkerd/linkerd2-proxy `linkerd/app/outbound/src/metrics.rs` at release/v2.246.0), by parent Service and route.
 */
import { groupBy } from '../../collections.js';
import {
  aggregate, and, binary, call, eq, gt, inline, mul, num, oneOf, or, rate, selector, sub, sum, vector,
  type Expr, type Selector,
} from '../../promql/ast.js';
import type { Config } from '../../config/schema.js';
import { WORKLOAD_KINDS } from '../../linkerd/catalog.js';
import type { ConfigIssue, ConfigPath } from '../../config/errors.js';
import { atLeast } from '../../linkerd/catalog.js';
import { formatDuration, formatNumber, parseDuration } from '../../promql/number.js';
import type { RecordingRule, RuleGroup } from '../../rules.js';
import type { DashboardRow, PanelSpec } from '../../dashboard-model.js';
import type { BuildContext, SloKind } from '../kind.js';
import { budgetRunbooks } from '../burn-rate.js';
import { burnRateTemplates, buildBurnRate, burnRateFactor, checkObjective, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { SLI_RECORDINGS } from '../series.js';
import { PROXY_HTTP, servedInbound } from '../../linkerd/proxy-admin.js';
import { bucketBoundProblem } from '../../linkerd/latency-buckets.js';
import { fixtureLabels, type FixtureSeries } from '../promtool-tests.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import {
  membersOf, routeMetric, routesOf, routeSuccessMatchers, ROUTE_LABELS, WORKLOAD_LABELS,
  type Component, type Member, type RequestClass, type RouteMember,
} from './members.js';
import { workloadSlis } from './openslo.js';
import { makeGroup, prefilter, RECORD_WORKLOAD, sorted, uniq } from './groups.js';
import { histogramRecording, histogramRule, isNative, latencyHeatmapPanel, latencyInstance } from './latency.js';
import { PROXY_CONTAINER, PROXY_PRESENCE_METRIC } from '../../linkerd/proxy-container.js';

export { RECORD_WORKLOAD } from './groups.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'workloads';
export const WORKLOAD_SLO = { successRate: 'workload-success-rate', latency: 'workload-latency', route: 'route-success-rate' } as const;
export const WORKLOAD_ALERTS = {
  burn: 'LinkerdWorkloadErrorBudgetBurn',
  latencyBurn: 'LinkerdWorkloadLatencyBudgetBurn',
  absent: 'LinkerdWorkloadMetricsAbsent',
  routeBurn: 'LinkerdRouteErrorBudgetBurn',
} as const;


function bucketBoundIssue(value: number, path: ConfigPath): ConfigIssue[] {
  const problem = bucketBoundProblem(value);
  return problem ? [{ path, message: problem }] : [];
}

function routeGroup(ctx: BuildContext, cls: string, protocol: 'http' | 'grpc', members: readonly RouteMember[]) {
  const extraBy = Object.keys(ctx.config.prometheus.extraMatchers);
  const by = uniq([...ROUTE_LABELS, ...extraBy]);
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
    fixture: (() => {
      const values = { ...members[0]!.labels };
      const base = { ...fixtureLabels(all, values), ...values };
      const status = protocol === 'http' ? 'http_status' : 'grpc_status';
      const ok = { [status]: protocol === 'http' ? '200' : 'OK' };
      const bad = { [status]: protocol === 'http' ? '503' : 'UNAVAILABLE' };
      return [
        { labels: { ...base, ...ok, error: '' }, healthy: 1, outage: 0 },
        { labels: { ...base, ...bad, error: '' }, healthy: 0, outage: 1 },
      ];
    })(),
  } satisfies SliInstance;
}

/** Rule labels of a workload's info series. */
function infoLabels(ctx: BuildContext, m: Member): Record<string, string> {
  return { ...ctx.ruleLabels, ...ctx.config.prometheus.extraMatchers, class: m.class, component: m.component, namespace: m.namespace, [m.component]: m.name };
}

/** The Linkerd metrics the alert texts and runbooks name, as this Prometheus stores them. */
function metricNames(ctx: BuildContext) {
  const native = isNative(ctx);
  return {
    responses: PROXY_HTTP.responses,
    latency: native ? PROXY_HTTP.latencyHistogram : PROXY_HTTP.latencyBucket,
    /** The histogram family's name, whatever its storage. */
    latencyFamily: PROXY_HTTP.latencyHistogram,
    native,
    presence: PROXY_PRESENCE_METRIC,
    httpRoute: routeMetric('http'),
    grpcRoute: routeMetric('grpc'),
  };
}

const NAME_LEGEND = '{{namespace}}/{{deployment}}{{statefulset}}{{daemonset}}{{workload}}';

export const workloads: SloKind<typeof configSection> = {
  config: configSection,
  id: ID,
  title: 'Workload SLOs',
  ratioSlis: (ctx) => workloadSlis(ctx),
  enabled: (config: Config) => config.slos.workloads.enabled && (config.slos.workloads.list.length > 0 || config.slos.workloads.routes.length > 0),

  check(config: Config): ConfigIssue[] {
    const w = config.slos.workloads;
    if (!w.enabled || (w.list.length === 0 && w.routes.length === 0)) return [];
    const base = ['slos', 'workloads'];
    const issues: ConfigIssue[] = [];
    const used = new Map<string, ConfigPath>();
    const classOf = (cls: string | undefined, path: ConfigPath) => {
      const name = cls ?? w.defaults.class;
      const where = cls === undefined ? [...base, 'defaults', 'class'] : path;
      if (!Object.hasOwn(w.classes, name)) {
        const message = `unknown request class "${name}"; classes: ${Object.keys(w.classes).join(', ')}`;
        if (!issues.some((i) => i.message === message && i.path.join('.') === where.join('.'))) issues.push({ path: where, message });
        return undefined;
      }
      if (!used.has(name)) used.set(name, where);
      return w.classes[name]!;
    };

    const seen = new Map<string, number>();
    membersOf(w).forEach((m, i) => {
      classOf(w.list[i]!.class, [...base, 'list', i, 'class']);
      const key = `${m.namespace}/${m.component}/${m.name}`;
      const first = seen.get(key);
      if (first !== undefined) issues.push({ path: [...base, 'list', i], message: `duplicate of list[${first}] (${m.component} ${m.namespace}/${m.name})` });
      else seen.set(key, i);
    });
    const seenRoutes = new Map<string, number>();
    routesOf(w).forEach((r, i) => {
      const cls = classOf(w.routes[i]!.class, [...base, 'routes', i, 'class']);
      if (cls && !cls.successRate.enabled) {
        issues.push({ path: [...base, 'routes', i, 'class'], message: `class "${r.class}" has successRate disabled, and routes only have a success-rate SLO` });
      }
      const key = `${r.protocol}:${ROUTE_LABELS.map((l) => r.labels[l]).join('/')}`;
      const first = seenRoutes.get(key);
      if (first !== undefined) issues.push({ path: [...base, 'routes', i], message: `duplicate of routes[${first}]` });
      else seenRoutes.set(key, i);
    });
    if (w.routes.length && !atLeast(config.linkerd.version, 16)) {
      issues.push({
        path: [...base, 'routes'],
        message: `route SLOs read outbound_http_route_request_statuses_total, which proxies expose from Linkerd 2.16; linkerd.version is ${config.linkerd.version}`,
      });
    }

    const periodPath = [...base, 'defaults', 'period'];
    for (const name of used.keys()) {
      const cls = w.classes[name]!;
      const p = [...base, 'classes', name];
      if (cls.successRate.enabled) issues.push(...checkObjective(config, cls.successRate.objective, w.defaults.period, [...p, 'successRate', 'objective'], periodPath));
      if (cls.latency.enabled) {
        issues.push(...checkObjective(config, cls.latency.objective, w.defaults.period, [...p, 'latency', 'objective'], periodPath));
        issues.push(...bucketBoundIssue(cls.latency.thresholdMs, [...p, 'latency', 'thresholdMs']));
      }
      if (!cls.successRate.enabled && !cls.latency.enabled) issues.push({ path: p, message: `class "${name}" measures nothing (successRate and latency disabled) but workloads use it` });
    }

    const taken = [...(w.list.length ? WORKLOAD_LABELS : []), ...(w.routes.length ? ROUTE_LABELS : [])];
    for (const [where, labels] of [['ruleLabels', config.prometheus.ruleLabels], ['extraMatchers', config.prometheus.extraMatchers]] as const) {
      for (const label of Object.keys(labels)) {
        if (taken.includes(label)) {
          issues.push({ path: ['prometheus', where, label], atKey: true, message: `label "${label}" identifies workloads/routes in the workload SLO rules; choose another name` });
        }
      }
    }
    return issues;
  },

  build(ctx: BuildContext) {
    const { config, facts } = ctx;
    const w = config.slos.workloads;
    const members = membersOf(w);
    const routes = routesOf(w);
    const period = formatDuration(parseDuration(w.defaults.period));
    const metrics = metricNames(ctx);

    const infoRules: RecordingRule[] = [
      ...members.map((m) => ({ record: RECORD_WORKLOAD.info, expr: vector(1), labels: infoLabels(ctx, m) })),
      ...routes.map((r) => ({
        record: RECORD_WORKLOAD.routeInfo,
        expr: vector(1),
        labels: { ...ctx.ruleLabels, ...config.prometheus.extraMatchers, class: r.class, component: `${r.protocol}-route`, ...r.labels },
      })),
    ];

    const common = (cls: string) => ({ period, labels: { class: cls }, budgetPolicy: config.slos.workloads.budgetPolicy });
    const definitions: SliDefinition[] = [];
    const histogramRules: RecordingRule[] = [];
    const classesInUse = uniq([...members.map((m) => m.class), ...routes.map((r) => r.class)]);

    for (const [clsName, clsMembers] of groupBy(members, (m) => m.class)) {
      const cls: RequestClass = w.classes[clsName]!;
      const groups = [...groupBy(clsMembers, (m) => m.component)].map(([component, ms]) => makeGroup(ctx, clsName, component as Component, ms));
      const text = { class: clsName, proxyJob: config.linkerd.proxyJob, metrics };

      const srInstances: SliInstance[] = groups.map((g) => {
        const m0 = g.members[0]!;
        const totalSel = g.memberSelector(m0, PROXY_HTTP.responses, []);
        const badSel = g.memberSelector(m0, PROXY_HTTP.responses, [eq('classification', 'failure')]);
        const id0 = g.identityLabels(m0);
        // Every member's proxies are scraped: keeps the absent alert quiet in the generated test.
        const presenceFixture: FixtureSeries[] = g.members.map((m) => ({ labels: fixtureLabels(g.presenceOf(m)), healthy: 0, outage: 0 }));
        return {
          component: g.component,
          groupBy: g.identity,
          requestsRate: (win) => g.sumOf(PROXY_HTTP.responses, [], (sel) => rate(sel, win)),
          // `or 0 *` keeps the error rate at 0, not absent, while no failure series exist (linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0).
          errorsRate: (win) =>
            g.combine((s) => or(s(PROXY_HTTP.responses, [eq('classification', 'failure')], (sel) => rate(sel, win)), mul(num(0), s(PROXY_HTTP.responses, [], (sel) => rate(sel, win))))),
          ...(cls.successRate.enabled ? { missing: g.missing } : {}),
          fixture: [
            { labels: { ...fixtureLabels(totalSel, id0), ...id0, classification: 'success' }, healthy: 1, outage: 0 },
            { labels: { ...fixtureLabels(badSel, id0), ...id0 }, healthy: 0, outage: 1 },
            ...presenceFixture,
          ],
        };
      });

      if (cls.successRate.enabled) {
        definitions.push({
          ...common(clsName),
          slo: WORKLOAD_SLO.successRate,
          sli: 'server',
          title: `Workload success rate (${clsName})`,
          objective: cls.successRate.objective,
          instances: srInstances,
          burnAlert: WORKLOAD_ALERTS.burn,
          absentAlert: WORKLOAD_ALERTS.absent,
          templates: burnRateTemplates(templates),
          textContext: { ...text, sliName: 'success-rate', latency: false, thresholdMs: 0 },
        });
      }

      if (cls.latency.enabled) {
        const thresholdMs = cls.latency.thresholdMs;
        // Without a success-rate SLO, the blind-workload ticket comes from here.
        const absence = (i: number) => (cls.successRate.enabled ? undefined : { missing: groups[i]!.missing, fixture: srInstances[i]!.fixture!.slice(2) });
        const latencyInstances = groups.map((g, i) => latencyInstance(ctx, g, thresholdMs, absence(i)));
        definitions.push({
          ...common(clsName),
          slo: WORKLOAD_SLO.latency,
          sli: 'server',
          title: `Workload latency (${clsName}, ${thresholdMs} ms)`,
          objective: cls.latency.objective,
          instances: latencyInstances,
          burnAlert: WORKLOAD_ALERTS.latencyBurn,
          absentAlert: WORKLOAD_ALERTS.absent,
          templates: burnRateTemplates(templates),
          textContext: { ...text, sliName: 'latency', latency: true, thresholdMs },
        });
      }

      for (const g of groups) {
        histogramRules.push(histogramRule(ctx, g, clsName));
      }
    }

    for (const [clsName, rs] of groupBy(routes, (r) => r.class)) {
      const cls = w.classes[clsName]!;
      const instances = [...groupBy(rs, (r) => r.protocol)].map(([protocol, ps]) => routeGroup(ctx, clsName, protocol as 'http' | 'grpc', ps));
      definitions.push({
        ...common(clsName),
        slo: WORKLOAD_SLO.route,
        sli: 'client',
        title: `Route success rate (${clsName})`,
        objective: cls.successRate.objective,
        instances,
        burnAlert: WORKLOAD_ALERTS.routeBurn,
        absentAlert: WORKLOAD_ALERTS.absent,
        templates: burnRateTemplates(templates, 'route-burn'),
        textContext: { class: clsName, proxyJob: config.linkerd.proxyJob, metrics, sliName: 'success-rate', latency: false, thresholdMs: 0 },
      });
    }

    const built = definitions.map((d) => ({ def: d, out: buildBurnRate(ctx, d) }));
    const ruleGroups: RuleGroup[] = [
      ...(infoRules.length ? [{ name: 'linkerd-slo-workloads-info', rules: infoRules }] : []),
      ...built.flatMap((b) => b.out.groups),
      ...(histogramRules.length ? [{ name: 'linkerd-slo-workloads-latency-histogram', rules: histogramRules }] : []),
    ];

    const hasSr = definitions.some((d) => d.slo === WORKLOAD_SLO.successRate);
    const hasLatency = definitions.some((d) => d.slo === WORKLOAD_SLO.latency);
    const hasRoutes = definitions.some((d) => d.slo === WORKLOAD_SLO.route);
    const alerts = [
      ...(hasSr ? [WORKLOAD_ALERTS.burn] : []),
      ...(hasLatency ? [WORKLOAD_ALERTS.latencyBurn] : []),
      ...(members.length ? [WORKLOAD_ALERTS.absent] : []),
      ...(hasRoutes ? [WORKLOAD_ALERTS.routeBurn] : []),
    ];
    const inbound = servedInbound(facts, config.linkerd.proxyAdminPort);
    const runbookContext = {
      cluster: config.cluster,
      // `direction="inbound", target_port!="4191"`: what the SLIs read, as the runbooks quote it.
      inbound: inline(selector(undefined, inbound)).slice(1, -1),
      adminPort: config.linkerd.proxyAdminPort,
      proxyContainer: PROXY_CONTAINER,
      version: facts.version,
      proxyJob: config.linkerd.proxyJob,
      period,
      alerts: WORKLOAD_ALERTS,
      classes: classesInUse.map((name) => {
        const c = w.classes[name]!;
        return {
          name,
          successRate: c.successRate.enabled ? `${formatNumber(c.successRate.objective)}%` : '-',
          latency: c.latency.enabled ? `${formatNumber(c.latency.objective)}% ≤ ${c.latency.thresholdMs} ms` : '-',
          workloads: members.filter((m) => m.class === name).length,
          routes: routes.filter((r) => r.class === name).length,
        };
      }),
      windows: config.alerting.windows.map((win) => ({ ...win, for: win.for ?? '', factor: formatNumber(burnRateFactor(win, period)) })),
      minRequests: config.alerting.lowTraffic.minRequests,
      severities: config.alerting.severities,
      absentFor: config.alerting.absentFor,
      metrics,
    };

    return {
      ruleGroups,
      dashboardRows: dashboardRows(ctx, { hasSr, hasLatency, hasRoutes, members, period }),
      unitTests: built.flatMap((b) => b.out.unitTests),
      runbooks: [...budgetRunbooks(config, built.map((b) => b.out.budget)), ...alerts.map((alert) => ({ alert, markdown: templates.runbook(alert, { ...runbookContext, alert }) }))],
    };
  },
};

function dashboardRows(
  ctx: BuildContext,
  o: { hasSr: boolean; hasLatency: boolean; hasRoutes: boolean; members: readonly Member[]; period: string },
): DashboardRow[] {
  const budgets = (slo: string) => ctx.recordedSelector(SLI_RECORDINGS.budgetRemaining, [eq('slo', slo)]);
  const budgetThresholds = [{ value: null, color: 'red' }, { value: 0, color: 'orange' }, { value: 0.25, color: 'green' }];
  const budgetTable = (slo: string, what: string, legend: string): PanelSpec => ({
    title: `${what}: error budget remaining (worst first)`,
    description:
      `Share of each ${o.period} error budget still unspent, one line per ${slo.startsWith('route') ? 'route' : 'workload'} (${legend}), worst first. ` +
      'Red: exhausted, the objective is missed; orange: under 25% left, hold risky rollouts of that workload.',
    type: 'table',
    unit: 'percentunit',
    decimals: 1,
    queries: [{ expr: call('sort', budgets(slo)), instant: true }],
    thresholds: budgetThresholds,
    links: [{ title: 'Runbook', url: ctx.runbookUrl(slo === WORKLOAD_SLO.latency ? WORKLOAD_ALERTS.latencyBurn : slo === WORKLOAD_SLO.route ? WORKLOAD_ALERTS.routeBurn : WORKLOAD_ALERTS.burn) }],
    width: 12,
    height: 10,
  });
  const sloIds = [...(o.hasSr ? [WORKLOAD_SLO.successRate] : []), ...(o.hasLatency ? [WORKLOAD_SLO.latency] : []), ...(o.hasRoutes ? [WORKLOAD_SLO.route] : [])];
  const allBudgets = ctx.recordedSelector(SLI_RECORDINGS.budgetRemaining, [oneOf('slo', sorted(sloIds))]);
  const top = 20;

  const status: PanelSpec[] = [
    ...(o.hasSr ? [budgetTable(WORKLOAD_SLO.successRate, 'Success rate', 'inbound responses')] : []),
    ...(o.hasLatency ? [budgetTable(WORKLOAD_SLO.latency, 'Latency', 'inbound responses under the class threshold')] : []),
    ...(o.hasRoutes ? [budgetTable(WORKLOAD_SLO.route, 'Routes', 'client-side route responses')] : []),
    {
      title: 'Firing workload and route alerts',
      description: 'Workload and route SLO alerts firing now (empty is good), one row per alert, workload and window. Open the runbook from the alert.',
      type: 'table',
      unit: 'none',
      queries: [{
        expr: aggregate('count', binary('==', ctx.recordedSelector('ALERTS', [eq('alertstate', 'firing'), oneOf('slo', sorted(sloIds))]), num(1)), {
          by: ['alertname', 'class', 'component', 'namespace', ...WORKLOAD_KINDS, 'workload', ...ROUTE_LABELS, 'severity', 'long'],
        }),
        instant: true,
      }],
      width: 24,
    },
  ];

  const signals: PanelSpec[] = o.members.length
    ? [
        ...(o.hasSr
          ? [
              {
                title: `Traffic: inbound requests per second (top ${top})`,
                description: `Inbound requests per second of the busiest ${top} workloads with an SLO, as their own proxies count them (5m rate). A drop to zero on a busy workload usually means missing metrics or no ready pods.`,
                type: 'timeseries',
                unit: 'reqps',
                queries: [{ expr: aggregate('topk', ctx.recordedSelector(SLI_RECORDINGS.requestsRate, [eq('slo', WORKLOAD_SLO.successRate)]), { param: num(top) }), legend: NAME_LEGEND }],
                min: 0,
                width: 8,
              } satisfies PanelSpec,
              {
                title: `Errors: failed inbound responses (worst ${top})`,
                description: `Share of failed inbound responses over 5m (5xx, failing gRPC codes, stream errors) of the ${top} worst workloads. Sustained values above the class's error budget (0.1% for 99.9%) burn budget.`,
                type: 'timeseries',
                unit: 'percentunit',
                queries: [{
                  expr: aggregate('topk', ctx.recordedSelector(SLI_RECORDINGS.errorRatio('5m'), [eq('slo', WORKLOAD_SLO.successRate)]), { param: num(top) }),
                  legend: NAME_LEGEND,
                }],
                min: 0,
                width: 8,
              } satisfies PanelSpec,
            ]
          : []),
        {
          title: `Latency: p99 time to first byte (slowest ${top})`,
          description: `p99 of inbound response latency (time to first byte, ms) over 5m of the ${top} slowest workloads. Compare with the class threshold: above it, the latency SLO burns budget.`,
          type: 'timeseries',
          unit: 'ms',
          queries: [{
            expr: aggregate('topk', call('histogram_quantile', num(0.99), ctx.recordedSelector(histogramRecording(ctx))), { param: num(top) }),
            legend: NAME_LEGEND,
          }],
          min: 0,
          width: 8,
        },
        latencyHeatmapPanel(ctx),
      ]
    : [];

  const overview: PanelSpec[] = [
    {
      title: 'Workload and route SLOs within budget',
      description: `How many workload and route SLOs still have error budget left over ${o.period}, out of all of them. Fewer than all: see the tables below.`,
      type: 'stat',
      unit: 'none',
      queries: [
        { expr: or(aggregate('count', gt(allBudgets, num(0))), vector(0)), legend: 'within budget', instant: true },
        { expr: aggregate('count', allBudgets), legend: 'all', instant: true },
      ],
      width: 12,
    },
    {
      title: 'Workload and route SLOs out of budget',
      description: 'SLOs whose error budget is exhausted: their objective is missed for the period. Red above 0.',
      type: 'stat',
      unit: 'none',
      queries: [{ expr: or(aggregate('count', binary('<=', allBudgets, num(0))), vector(0)), instant: true }],
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
      width: 12,
    },
  ];

  return [
    { title: 'Workload SLOs', panels: overview, dashboard: 'overview' },
    { title: 'Workload SLO status', panels: status, dashboard: 'overview' },
    ...(signals.length ? [{ title: 'Golden signals of workloads with SLOs', panels: signals, dashboard: 'overview' as const }] : []),
  ];
}
