/**
 * Source: enix/x509-certificate-exporter's x509_cert_not_after (`internal/collector.go` at v3.21.0)
 * on the Secrets and ConfigMaps holding the trust anchor, the identity issuer and the webhook serving
 * certificates. Without cert-manager it is the only source for the trust anchor and the webhooks:
 * Linkerd exports no expiry metric for them (the identity controller reports only the issuer it has
 * loaded, issuer.ts), and `linkerd check` is not a monitor
 * (https://linkerd.io/2.18/features/automatic-mtls/).
 */
import { aggregate, eq, sub, union, type Selector } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { PanelQuery, PanelSpec } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { aheadOfClock, fixtureLabels, humanDuration, minutesOf } from '../promtool-tests.js';
import {
  addAbsentAlert, addExpiringAlerts, capitalise, checkThresholds, expiryThresholds, KIND_ID, reportingQuery, testRemaining, time, timeLeftStat,
  CERTIFICATE_ALERTS, CLASS_TITLE, type CertificateOutput, type CertificateSource, type CertificatesConfig, type StandingPanels,
} from './source.js';

const X509_NOT_AFTER = 'x509_cert_not_after';

/** The classes the exporter watches: their config key, `certificate` label, standing table title and alert. */
const X509_CLASSES = [
  { key: 'trustAnchor', certificate: 'trust-anchor', tableTitle: 'Trust anchor', alert: CERTIFICATE_ALERTS.trustAnchorExpiring },
  { key: 'issuer', certificate: 'issuer', tableTitle: 'Identity issuer', alert: CERTIFICATE_ALERTS.issuerExpiring },
  { key: 'webhooks', certificate: 'webhook', tableTitle: 'Webhook serving certificates', alert: CERTIFICATE_ALERTS.webhookExpiring },
] as const;

type X509Class = (typeof X509_CLASSES)[number];
type X509Config = CertificatesConfig['x509Exporter'];
type WatchedObject = X509Config['trustAnchor']['objects'][number];

/** The exporter's labels for a Secret or a ConfigMap (x509-certificate-exporter's README). */
function objectSelector(ctx: BuildContext, object: WatchedObject): Selector {
  const namespace = object.namespace ?? ctx.config.linkerd.namespace;
  return object.kind === 'configmap'
    ? ctx.exporterSelector(X509_NOT_AFTER, [eq('configmap_namespace', namespace), eq('configmap_name', object.name)])
    : ctx.exporterSelector(X509_NOT_AFTER, [eq('secret_namespace', namespace), eq('secret_name', object.name)]);
}

/** The classes that are on and watch at least one object, with their config. */
function watchedClasses(config: Config): Array<X509Class & { watched: X509Config['trustAnchor'] }> {
  const x509 = config.slos.certificates.x509Exporter;
  if (!x509.enabled) return [];
  return X509_CLASSES.map((cls) => ({ ...cls, watched: x509[cls.key] })).filter(({ watched }) => watched.enabled && watched.objects.length > 0);
}

function check(config: Config): ConfigIssue[] {
  const x509 = config.slos.certificates.x509Exporter;
  if (!x509.enabled) return [];
  const path = ['slos', 'certificates', 'x509Exporter'];
  const issues = X509_CLASSES.flatMap(({ key }) => (x509[key].enabled ? checkThresholds(x509[key], [...path, key]) : []));
  if (watchedClasses(config).length === 0) {
    issues.push({ path, message: 'no trust anchor, issuer or webhook object left to watch; disable the source instead (enabled: false)' });
  }
  return issues;
}

function build(ctx: BuildContext, out: CertificateOutput): void {
  for (const cls of watchedClasses(ctx.config)) buildClass(ctx, out, cls);
}

function buildClass(ctx: BuildContext, out: CertificateOutput, cls: X509Class & { watched: X509Config['trustAnchor'] }): void {
  const { certificate, watched } = cls;
  const selectors = watched.objects.map((object) => objectSelector(ctx, object));
  const remaining = sub(union(selectors), time());
  const objects = watched.objects.map((object) => `${object.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${object.namespace ?? ctx.config.linkerd.namespace}/${object.name}`);
  const source = 'x509-certificate-exporter';
  addExpiringAlerts(ctx, out, {
    name: cls.alert,
    certificate,
    source,
    remaining,
    thresholds: watched,
    template: 'expiring',
    text: { what: `the ${CLASS_TITLE[certificate]} in ${objects.join(', ')} (x509-certificate-exporter)` },
  });
  addAbsentAlert(ctx, out, certificate, source, selectors, `${X509_NOT_AFTER} for ${objects.join(', ')}`);

  // The first object holds a certificate within each threshold (a CA bundle holds several); the rest are healthy.
  const scenarios = out.scenarios;
  const severities = ctx.config.alerting.severities;
  const left = testRemaining(watched);
  const certificateSeries = (selected: Selector, commonName: string) => fixtureLabels(selected, {}, { subject_CN: commonName });
  scenarios.firing.push(
    { labels: certificateSeries(selectors[0]!, 'expiring'), values: aheadOfClock(left.ticket) },
    { labels: certificateSeries(selectors[0]!, 'nearly-expired'), values: aheadOfClock(left.page) },
    ...selectors.slice(1).map((selected) => ({ labels: certificateSeries(selected, 'healthy'), values: aheadOfClock(left.healthy) })),
  );
  scenarios.healthy.push(...selectors.map((selected) => ({ labels: certificateSeries(selected, 'healthy'), values: aheadOfClock(left.healthy) })));
  const at = Math.max(minutesOf(watched.ticketFor), minutesOf(watched.pageFor)) + 2;
  scenarios.checks.push({
    alert: cls.alert,
    filters: { slo: KIND_ID, certificate, source },
    by: ['severity', 'subject_CN'],
    at,
    rows: [{ severity: severities.ticket, subject_CN: 'expiring' }, { severity: severities.ticket, subject_CN: 'nearly-expired' }, { severity: severities.page, subject_CN: 'nearly-expired' }],
  });
  scenarios.story.push(`the ${CLASS_TITLE[certificate]} (x509-certificate-exporter) tickets with ${humanDuration(left.ticket)} left and pages with ${humanDuration(left.page)} left`);
  scenarios.quietAfter.push(at);
  out.panels.push(timeLeftStat({
    title: `${capitalise(CLASS_TITLE[certificate])}: time left`,
    description: `Remaining validity per certificate in ${objects.join(', ')} (x509-certificate-exporter). Orange below ${normalDuration(watched.ticketBelow)} (ticket), red below ${normalDuration(watched.pageBelow)} (page).`,
    query: { expr: remaining, legend: '{{secret_name}}{{configmap_name}} {{subject_CN}}' },
    alertsAt: watched,
    width: 8,
  }));
}

/** One table per class listing every certificate of its objects (a CA bundle holds several). */
function standing(ctx: BuildContext): StandingPanels {
  const tables: PanelSpec[] = [];
  const reporting: PanelQuery[] = [];
  for (const { tableTitle, watched } of watchedClasses(ctx.config)) {
    const all = union(watched.objects.map((object) => objectSelector(ctx, object)));
    const columns = [...ctx.clusterLabels, 'secret_namespace', 'secret_name', 'configmap_namespace', 'configmap_name', 'subject_CN'];
    tables.push({
      title: `${tableTitle}: every certificate`,
      description:
        `Time left of every certificate in ${watched.objects.map((object) => `${object.namespace ?? ctx.config.linkerd.namespace}/${object.name}`).join(', ')} (x509-certificate-exporter ${X509_NOT_AFTER}). ` +
        `Orange below ${normalDuration(watched.ticketBelow)} (ticket), red below ${normalDuration(watched.pageBelow)} (page): rotate it now (see the runbook of the expiring alert).`,
      type: 'table',
      unit: 's',
      queries: [{ expr: sub(aggregate('min', all, { by: columns }), time()), instant: true }],
      thresholds: expiryThresholds(watched),
      width: 12,
    });
    reporting.push(reportingQuery(ctx, all, `x509-certificate-exporter: ${tableTitle.toLowerCase()}`));
  }
  return { tables, reporting };
}

function runbookFacts(ctx: BuildContext): Record<string, unknown> {
  const x509 = ctx.config.slos.certificates.x509Exporter;
  return {
    x509: {
      enabled: x509.enabled,
      classes: X509_CLASSES.map(({ key, certificate }) => {
        const watched = x509[key];
        return {
          certificate,
          enabled: watched.enabled,
          ticketBelow: normalDuration(watched.ticketBelow),
          pageBelow: normalDuration(watched.pageBelow),
          objects: watched.objects.map((object) => ({ kind: object.kind, name: object.name, namespace: object.namespace ?? ctx.config.linkerd.namespace })),
        };
      }),
    },
  };
}

export const x509Exporter: CertificateSource = {
  check,
  active: (config) => config.slos.certificates.x509Exporter.enabled,
  build,
  standing,
  runbookFacts,
};
