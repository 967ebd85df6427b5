/**
 * Scrape health of every control-plane container on the controller job (`up`, `component` = container
 * name), restricted to the containers that the configured scrape style scrapes on the configured
 * version and whose /metrics works there (catalog.ts controllerTargets: no policy before 2.13,
 * public-api only on 2.10, no viz containers under the 2.19+ PodMonitor), so nothing alerts on what
 * cannot work; plus absent(up) per container, which also catches the 2.19 viz chart regression that
 * drops the core control plane from the job. The same scrape feeds the controller-internals panels
 * (memory, goroutines, gRPC codes).
 */
import { absent, aggregate, binary, max, num, oneOf, rate, sum, type Selector } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { controllerTargets, scrapeStyleOf } from '../../linkerd/catalog.js';
import { CONTROLLER_METRICS, PROCESS_METRICS } from '../../linkerd/metric-names.js';
import type { BuildContext } from '../kind.js';
import { fixtureLabels, gauge, minutesOf, scenarioTest, type ScenarioSeries } from '../promtool-tests.js';
import { AVAILABILITY_ALERTS, AVAILABILITY_METRICS } from './names.js';
import type { AvailabilityAlerts } from './alert-set.js';
import { BY_SEVERITY_COMPONENT, FILTERS, type SourceScenario } from './fixtures.js';

export interface WatchedComponents {
  readonly core: readonly string[];
  readonly viz: readonly string[];
  /** Core components whose full outage pages. */
  readonly paging: readonly string[];
}

/** Containers watched on this version: configured ∩ what the version exposes. */
export function watchedComponents(ctx: BuildContext): WatchedComponents {
  const a = ctx.config.slos.controlPlaneAvailability;
  const targets = controllerTargets(ctx.facts, scrapeStyleOf(ctx.config.linkerd.controllerJob));
  const core = a.components.filter((c) => targets.core.includes(c));
  const viz = a.viz.enabled ? a.viz.components.filter((c) => targets.viz.includes(c)) : [];
  return { core, viz, paging: core.filter((c) => a.pageComponents.includes(c)) };
}

const allWatched = (w: WatchedComponents): string[] => [...w.core, ...w.viz];

/** `up` of the given containers on the controller job. */
function up(ctx: BuildContext, components: readonly string[]): Selector {
  return ctx.controllerSelector(AVAILABILITY_METRICS.up, [oneOf('component', components)]);
}

const byComponent = (ctx: BuildContext): string[] => [...ctx.clusterLabels, 'component'];

/** Down: a ticket for any instance down, a page for a paging component with every instance down; not scraped: a ticket per container. */
export function controllerScrapeAlerts(ctx: BuildContext, alerts: AvailabilityAlerts, w: WatchedComponents): void {
  const a = ctx.config.slos.controlPlaneAvailability;
  const watched = allWatched(w);
  if (!watched.length) return;
  const by = byComponent(ctx);
  const instancesDown = aggregate('count', binary('==', up(ctx, watched), num(0)), { by });
  const allDown = (components: readonly string[]) => binary('==', max(up(ctx, components), by), num(0));
  // A paging component with every instance down pages instead of ticketing.
  const ticketExpr = w.paging.length ? binary('unless', instancesDown, allDown(w.paging), { matching: { on: by } }) : instancesDown;
  const downText = { ticketFor: normalDuration(a.down.ticketFor), pageFor: normalDuration(a.down.pageFor), paging: w.paging };
  alerts.add({ name: AVAILABILITY_ALERTS.down, severity: 'ticket', expr: ticketExpr, for: a.down.ticketFor, template: 'down', text: downText });
  if (w.paging.length) alerts.add({ name: AVAILABILITY_ALERTS.down, severity: 'page', expr: allDown(w.paging), for: a.down.pageFor, template: 'down', text: downText });
  for (const component of watched) {
    alerts.add({
      name: AVAILABILITY_ALERTS.notScraped,
      severity: 'ticket',
      expr: absent(up(ctx, [component])),
      for: a.notScrapedFor,
      template: 'not-scraped',
      text: { absentFor: normalDuration(a.notScrapedFor), core: w.core.includes(component) },
      component,
    });
  }
}

/** Instances up per component, as a count and as a share. */
export function controllerScrapePanels(ctx: BuildContext, w: WatchedComponents): PanelSpec[] {
  const watched = allWatched(w);
  if (!watched.length) return [];
  return [
    {
      title: 'Instances up per component',
      description: `Control-plane containers answering their scrape (up on job ${ctx.config.linkerd.controllerJob}), per component. Red: none, the component is down or not scraped (see LinkerdControlPlaneComponentDown / NotScraped).`,
      type: 'stat',
      unit: 'none',
      queries: [{ expr: sum(up(ctx, watched), byComponent(ctx)), legend: '{{component}}', instant: true }],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      width: 24,
    },
    {
      title: 'Share of instances up',
      description: 'Per component, the share of scraped instances answering. Below 100% for long: a crash-looping or stuck replica (ticket); 0 for a paging component pages.',
      type: 'timeseries',
      unit: 'percentunit',
      queries: [{ expr: aggregate('avg', up(ctx, watched), { by: byComponent(ctx) }), legend: '{{component}}' }],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      min: 0,
      max: 1,
      width: 12,
    },
  ];
}

/** The watched core components that serve gRPC (destination, identity, and policy from 2.19). */
function grpcComponents(ctx: BuildContext, w: WatchedComponents): string[] {
  return w.core.filter((c) => (ctx.facts.grpcServerComponents as readonly string[]).includes(c));
}

/** gRPC codes, memory and goroutines of the controllers: what precedes an outage. */
export function controllerInternalsPanels(ctx: BuildContext, w: WatchedComponents): PanelSpec[] {
  const grpc = grpcComponents(ctx, w);
  const watched = allWatched(w);
  const by = byComponent(ctx);
  const panels: PanelSpec[] = [];
  if (grpc.length) {
    panels.push({
      title: 'Controller gRPC responses by code',
      description:
        `Responses of the destination, identity (and from 2.19 policy) gRPC servers per code (${CONTROLLER_METRICS.grpcServerHandled}). Watch streams only count when they end, so Canceled/CANCELLED is normal; a rise of Unavailable/Internal/Unknown is not.`,
      type: 'timeseries',
      unit: 'reqps',
      queries: [
        {
          expr: sum(rate(ctx.controllerSelector(CONTROLLER_METRICS.grpcServerHandled, [oneOf('component', grpc)]), '5m'), [...by, 'grpc_code']),
          legend: '{{component}} {{grpc_code}}',
        },
      ],
      width: 12,
    });
  }
  if (watched.length) {
    const sel = (metric: string) => ctx.controllerSelector(metric, [oneOf('component', watched)]);
    panels.push(
      {
        title: 'Controller memory (RSS)',
        description: `Resident memory per control-plane container instance (${PROCESS_METRICS.residentMemory}). Steady growth towards the container limit ends in an OOM kill and a restart.`,
        type: 'timeseries',
        unit: 'bytes',
        queries: [{ expr: max(sel(PROCESS_METRICS.residentMemory), [...by, 'instance']), legend: '{{component}} {{instance}}' }],
        width: 12,
      },
      {
        title: 'Controller goroutines',
        description: `Goroutines per Go control-plane container instance (${CONTROLLER_METRICS.goroutines}; the Rust policy controller has none). Unbounded growth is a leak, usually of watch streams.`,
        type: 'timeseries',
        unit: 'none',
        queries: [{ expr: max(sel(CONTROLLER_METRICS.goroutines), [...by, 'instance']), legend: '{{component}} {{instance}}' }],
        width: 12,
      },
    );
  }
  return panels;
}

/** Raw controller metrics the kind's row shows (the mesh's stand-in panels for them are left out). */
export function shownControllerMetrics(ctx: BuildContext, w: WatchedComponents): string[] {
  const watchesContainers = allWatched(w).length > 0;
  return [
    ...(watchesContainers ? [AVAILABILITY_METRICS.up] : []),
    ...(grpcComponents(ctx, w).length ? [CONTROLLER_METRICS.grpcServerHandled] : []),
    ...(watchesContainers ? [PROCESS_METRICS.residentMemory, CONTROLLER_METRICS.goroutines] : []),
  ];
}

/**
 * A partial outage of one component tickets; every instance of a paging component down pages (and
 * does not ticket); a component with no series opens its not-scraped ticket; all up is quiet.
 */
export function controllerScrapeScenario(ctx: BuildContext, w: WatchedComponents): SourceScenario | undefined {
  const a = ctx.config.slos.controlPlaneAvailability;
  const sev = ctx.config.alerting.severities;
  const watched = allWatched(w);
  if (!watched.length) return undefined;
  const target = (component: string, i: number, value: number): ScenarioSeries => ({
    labels: fixtureLabels(up(ctx, [component]), {}, { instance: `${component}-${i}:9990` }),
    values: gauge(value),
  });
  const ticketFor = minutesOf(a.down.ticketFor);
  const pageFor = minutesOf(a.down.pageFor);
  const paged = w.paging[0];
  const partial = watched.find((c) => c !== paged);
  const rows = [...(partial ? [{ severity: sev.ticket, component: partial }] : []), ...(paged ? [{ severity: sev.page, component: paged }] : [])];
  return {
    firing: [
      ...watched.filter((c) => c !== paged).map((c) => target(c, 0, 1)),
      ...(partial ? [target(partial, 1, 0)] : []),
      ...(paged ? [target(paged, 0, 0), target(paged, 1, 0)] : []),
    ],
    checks: [{ alert: AVAILABILITY_ALERTS.down, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: Math.max(partial ? ticketFor : 0, paged ? pageFor : 0) + 2, rows }],
    stories: [...(partial ? [`one of two ${partial} instances down tickets`] : []), ...(paged ? [`every ${paged} instance down pages`] : [])],
    // The only watched component pages: its partial outage needs a scenario of its own.
    own:
      !partial && paged
        ? [
            scenarioTest(`Control-plane availability: one of two ${paged} instances down tickets`, [target(paged, 0, 1), target(paged, 1, 0)], [
              { alert: AVAILABILITY_ALERTS.down, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: ticketFor + 2, rows: [{ severity: sev.ticket, component: paged }] },
            ]),
          ]
        : [],
    absent: { alert: AVAILABILITY_ALERTS.notScraped, filters: FILTERS, by: BY_SEVERITY_COMPONENT, at: minutesOf(a.notScrapedFor) + 2, rows: watched.map((component) => ({ severity: sev.ticket, component })) },
    healthy: watched.map((c) => target(c, 0, 1)),
    quietAfter: Math.max(ticketFor, pageFor, minutesOf(a.notScrapedFor)),
  };
}
