/**
 * Source: every proxy's own workload certificate (24h leaves the identity controller issues and the
 * proxy renews at 70% of their life), from the proxy gauge (control_)identity_cert_expiration_timestamp_seconds
 * and, from 2.15, the failed refreshes of (control_)identity_cert_refresh_count{result="error"}
 * (the `src/metrics.rs` of linkerd/linkerd2-proxy's identity crates; PRs linkerd/linkerd2-proxy#2617,
 * #2887 added the result label and the control_identity_ prefix; https://linkerd.io/2.18/features/automatic-mtls/).
 */
import { aggregate, eq, gt, increase, lt, min, num, sub, sum, type Expr, type Selector } from '../../promql/ast.js';
import { normalDuration, parseDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { atLeast, CONTROL_PLANE_CLIENT_ADDR } from '../../linkerd/catalog.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { RAW_FAMILY_RECORDINGS } from '../series.js';
import type { BuildContext } from '../kind.js';
import { legendPrefix } from '../panel-queries.js';
import { aheadOfClock, counter, fixtureLabels, gauge, humanDuration, minutesOf } from '../promtool-tests.js';
import {
  addAbsentAlert, addExpiringAlerts, certificateAlert, checkThresholds, countOrZero, expiryThresholds, KIND_ID, reportingQuery, timeLeftStat,
  testRemaining, time, CERTIFICATE_ALERTS, TEST_NAMESPACE, type CertificateOutput, type CertificateSource, type StandingPanels,
} from './source.js';

type WorkloadConfig = Config['slos']['certificates']['workload'];

/** The proxy job's workload-certificate selectors for the configured version. */
function workloadSelectors(ctx: BuildContext): { expiry: Selector; refreshErrors?: Selector } {
  const { facts } = ctx;
  const expiry = ctx.proxySelector(facts.identityCertExpiryMetric);
  // linkerd/linkerd2-proxy PRs #2617, #2887: ≤2.14 only has identity_cert_refresh_count without a result label: no error signal.
  const refreshErrors = atLeast(facts.version, 15) ? ctx.proxySelector(facts.identityCertRefreshMetric, [eq('result', 'error')]) : undefined;
  return refreshErrors ? { expiry, refreshErrors } : { expiry };
}

/** Labels a proxy's alert keeps: its cluster and its pod. */
function podLabels(ctx: BuildContext): string[] {
  return [...new Set([...ctx.clusterLabels, 'namespace', 'pod'])];
}

function check(config: Config): ConfigIssue[] {
  const workload = config.slos.certificates.workload;
  if (!workload.enabled) return [];
  const path = ['slos', 'certificates', 'workload'];
  const issues = checkThresholds(workload, path);
  const floor = 0.3 * parseDuration(workload.issuanceLifetime);
  if (parseDuration(workload.ticketBelow) >= floor) {
    issues.push({
      path: [...path, 'ticketBelow'],
      message:
        `ticketBelow (${workload.ticketBelow}) must be below 30% of issuanceLifetime (${workload.issuanceLifetime}): ` +
        'a healthy proxy renews at 70% of its certificate\'s life, so a higher threshold fires on every healthy proxy',
    });
  }
  return issues;
}

function build(ctx: BuildContext, out: CertificateOutput): void {
  const workload = ctx.config.slos.certificates.workload;
  if (!workload.enabled) return;
  const selectors = workloadSelectors(ctx);
  // One pass over the per-pod gauge: both expiring alerts read a recording of the pods within the
  // longer threshold (rules of a group run in order, so they see this evaluation's value).
  // The dashboard's table of the shortest-lived certificates still reads every pod (remainingPerPod).
  const remainingPerPod = sub(min(selectors.expiry, podLabels(ctx)), time());
  const horizon = Math.max(parseDuration(workload.ticketBelow), parseDuration(workload.pageBelow));
  out.recordings.push({
    record: RAW_FAMILY_RECORDINGS.proxyCertificateRemaining,
    expr: lt(remainingPerPod, num(horizon)),
    labels: { ...ctx.ruleLabels },
  });
  addExpiringAlerts(ctx, out, {
    name: CERTIFICATE_ALERTS.proxyExpiring,
    certificate: 'workload',
    source: 'linkerd',
    remaining: ctx.recordedSelector(RAW_FAMILY_RECORDINGS.proxyCertificateRemaining),
    thresholds: workload,
    template: 'proxy-expiring',
    text: { metric: selectors.expiry.metric },
  });
  if (selectors.refreshErrors && workload.refreshErrors.enabled) {
    certificateAlert(ctx, out, {
      name: CERTIFICATE_ALERTS.proxyRefreshErrors,
      severity: 'ticket',
      certificate: 'workload',
      source: 'linkerd',
      expr: gt(sum(increase(selectors.refreshErrors, workload.refreshErrors.window), podLabels(ctx)), num(0)),
      forDuration: workload.refreshErrors.for,
      template: 'proxy-refresh-errors',
      text: { metric: selectors.refreshErrors.metric, window: normalDuration(workload.refreshErrors.window) },
    });
  }
  addAbsentAlert(ctx, out, 'workload', 'linkerd', [selectors.expiry], `${selectors.expiry.metric} from job ${ctx.config.linkerd.proxyJob}`);
  addFixtures(ctx, out, workload, selectors);
  out.panels.push(...kindPanels(ctx, workload, selectors.expiry, remainingPerPod));
}

/** Pods of the synthetic namespace: expiring, nearly expired, expired and healthy, and one failing to renew. */
function addFixtures(ctx: BuildContext, out: CertificateOutput, workload: WorkloadConfig, selectors: { expiry: Selector; refreshErrors?: Selector }): void {
  const scenarios = out.scenarios;
  const severities = ctx.config.alerting.severities;
  const left = testRemaining(workload);
  const podSeries = (name: string, selected: Selector) => fixtureLabels(selected, {}, { namespace: TEST_NAMESPACE, pod: name });
  scenarios.firing.push(
    { labels: podSeries('expiring', selectors.expiry), values: aheadOfClock(left.ticket) },
    { labels: podSeries('nearly-expired', selectors.expiry), values: aheadOfClock(left.page) },
    // Expired an hour ago and still reported: it keeps both alerts firing.
    { labels: podSeries('expired', selectors.expiry), values: aheadOfClock(-3600) },
    { labels: podSeries('healthy', selectors.expiry), values: aheadOfClock(left.healthy) },
  );
  scenarios.healthy.push({ labels: podSeries('healthy', selectors.expiry), values: aheadOfClock(left.healthy) });
  const filters = { slo: KIND_ID, certificate: 'workload', source: 'linkerd' };
  const expiringAt = Math.max(minutesOf(workload.ticketFor), minutesOf(workload.pageFor)) + 2;
  scenarios.checks.push({
    alert: CERTIFICATE_ALERTS.proxyExpiring,
    filters,
    by: ['severity', 'pod'],
    at: expiringAt,
    rows: [
      { severity: severities.ticket, pod: 'expiring' },
      { severity: severities.ticket, pod: 'nearly-expired' },
      { severity: severities.page, pod: 'nearly-expired' },
      { severity: severities.ticket, pod: 'expired' },
      { severity: severities.page, pod: 'expired' },
    ],
  });
  scenarios.story.push(`a proxy certificate with ${humanDuration(left.ticket)} left tickets, one with ${humanDuration(left.page)} left pages, an expired one pages`);
  scenarios.quietAfter.push(expiringAt);
  if (!selectors.refreshErrors || !workload.refreshErrors.enabled) return;
  const failing = podSeries('failing-renewal', selectors.refreshErrors);
  const renewing = podSeries('healthy', selectors.refreshErrors);
  scenarios.firing.push({ labels: failing, values: counter(1 / 60) });
  scenarios.healthy.push({ labels: renewing, values: gauge(3) }, { labels: { ...renewing, result: 'ok' }, values: counter(1 / 60) });
  // increase() sees the first error one minute in.
  const refreshAt = minutesOf(workload.refreshErrors.for) + 3;
  scenarios.checks.push({ alert: CERTIFICATE_ALERTS.proxyRefreshErrors, filters, by: ['severity', 'pod'], at: refreshAt, rows: [{ severity: severities.ticket, pod: 'failing-renewal' }] });
  scenarios.story.push('a proxy failing to renew tickets');
  scenarios.quietAfter.push(refreshAt);
}

function kindPanels(ctx: BuildContext, workload: WorkloadConfig, expiry: Selector, remainingPerPod: Expr): PanelSpec[] {
  return [
    timeLeftStat({
      title: 'Proxy certificates: least time left',
      description:
        `Shortest remaining validity of any proxy's workload certificate (${expiry.metric}). A healthy proxy renews at 70% of its ` +
        `${workload.issuanceLifetime} certificate, so this stays above ~30% of it. Orange below ${normalDuration(workload.ticketBelow)} (ticket), red below ${normalDuration(workload.pageBelow)} (page).`,
      query: { expr: sub(min(expiry, ctx.clusterLabels), time()), legend: 'least time left' },
      alertsAt: workload,
      width: 6,
    }),
    {
      title: 'Proxy certificates closest to expiry',
      description: 'The ten pods whose workload certificate expires first. A pod stuck here across refreshes is failing to renew: see its proxy logs.',
      type: 'table',
      unit: 's',
      queries: [{ expr: aggregate('bottomk', remainingPerPod, { param: num(10) }), instant: true }],
      thresholds: expiryThresholds(workload),
      width: 18,
    },
  ];
}

/** The standing rows' share: whether proxies report, and their failed refreshes (or why there are none). */
function standing(ctx: BuildContext): StandingPanels {
  const { facts } = ctx;
  const workload = ctx.config.slos.certificates.workload;
  if (!workload.enabled) return {};
  const selectors = workloadSelectors(ctx);
  const reporting = [reportingQuery(ctx, selectors.expiry, `proxies (${selectors.expiry.metric})`)];
  if (selectors.refreshErrors) return { reporting, renewal: refreshPanels(ctx, selectors.refreshErrors) };
  // Before 2.15 there is no refresh selector (workloadSelectors): say why the panels are missing.
  return {
    reporting,
    renewal: [
      {
        title: 'No refresh-error signal before 2.15',
        description: 'Proxies before Linkerd 2.15 only count refreshes (identity_cert_refresh_count), not failures (linkerd/linkerd2-proxy PRs #2617, #2887).',
        type: 'text',
        unit: 'none',
        queries: [],
        content: `Linkerd ${facts.version} proxies do not count failed certificate refreshes (only \`${facts.identityCertRefreshMetric}\`); rely on the expiry panels above.`,
        width: 24,
        height: 3,
      },
    ],
  };
}

function refreshPanels(ctx: BuildContext, refreshErrors: Selector): PanelSpec[] {
  const window = normalDuration(ctx.config.slos.certificates.workload.refreshErrors.window);
  const prefix = legendPrefix(ctx);
  const errorsPerPod = sum(increase(refreshErrors, window), [...ctx.clusterLabels, 'namespace', 'pod']);
  return [
    {
      title: 'Proxies failing to renew',
      description: `Proxies with at least one failed certificate refresh in the last ${window} (${refreshErrors.metric}{result="error"}). Orange: LinkerdProxyCertificateRefreshErrors opens a ticket if it lasts; check identity's logs and the proxies' logs for "certify" errors.`,
      type: 'stat',
      unit: 'none',
      queries: [{ expr: countOrZero(ctx, gt(errorsPerPod, num(0))), legend: `${prefix}proxies`, instant: true }],
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
      width: 6,
    },
    {
      title: 'Certificate refresh errors',
      description: `Failed refreshes per pod over ${window}, the ten worst. A failing proxy retries within seconds, so lasting errors mean identity or its issuer is broken; the expiry alert follows hours later.`,
      type: 'timeseries',
      unit: 'none',
      queries: [{ expr: aggregate('topk', gt(errorsPerPod, num(0)), { param: num(10) }), legend: `${prefix}{{namespace}}/{{pod}}` }],
      min: 0,
      width: 18,
    },
  ];
}

function runbookFacts(ctx: BuildContext): Record<string, unknown> {
  const { facts } = ctx;
  const workload = ctx.config.slos.certificates.workload;
  const selectors = workloadSelectors(ctx);
  return {
    expiryMetric: selectors.expiry.metric,
    identityAddr: CONTROL_PLANE_CLIENT_ADDR.identity,
    refreshMetric: facts.identityCertRefreshMetric,
    hasRefreshErrors: selectors.refreshErrors !== undefined,
    workload: { ...workload, ticketBelow: normalDuration(workload.ticketBelow), pageBelow: normalDuration(workload.pageBelow), window: normalDuration(workload.refreshErrors.window) },
  };
}

export const proxyCertificates: CertificateSource = {
  check,
  active: (config) => config.slos.certificates.workload.enabled,
  build,
  standing,
  runbookFacts,
};
