/**
 * Source: cert-manager Certificates (issuer, trust anchor, webhooks), from cert-manager's own metrics
 * (cert-manager `internal/collectors/certificate_collector.go`). Alerts prefer "renewal overdue" to
 * fixed day counts, so a 48h issuer (Linkerd's cert-manager guide,
 * https://linkerd.io/2.18/tasks/automatically-rotating-control-plane-tls-credentials/) does not page
 * every day; a Certificate stuck at Ready=False tickets.
 */
import { aggregate, and, binary, eq, gt, lt, num, or, sub, union, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import { normalDuration, parseDuration } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { aheadOfClock, fixtureLabels, gauge, minutesOf } from '../promtool-tests.js';
import {
  addAbsentAlert, certificateAlert, KIND_ID, reportingQuery, seconds, time,
  CERTIFICATE_ALERTS, CLASS_TITLE, type CertClass, type CertificateOutput, type CertificateSource, type CertificatesConfig, type StandingPanels,
} from './source.js';

const CERT_MANAGER_METRICS = {
  expiration: 'certmanager_certificate_expiration_timestamp_seconds',
  renewal: 'certmanager_certificate_renewal_timestamp_seconds',
  ready: 'certmanager_certificate_ready_status',
} as const;

type CertManagerConfig = CertificatesConfig['certManager'];
type WatchedCertificate = CertManagerConfig['certificates'][number];

/** One metric of one watched Certificate: its name and namespace (the scrape's namespace label), plus `more`. */
function certificateSelector(ctx: BuildContext, metric: string, watched: WatchedCertificate, more: readonly Matcher[] = []): Selector {
  const certManager = ctx.config.slos.certificates.certManager;
  return ctx.exporterSelector(metric, [eq('name', watched.name), eq(certManager.namespaceLabel, watched.namespace ?? ctx.config.linkerd.namespace), ...more]);
}

const notReadySelector = (ctx: BuildContext, watched: WatchedCertificate): Selector =>
  certificateSelector(ctx, CERT_MANAGER_METRICS.ready, watched, [eq('condition', 'False')]);

/** When the scenarios' clocks reach each alert (minutes). */
function scenarioTimes(certManager: CertManagerConfig): { overdueAt: number; pageAt: number; notReadyAt: number } {
  // Renewal due one minute in and never done: overdue (ticket) once the grace is over, and a few
  // minutes later less than pageBelow is left (page). Every watched Certificate is also Ready=False.
  const overdueAt = 1 + minutesOf(certManager.renewalGrace) + 2;
  return { overdueAt, pageAt: overdueAt + 5, notReadyAt: minutesOf(certManager.notReadyFor) + 2 };
}

/** The rules of one certificate class; returns its time-left and renewal-due expressions for the panels. */
function classRules(ctx: BuildContext, out: CertificateOutput, certificate: CertClass, watched: readonly WatchedCertificate[]): { remaining: Expr; renewalDue: Expr } {
  const certManager = ctx.config.slos.certificates.certManager;
  const text = { namespaceLabel: certManager.namespaceLabel, grace: normalDuration(certManager.renewalGrace), pageBelow: normalDuration(certManager.pageBelow), notReadyFor: normalDuration(certManager.notReadyFor) };
  const expirations = watched.map((entry) => certificateSelector(ctx, CERT_MANAGER_METRICS.expiration, entry));
  // cert-manager `internal/collectors/certificate_collector.go`: expiration is 0 until the Certificate is first issued; renewal likewise.
  const remaining = sub(gt(union(expirations), num(0)), time());
  const renewal = gt(union(watched.map((entry) => certificateSelector(ctx, CERT_MANAGER_METRICS.renewal, entry))), num(0));
  const overdue = gt(sub(time(), renewal), seconds(certManager.renewalGrace));
  const common = { certificate, source: 'cert-manager', template: 'certmanager-overdue', text } as const;
  certificateAlert(ctx, out, { ...common, name: CERTIFICATE_ALERTS.certManagerRenewalOverdue, severity: 'ticket', expr: and(remaining, overdue) });
  // An expired Certificate pages on its expiry alone: the renewal gauge may be missing (cert-manager
  // before v1.6) or 0, and an expired certificate is overdue for renewal whatever it says.
  const expired = lt(remaining, num(0));
  certificateAlert(ctx, out, { ...common, name: CERTIFICATE_ALERTS.certManagerRenewalOverdue, severity: 'page', expr: or(and(lt(remaining, seconds(certManager.pageBelow)), overdue), expired) });
  certificateAlert(ctx, out, {
    ...common,
    name: CERTIFICATE_ALERTS.certManagerNotReady,
    severity: 'ticket',
    expr: binary('==', union(watched.map((entry) => notReadySelector(ctx, entry))), num(1)),
    forDuration: certManager.notReadyFor,
    template: 'certmanager-not-ready',
  });
  addAbsentAlert(ctx, out, certificate, 'cert-manager', expirations, `${CERT_MANAGER_METRICS.expiration} for the ${CLASS_TITLE[certificate]} Certificate(s) ${watched.map((entry) => entry.name).join(', ')}`);
  return { remaining, renewalDue: sub(renewal, time()) };
}

/**
 * Each distinct Certificate of a class, overdue and not ready in the firing scenario and renewed on
 * time in the healthy one; returns the alert rows it expects (one per Certificate).
 */
function classFixtures(ctx: BuildContext, out: CertificateOutput, certificate: CertClass, watched: readonly WatchedCertificate[]): Array<Record<string, string>> {
  const certManager = ctx.config.slos.certificates.certManager;
  const { overdueAt } = scenarioTimes(certManager);
  const rows: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for (const entry of watched) {
    const expiration = fixtureLabels(certificateSelector(ctx, CERT_MANAGER_METRICS.expiration, entry));
    if (seen.has(JSON.stringify(expiration))) continue;
    seen.add(JSON.stringify(expiration));
    const renewal = fixtureLabels(certificateSelector(ctx, CERT_MANAGER_METRICS.renewal, entry));
    const notReady = fixtureLabels(notReadySelector(ctx, entry));
    const ready = { ...notReady, condition: 'True' };
    out.scenarios.firing.push(
      { labels: expiration, values: gauge(parseDuration(certManager.pageBelow) + (overdueAt + 3) * 60) },
      { labels: renewal, values: gauge(60) },
      { labels: notReady, values: gauge(1) },
      { labels: ready, values: gauge(0) },
    );
    out.scenarios.healthy.push(
      { labels: expiration, values: aheadOfClock(parseDuration(certManager.pageBelow) + 7200) },
      { labels: renewal, values: aheadOfClock(3600) },
      { labels: notReady, values: gauge(0) },
      { labels: ready, values: gauge(1) },
    );
    rows.push({ certificate, name: expiration.name!, [certManager.namespaceLabel]: expiration[certManager.namespaceLabel]! });
  }
  return rows;
}

function addChecks(ctx: BuildContext, out: CertificateOutput, certificateRows: ReadonlyArray<Record<string, string>>): void {
  const certManager = ctx.config.slos.certificates.certManager;
  const severities = ctx.config.alerting.severities;
  const { overdueAt, pageAt, notReadyAt } = scenarioTimes(certManager);
  const by = ['severity', 'certificate', 'name', certManager.namespaceLabel];
  const filters = { slo: KIND_ID, source: 'cert-manager' };
  const rows = (severity: string) => certificateRows.map((row) => ({ ...row, severity }));
  out.scenarios.checks.push(
    { alert: CERTIFICATE_ALERTS.certManagerRenewalOverdue, filters, by, at: overdueAt, rows: rows(severities.ticket) },
    { alert: CERTIFICATE_ALERTS.certManagerRenewalOverdue, filters, by, at: pageAt, rows: [...rows(severities.ticket), ...rows(severities.page)] },
    { alert: CERTIFICATE_ALERTS.certManagerNotReady, filters, by, at: notReadyAt, rows: rows(severities.ticket) },
  );
  out.scenarios.story.push(`cert-manager Certificates overdue for renewal ticket, and page below ${normalDuration(certManager.pageBelow)} left; Ready=False tickets`);
  out.scenarios.quietAfter.push(overdueAt, notReadyAt);
}

function build(ctx: BuildContext, out: CertificateOutput): void {
  const certManager = ctx.config.slos.certificates.certManager;
  if (!certManager.enabled) return;
  const classes = [...new Set(certManager.certificates.map((entry) => entry.certificate))];
  const remaining: Expr[] = [];
  const renewalDue: Expr[] = [];
  const certificateRows: Array<Record<string, string>> = [];
  for (const certificate of classes) {
    const watched = certManager.certificates.filter((entry) => entry.certificate === certificate);
    const expressions = classRules(ctx, out, certificate, watched);
    remaining.push(expressions.remaining);
    renewalDue.push(expressions.renewalDue);
    certificateRows.push(...classFixtures(ctx, out, certificate, watched));
  }
  addChecks(ctx, out, certificateRows);
  out.panels.push(...kindPanels(certManager, union(remaining), union(renewalDue)));
}

function kindPanels(certManager: CertManagerConfig, remaining: Expr, renewalDue: Expr): PanelSpec[] {
  return [
    {
      title: 'cert-manager: time left',
      description: `Remaining validity of the watched Certificates (${CERT_MANAGER_METRICS.expiration}; 0, i.e. not yet issued, is left out). Red below ${normalDuration(certManager.pageBelow)}; what matters more is whether renewal happens on time (next panel).`,
      type: 'stat',
      unit: 's',
      queries: [{ expr: remaining, legend: `{{name}}`, instant: true }],
      thresholds: [{ value: null, color: 'red' }, { value: parseDuration(certManager.pageBelow), color: 'green' }],
      width: 12,
    },
    {
      title: 'cert-manager: renewal due in',
      description: `Time until cert-manager renews each Certificate (${CERT_MANAGER_METRICS.renewal}). Negative means overdue: orange once due, red after the ${normalDuration(certManager.renewalGrace)} grace (ticket).`,
      type: 'stat',
      unit: 's',
      queries: [{ expr: renewalDue, legend: `{{name}}`, instant: true }],
      thresholds: [{ value: null, color: 'red' }, { value: -parseDuration(certManager.renewalGrace), color: 'orange' }, { value: 0, color: 'green' }],
      width: 12,
    },
  ];
}

/** One table of every watched Certificate: time left and renewal due, side by side. */
function standing(ctx: BuildContext): StandingPanels {
  const certManager = ctx.config.slos.certificates.certManager;
  if (!certManager.enabled) return {};
  const expirations = union(certManager.certificates.map((entry) => certificateSelector(ctx, CERT_MANAGER_METRICS.expiration, entry)));
  const renewals = union(certManager.certificates.map((entry) => certificateSelector(ctx, CERT_MANAGER_METRICS.renewal, entry)));
  const columns = [...ctx.clusterLabels, certManager.namespaceLabel, 'name'];
  const perCertificate = (expr: Expr): Expr => sub(aggregate('min', gt(expr, num(0)), { by: columns }), time());
  return {
    tables: [
      {
        title: 'cert-manager Certificates: time left and renewal',
        description:
          `Per watched Certificate: time left (${CERT_MANAGER_METRICS.expiration}) and time until cert-manager renews it (${CERT_MANAGER_METRICS.renewal}; negative = overdue). ` +
          `Red below ${normalDuration(certManager.pageBelow)} left; a renewal overdue by more than ${normalDuration(certManager.renewalGrace)} opens LinkerdCertManagerCertificateRenewalOverdue: check the Certificate's events and its issuer.`,
        type: 'table',
        unit: 's',
        queries: [
          {
            expr: perCertificate(expirations),
            instant: true,
            thresholds: [{ value: null, color: 'red' }, { value: parseDuration(certManager.pageBelow), color: 'green' }],
          },
          {
            expr: perCertificate(renewals),
            instant: true,
            thresholds: [{ value: null, color: 'red' }, { value: -parseDuration(certManager.renewalGrace), color: 'orange' }, { value: 0, color: 'green' }],
          },
        ],
        width: 12,
      },
    ],
    reporting: [reportingQuery(ctx, expirations, 'cert-manager')],
  };
}

function runbookFacts(ctx: BuildContext): Record<string, unknown> {
  const certManager = ctx.config.slos.certificates.certManager;
  return {
    certManager: {
      ...certManager,
      renewalGrace: normalDuration(certManager.renewalGrace),
      pageBelow: normalDuration(certManager.pageBelow),
      notReadyFor: normalDuration(certManager.notReadyFor),
      certificates: certManager.certificates.map((entry) => ({ ...entry, namespace: entry.namespace ?? ctx.config.linkerd.namespace })),
    },
  };
}

export const certManagerSource: CertificateSource = {
  check: () => [],
  active: (config) => config.slos.certificates.certManager.enabled,
  build,
  standing,
  runbookFacts,
};
