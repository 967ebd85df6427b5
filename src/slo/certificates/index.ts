/**
 * Certificate expiry, the most common cause of Linkerd downtime. Not a ratio SLO: plain
 * threshold alerts on the remaining validity of each certificate class, from whichever sources
 * the user has (reference: linkerd/linkerd2-proxy PRs #2617, #2887, https://linkerd.io/2.18/features/automatic-mtls/, samber/awesome-prometheus-alerts `_data/rules.yml` item 4):
 *  - workload: every proxy's own leaf certificate, (control_)identity_cert_expiration_timestamp_seconds,
 *    plus refresh errors (2.15+);
 *  - issuer: the identity controller's issuer_cert_ttl_seconds (2.18+);
 *  - cert-manager: renewal overdue (works for a 48h issuer, unlike fixed day thresholds) and not ready;
 *  - x509-certificate-exporter: x509_cert_not_after of the trust anchor, issuer and webhook objects;
 *  - node-exporter (optional): node clock skew, which makes proxies reject valid certificates;
 *  - per enabled source, an absent() ticket so a missing exporter is noticed.
 * No recording rules: every expression reads one gauge family once, nothing to save.
 */
import { union, absent, aggregate, and, binary, call, eq, gt, increase, inline, lt, min, num, or, range, selector, sub, sum, withMatchers, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import { normalDuration, parseDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import { atLeast, CONTROL_PLANE_CLIENT_ADDR } from '../../linkerd/catalog.js';
import type { ConfigIssue, ConfigPath } from '../../config/errors.js';
import type { AlertingRule, RecordingRule, RuleGroup } from '../../rules.js';
import { RAW_FAMILY_RECORDINGS } from '../series.js';
import type { PanelSpec, Threshold } from '../../dashboard-model.js';
import type { BuildContext, KindOutput, Runbook, SloKind } from '../kind.js';
import { annotations } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { certificateRows } from './panels.js';
import { CERTIFICATE_METRICS, issuerLoaded, workloadSelectors } from './sources.js';
import { METRIC_NAMES } from '../../linkerd/metric-names.js';
import { PROXY_CONTAINER } from '../../linkerd/proxy-container.js';
import {
  aheadOfClock, counter, fixtureLabels, gauge, gaugeThen, humanDuration, minutesOf, scenarioTest,
  type AlertExpectation, type PromtoolTest, type ScenarioSeries,
} from '../promtool-tests.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'certificates';
export const CERTIFICATE_RULE_GROUP = 'linkerd-slo-certificates';

export const CERTIFICATE_ALERTS = {
  proxyExpiring: 'LinkerdProxyCertificateExpiringSoon',
  proxyRefreshErrors: 'LinkerdProxyCertificateRefreshErrors',
  issuerExpiring: 'LinkerdIdentityIssuerCertificateExpiring',
  trustAnchorExpiring: 'LinkerdTrustAnchorCertificateExpiring',
  webhookExpiring: 'LinkerdWebhookCertificateExpiring',
  certManagerRenewalOverdue: 'LinkerdCertManagerCertificateRenewalOverdue',
  certManagerNotReady: 'LinkerdCertManagerCertificateNotReady',
  sourceAbsent: 'LinkerdCertificateSourceAbsent',
  nodeClockSkew: 'LinkerdNodeClockSkew',
  nodeClockNotSynchronising: 'LinkerdNodeClockNotSynchronising',
} as const;


/** Window over which the kernel must report the clock unsynchronised throughout (min_over_time). */
const UNSYNCED_WINDOW = '5m';

type CertClass = 'workload' | 'issuer' | 'trust-anchor' | 'webhook';
type Source = 'linkerd' | 'cert-manager' | 'x509-certificate-exporter' | 'node-exporter';
type Severity = 'page' | 'ticket';
type CertsConfig = Config['slos']['certificates'];
type Thresholds = { ticketBelow: string; pageBelow: string; ticketFor: string; pageFor: string };

const CLASS_TITLE: Record<CertClass, string> = {
  workload: 'proxy workload certificate',
  issuer: 'identity issuer certificate',
  'trust-anchor': 'trust anchor',
  webhook: 'webhook serving certificate',
};

const EXPIRING_ALERT: Record<Exclude<CertClass, 'workload'>, string> = {
  issuer: CERTIFICATE_ALERTS.issuerExpiring,
  'trust-anchor': CERTIFICATE_ALERTS.trustAnchorExpiring,
  webhook: CERTIFICATE_ALERTS.webhookExpiring,
};

const X509_CLASSES = [
  { key: 'trustAnchor', cls: 'trust-anchor' },
  { key: 'issuer', cls: 'issuer' },
  { key: 'webhooks', cls: 'webhook' },
] as const;

const seconds = (d: string): Expr => num(parseDuration(d));
const time = (): Expr => call('time');

function thresholdsOf(t: Thresholds): Threshold[] {
  return [
    { value: null, color: 'red' },
    { value: parseDuration(t.pageBelow), color: 'orange' },
    { value: parseDuration(t.ticketBelow), color: 'green' },
  ];
}

function checkThresholds(t: Thresholds, path: ConfigPath): ConfigIssue[] {
  if (parseDuration(t.pageBelow) < parseDuration(t.ticketBelow)) return [];
  return [{ path: [...path, 'pageBelow'], message: `pageBelow (${t.pageBelow}) must be shorter than ticketBelow (${t.ticketBelow}): the ticket is the early warning` }];
}

interface Builder {
  /** Recorded at the head of the group, before the alerts that read them. */
  readonly recordings: RecordingRule[];
  readonly alerts: AlertingRule[];
  readonly panels: PanelSpec[];
  readonly runbookAlerts: Set<string>;
  readonly tests: Scenarios;
}

/**
 * The bundle's own promtool tests (out/tests/), gathered source by source from the very selectors the
 * rules use: one scenario where every alert fires, one where healthy sources stay quiet until every
 * `for` (and absentFor) has passed, one where no source reports anything.
 */
interface Scenarios {
  readonly firing: ScenarioSeries[];
  readonly checks: AlertExpectation[];
  /** What the firing scenario shows, for its name. */
  readonly story: string[];
  readonly healthy: ScenarioSeries[];
  /** Minutes the healthy scenario must run for every alert's `for` to have passed. */
  readonly quietAfter: number[];
  /** The absent alert's rows when nothing reports at all (node-exporter rows have no certificate). */
  readonly absent: Array<Record<string, string>>;
}

/** Namespace of the synthetic pods. */
const TEST_NAMESPACE = 'app';

/** Remaining validity that tickets but does not page, and one that pages (seconds). */
function testRemaining(t: Thresholds): { ticket: number; page: number; healthy: number } {
  const ticketBelow = parseDuration(t.ticketBelow);
  const pageBelow = parseDuration(t.pageBelow);
  return { ticket: pageBelow + Math.floor((ticketBelow - pageBelow) / 2), page: pageBelow / 2, healthy: 2 * ticketBelow };
}

export const certificates: SloKind<typeof configSection> = {
  config: configSection,
  alertLabels: ['certificate'],
  id: ID,
  title: 'Certificate expiry',
  enabled: (config: Config) => config.slos.certificates.enabled,
  standingRows: (ctx) => certificateRows(ctx).map((row) => ({ ...row, dashboard: 'certificates' as const })),

  check(config: Config): ConfigIssue[] {
    const c = config.slos.certificates;
    if (!c.enabled) return [];
    const base = ['slos', 'certificates'];
    const issues: ConfigIssue[] = [];
    if (c.workload.enabled) {
      issues.push(...checkThresholds(c.workload, [...base, 'workload']));
      const floor = 0.3 * parseDuration(c.workload.issuanceLifetime);
      if (parseDuration(c.workload.ticketBelow) >= floor) {
        issues.push({
          path: [...base, 'workload', 'ticketBelow'],
          message:
            `ticketBelow (${c.workload.ticketBelow}) must be below 30% of issuanceLifetime (${c.workload.issuanceLifetime}): ` +
            'a healthy proxy renews at 70% of its certificate\'s life, so a higher threshold fires on every healthy proxy',
        });
      }
    }
    if (c.issuer.enabled) issues.push(...checkThresholds(c.issuer, [...base, 'issuer']));
    if (c.x509Exporter.enabled) {
      for (const { key } of X509_CLASSES) {
        const x = c.x509Exporter[key];
        if (x.enabled) issues.push(...checkThresholds(x, [...base, 'x509Exporter', key]));
      }
      if (!X509_CLASSES.some(({ key }) => c.x509Exporter[key].enabled && c.x509Exporter[key].objects.length > 0)) {
        issues.push({ path: [...base, 'x509Exporter'], message: 'no trust anchor, issuer or webhook object left to watch; disable the source instead (enabled: false)' });
      }
    }
    if (c.nodeClock.enabled && parseDuration(c.nodeClock.ticketAbove) >= parseDuration(c.nodeClock.pageAbove)) {
      issues.push({
        path: [...base, 'nodeClock', 'ticketAbove'],
        message: `ticketAbove (${c.nodeClock.ticketAbove}) must be smaller than pageAbove (${c.nodeClock.pageAbove}): the ticket is the early warning`,
      });
    }
    const anySource =
      c.nodeClock.enabled ||
      c.workload.enabled ||
      (c.issuer.enabled && atLeast(config.linkerd.version, 18)) ||
      c.certManager.enabled ||
      c.x509Exporter.enabled;
    if (!anySource) issues.push({ path: [...base, 'enabled'], message: 'every certificate source is disabled (or unavailable for this Linkerd version); disable certificates instead (enabled: false)' });
    return issues;
  },

  build(ctx: BuildContext): KindOutput {
    const { config, facts } = ctx;
    const c = config.slos.certificates;
    const b: Builder = { recordings: [], alerts: [], panels: [], runbookAlerts: new Set(), tests: { firing: [], checks: [], story: [], healthy: [], quietAfter: [], absent: [] } };
    const t = b.tests;
    const sev = config.alerting.severities;
    const testFilters = (cls: CertClass, source: Source) => ({ slo: ID, certificate: cls, source });
    const text = { cluster: config.cluster, namespace: config.linkerd.namespace, version: facts.version };

    const alert = (
      name: string,
      severity: Severity,
      cls: CertClass,
      source: Source,
      expr: Expr,
      forDuration: string | undefined,
      template: string,
      extra: Record<string, unknown>,
    ): void => {
      const context = { ...text, ...extra, severity, certificate: cls, title: CLASS_TITLE[cls], source };
      b.alerts.push({
        alert: name,
        expr,
        ...(forDuration ? { for: normalDuration(forDuration) } : {}),
        labels: { ...ctx.ruleLabels, slo: ID, severity: config.alerting.severities[severity], certificate: cls, source },
        annotations: annotations(ctx, name, templates.line(`${template}-summary`, context), templates.render(`${template}-description`, context)),
      });
      b.runbookAlerts.add(name);
    };
    const absentAlert = (cls: CertClass, source: Source, sels: readonly Selector[], what: string): void => {
      alert(CERTIFICATE_ALERTS.sourceAbsent, 'ticket', cls, source, union(sels.map((s) => absent(s))), c.absentFor, 'absent', { what, absentFor: c.absentFor });
      // absent() returns the selector's equality labels: one alert per distinct selector.
      const distinct = new Set(sels.map((s) => JSON.stringify(fixtureLabels(s))));
      for (let i = 0; i < distinct.size; i++) t.absent.push({ certificate: cls, source });
    };

    /**
     * Ticket and page on `remaining < threshold`, one rule each. An expired certificate has negative
     * time left, below every threshold, so both keep firing (and the text says "EXPIRED … ago") for as
     * long as its source still reports it: expiry never resolves an alert.
     */
    const expiring = (name: string, cls: CertClass, source: Source, remaining: Expr, t: Thresholds, template: string, extra: Record<string, unknown> = {}): void => {
      for (const severity of ['ticket', 'page'] as const) {
        const below = severity === 'page' ? t.pageBelow : t.ticketBelow;
        const forDuration = severity === 'page' ? t.pageFor : t.ticketFor;
        alert(name, severity, cls, source, lt(remaining, seconds(below)), forDuration, template, {
          ...extra,
          below: normalDuration(below),
          ticketBelow: normalDuration(t.ticketBelow),
          pageBelow: normalDuration(t.pageBelow),
        });
      }
    };

    const extraKeys = Object.keys(config.prometheus.extraMatchers);
    const withExtra = (metric: string, matchers: readonly Matcher[]): Selector =>
      withMatchers(selector(metric, matchers), Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v)));

    // ---- 1. proxy workload certificates ----------------------------------------------------------
    if (c.workload.enabled) {
      const w = c.workload;
      const sel = workloadSelectors(ctx);
      const by = [...new Set([...extraKeys, 'namespace', 'pod'])];
      // One pass over the per-pod gauge: both expiring alerts read a recording of the pods within the
      // longer threshold (rules of a group run in order, so they see this evaluation's value).
      // The dashboard's table of the shortest-lived certificates still reads every pod (remainingRaw).
      const remainingRaw = sub(min(sel.expiry, by), time());
      const horizon = Math.max(parseDuration(w.ticketBelow), parseDuration(w.pageBelow));
      b.recordings.push({
        record: RAW_FAMILY_RECORDINGS.proxyCertificateRemaining,
        expr: lt(remainingRaw, num(horizon)),
        labels: { ...ctx.ruleLabels },
      });
      const remaining = ctx.recordedSelector(RAW_FAMILY_RECORDINGS.proxyCertificateRemaining);
      expiring(CERTIFICATE_ALERTS.proxyExpiring, 'workload', 'linkerd', remaining, w, 'proxy-expiring', { metric: sel.expiry.metric });
      if (sel.refreshErrors && w.refreshErrors.enabled) {
        alert(
          CERTIFICATE_ALERTS.proxyRefreshErrors,
          'ticket',
          'workload',
          'linkerd',
          gt(sum(increase(sel.refreshErrors, w.refreshErrors.window), by), num(0)),
          w.refreshErrors.for,
          'proxy-refresh-errors',
          { metric: sel.refreshErrors.metric, window: normalDuration(w.refreshErrors.window) },
        );
      }
      absentAlert('workload', 'linkerd', [sel.expiry], `${sel.expiry.metric} from job ${config.linkerd.proxyJob}`);

      const left = testRemaining(w);
      const pod = (name: string, s: Selector) => fixtureLabels(s, {}, { namespace: TEST_NAMESPACE, pod: name });
      t.firing.push(
        { labels: pod('expiring', sel.expiry), values: aheadOfClock(left.ticket) },
        { labels: pod('nearly-expired', sel.expiry), values: aheadOfClock(left.page) },
        // Expired an hour ago and still reported: it keeps both alerts firing.
        { labels: pod('expired', sel.expiry), values: aheadOfClock(-3600) },
        { labels: pod('healthy', sel.expiry), values: aheadOfClock(left.healthy) },
      );
      t.healthy.push({ labels: pod('healthy', sel.expiry), values: aheadOfClock(left.healthy) });
      const at = Math.max(minutesOf(w.ticketFor), minutesOf(w.pageFor)) + 2;
      t.checks.push({
        alert: CERTIFICATE_ALERTS.proxyExpiring,
        filters: testFilters('workload', 'linkerd'),
        by: ['severity', 'pod'],
        at,
        rows: [
          { severity: sev.ticket, pod: 'expiring' },
          { severity: sev.ticket, pod: 'nearly-expired' },
          { severity: sev.page, pod: 'nearly-expired' },
          { severity: sev.ticket, pod: 'expired' },
          { severity: sev.page, pod: 'expired' },
        ],
      });
      t.story.push(`a proxy certificate with ${humanDuration(left.ticket)} left tickets, one with ${humanDuration(left.page)} left pages, an expired one pages`);
      t.quietAfter.push(at);
      if (sel.refreshErrors && w.refreshErrors.enabled) {
        const errors = pod('failing-renewal', sel.refreshErrors);
        const healthyErrors = pod('healthy', sel.refreshErrors);
        t.firing.push({ labels: errors, values: counter(1 / 60) });
        t.healthy.push({ labels: healthyErrors, values: gauge(3) }, { labels: { ...healthyErrors, result: 'ok' }, values: counter(1 / 60) });
        // increase() sees the first error one minute in.
        const refreshAt = minutesOf(w.refreshErrors.for) + 3;
        t.checks.push({ alert: CERTIFICATE_ALERTS.proxyRefreshErrors, filters: testFilters('workload', 'linkerd'), by: ['severity', 'pod'], at: refreshAt, rows: [{ severity: sev.ticket, pod: 'failing-renewal' }] });
        t.story.push('a proxy failing to renew tickets');
        t.quietAfter.push(refreshAt);
      }
      b.panels.push(
        {
          title: 'Proxy certificates: least time left',
          description:
            `Shortest remaining validity of any proxy's workload certificate (${sel.expiry.metric}). A healthy proxy renews at 70% of its ` +
            `${w.issuanceLifetime} certificate, so this stays above ~30% of it. Orange below ${normalDuration(w.ticketBelow)} (ticket), red below ${normalDuration(w.pageBelow)} (page).`,
          type: 'stat',
          unit: 's',
          queries: [{ expr: sub(min(sel.expiry, extraKeys), time()), legend: 'least time left', instant: true }],
          thresholds: thresholdsOf(w),
          width: 6,
        },
        {
          title: 'Proxy certificates closest to expiry',
          description: 'The ten pods whose workload certificate expires first. A pod stuck here across refreshes is failing to renew: see its proxy logs.',
          type: 'table',
          unit: 's',
          queries: [{ expr: aggregate('bottomk', remainingRaw, { param: num(10) }), instant: true }],
          thresholds: thresholdsOf(w),
          width: 18,
        },
      );
    }

    // ---- 2. identity issuer, as loaded by the identity controller (2.18+) -------------------------
    if (c.issuer.enabled && facts.hasIssuerTtlMetric) {
      const ttl = ctx.controllerSelector(CERTIFICATE_METRICS.issuerTtl, [eq('component', 'identity')]);
      const remaining = aggregate('min', issuerLoaded(ttl), extraKeys.length ? { by: extraKeys } : {});
      expiring(CERTIFICATE_ALERTS.issuerExpiring, 'issuer', 'linkerd', remaining, c.issuer, 'expiring', { what: `the identity issuer loaded by the identity controller (${CERTIFICATE_METRICS.issuerTtl})` });
      absentAlert('issuer', 'linkerd', [ttl], `${CERTIFICATE_METRICS.issuerTtl} from job ${config.linkerd.controllerJob}, component identity`);

      // One issuer per control plane: first within the ticket threshold, then within the page threshold.
      const left = testRemaining(c.issuer);
      const ticketAt = minutesOf(c.issuer.ticketFor) + 2;
      const pageAt = ticketAt + 1 + minutesOf(c.issuer.pageFor) + 2;
      t.firing.push({ labels: fixtureLabels(ttl), values: gaugeThen(left.ticket, ticketAt, left.page) });
      t.healthy.push({ labels: fixtureLabels(ttl), values: gauge(left.healthy) });
      const issuer = { alert: CERTIFICATE_ALERTS.issuerExpiring, filters: testFilters('issuer', 'linkerd'), by: ['severity'] };
      t.checks.push({ ...issuer, at: ticketAt, rows: [{ severity: sev.ticket }] }, { ...issuer, at: pageAt, rows: [{ severity: sev.ticket }, { severity: sev.page }] });
      t.story.push(`the identity issuer with ${humanDuration(left.ticket)} left tickets, then with ${humanDuration(left.page)} left pages`);
      t.quietAfter.push(Math.max(minutesOf(c.issuer.ticketFor), minutesOf(c.issuer.pageFor)) + 2);
      b.panels.push({
        title: 'Identity issuer: time left',
        description: `Remaining validity of the issuer certificate the identity controller has loaded (${CERTIFICATE_METRICS.issuerTtl}; negative = expired that long ago, 0 = none loaded yet, left out). Orange below ${normalDuration(c.issuer.ticketBelow)}, red below ${normalDuration(c.issuer.pageBelow)}.`,
        type: 'stat',
        unit: 's',
        queries: [{ expr: remaining, legend: 'issuer', instant: true }],
        thresholds: thresholdsOf(c.issuer),
        width: 6,
      });
    }

    // ---- 3a. cert-manager --------------------------------------------------------------------------
    if (c.certManager.enabled) {
      const cm = c.certManager;
      const sel = (metric: string, e: (typeof cm.certificates)[number], more: readonly Matcher[] = []): Selector =>
        withExtra(metric, [eq('name', e.name), eq(cm.namespaceLabel, e.namespace ?? config.linkerd.namespace), ...more]);
      const classes = [...new Set(cm.certificates.map((e) => e.certificate))];
      const cmText = { namespaceLabel: cm.namespaceLabel, grace: normalDuration(cm.renewalGrace), pageBelow: normalDuration(cm.pageBelow), notReadyFor: normalDuration(cm.notReadyFor) };
      const remainingAll: Expr[] = [];
      const renewalAll: Expr[] = [];
      // Renewal due one minute in and never done: overdue (ticket) once the grace is over, and a few
      // minutes later less than pageBelow is left (page). Every watched Certificate is also Ready=False.
      const overdueAt = 1 + minutesOf(cm.renewalGrace) + 2;
      const pageAt = overdueAt + 5;
      const notReadyAt = minutesOf(cm.notReadyFor) + 2;
      const cmRows: Array<Record<string, string>> = [];
      for (const cls of classes) {
        const entries = cm.certificates.filter((e) => e.certificate === cls);
        // cert-manager `internal/collectors/certificate_collector.go`: expiration is 0 until the Certificate is first issued; renewal likewise.
        const remaining = sub(gt(union(entries.map((e) => sel(CERTIFICATE_METRICS.certManagerExpiration, e))), num(0)), time());
        const renewal = gt(union(entries.map((e) => sel(CERTIFICATE_METRICS.certManagerRenewal, e))), num(0));
        const overdue = gt(sub(time(), renewal), seconds(cm.renewalGrace));
        remainingAll.push(remaining);
        renewalAll.push(sub(renewal, time()));
        alert(CERTIFICATE_ALERTS.certManagerRenewalOverdue, 'ticket', cls, 'cert-manager', and(remaining, overdue), undefined, 'certmanager-overdue', cmText);
        // An expired Certificate pages on its expiry alone: the renewal gauge may be missing (cert-manager
        // before v1.6) or 0, and an expired certificate is overdue for renewal whatever it says.
        const expired = lt(remaining, num(0));
        alert(CERTIFICATE_ALERTS.certManagerRenewalOverdue, 'page', cls, 'cert-manager', or(and(lt(remaining, seconds(cm.pageBelow)), overdue), expired), undefined, 'certmanager-overdue', cmText);
        alert(
          CERTIFICATE_ALERTS.certManagerNotReady,
          'ticket',
          cls,
          'cert-manager',
          binary('==', union(entries.map((e) => sel(CERTIFICATE_METRICS.certManagerReady, e, [eq('condition', 'False')]))), num(1)),
          cm.notReadyFor,
          'certmanager-not-ready',
          cmText,
        );
        absentAlert(cls, 'cert-manager', entries.map((e) => sel(CERTIFICATE_METRICS.certManagerExpiration, e)), `${CERTIFICATE_METRICS.certManagerExpiration} for the ${CLASS_TITLE[cls]} Certificate(s) ${entries.map((e) => e.name).join(', ')}`);
        const seen = new Set<string>();
        for (const e of entries) {
          const expiration = fixtureLabels(sel(CERTIFICATE_METRICS.certManagerExpiration, e));
          if (seen.has(JSON.stringify(expiration))) continue;
          seen.add(JSON.stringify(expiration));
          const renewal = fixtureLabels(sel(CERTIFICATE_METRICS.certManagerRenewal, e));
          const notReady = fixtureLabels(sel(CERTIFICATE_METRICS.certManagerReady, e, [eq('condition', 'False')]));
          const ready = { ...notReady, condition: 'True' };
          t.firing.push(
            { labels: expiration, values: gauge(parseDuration(cm.pageBelow) + (overdueAt + 3) * 60) },
            { labels: renewal, values: gauge(60) },
            { labels: notReady, values: gauge(1) },
            { labels: ready, values: gauge(0) },
          );
          t.healthy.push(
            { labels: expiration, values: aheadOfClock(parseDuration(cm.pageBelow) + 7200) },
            { labels: renewal, values: aheadOfClock(3600) },
            { labels: notReady, values: gauge(0) },
            { labels: ready, values: gauge(1) },
          );
          cmRows.push({ certificate: cls, name: expiration.name!, [cm.namespaceLabel]: expiration[cm.namespaceLabel]! });
        }
      }
      const by = ['severity', 'certificate', 'name', cm.namespaceLabel];
      const filters = { slo: ID, source: 'cert-manager' };
      const rows = (severity: string) => cmRows.map((r) => ({ ...r, severity }));
      t.checks.push(
        { alert: CERTIFICATE_ALERTS.certManagerRenewalOverdue, filters, by, at: overdueAt, rows: rows(sev.ticket) },
        { alert: CERTIFICATE_ALERTS.certManagerRenewalOverdue, filters, by, at: pageAt, rows: [...rows(sev.ticket), ...rows(sev.page)] },
        { alert: CERTIFICATE_ALERTS.certManagerNotReady, filters, by, at: notReadyAt, rows: rows(sev.ticket) },
      );
      t.story.push(`cert-manager Certificates overdue for renewal ticket, and page below ${normalDuration(cm.pageBelow)} left; Ready=False tickets`);
      t.quietAfter.push(overdueAt, notReadyAt);
      b.panels.push(
        {
          title: 'cert-manager: time left',
          description: `Remaining validity of the watched Certificates (${CERTIFICATE_METRICS.certManagerExpiration}; 0, i.e. not yet issued, is left out). Red below ${normalDuration(cm.pageBelow)}; what matters more is whether renewal happens on time (next panel).`,
          type: 'stat',
          unit: 's',
          queries: [{ expr: union(remainingAll), legend: `{{name}}`, instant: true }],
          thresholds: [{ value: null, color: 'red' }, { value: parseDuration(cm.pageBelow), color: 'green' }],
          width: 12,
        },
        {
          title: 'cert-manager: renewal due in',
          description: `Time until cert-manager renews each Certificate (${CERTIFICATE_METRICS.certManagerRenewal}). Negative means overdue: orange once due, red after the ${normalDuration(cm.renewalGrace)} grace (ticket).`,
          type: 'stat',
          unit: 's',
          queries: [{ expr: union(renewalAll), legend: `{{name}}`, instant: true }],
          thresholds: [{ value: null, color: 'red' }, { value: -parseDuration(cm.renewalGrace), color: 'orange' }, { value: 0, color: 'green' }],
          width: 12,
        },
      );
    }

    // ---- 3b. x509-certificate-exporter ---------------------------------------------------------------
    if (c.x509Exporter.enabled) {
      for (const { key, cls } of X509_CLASSES) {
        const x = c.x509Exporter[key];
        if (!x.enabled || x.objects.length === 0) continue;
        const sels = x.objects.map((o) => {
          const ns = o.namespace ?? config.linkerd.namespace;
          return o.kind === 'configmap'
            ? withExtra(CERTIFICATE_METRICS.x509NotAfter, [eq('configmap_namespace', ns), eq('configmap_name', o.name)])
            : withExtra(CERTIFICATE_METRICS.x509NotAfter, [eq('secret_namespace', ns), eq('secret_name', o.name)]);
        });
        const remaining = sub(union(sels), time());
        const objects = x.objects.map((o) => `${o.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${o.namespace ?? config.linkerd.namespace}/${o.name}`);
        expiring(EXPIRING_ALERT[cls], cls, 'x509-certificate-exporter', remaining, x, 'expiring', {
          what: `the ${CLASS_TITLE[cls]} in ${objects.join(', ')} (x509-certificate-exporter)`,
        });
        absentAlert(cls, 'x509-certificate-exporter', sels, `${CERTIFICATE_METRICS.x509NotAfter} for ${objects.join(', ')}`);

        // The first object holds a certificate within each threshold (a CA bundle holds several); the rest are healthy.
        const left = testRemaining(x);
        const cert = (s: Selector, cn: string) => fixtureLabels(s, {}, { subject_CN: cn });
        t.firing.push(
          { labels: cert(sels[0]!, 'expiring'), values: aheadOfClock(left.ticket) },
          { labels: cert(sels[0]!, 'nearly-expired'), values: aheadOfClock(left.page) },
          ...sels.slice(1).map((s) => ({ labels: cert(s, 'healthy'), values: aheadOfClock(left.healthy) })),
        );
        t.healthy.push(...sels.map((s) => ({ labels: cert(s, 'healthy'), values: aheadOfClock(left.healthy) })));
        const at = Math.max(minutesOf(x.ticketFor), minutesOf(x.pageFor)) + 2;
        t.checks.push({
          alert: EXPIRING_ALERT[cls],
          filters: testFilters(cls, 'x509-certificate-exporter'),
          by: ['severity', 'subject_CN'],
          at,
          rows: [{ severity: sev.ticket, subject_CN: 'expiring' }, { severity: sev.ticket, subject_CN: 'nearly-expired' }, { severity: sev.page, subject_CN: 'nearly-expired' }],
        });
        t.story.push(`the ${CLASS_TITLE[cls]} (x509-certificate-exporter) tickets with ${humanDuration(left.ticket)} left and pages with ${humanDuration(left.page)} left`);
        t.quietAfter.push(at);
        b.panels.push({
          title: `${capitalise(CLASS_TITLE[cls])}: time left`,
          description: `Remaining validity per certificate in ${objects.join(', ')} (x509-certificate-exporter). Orange below ${normalDuration(x.ticketBelow)} (ticket), red below ${normalDuration(x.pageBelow)} (page).`,
          type: 'stat',
          unit: 's',
          queries: [{ expr: remaining, legend: '{{secret_name}}{{configmap_name}} {{subject_CN}}', instant: true }],
          thresholds: thresholdsOf(x),
          width: 8,
        });
      }
    }

    // ---- 4. node clocks (node-exporter) ----------------------------------------------------------------
    const clockRows = c.nodeClock.enabled ? nodeClock(ctx, b, withExtra) : [];

    const group: RuleGroup = { name: CERTIFICATE_RULE_GROUP, rules: [...b.recordings, ...b.alerts] };
    const runbooks: Runbook[] = [...b.runbookAlerts].map((alertName) => ({ alert: alertName, markdown: templates.runbook(alertName, runbookContext(ctx)) }));
    return {
      ruleGroups: b.alerts.length ? [group] : [],
      dashboardRows: [
        ...(b.panels.length ? [{ title: 'Certificate expiry', panels: b.panels, dashboard: 'certificates' as const }] : []),
        ...clockRows,
      ],
      runbooks,
      unitTests: unitTests(b, c.absentFor),
    };
  },
};

/**
 * Node clock skew from node-exporter's timex collector (prometheus/node_exporter collector/timex.go:
 * adjtimex(2) offset and maxerror in seconds, sync_status 0 when the kernel reports TIME_ERROR).
 * A proxy checks every peer certificate's NotBefore/NotAfter against its own node's clock with no
 * tolerance (rustls/webpki src/verify_cert.rs, check_validity); the only slack is the identity
 * controller backdating NotBefore by clockSkewAllowance (linkerd/linkerd2 pkg/tls/ca.go,
 * Validity.Window, at version-2.18; Helm identity.issuer.clockSkewAllowance, default 20s).
 * Buoyant's Linkerd production runbook ("Going to production") warns that skew between nodes breaks
 * mTLS validation. Alerts keep every label of the series, so each names its node.
 *  - ticket: the clock may be off by more than ticketAbove: |offset| plus the kernel's own maximum
 *    error, so a node whose sync has stopped tickets once its error bound has grown past the bound;
 *  - page: the measured |offset| is above pageAbove (an estimate alone never pages);
 *  - ticket: the kernel has reported the clock unsynchronised throughout the last 5 minutes.
 */
function nodeClock(ctx: BuildContext, b: Builder, withExtra: (metric: string, matchers: readonly Matcher[]) => Selector): RowOut[] {
  const { config, facts } = ctx;
  const nc = config.slos.certificates.nodeClock;
  const sev = config.alerting.severities;
  const t = b.tests;
  const sel = (metric: string): Selector => withExtra(metric, Object.entries(nc.matchers).map(([k, v]) => eq(k, v)));
  const offset = sel(CERTIFICATE_METRICS.clockOffset);
  const maxError = sel(CERTIFICATE_METRICS.clockMaxError);
  const sync = sel(CERTIFICATE_METRICS.clockSyncStatus);
  const absOffset = call('abs', offset);
  const errorBound = binary('+', absOffset, maxError);
  const ticketAbove = parseDuration(nc.ticketAbove);
  const pageAbove = parseDuration(nc.pageAbove);
  const text = {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    version: facts.version,
    nodeLabel: nc.nodeLabel,
    ticketAbove: nc.ticketAbove,
    pageAbove: nc.pageAbove,
    unsyncedFor: normalDuration(nc.unsyncedFor),
    window: UNSYNCED_WINDOW,
    offsetMetric: CERTIFICATE_METRICS.clockOffset,
    maxErrorMetric: CERTIFICATE_METRICS.clockMaxError,
    syncMetric: CERTIFICATE_METRICS.clockSyncStatus,
  };
  const source: Source = 'node-exporter';
  const push = (name: string, severity: Severity, expr: Expr, forDuration: string, template: string): void => {
    const context = { ...text, severity };
    b.alerts.push({
      alert: name,
      expr,
      for: normalDuration(forDuration),
      labels: { ...ctx.ruleLabels, slo: ID, severity: sev[severity], source },
      annotations: annotations(ctx, name, templates.line(`${template}-summary`, context), templates.render(`${template}-description`, context)),
    });
    b.runbookAlerts.add(name);
  };
  push(CERTIFICATE_ALERTS.nodeClockSkew, 'ticket', gt(errorBound, num(ticketAbove)), nc.ticketFor, 'clock-skew');
  push(CERTIFICATE_ALERTS.nodeClockSkew, 'page', gt(absOffset, num(pageAbove)), nc.pageFor, 'clock-skew');
  push(CERTIFICATE_ALERTS.nodeClockNotSynchronising, 'ticket', binary('==', call('min_over_time', range(sync, UNSYNCED_WINDOW)), num(0)), nc.unsyncedFor, 'clock-unsynchronised');
  const absentText = { cluster: config.cluster, absentFor: normalDuration(config.slos.certificates.absentFor), what: `${CERTIFICATE_METRICS.clockOffset} from node-exporter`, source };
  b.alerts.push({
    alert: CERTIFICATE_ALERTS.sourceAbsent,
    expr: absent(offset),
    for: normalDuration(config.slos.certificates.absentFor),
    labels: { ...ctx.ruleLabels, slo: ID, severity: sev.ticket, source },
    annotations: annotations(ctx, CERTIFICATE_ALERTS.sourceAbsent, templates.line('clock-absent-summary', absentText), templates.render('clock-absent-description', absentText)),
  });
  b.runbookAlerts.add(CERTIFICATE_ALERTS.sourceAbsent);
  t.absent.push({ source });

  // The bundle's own smoke test: one node drifting past the ticket bound, one past the page bound,
  // one unsynchronised (its error bound grown past the ticket bound), one healthy.
  const node = (s: Selector, name: string) => fixtureLabels(s, {}, { [nc.nodeLabel]: name });
  const series = (name: string, offsetSeconds: number, maxErrorSeconds: number, synced: number): ScenarioSeries[] => [
    { labels: node(offset, name), values: gauge(offsetSeconds) },
    { labels: node(maxError, name), values: gauge(maxErrorSeconds) },
    { labels: node(sync, name), values: gauge(synced) },
  ];
  const healthyError = Math.min(0.01, ticketAbove / 10);
  t.firing.push(
    ...series('drifting', -(ticketAbove + pageAbove) / 2, healthyError, 1),
    ...series('skewed', pageAbove * 2, healthyError, 1),
    ...series('unsynchronised', 0, ticketAbove * 2, 0),
    ...series('synchronised', healthyError, healthyError, 1),
  );
  t.healthy.push(...series('synchronised', healthyError, healthyError, 1));
  const at = Math.max(minutesOf(nc.ticketFor), minutesOf(nc.pageFor), minutesOf(nc.unsyncedFor) + minutesOf(UNSYNCED_WINDOW)) + 2;
  const filters = { slo: ID, source };
  const by = ['severity', nc.nodeLabel];
  t.checks.push(
    {
      alert: CERTIFICATE_ALERTS.nodeClockSkew,
      filters,
      by,
      at,
      rows: [
        { severity: sev.ticket, [nc.nodeLabel]: 'drifting' },
        { severity: sev.ticket, [nc.nodeLabel]: 'skewed' },
        { severity: sev.page, [nc.nodeLabel]: 'skewed' },
        { severity: sev.ticket, [nc.nodeLabel]: 'unsynchronised' },
      ],
    },
    { alert: CERTIFICATE_ALERTS.nodeClockNotSynchronising, filters, by, at, rows: [{ severity: sev.ticket, [nc.nodeLabel]: 'unsynchronised' }] },
  );
  t.story.push(`a node clock off by more than ${nc.ticketAbove} tickets, one off by more than ${nc.pageAbove} pages, an unsynchronised one tickets`);
  t.quietAfter.push(at);

  const extraKeys = Object.keys(config.prometheus.extraMatchers);
  const legend = `${extraKeys.map((k) => `{{${k}}} `).join('')}{{${nc.nodeLabel}}}`;
  return [
    {
      title: 'Node clocks',
      dashboard: 'certificates',
      panels: [
        {
          title: 'Node clock offset',
          description:
            `Each node's clock offset as the kernel reports it (${CERTIFICATE_METRICS.clockOffset}, node-exporter). Proxies check certificate validity against their node's clock; ` +
            `the identity controller only backdates certificates by identity.issuer.clockSkewAllowance. Orange beyond ±${nc.ticketAbove} (ticket, with the kernel's maximum error added), red beyond ±${nc.pageAbove} (page): see runbook ${CERTIFICATE_ALERTS.nodeClockSkew}.`,
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: offset, legend }],
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
            `Nodes whose kernel reports the clock unsynchronised (${CERTIFICATE_METRICS.clockSyncStatus} = 0). Red at 1 or more: their time daemon lost its source; ` +
            `${CERTIFICATE_ALERTS.nodeClockNotSynchronising} opens a ticket after ${normalDuration(nc.unsyncedFor)}. The table below names them.`,
          type: 'stat',
          unit: 'none',
          queries: [{ expr: orZeroCount(binary('==', sync, num(0)), extraKeys), legend: extraKeys.length ? extraKeys.map((k) => `{{${k}}}`).join(' ') : 'unsynchronised', instant: true }],
          thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
          width: 8,
        },
        {
          title: 'Node clock error bound',
          description:
            `How far each node's clock may be off: |${CERTIFICATE_METRICS.clockOffset}| + ${CERTIFICATE_METRICS.clockMaxError} (the kernel's own maximum error; it grows by 0.5ms per second while unsynchronised). ` +
            `Orange above ${nc.ticketAbove} (ticket). Only the measured offset pages, never this estimate.`,
          type: 'table',
          unit: 's',
          queries: [{ expr: errorBound, instant: true }],
          thresholds: [{ value: null, color: 'green' }, { value: ticketAbove, color: 'orange' }],
          width: 24,
        },
      ],
    },
  ];
}

/** `count(e) or on () vector(0)`: 0 rather than no data when nothing matches. */
function orZeroCount(e: Expr, by: readonly string[]): Expr {
  return binary('or', aggregate('count', e, by.length ? { by } : {}), call('vector', num(0)), { matching: { on: [] } });
}

type RowOut = { title: string; dashboard: 'certificates'; panels: PanelSpec[] };

function unitTests(b: Builder, absentFor: string): PromtoolTest[] {
  const t = b.tests;
  if (b.alerts.length === 0) return [];
  const tests: PromtoolTest[] = [];
  if (t.checks.length) tests.push(scenarioTest(`Certificate expiry: ${t.story.join('; ')}`, t.firing, t.checks));
  const absentAt = minutesOf(absentFor) + 2;
  const quietAt = Math.max(absentAt, ...t.quietAfter);
  tests.push(
    scenarioTest(
      `Certificate expiry: healthy certificates and renewals stay quiet past every for (${quietAt}m)`,
      t.healthy,
      [...b.runbookAlerts].map((alert) => ({ alert, filters: { slo: ID }, at: quietAt, rows: [] })),
    ),
    scenarioTest(
      `Certificate expiry: a source that reports nothing opens ${CERTIFICATE_ALERTS.sourceAbsent} after ${normalDuration(absentFor)}`,
      [],
      // One check per source: node-exporter's alert names no certificate class.
      [...new Set(t.absent.map((r) => r.source!))].map((source) => {
        const rows = t.absent.filter((r) => r.source === source);
        return { alert: CERTIFICATE_ALERTS.sourceAbsent, filters: { slo: ID, source }, by: Object.keys(rows[0]!), at: absentAt, rows };
      }),
    ),
  );
  return tests;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function runbookContext(ctx: BuildContext): Record<string, unknown> {
  const { config, facts } = ctx;
  const c: CertsConfig = config.slos.certificates;
  const sel = workloadSelectors(ctx);
  const clockMatchers = [...Object.entries(c.nodeClock.matchers), ...Object.entries(config.prometheus.extraMatchers)].map(([k, v]) => eq(k, v));
  return {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    vizNamespace: config.linkerd.vizNamespace,
    version: facts.version,
    proxyJob: config.linkerd.proxyJob,
    controllerJob: config.linkerd.controllerJob,
    severities: config.alerting.severities,
    alerts: CERTIFICATE_ALERTS,
    expiryMetric: sel.expiry.metric,
    metrics: METRIC_NAMES,
    proxyContainer: PROXY_CONTAINER,
    identityAddr: CONTROL_PLANE_CLIENT_ADDR.identity,
    refreshMetric: facts.identityCertRefreshMetric,
    hasRefreshErrors: sel.refreshErrors !== undefined,
    hasIssuerTtl: facts.hasIssuerTtlMetric,
    absentFor: normalDuration(c.absentFor),
    workload: { ...c.workload, ticketBelow: normalDuration(c.workload.ticketBelow), pageBelow: normalDuration(c.workload.pageBelow), window: normalDuration(c.workload.refreshErrors.window) },
    issuer: { ...c.issuer, ticketBelow: normalDuration(c.issuer.ticketBelow), pageBelow: normalDuration(c.issuer.pageBelow) },
    certManager: { ...c.certManager, renewalGrace: normalDuration(c.certManager.renewalGrace), pageBelow: normalDuration(c.certManager.pageBelow), notReadyFor: normalDuration(c.certManager.notReadyFor),
      certificates: c.certManager.certificates.map((e) => ({ ...e, namespace: e.namespace ?? config.linkerd.namespace })) },
    nodeClock: {
      enabled: c.nodeClock.enabled,
      nodeLabel: c.nodeClock.nodeLabel,
      ticketAbove: c.nodeClock.ticketAbove,
      pageAbove: c.nodeClock.pageAbove,
      ticketFor: normalDuration(c.nodeClock.ticketFor),
      pageFor: normalDuration(c.nodeClock.pageFor),
      unsyncedFor: normalDuration(c.nodeClock.unsyncedFor),
      // The matchers part of the node-exporter selector, for the runbooks' queries ('' when there are none).
      selector: clockMatchers.length ? inline(selector(undefined, clockMatchers)) : '',
    },
    x509: {
      enabled: c.x509Exporter.enabled,
      classes: X509_CLASSES.map(({ key, cls }) => {
        const x = c.x509Exporter[key];
        return {
          certificate: cls,
          enabled: x.enabled,
          ticketBelow: normalDuration(x.ticketBelow),
          pageBelow: normalDuration(x.pageBelow),
          objects: x.objects.map((o) => ({ kind: o.kind, name: o.name, namespace: o.namespace ?? config.linkerd.namespace })),
        };
      }),
    },
  };
}
