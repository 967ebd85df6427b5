/**
 * Control-plane success rate, seen from both ends:
 *  - server side: responses of destination, policy and identity as counted by the
 *    inbound side of their own pods' proxies (`response_total{direction="inbound"}`), restricted to
 *    each component's serving port so kubelet probes and metric scrapes on admin ports do not
 *    dilute the ratio;
 *  - client side: every meshed proxy's `control_response_total` towards destination, policy and
 *    identity, i.e. how the mesh experiences the control plane.
 */
import type { Config } from '../../config/schema.js';
import { CONTROL_PLANE_CLIENT_ADDR } from '../../linkerd/catalog.js';
import { CLIENT_ADDR_PATTERN_REASON, clientAddrPattern, clientSelectors, clientTrafficSelector, runningComponents, serverSelectors } from '../../linkerd/control-plane.js';
import { eq, mul, num, or, rate, re, sum, type Selector } from '../../promql/ast.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { BuildContext, SloKind } from '../kind.js';
import { budgetRunbooks } from '../burn-rate.js';
import { BASE_WINDOW, burnRateTemplates, buildBurnRate, checkObjective, noComponentLeft, ratioSli, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { CONTROL_PLANE_SLO, RAW_FAMILY_RECORDINGS } from '../series.js';
import { successRateSlis } from './openslo.js';
import { fixtureLabels } from '../promtool-tests.js';
import { controlPlaneTrafficRows } from './panels.js';
import { METRIC_NAMES } from '../../linkerd/metric-names.js';
import { PROXY_CONTAINER } from '../../linkerd/proxy-container.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = CONTROL_PLANE_SLO.successRate;
const BURN_ALERT = 'LinkerdControlPlaneErrorBudgetBurn';
const ABSENT_ALERT = 'LinkerdControlPlaneSLIMetricsAbsent';

/**
 * The users' promtool fixture of one SLI: successes while healthy, failures during the outage, on
 * label sets that satisfy its selectors (a regex matcher takes the given example value).
 */
function outageFixture(s: { readonly bad: Selector; readonly total: Selector }, regex: Readonly<Record<string, string>>) {
  return [
    { labels: { ...fixtureLabels(s.total, regex), classification: 'success' }, healthy: 1, outage: 0 },
    { labels: fixtureLabels(s.bad, regex), healthy: 0, outage: 1 },
  ];
}

export const successRate: SloKind<typeof configSection> = {
  config: configSection,
  ratioSlis: (ctx) => successRateSlis(ctx),
  id: ID,
  title: 'Control-plane success rate',
  enabled: (config: Config) => config.slos.controlPlaneSuccessRate.enabled,
  standingRows: (ctx) => controlPlaneTrafficRows(ctx),

  check(config: Config): ConfigIssue[] {
    const slo = config.slos.controlPlaneSuccessRate;
    if (!slo.enabled) return [];
    const base = ['slos', 'controlPlaneSuccessRate'];
    const issues = checkObjective(config, slo.objective, slo.period, [...base, 'objective'], [...base, 'period']);
    if (slo.clientSide.enabled) {
      issues.push(...checkObjective(config, slo.clientSide.objective, slo.period, [...base, 'clientSide', 'objective'], [...base, 'period']));
    }
    if (slo.components.length === 0 && !slo.clientSide.enabled) {
      issues.push(noComponentLeft(base));
    }
    return issues;
  },

  build(ctx: BuildContext) {
    const { config, facts } = ctx;
    const slo = config.slos.controlPlaneSuccessRate;
    const by = Object.keys(config.prometheus.extraMatchers);
    const textContext = { namespace: config.linkerd.namespace, version: facts.version, metrics: METRIC_NAMES };
    const common = {
      slo: ID,
      period: slo.period,
      burnAlert: BURN_ALERT,
      absentAlert: ABSENT_ALERT,
      templates: burnRateTemplates(templates),
      budgetPolicy: slo.budgetPolicy,
    };
    const definitions: SliDefinition[] = [];
    const server: SliInstance[] = runningComponents(slo.components, facts).map((component) => {
      const s = serverSelectors(ctx, component, slo.ports[component]);
      const regex = { target_addr: `10.0.0.1:${config.slos.controlPlaneSuccessRate.ports[component]}` };
      return {
        component,
        ...ratioSli(s.bad, s.total, by),
        presence: s.presence,
        fixture: outageFixture(s, regex),
      };
    });
    if (server.length) {
      definitions.push({
        ...common,
        sli: 'server',
        title: 'Control-plane success rate (server side)',
        objective: slo.objective,
        instances: server,
        textContext: { ...textContext, side: 'server' },
      });
    }
    if (slo.clientSide.enabled) {
      const components = runningComponents(slo.clientSide.components, facts);
      // One pass over control_response_total: every proxy's calls to the watched Services, by addr and
      // classification, recorded once; each component's 5m SLI sums its addr out of it.
      const sliMatchers = [eq('slo', ID), eq('sli', 'client')];
      const sharedRecording = {
        record: RAW_FAMILY_RECORDINGS.controlResponses,
        expr: sum(rate(clientTrafficSelector(ctx, components), BASE_WINDOW), [...by, 'addr', 'classification']),
        labels: { ...ctx.ruleLabels, slo: ID, sli: 'client' },
      };
      const client: SliInstance[] = components.map((component) => {
        const s = clientSelectors(ctx, component);
        const raw = ratioSli(s.bad, s.total, by);
        const addr = re('addr', clientAddrPattern(ctx, component));
        const sharedTotal = sum(ctx.recordedSelector(RAW_FAMILY_RECORDINGS.controlResponses, [...sliMatchers, addr]), by);
        const sharedBad = sum(ctx.recordedSelector(RAW_FAMILY_RECORDINGS.controlResponses, [...sliMatchers, addr, eq('classification', 'failure')]), by);
        // No absent alert on the client side: proxies evict idle control_* series after 10 minutes
        // (DEFAULT_METRICS_RETAIN_IDLE in linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0) and watch streams only count when they end, so a quiet mesh legitimately has none.
        const { service, port } = CONTROL_PLANE_CLIENT_ADDR[component];
        const regex = { addr: `${service}.${config.linkerd.namespace}.svc.cluster.local:${port}` };
        return {
          component,
          errorsRate: (w: string) => (w === BASE_WINDOW ? or(sharedBad, mul(num(0), sharedTotal)) : raw.errorsRate(w)),
          requestsRate: (w: string) => (w === BASE_WINDOW ? sharedTotal : raw.requestsRate(w)),
          fixture: outageFixture(s, regex),
          lint: [{ check: 'promql/regexp', reason: CLIENT_ADDR_PATTERN_REASON }],
        };
      });
      if (client.length) {
        definitions.push({
          ...common,
          sli: 'client',
          title: 'Control-plane success rate (client side)',
          objective: slo.clientSide.objective,
          instances: client,
          sharedRecordings: [sharedRecording],
          textContext: { ...textContext, side: 'client' },
        });
      }
    }
    const built = definitions.map((d) => ({ def: d, out: buildBurnRate(ctx, d) }));
    return {
      ruleGroups: built.flatMap((b) => b.out.groups),
      dashboardRows: built.map((b) => ({ title: b.def.title, panels: b.out.panels })),
      unitTests: built.flatMap((b) => b.out.unitTests),
      runbooks: [...budgetRunbooks(config, built.map((b) => b.out.budget)), ...[BURN_ALERT, ABSENT_ALERT].map((alert) => ({
        alert,
        markdown: templates.runbook(alert, {
          cluster: config.cluster,
          namespace: config.linkerd.namespace,
          version: facts.version,
          metrics: METRIC_NAMES,
          proxyContainer: PROXY_CONTAINER,
          ports: slo.ports,
          burnAlert: BURN_ALERT,
          absentAlert: ABSENT_ALERT,
          serverObjective: slo.objective,
          clientObjective: slo.clientSide.objective,
          period: slo.period,
          windows: config.alerting.windows.map((w) => ({ ...w, for: w.for ?? '' })),
          minRequests: config.alerting.lowTraffic.minRequests,
          severities: config.alerting.severities,
          proxyJob: config.linkerd.proxyJob,
          absentFor: config.alerting.absentFor,
        }),
      }))],
    };
  },
};
