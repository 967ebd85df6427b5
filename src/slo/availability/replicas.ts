/**
 * HA replicas from kube-state-metrics (optional, slos.controlPlaneAvailability.replicas): fewer than
 * the expected available replicas of linkerd-destination, -identity or -proxy-injector ticket; an
 * injector with none pages (in HA mode its webhook fails closed and the API server rejects every pod
 * creation it covers; without HA new pods start without a proxy); a Deployment whose series is gone
 * tickets, since it would blind the other two.
 */
import { absent, binary, eq, lt, max, num, oneOf, type Selector } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import { AVAILABILITY_ALERTS, AVAILABILITY_METRICS } from './names.js';
import type { AvailabilityAlerts } from './alert-set.js';
import { BY_SEVERITY_COMPONENT, FILTERS, type SourceScenario } from './fixtures.js';

/** Components whose Deployment (linkerd-<component>) the HA replica checks read. */
const HA_COMPONENTS = ['destination', 'identity', 'proxy-injector'] as const;

/** The HA components watched: those of HA_COMPONENTS configured, none while the check is off. */
export function haComponents(ctx: BuildContext): string[] {
  const a = ctx.config.slos.controlPlaneAvailability;
  return a.replicas.enabled ? HA_COMPONENTS.filter((c) => a.components.includes(c)) : [];
}

/** kube-state-metrics' available replicas of the control plane's Deployments. */
function available(ctx: BuildContext, deployments: readonly string[]): Selector {
  const r = ctx.config.slos.controlPlaneAvailability.replicas;
  return ctx.exporterSelector(AVAILABILITY_METRICS.replicasAvailable, [eq(r.namespaceLabel, ctx.config.linkerd.namespace), oneOf('deployment', deployments)]);
}

const deploymentOf = (component: string): string => `linkerd-${component}`;

/** Per Deployment, by cluster labels: max, since two kube-state-metrics replicas (or scrapes) report the same Deployment. */
const byDeployment = (ctx: BuildContext): string[] => [...ctx.clusterLabels, ctx.config.slos.controlPlaneAvailability.replicas.namespaceLabel, 'deployment'];

export function replicasAlerts(ctx: BuildContext, alerts: AvailabilityAlerts, components: readonly string[]): void {
  const a = ctx.config.slos.controlPlaneAvailability;
  const r = a.replicas;
  const by = byDeployment(ctx);
  const replicasText = { expected: r.expected, replicasFor: normalDuration(r.for), injectorFor: normalDuration(r.injectorUnavailableFor), namespaceLabel: r.namespaceLabel, absentFor: normalDuration(a.notScrapedFor) };
  for (const component of components) {
    const text = { ...replicasText, deployment: deploymentOf(component) };
    const replicas = available(ctx, [deploymentOf(component)]);
    alerts.add({ name: AVAILABILITY_ALERTS.replicasBelowHA, severity: 'ticket', expr: lt(max(replicas, by), num(r.expected)), for: r.for, template: 'replicas', text, component });
    if (component === 'proxy-injector') {
      alerts.add({ name: AVAILABILITY_ALERTS.injectorUnavailable, severity: 'page', expr: binary('==', max(replicas, by), num(0)), for: r.injectorUnavailableFor, template: 'injector', text, component });
    }
    alerts.add({ name: AVAILABILITY_ALERTS.replicasAbsent, severity: 'ticket', expr: absent(replicas), for: a.notScrapedFor, template: 'replicas-absent', text, component });
  }
}

export function replicasPanels(ctx: BuildContext, components: readonly string[]): PanelSpec[] {
  if (!components.length) return [];
  const r = ctx.config.slos.controlPlaneAvailability.replicas;
  return [
    {
      title: 'Available replicas',
      description: `Available replicas of the core Deployments (kube-state-metrics ${AVAILABILITY_METRICS.replicasAvailable}). Orange below ${r.expected} (ticket after ${normalDuration(r.for)}), red at 0 (linkerd-proxy-injector pages).`,
      type: 'timeseries',
      unit: 'none',
      queries: [{ expr: max(available(ctx, components.map(deploymentOf)), byDeployment(ctx)), legend: '{{deployment}}' }],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'orange' }, { value: r.expected, color: 'green' }],
      min: 0,
      width: 12,
    },
  ];
}

/** One Deployment a replica short tickets, an injector with none pages; no series opens the absent ticket. */
export function replicasScenario(ctx: BuildContext, components: readonly string[]): SourceScenario | undefined {
  if (!components.length) return undefined;
  const a = ctx.config.slos.controlPlaneAvailability;
  const sev = ctx.config.alerting.severities;
  const replicas = (component: string, value: number): ScenarioSeries => ({ labels: fixtureLabels(available(ctx, [deploymentOf(component)])), values: gauge(value) });
  const belowHA = components.find((c) => c !== 'proxy-injector');
  const injector = components.includes('proxy-injector');
  const low = Math.max(0, a.replicas.expected - 1);
  const rows = [...(belowHA ? [{ severity: sev.ticket, component: belowHA }] : []), ...(injector ? [{ severity: sev.ticket, component: 'proxy-injector' }] : [])];
  return {
    firing: components.map((c) => replicas(c, c === 'proxy-injector' ? 0 : c === belowHA ? low : a.replicas.expected)),
    checks: [
      { alert: AVAILABILITY_ALERTS.replicasBelowHA, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: minutesOf(a.replicas.for) + 2, rows },
      ...(injector ? [{ alert: AVAILABILITY_ALERTS.injectorUnavailable, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: minutesOf(a.replicas.injectorUnavailableFor) + 2, rows: [{ severity: sev.page, component: 'proxy-injector' }] }] : []),
    ],
    stories: [[belowHA ? `linkerd-${belowHA} with ${low} of ${a.replicas.expected} replicas tickets` : '', injector ? 'linkerd-proxy-injector with none pages' : ''].filter(Boolean).join(', ')],
    absent: { alert: AVAILABILITY_ALERTS.replicasAbsent, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: minutesOf(a.notScrapedFor) + 2, rows: components.map((component) => ({ severity: sev.ticket, component })) },
    healthy: components.map((c) => replicas(c, a.replicas.expected)),
    quietAfter: Math.max(minutesOf(a.replicas.for), minutesOf(a.replicas.injectorUnavailableFor), minutesOf(a.notScrapedFor)),
  };
}
