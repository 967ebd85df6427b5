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
import type { Config } from '../../config/schema.js';
import type { ConfigIssue, ConfigPath } from '../../config/errors.js';
import { atLeast } from '../../linkerd/catalog.js';
import { formatDuration, parseDuration } from '../../promql/number.js';
import type { RuleGroup } from '../../rules.js';
import type { BuildContext, KindOutput, SloKind } from '../kind.js';
import { budgetRunbooks, buildBurnRate, checkObjective } from '../burn-rate.js';
import { bucketBoundProblem } from '../../linkerd/latency-buckets.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { membersOf, routesOf, ROUTE_LABELS, WORKLOAD_LABELS } from './members.js';
import { workloadSlis } from './openslo.js';
import { classSlos, workloadInfoRules } from './classes.js';
import { routeDefinitions, routeInfoRules } from './routes.js';
import { metricNames, WORKLOAD_SLO } from './names.js';
import { dashboardRows } from './overview-rows.js';
import { workloadRunbooks } from './runbooks.js';


/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'workloads';

function bucketBoundIssue(value: number, path: ConfigPath): ConfigIssue[] {
  const problem = bucketBoundProblem(value);
  return problem ? [{ path, message: problem }] : [];
}

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

  build(ctx: BuildContext): KindOutput {
    const w = ctx.config.slos.workloads;
    const members = membersOf(w);
    const routes = routesOf(w);
    const period = formatDuration(parseDuration(w.defaults.period));
    const metrics = metricNames(ctx);
    const common = (cls: string) => ({ period, labels: { class: cls }, budgetPolicy: w.budgetPolicy });
    const classes = classSlos(ctx, w, members, common, metrics, templates);
    const definitions = [...classes.definitions, ...routeDefinitions(ctx, w, routes, common, metrics, templates)];
    const built = definitions.map((d) => buildBurnRate(ctx, d));
    const infoRules = [...workloadInfoRules(ctx, members), ...routeInfoRules(ctx, routes)];
    const ruleGroups: RuleGroup[] = [
      ...(infoRules.length ? [{ name: 'linkerd-slo-workloads-info', rules: infoRules }] : []),
      ...built.flatMap((b) => b.groups),
      ...(classes.histogramRules.length ? [{ name: 'linkerd-slo-workloads-latency-histogram', rules: classes.histogramRules }] : []),
    ];
    const has = {
      hasSr: definitions.some((d) => d.slo === WORKLOAD_SLO.successRate),
      hasLatency: definitions.some((d) => d.slo === WORKLOAD_SLO.latency),
      hasRoutes: definitions.some((d) => d.slo === WORKLOAD_SLO.route),
    };
    return {
      ruleGroups,
      dashboardRows: dashboardRows(ctx, { ...has, members, period }),
      unitTests: built.flatMap((b) => b.unitTests),
      runbooks: [...budgetRunbooks(ctx.config, built.map((b) => b.budget)), ...workloadRunbooks(ctx, w, { ...has, members, routes, period, metrics }, templates)],
    };
  },
};
