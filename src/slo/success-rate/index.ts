/**
 * Control-plane success rate, seen from both ends:
 *  - server side: responses of destination, policy and identity as counted by the
 *    inbound side of their own pods' proxies (`response_total{direction="inbound"}`), restricted to
 *    each component's serving port so kubelet probes and metric scrapes on admin ports do not
 *    dilute the ratio;
 *  - client side: every meshed proxy's `control_response_total` towards destination, policy and
 *    identity, i.e. how the mesh experiences the control plane.
 */
import { eq, escapeRegex, re, type Matcher, type Selector } from '../../promql/ast.js';
import type { Config } from '../../config/schema.js';
import { SERVING_COMPONENTS, CONTROL_PLANE_CLIENT_ADDR, CONTROL_PLANE_POD_COMPONENT, type LinkerdFacts } from '../../linkerd/catalog.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { BuildContext, SloKind } from '../kind.js';
import { buildBurnRate, checkObjective, ratioSli, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { fixtureLabels } from '../unit-tests.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'control-plane-success-rate';
const BURN_ALERT = 'LinkerdControlPlaneErrorBudgetBurn';
const ABSENT_ALERT = 'LinkerdControlPlaneSLIMetricsAbsent';

type Component = (typeof SERVING_COMPONENTS)[number];
type ClientComponent = (typeof SERVING_COMPONENTS)[number];

/**
 * Matchers for one component's inbound traffic as its own pod's proxy sees it: `pod` selects the
 * pod's inbound series (any port), `port` narrows them to the component's serving port.
 */
export function serverMatchers(ctx: BuildContext, component: Component, port: number): { pod: Matcher[]; port: Matcher } {
  return {
    pod: [
      eq('namespace', ctx.config.linkerd.namespace),
      // §2.3: the pod label linkerd.io/control-plane-component becomes control_plane_component.
      eq('control_plane_component', CONTROL_PLANE_POD_COMPONENT[component]),
      eq('direction', 'inbound'),
    ],
    // §1.2: target_port exists from 2.11; 2.10 only has target_addr ("ip:port").
    port: ctx.facts.hasTargetPort ? eq('target_port', String(port)) : re('target_addr', `.+:${port}`),
  };
}

/** Server-side selector of one component's inbound responses. */
export function serverSelectors(ctx: BuildContext, component: Component): { total: Selector; bad: Selector; presence: Selector } {
  const { pod, port: portMatcher } = serverMatchers(ctx, component, ctx.config.slos.controlPlaneSuccessRate.ports[component]);
  const total = ctx.proxySelector('response_total', [...pod, portMatcher]);
  return {
    total,
    // §1.2: classification="failure" covers 5xx, failing gRPC codes and stream errors.
    bad: ctx.proxySelector('response_total', [...pod, portMatcher, eq('classification', 'failure')]),
    // The admin port's own scrapes keep these series alive even when no client calls the component.
    presence: ctx.proxySelector('response_total', pod),
  };
}

/** Client-side selector of every proxy's calls to one control-plane service. */
export function clientSelectors(ctx: BuildContext, component: ClientComponent): { total: Selector; bad: Selector } {
  const { service, port } = CONTROL_PLANE_CLIENT_ADDR[component];
  // §1.3: addr is "<svc>.<ns>.svc.<cluster domain>[.]:<port>"; the real scrape has no trailing dot.
  const addr = re('addr', `${escapeRegex(`${service}.${ctx.config.linkerd.namespace}.svc.`)}.+:${port}`);
  return {
    total: ctx.proxySelector('control_response_total', [addr]),
    bad: ctx.proxySelector('control_response_total', [addr, eq('classification', 'failure')]),
  };
}

function availableComponents<T extends string>(components: readonly T[], facts: LinkerdFacts): T[] {
  return components.filter((c) => c !== 'policy' || facts.hasPolicyController);
}

export const successRate: SloKind<typeof configSection> = {
  config: configSection,
  id: ID,
  title: 'Control-plane success rate',
  enabled: (config: Config) => config.slos.controlPlaneSuccessRate.enabled,

  check(config: Config): ConfigIssue[] {
    const slo = config.slos.controlPlaneSuccessRate;
    if (!slo.enabled) return [];
    const base = ['slos', 'controlPlaneSuccessRate'];
    const issues = checkObjective(config, slo.objective, slo.period, [...base, 'objective'], [...base, 'period']);
    if (slo.clientSide.enabled) {
      issues.push(...checkObjective(config, slo.clientSide.objective, slo.period, [...base, 'clientSide', 'objective'], [...base, 'period']));
    }
    if (slo.components.length === 0 && !slo.clientSide.enabled) {
      issues.push({ path: [...base, 'components'], message: 'no component left to measure; disable the SLO instead (enabled: false)' });
    }
    return issues;
  },

  build(ctx: BuildContext) {
    const { config, facts } = ctx;
    const slo = config.slos.controlPlaneSuccessRate;
    const by = Object.keys(config.prometheus.extraMatchers);
    const textContext = { namespace: config.linkerd.namespace, version: facts.version };
    const common = {
      slo: ID,
      period: slo.period,
      burnAlert: BURN_ALERT,
      absentAlert: ABSENT_ALERT,
      templates: {
        source: templates,
        summary: 'burn-summary',
        description: 'burn-description',
        absentSummary: 'absent-summary',
        absentDescription: 'absent-description',
      },
    };
    const definitions: SliDefinition[] = [];
    const server: SliInstance[] = availableComponents(slo.components, facts).map((component) => {
      const s = serverSelectors(ctx, component);
      const regex = { target_addr: `10.0.0.1:${config.slos.controlPlaneSuccessRate.ports[component]}` };
      return {
        component,
        ...ratioSli(s.bad, s.total, by),
        presence: s.presence,
        fixture: [
          { labels: { ...fixtureLabels(s.total, regex), classification: 'success' }, healthy: 1, outage: 0 },
          { labels: fixtureLabels(s.bad, regex), healthy: 0, outage: 1 },
        ],
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
      const client: SliInstance[] = availableComponents(slo.clientSide.components, facts).map((component) => {
        const s = clientSelectors(ctx, component);
        // No absent alert on the client side: proxies evict idle control_* series after 10 minutes
        // (§1.1) and watch streams only count when they end, so a quiet mesh legitimately has none.
        const { service, port } = CONTROL_PLANE_CLIENT_ADDR[component];
        const regex = { addr: `${service}.${config.linkerd.namespace}.svc.cluster.local:${port}` };
        return {
          component,
          ...ratioSli(s.bad, s.total, by),
          fixture: [
            { labels: { ...fixtureLabels(s.total, regex), classification: 'success' }, healthy: 1, outage: 0 },
            { labels: fixtureLabels(s.bad, regex), healthy: 0, outage: 1 },
          ],
        };
      });
      if (client.length) {
        definitions.push({
          ...common,
          sli: 'client',
          title: 'Control-plane success rate (client side)',
          objective: slo.clientSide.objective,
          instances: client,
          textContext: { ...textContext, side: 'client' },
        });
      }
    }
    const built = definitions.map((d) => ({ def: d, out: buildBurnRate(ctx, d) }));
    return {
      ruleGroups: built.flatMap((b) => b.out.groups),
      dashboardRows: built.map((b) => ({ title: b.def.title, panels: b.out.panels })),
      unitTests: built.flatMap((b) => b.out.unitTests),
      runbooks: [BURN_ALERT, ABSENT_ALERT].map((alert) => ({
        alert,
        markdown: templates.runbook(alert, {
          cluster: config.cluster,
          namespace: config.linkerd.namespace,
          version: facts.version,
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
      })),
    };
  },
};
