/**
 * Source: node clock skew from node-exporter's timex collector (prometheus/node_exporter
 * collector/timex.go: adjtimex(2) offset and maxerror in seconds, sync_status 0 when the kernel
 * reports TIME_ERROR). A proxy checks every peer certificate's NotBefore/NotAfter against its own
 * node's clock with no tolerance (rustls/webpki src/verify_cert.rs, check_validity); the only slack
 * is the identity controller backdating NotBefore by clockSkewAllowance (linkerd/linkerd2
 * pkg/tls/ca.go, Validity.Window, at version-2.18; Helm identity.issuer.clockSkewAllowance, default
 * 20s). Buoyant's Linkerd production runbook ("Going to production") warns that skew between nodes
 * breaks mTLS validation. Alerts keep every label of the series, so each names its node.
 *  - ticket: the clock may be off by more than ticketAbove: |offset| plus the kernel's own maximum
 *    error, so a node whose sync has stopped tickets once its error bound has grown past the bound;
 *  - page: the measured |offset| is above pageAbove (an estimate alone never pages);
 *  - ticket: the kernel has reported the clock unsynchronised throughout the last 5 minutes.
 */
import { absent, binary, call, eq, gt, inline, num, range, selector, type Expr, type Selector } from '../../promql/ast.js';
import { normalDuration, parseDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { DashboardRow } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { legendPrefix } from '../panel-queries.js';
import { fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import {
  addAlert, countOrZero, KIND_ID, reportingQuery, CERTIFICATE_ALERTS, type CertificateOutput, type CertificateSource, type CertificatesConfig, type StandingPanels,
} from './source.js';

const CLOCK_METRICS = {
  offset: 'node_timex_offset_seconds',
  maxError: 'node_timex_maxerror_seconds',
  syncStatus: 'node_timex_sync_status',
} as const;

/** Window over which the kernel must report the clock unsynchronised throughout (min_over_time). */
const UNSYNCED_WINDOW = '5m';

type NodeClockConfig = CertificatesConfig['nodeClock'];

/** The node-exporter series: the configured matchers (e.g. its job) and the user's extra matchers. */
function clockSelector(ctx: BuildContext, metric: string): Selector {
  const nodeClock = ctx.config.slos.certificates.nodeClock;
  return ctx.exporterSelector(metric, Object.entries(nodeClock.matchers).map(([label, value]) => eq(label, value)));
}

interface ClockSeries {
  readonly offset: Selector;
  readonly maxError: Selector;
  readonly syncStatus: Selector;
  /** |offset| + maxerror: how far the clock may be off, by the kernel's own account. */
  readonly errorBound: Expr;
}

function clockSeries(ctx: BuildContext): ClockSeries {
  const offset = clockSelector(ctx, CLOCK_METRICS.offset);
  const maxError = clockSelector(ctx, CLOCK_METRICS.maxError);
  return { offset, maxError, syncStatus: clockSelector(ctx, CLOCK_METRICS.syncStatus), errorBound: binary('+', call('abs', offset), maxError) };
}

function check(config: Config): ConfigIssue[] {
  const nodeClock = config.slos.certificates.nodeClock;
  if (!nodeClock.enabled || parseDuration(nodeClock.ticketAbove) < parseDuration(nodeClock.pageAbove)) return [];
  return [{
    path: ['slos', 'certificates', 'nodeClock', 'ticketAbove'],
    message: `ticketAbove (${nodeClock.ticketAbove}) must be smaller than pageAbove (${nodeClock.pageAbove}): the ticket is the early warning`,
  }];
}

function build(ctx: BuildContext, out: CertificateOutput): void {
  const nodeClock = ctx.config.slos.certificates.nodeClock;
  if (!nodeClock.enabled) return;
  const series = clockSeries(ctx);
  addRules(ctx, out, nodeClock, series);
  addFixtures(ctx, out, nodeClock, series);
  out.rows.push(clockRow(ctx, nodeClock, series));
}

function addRules(ctx: BuildContext, out: CertificateOutput, nodeClock: NodeClockConfig, series: ClockSeries): void {
  const { config } = ctx;
  const source = 'node-exporter';
  const text = {
    ...linkerdTemplateFacts(ctx),
    nodeLabel: nodeClock.nodeLabel,
    ticketAbove: nodeClock.ticketAbove,
    pageAbove: nodeClock.pageAbove,
    unsyncedFor: normalDuration(nodeClock.unsyncedFor),
    window: UNSYNCED_WINDOW,
    offsetMetric: CLOCK_METRICS.offset,
    maxErrorMetric: CLOCK_METRICS.maxError,
    syncMetric: CLOCK_METRICS.syncStatus,
  };
  const skew = { name: CERTIFICATE_ALERTS.nodeClockSkew, source, template: 'clock-skew' } as const;
  addAlert(ctx, out, { ...skew, severity: 'ticket', expr: gt(series.errorBound, num(parseDuration(nodeClock.ticketAbove))), forDuration: nodeClock.ticketFor, text: { ...text, severity: 'ticket' } });
  addAlert(ctx, out, { ...skew, severity: 'page', expr: gt(call('abs', series.offset), num(parseDuration(nodeClock.pageAbove))), forDuration: nodeClock.pageFor, text: { ...text, severity: 'page' } });
  addAlert(ctx, out, {
    name: CERTIFICATE_ALERTS.nodeClockNotSynchronising,
    severity: 'ticket',
    source,
    expr: binary('==', call('min_over_time', range(series.syncStatus, UNSYNCED_WINDOW)), num(0)),
    forDuration: nodeClock.unsyncedFor,
    template: 'clock-unsynchronised',
    text: { ...text, severity: 'ticket' },
  });
  const { absentFor } = config.slos.certificates;
  addAlert(ctx, out, {
    name: CERTIFICATE_ALERTS.sourceAbsent,
    severity: 'ticket',
    source,
    expr: absent(series.offset),
    forDuration: absentFor,
    template: 'clock-absent',
    text: { cluster: config.cluster, absentFor: normalDuration(absentFor), what: `${CLOCK_METRICS.offset} from node-exporter`, source },
  });
  out.scenarios.absent.push({ source });
}

/**
 * The bundle's own smoke test: one node drifting past the ticket bound, one past the page bound,
 * one unsynchronised (its error bound grown past the ticket bound), one healthy.
 */
function addFixtures(ctx: BuildContext, out: CertificateOutput, nodeClock: NodeClockConfig, series: ClockSeries): void {
  const scenarios = out.scenarios;
  const severities = ctx.config.alerting.severities;
  const ticketAbove = parseDuration(nodeClock.ticketAbove);
  const pageAbove = parseDuration(nodeClock.pageAbove);
  const nodeSeries = (selected: Selector, node: string) => fixtureLabels(selected, {}, { [nodeClock.nodeLabel]: node });
  const node = (name: string, offsetSeconds: number, maxErrorSeconds: number, synced: number): ScenarioSeries[] => [
    { labels: nodeSeries(series.offset, name), values: gauge(offsetSeconds) },
    { labels: nodeSeries(series.maxError, name), values: gauge(maxErrorSeconds) },
    { labels: nodeSeries(series.syncStatus, name), values: gauge(synced) },
  ];
  const healthyError = Math.min(0.01, ticketAbove / 10);
  scenarios.firing.push(
    ...node('drifting', -(ticketAbove + pageAbove) / 2, healthyError, 1),
    ...node('skewed', pageAbove * 2, healthyError, 1),
    ...node('unsynchronised', 0, ticketAbove * 2, 0),
    ...node('synchronised', healthyError, healthyError, 1),
  );
  scenarios.healthy.push(...node('synchronised', healthyError, healthyError, 1));
  const at = Math.max(minutesOf(nodeClock.ticketFor), minutesOf(nodeClock.pageFor), minutesOf(nodeClock.unsyncedFor) + minutesOf(UNSYNCED_WINDOW)) + 2;
  const filters = { slo: KIND_ID, source: 'node-exporter' };
  const by = ['severity', nodeClock.nodeLabel];
  scenarios.checks.push(
    {
      alert: CERTIFICATE_ALERTS.nodeClockSkew,
      filters,
      by,
      at,
      rows: [
        { severity: severities.ticket, [nodeClock.nodeLabel]: 'drifting' },
        { severity: severities.ticket, [nodeClock.nodeLabel]: 'skewed' },
        { severity: severities.page, [nodeClock.nodeLabel]: 'skewed' },
        { severity: severities.ticket, [nodeClock.nodeLabel]: 'unsynchronised' },
      ],
    },
    { alert: CERTIFICATE_ALERTS.nodeClockNotSynchronising, filters, by, at, rows: [{ severity: severities.ticket, [nodeClock.nodeLabel]: 'unsynchronised' }] },
  );
  scenarios.story.push(`a node clock off by more than ${nodeClock.ticketAbove} tickets, one off by more than ${nodeClock.pageAbove} pages, an unsynchronised one tickets`);
  scenarios.quietAfter.push(at);
}

function clockRow(ctx: BuildContext, nodeClock: NodeClockConfig, series: ClockSeries): DashboardRow & { dashboard: 'certificates' } {
  const ticketAbove = parseDuration(nodeClock.ticketAbove);
  const pageAbove = parseDuration(nodeClock.pageAbove);
  const clusterLabels = ctx.clusterLabels;
  return {
    title: 'Node clocks',
    dashboard: 'certificates',
    panels: [
      {
        title: 'Node clock offset',
        description:
          `Each node's clock offset as the kernel reports it (${CLOCK_METRICS.offset}, node-exporter). Proxies check certificate validity against their node's clock; ` +
          `the identity controller only backdates certificates by identity.issuer.clockSkewAllowance. Orange beyond ±${nodeClock.ticketAbove} (ticket, with the kernel's maximum error added), red beyond ±${nodeClock.pageAbove} (page): see runbook ${CERTIFICATE_ALERTS.nodeClockSkew}.`,
        type: 'timeseries',
        unit: 's',
        queries: [{ expr: series.offset, legend: `${legendPrefix(ctx)}{{${nodeClock.nodeLabel}}}` }],
        thresholds: [
          { value: null, color: 'red' },
          { value: -pageAbove, color: 'orange' },
          { value: -ticketAbove, color: 'green' },
          { value: ticketAbove, color: 'orange' },
          { value: pageAbove, color: 'red' },
        ],
        width: 16,
      },
      {
        title: 'Nodes with an unsynchronised clock',
        description:
          `Nodes whose kernel reports the clock unsynchronised (${CLOCK_METRICS.syncStatus} = 0). Red at 1 or more: their time daemon lost its source; ` +
          `${CERTIFICATE_ALERTS.nodeClockNotSynchronising} opens a ticket after ${normalDuration(nodeClock.unsyncedFor)}. The table below names them.`,
        type: 'stat',
        unit: 'none',
        queries: [{
          expr: countOrZero(ctx, binary('==', series.syncStatus, num(0))),
          legend: clusterLabels.length ? clusterLabels.map((label) => `{{${label}}}`).join(' ') : 'unsynchronised',
          instant: true,
        }],
        thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
        width: 8,
      },
      {
        title: 'Node clock error bound',
        description:
          `How far each node's clock may be off: |${CLOCK_METRICS.offset}| + ${CLOCK_METRICS.maxError} (the kernel's own maximum error; it grows by 0.5ms per second while unsynchronised). ` +
          `Orange above ${nodeClock.ticketAbove} (ticket). Only the measured offset pages, never this estimate.`,
        type: 'table',
        unit: 's',
        queries: [{ expr: series.errorBound, instant: true }],
        thresholds: [{ value: null, color: 'green' }, { value: ticketAbove, color: 'orange' }],
        width: 24,
      },
    ],
  };
}

/** The kind draws the clocks (clockRow); the standing rows only show whether node-exporter reports. */
function standing(ctx: BuildContext): StandingPanels {
  if (!ctx.config.slos.certificates.nodeClock.enabled) return {};
  return { reporting: [reportingQuery(ctx, clockSelector(ctx, CLOCK_METRICS.offset), `node clocks (${CLOCK_METRICS.offset})`)] };
}

function runbookFacts(ctx: BuildContext): Record<string, unknown> {
  const nodeClock = ctx.config.slos.certificates.nodeClock;
  // The matchers of the rules' node-exporter selector, for the runbooks' queries ('' when there are none).
  const matchers = clockSelector(ctx, CLOCK_METRICS.offset).matchers;
  return {
    nodeClock: {
      enabled: nodeClock.enabled,
      nodeLabel: nodeClock.nodeLabel,
      ticketAbove: nodeClock.ticketAbove,
      pageAbove: nodeClock.pageAbove,
      ticketFor: normalDuration(nodeClock.ticketFor),
      pageFor: normalDuration(nodeClock.pageFor),
      unsyncedFor: normalDuration(nodeClock.unsyncedFor),
      selector: matchers.length ? inline(selector(undefined, matchers)) : '',
    },
  };
}

export const nodeClockSource: CertificateSource = {
  check,
  active: (config) => config.slos.certificates.nodeClock.enabled,
  build,
  standing,
  runbookFacts,
};
