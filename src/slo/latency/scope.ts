/**
 * What every part of the control-plane latency kind reads: its names (SLO id, SLI, alerts), the
 * components it measures with their thresholds, the histogram in the configured storage, the
 * matchers of each component's serving port, and the selectors of its own recordings.
 */
import { eq, type Matcher, type Selector } from '../../promql/ast.js';
import { SERVING_COMPONENTS, type LinkerdFacts } from '../../linkerd/catalog.js';
import type { Config } from '../../config/schema.js';
import { formatDuration, parseDuration } from '../../promql/number.js';
import { runningComponents, serverMatchers } from '../../linkerd/control-plane.js';
import { CONTROL_PLANE_SLO, LATENCY_HISTOGRAM_WINDOW } from '../series.js';
import type { BuildContext } from '../kind.js';
import { latencyHistogram, type LatencyHistogram } from './histograms.js';

export const ID = CONTROL_PLANE_SLO.latency;
export const SLI = 'server';
export const TITLE = 'Control-plane latency';
export const BURN_ALERT = 'LinkerdControlPlaneLatencyBudgetBurn';
export const ABSENT_ALERT = 'LinkerdControlPlaneLatencyMetricsAbsent';
export const SPIKE_ALERT = 'LinkerdControlPlaneLatencySpike';
export const VOLUME_ALERT = 'LinkerdControlPlaneRequestVolumeChange';
export const LATENCY_ALERTS = [BURN_ALERT, SPIKE_ALERT, VOLUME_ALERT, ABSENT_ALERT] as const;

/** The spike alert reads p99 over this window (the recorded histogram aggregate's). */
export const SPIKE_WINDOW = LATENCY_HISTOGRAM_WINDOW;
export const SPIKE_QUANTILE = 0.99;

export type LatencyComponent = (typeof SERVING_COMPONENTS)[number];
export type LatencySlo = Config['slos']['controlPlaneLatency'];

/** What the SLI measures for each component, for the runbook and the dashboard. */
export const MEASURES: Record<LatencyComponent, string> = {
  identity:
    'Certify calls, which are unary: time to first byte is the whole certificate issuance (CSR check and signing). A faithful latency signal.',
  destination:
    'Get and GetProfile watch streams: time to the first discovery update of a stream, which a proxy waits for before its first request to a new ' +
    'destination. Streams live for hours, and a stream dropped before its first update is recorded with its whole lifetime, so expect noise.',
  policy:
    'WatchPort and Watch policy streams (plus the rare unary GetPort/Get): time to the first policy update, which a proxy waits for before it serves or ' +
    'sends traffic on a new port. Same long-lived-stream caveat as destination.',
};

export function thresholdOf(slo: LatencySlo, component: LatencyComponent): number {
  return slo.componentThresholdMs[component] ?? slo.thresholdMs;
}

export function measuredComponents(config: Config, facts: LinkerdFacts): LatencyComponent[] {
  return runningComponents(config.slos.controlPlaneLatency.components, facts);
}

export interface LatencyScope {
  readonly ctx: BuildContext;
  readonly slo: LatencySlo;
  /** The components with a latency SLO that run on this version. */
  readonly components: readonly LatencyComponent[];
  readonly thresholds: ReadonlyArray<{ readonly component: LatencyComponent; readonly ms: number }>;
  readonly hist: LatencyHistogram;
  /** The volume window and its baseline as the rules spell them. */
  readonly volumeWindow: string;
  readonly baselineWindow: string;
  /** What every alert and annotation text of the kind names. */
  readonly textContext: Readonly<Record<string, unknown>>;
  /** Labels of the kind's rules for one component. */
  labelsOf(component: string): Record<string, string>;
  /** A selector on one of the kind's recordings of one component. */
  recorded(record: string, component: string): Selector;
  /** The component's pods and serving port. */
  matchersOf(component: LatencyComponent): Matcher[];
  /** The admin port's probes and scrapes keep the pod's inbound series alive when no client calls it. */
  presenceOf(component: LatencyComponent): Selector;
}

export function latencyScope(ctx: BuildContext, components: readonly LatencyComponent[]): LatencyScope {
  const { config, facts } = ctx;
  const slo = config.slos.controlPlaneLatency;
  const thresholds = components.map((component) => ({ component, ms: thresholdOf(slo, component) }));
  const hist = latencyHistogram(ctx);
  return {
    ctx,
    slo,
    components,
    thresholds,
    hist,
    volumeWindow: formatDuration(parseDuration(slo.volumeChange.window)),
    baselineWindow: formatDuration(parseDuration(slo.volumeChange.baseline)),
    textContext: {
      namespace: config.linkerd.namespace,
      version: facts.version,
      thresholds: thresholds.map((t) => `${t.component} ${t.ms} ms`).join(', '),
      latencyMetric: hist.metric,
    },
    labelsOf: (component) => ({ ...ctx.ruleLabels, slo: ID, sli: SLI, component }),
    recorded: (record, component) => ctx.recordedSelector(record, [eq('slo', ID), eq('sli', SLI), eq('component', component)]),
    matchersOf: (component) => {
      const m = serverMatchers(ctx, component, slo.ports[component]);
      return [...m.pod, m.port];
    },
    presenceOf: (component) => hist.presence(serverMatchers(ctx, component, slo.ports[component]).pod),
  };
}
