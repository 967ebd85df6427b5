/**
 * Control-plane latency: the share of inbound control-plane responses whose time to first byte is
 * at or under a threshold, from the component pods' own proxies (`response_latency_ms_bucket`,
 * milliseconds, linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0). Same pods and serving ports as the server-side success
 * rate (serverMatchers), same multiwindow multi-burn-rate alerting (buildBurnRate), plus two
 * tickets: a p99 latency spike and a sharp change in request volume against a recent baseline.
 *
 * What "latency" means per component (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 time to first byte, linkerd/linkerd2 `grafana/dashboards/health.json` at stable-2.14.0 long-lived streams):
 *  - identity: Certify is unary, so the first byte is the answer: a faithful latency signal (default);
 *  - destination, policy: proxies hold Get/GetProfile and WatchPort/Watch streams open for hours; the
 *    first byte is the first discovery/policy update, and a stream dropped before its first update is
 *    recorded with its whole lifetime. Useful (a proxy's first request to a new service waits for that
 *    update) but noisier, so opt-in.
 *  - proxy-injector cannot be measured: its webhook port is opaque, so its proxy records no HTTP latency.
 */
import {
  aggregate, allOf, avgOverTime, call, eq, gt, gte, lt, mul, num, or, paren, sum,
  type Expr, type Matcher, type Selector,
} from '../../promql/ast.js';
import { SERVING_COMPONENTS, type LinkerdFacts } from '../../linkerd/catalog.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { formatDuration, formatNumber, parseDuration } from '../../promql/number.js';
import type { AlertingRule, RecordingRule } from '../../rules.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext, SloKind } from '../kind.js';
import { fixtureLabels } from '../promtool-tests.js';
import { budgetRunbooks } from '../burn-rate.js';
import { burnRateTemplates, annotations, buildBurnRate, checkObjective, noComponentLeft, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { CONTROL_RESPONSES, runningComponents, serverMatchers } from '../../linkerd/control-plane.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';
import { PROXY_CONTAINER } from '../../linkerd/proxy-container.js';
import { CONTROL_PLANE_SLO, LATENCY_HISTOGRAM_WINDOW, LATENCY_RECORDINGS, SLI_RECORDINGS } from '../series.js';
import { bucketBoundProblem, LATENCY_BUCKETS_MS, leMatcher } from '../../linkerd/latency-buckets.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { latencySlis } from './openslo.js';
import { controlPlaneLatencyRows } from './panels.js';
import { latencyHistogram } from './histograms.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = CONTROL_PLANE_SLO.latency;
const SLI = 'server';
const BURN_ALERT = 'LinkerdControlPlaneLatencyBudgetBurn';
const ABSENT_ALERT = 'LinkerdControlPlaneLatencyMetricsAbsent';
const SPIKE_ALERT = 'LinkerdControlPlaneLatencySpike';
const VOLUME_ALERT = 'LinkerdControlPlaneRequestVolumeChange';
const LATENCY_ALERTS = [BURN_ALERT, SPIKE_ALERT, VOLUME_ALERT, ABSENT_ALERT] as const;

/** The spike alert reads p99 over this window (the recorded histogram aggregate's). */
const SPIKE_WINDOW = LATENCY_HISTOGRAM_WINDOW;
const SPIKE_QUANTILE = 0.99;


const LARGEST_BOUND = LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;

type LatencyComponent = (typeof SERVING_COMPONENTS)[number];

/** What the SLI measures for each component, for the runbook and the dashboard. */
const MEASURES: Record<LatencyComponent, string> = {
  identity:
    'Certify calls, which are unary: time to first byte is the whole certificate issuance (CSR check and signing). A faithful latency signal.',
  destination:
    'Get and GetProfile watch streams: time to the first discovery update of a stream, which a proxy waits for before its first request to a new ' +
    'destination. Streams live for hours, and a stream dropped before its first update is recorded with its whole lifetime, so expect noise.',
  policy:
    'WatchPort and Watch policy streams (plus the rare unary GetPort/Get): time to the first policy update, which a proxy waits for before it serves or ' +
    'sends traffic on a new port. Same long-lived-stream caveat as destination.',
};

function checkBound(value: number, path: ReadonlyArray<string | number>): ConfigIssue[] {
  const problem = bucketBoundProblem(value);
  return problem ? [{ path, message: problem }] : [];
}

function thresholdOf(slo: Config['slos']['controlPlaneLatency'], component: LatencyComponent): number {
  return slo.componentThresholdMs[component] ?? slo.thresholdMs;
}

function measuredComponents(config: Config, facts: LinkerdFacts): LatencyComponent[] {
  return runningComponents(config.slos.controlPlaneLatency.components, facts);
}

export const latency: SloKind<typeof configSection> = {
  config: configSection,
  ratioSlis: (ctx) => latencySlis(ctx),
  id: ID,
  title: 'Control-plane latency',
  enabled: (config: Config) => config.slos.controlPlaneLatency.enabled,
  standingRows: (ctx) => controlPlaneLatencyRows(ctx),

  check(config: Config): ConfigIssue[] {
    const slo = config.slos.controlPlaneLatency;
    if (!slo.enabled) return [];
    const base = ['slos', 'controlPlaneLatency'];
    const issues = checkObjective(config, slo.objective, slo.period, [...base, 'objective'], [...base, 'period']);
    issues.push(...checkBound(slo.thresholdMs, [...base, 'thresholdMs']));
    for (const c of SERVING_COMPONENTS) {
      const t = slo.componentThresholdMs[c];
      if (t !== undefined) issues.push(...checkBound(t, [...base, 'componentThresholdMs', c]));
    }
    if (slo.components.length === 0) {
      issues.push(noComponentLeft(base));
    }
    if (slo.spike.enabled) {
      for (const c of new Set(slo.components)) {
        const limit = slo.spike.factor * thresholdOf(slo, c);
        if (limit >= LARGEST_BOUND) {
          issues.push({
            path: [...base, 'spike', 'factor'],
            message:
              `${formatNumber(slo.spike.factor)} × the ${c} threshold (${thresholdOf(slo, c)} ms) = ${formatNumber(limit)} ms: the spike alert could never fire, ` +
              `because histogram_quantile reports at most ${LARGEST_BOUND} ms (the largest finite bucket). Lower spike.factor or the threshold`,
          });
        }
      }
    }
    if (slo.volumeChange.enabled && parseDuration(slo.volumeChange.baseline) <= parseDuration(slo.volumeChange.window)) {
      issues.push({
        path: [...base, 'volumeChange', 'baseline'],
        message: `baseline ${slo.volumeChange.baseline} must be longer than window ${slo.volumeChange.window}`,
      });
    }
    return issues;
  },

  build(ctx: BuildContext) {
    const { config, facts } = ctx;
    const slo = config.slos.controlPlaneLatency;
    const by = Object.keys(config.prometheus.extraMatchers);
    const components = measuredComponents(config, facts);
    if (components.length === 0) return { ruleGroups: [], dashboardRows: [], runbooks: [] };

    const minRequests = config.alerting.lowTraffic.minRequests;
    const ticket = config.alerting.severities.ticket;
    const labelsOf = (component: string) => ({ ...ctx.ruleLabels, slo: ID, sli: SLI, component });
    const recorded = (record: string, component: string): Selector =>
      ctx.recordedSelector(record, [eq('slo', ID), eq('sli', SLI), eq('component', component)]);
    const thresholds = components.map((component) => ({ component, ms: thresholdOf(slo, component) }));
    const thresholdText = thresholds.map((t) => `${t.component} ${t.ms} ms`).join(', ');
    const hist = latencyHistogram(ctx);
    const textContext = { namespace: config.linkerd.namespace, version: facts.version, thresholds: thresholdText, latencyMetric: hist.metric };

    const matchersOf = (component: LatencyComponent): Matcher[] => {
      const m = serverMatchers(ctx, component, slo.ports[component]);
      return [...m.pod, m.port];
    };
    // The admin port's probes and scrapes keep the pod's inbound series alive when no client calls it.
    const presenceOf = (component: LatencyComponent): Selector => hist.presence(serverMatchers(ctx, component, slo.ports[component]).pod);
    const instances: SliInstance[] = components.map((component) => {
      const m = matchersOf(component);
      const t = thresholdOf(slo, component);
      const classicFixture = (): SliInstance['fixture'] => {
        const bucket = (le: Matcher) => ctx.proxySelector(PROXY_HTTP.latencyBucket, [...m, le]);
        return [
          { labels: fixtureLabels(bucket(leMatcher(t)), { le: String(t), target_addr: `10.0.0.1:${slo.ports[component]}` }), healthy: 1, outage: 0 },
          { labels: fixtureLabels(bucket(eq('le', '+Inf')), { target_addr: `10.0.0.1:${slo.ports[component]}` }), healthy: 1, outage: 1 },
        ];
      };
      return {
        component,
        errorsRate: (w) => hist.slowRate(m, t, w, by),
        requestsRate: (w) => hist.requestsRate(m, w, by),
        presence: presenceOf(component),
        // The generated promtool tests feed float series; native histograms are proven by
        // test/e2e/native-histograms.test.ts on Prometheus 3 instead.
        ...(hist.native ? {} : { fixture: classicFixture() }),
      };
    });

    const def: SliDefinition = {
      slo: ID,
      sli: SLI,
      title: 'Control-plane latency',
      objective: slo.objective,
      period: slo.period,
      instances,
      burnAlert: BURN_ALERT,
      absentAlert: ABSENT_ALERT,
      templates: burnRateTemplates(templates),
      textContext,
      budgetPolicy: slo.budgetPolicy,
    };
    const burn = buildBurnRate(ctx, def);

    // ---- recordings: histogram aggregate, request volume and its baseline -------------------------
    const volumeWindow = formatDuration(parseDuration(slo.volumeChange.window));
    const baselineWindow = formatDuration(parseDuration(slo.volumeChange.baseline));
    const recordings: RecordingRule[] = [];
    for (const component of components) {
      recordings.push({
        record: hist.recording,
        expr: hist.aggregateRate(matchersOf(component), SPIKE_WINDOW, by),
        labels: labelsOf(component),
      });
      if (slo.volumeChange.enabled) {
        const inst = instances.find((i) => i.component === component)!;
        const idle = mul(num(0), aggregate('group', presenceOf(component), by.length ? { by } : {}));
        recordings.push({ record: LATENCY_RECORDINGS.volume(volumeWindow), expr: or(inst.requestsRate(volumeWindow), idle), labels: labelsOf(component) });
        recordings.push({
          record: LATENCY_RECORDINGS.volumeBaseline(volumeWindow, baselineWindow),
          expr: sum(avgOverTime(recorded(LATENCY_RECORDINGS.volume(volumeWindow), component), baselineWindow), by),
          labels: labelsOf(component),
        });
      }
    }

    // The control-plane dashboard reads every component's latency from this aggregate; components
    // without a latency SLO are recorded too (cheap: only the control-plane pods' series), so no
    // panel runs histogram_quantile over raw buckets on every refresh.
    for (const component of runningComponents(SERVING_COMPONENTS, facts).filter((c) => !components.includes(c))) {
      recordings.push({
        record: hist.recording,
        expr: hist.aggregateRate(matchersOf(component), SPIKE_WINDOW, by),
        labels: labelsOf(component),
      });
    }

    // ---- tickets: latency spike and request-volume change ----------------------------------------
    const guard = (ratePerSecond: Expr, window: string): Expr[] =>
      minRequests > 0 ? [gte(mul(ratePerSecond, num(parseDuration(window))), num(minRequests))] : [];
    const alertText = { ...textContext, cluster: config.cluster, minRequests };
    const alerts: AlertingRule[] = [];
    if (slo.spike.enabled) {
      for (const { component, ms } of thresholds) {
        const limit = slo.spike.factor * ms;
        const p99 = call('histogram_quantile', num(SPIKE_QUANTILE), recorded(hist.recording, component));
        const text = { ...alertText, component, threshold: ms, factor: formatNumber(slo.spike.factor), limit: formatNumber(limit), for: slo.spike.for, window: SPIKE_WINDOW };
        alerts.push({
          alert: SPIKE_ALERT,
          expr: allOf(gt(p99, num(limit)), ...guard(recorded(SLI_RECORDINGS.requestsRate, component), SPIKE_WINDOW)),
          for: slo.spike.for,
          labels: { ...labelsOf(component), severity: ticket },
          annotations: annotations(ctx, SPIKE_ALERT, templates.line('spike-summary', text), templates.render('spike-description', text)),
        });
      }
    }
    if (slo.volumeChange.enabled) {
      const v = slo.volumeChange;
      for (const component of components) {
        const current = recorded(LATENCY_RECORDINGS.volume(volumeWindow), component);
        const baseline = recorded(LATENCY_RECORDINGS.volumeBaseline(volumeWindow, baselineWindow), component);
        const text = {
          ...alertText,
          component,
          window: volumeWindow,
          baseline: baselineWindow,
          dropBelowPercent: formatNumber(v.dropBelowPercent),
          riseAboveFactor: formatNumber(v.riseAboveFactor),
          for: v.for,
        };
        // Drops are judged against the traffic the baseline promised, rises against the traffic seen.
        const drop = allOf(lt(current, mul(baseline, num(v.dropBelowPercent / 100))), ...guard(baseline, volumeWindow));
        const rise = allOf(gt(current, mul(baseline, num(v.riseAboveFactor))), ...guard(current, volumeWindow));
        alerts.push({
          alert: VOLUME_ALERT,
          expr: or(paren(drop), paren(rise)),
          for: v.for,
          labels: { ...labelsOf(component), severity: ticket },
          annotations: annotations(ctx, VOLUME_ALERT, templates.line('volume-summary', text), templates.render('volume-description', text)),
        });
      }
    }

    const prefix = `linkerd-slo-${ID}-${SLI}`;
    const ruleGroups = [
      ...burn.groups,
      { name: `${prefix}-histogram-recordings`, rules: recordings },
      ...(alerts.length ? [{ name: `${prefix}-tickets`, rules: alerts }] : []),
    ];

    const panels: PanelSpec[] = [
      ...burn.panels,
      ...thresholds.map(({ component, ms }): PanelSpec => {
        const quantiles = recorded(hist.recording, component);
        return {
          title: `Latency percentiles: ${component}`,
          description:
            `p50/p95/p99 time to first byte of ${component} responses over 5m, in ms. Measures ${MEASURES[component]} ` +
            `Orange above the ${ms} ms threshold (slow responses burn budget)` +
            (slo.spike.enabled ? `, red above ${formatNumber(slo.spike.factor * ms)} ms (p99 there for ${slo.spike.for} opens a ticket).` : '.'),
          type: 'timeseries',
          unit: 'ms',
          queries: [0.5, 0.95, 0.99].map((q) => ({ expr: call('histogram_quantile', num(q), quantiles), legend: `p${formatNumber(q * 100)}` })),
          thresholds: [
            { value: null, color: 'green' },
            { value: ms, color: 'orange' },
            ...(slo.spike.enabled ? [{ value: slo.spike.factor * ms, color: 'red' }] : []),
          ],
          min: 0,
          width: 12,
        };
      }),
      ...(slo.volumeChange.enabled
        ? [
            {
              title: 'Request volume vs baseline',
              description:
                `Requests per second over ${volumeWindow} (solid) against their ${baselineWindow} average (baseline). A ticket opens when the rate falls below ` +
                `${formatNumber(slo.volumeChange.dropBelowPercent)}% or rises above ${formatNumber(slo.volumeChange.riseAboveFactor)}× the baseline.`,
              type: 'timeseries',
              unit: 'reqps',
              queries: components.flatMap((component) => [
                { expr: recorded(LATENCY_RECORDINGS.volume(volumeWindow), component), legend: `{{component}} ${volumeWindow}` },
                { expr: recorded(LATENCY_RECORDINGS.volumeBaseline(volumeWindow, baselineWindow), component), legend: `{{component}} baseline` },
              ]),
              width: 12,
            } satisfies PanelSpec,
          ]
        : []),
    ];

    const runbookContext = {
      cluster: config.cluster,
      namespace: config.linkerd.namespace,
      version: facts.version,
      burnAlert: BURN_ALERT,
      absentAlert: ABSENT_ALERT,
      spikeAlert: SPIKE_ALERT,
      volumeAlert: VOLUME_ALERT,
      objective: formatNumber(slo.objective),
      period: slo.period,
      components: thresholds.map(({ component, ms }) => ({
        component,
        thresholdMs: ms,
        port: slo.ports[component],
        measures: MEASURES[component],
        spikeLimit: formatNumber(slo.spike.factor * ms),
      })),
      notMeasured: SERVING_COMPONENTS.filter((c) => !components.includes(c)),
      windows: config.alerting.windows.map((w) => ({ ...w, for: w.for ?? '' })),
      minRequests,
      severities: config.alerting.severities,
      proxyJob: config.linkerd.proxyJob,
      latencyMetric: hist.metric,
      native: hist.native,
      histogramRecording: hist.recording,
      requestsSource: hist.requestsSource,
      clientResponses: CONTROL_RESPONSES,
      proxyContainer: PROXY_CONTAINER,
      identityPort: slo.ports.identity,
      absentFor: config.alerting.absentFor,
      spike: { ...slo.spike, factor: formatNumber(slo.spike.factor), window: SPIKE_WINDOW },
      volume: {
        ...slo.volumeChange,
        window: volumeWindow,
        baseline: baselineWindow,
        dropBelowPercent: formatNumber(slo.volumeChange.dropBelowPercent),
        riseAboveFactor: formatNumber(slo.volumeChange.riseAboveFactor),
      },
    };
    const activeAlerts = LATENCY_ALERTS.filter((a) => (a !== SPIKE_ALERT || slo.spike.enabled) && (a !== VOLUME_ALERT || slo.volumeChange.enabled));

    return {
      ruleGroups,
      dashboardRows: [{ title: def.title, panels }],
      unitTests: burn.unitTests,
      runbooks: [...budgetRunbooks(config, [burn.budget]), ...activeAlerts.map((alert) => ({ alert, markdown: templates.runbook(alert, runbookContext) }))],
    };
  },
};
