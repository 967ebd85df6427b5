/**
 * Source: the identity issuer (the mesh's intermediate CA) as the identity controller has loaded it,
 * from its issuer_cert_ttl_seconds (Linkerd 2.18+; linkerd/linkerd2 pkg/identity/service.go,
 * getIssuerCertTTL, added in #13615). Before 2.18 the issuer is only watched through cert-manager or
 * x509-certificate-exporter.
 */
import { aggregate, binary, eq, min, num, type Expr, type Selector } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { atLeast } from '../../linkerd/catalog.js';
import { CONTROLLER_METRICS } from '../../linkerd/metric-names.js';
import type { BuildContext } from '../kind.js';
import { fixtureLabels, gauge, gaugeThen, humanDuration, minutesOf } from '../promtool-tests.js';
import {
  addAbsentAlert, addExpiringAlerts, checkThresholds, expiryThresholds, KIND_ID, reportingQuery, testRemaining, timeLeftStat,
  CERTIFICATE_ALERTS, type CertificateOutput, type CertificateSource, type StandingPanels,
} from './source.js';

/** The identity controller's gauge (its name lives with the other Linkerd facts in src/linkerd/metric-names.ts). */
const ISSUER_TTL = CONTROLLER_METRICS.issuerCertTtl;

/**
 * The issuer TTL without the "no issuer loaded yet" reading. The identity controller reports
 * exactly 0 until it has loaded an issuer, then time.Until(NotAfter).Seconds(), which goes
 * negative once the issuer has expired while the controller keeps running with it (linkerd/linkerd2
 * pkg/identity/service.go, getIssuerCertTTL, added in #13615, at version-2.18). Only 0 is dropped:
 * `> 0` would also drop an expired issuer and resolve the page at the moment of expiry.
 */
function issuerLoaded(ttl: Selector): Expr {
  return binary('!=', ttl, num(0));
}

function ttlSelector(ctx: BuildContext): Selector {
  return ctx.controllerSelector(ISSUER_TTL, [eq('component', 'identity')]);
}

/** Whether the rules and panels are generated: the source is on and the version reports the gauge. */
function generated(ctx: BuildContext): boolean {
  return ctx.config.slos.certificates.issuer.enabled && ctx.facts.hasIssuerTtlMetric;
}

function check(config: Config): ConfigIssue[] {
  const issuer = config.slos.certificates.issuer;
  return issuer.enabled ? checkThresholds(issuer, ['slos', 'certificates', 'issuer']) : [];
}

function build(ctx: BuildContext, out: CertificateOutput): void {
  if (!generated(ctx)) return;
  const issuer = ctx.config.slos.certificates.issuer;
  const ttl = ttlSelector(ctx);
  const remaining = min(issuerLoaded(ttl), ctx.clusterLabels);
  addExpiringAlerts(ctx, out, {
    name: CERTIFICATE_ALERTS.issuerExpiring,
    certificate: 'issuer',
    source: 'linkerd',
    remaining,
    thresholds: issuer,
    template: 'expiring',
    text: { what: `the identity issuer loaded by the identity controller (${ISSUER_TTL})` },
  });
  addAbsentAlert(ctx, out, 'issuer', 'linkerd', [ttl], `${ISSUER_TTL} from job ${ctx.config.linkerd.controllerJob}, component identity`);

  // One issuer per control plane: first within the ticket threshold, then within the page threshold.
  const scenarios = out.scenarios;
  const severities = ctx.config.alerting.severities;
  const left = testRemaining(issuer);
  const ticketAt = minutesOf(issuer.ticketFor) + 2;
  const pageAt = ticketAt + 1 + minutesOf(issuer.pageFor) + 2;
  scenarios.firing.push({ labels: fixtureLabels(ttl), values: gaugeThen(left.ticket, ticketAt, left.page) });
  scenarios.healthy.push({ labels: fixtureLabels(ttl), values: gauge(left.healthy) });
  const expectation = { alert: CERTIFICATE_ALERTS.issuerExpiring, filters: { slo: KIND_ID, certificate: 'issuer', source: 'linkerd' }, by: ['severity'] };
  scenarios.checks.push(
    { ...expectation, at: ticketAt, rows: [{ severity: severities.ticket }] },
    { ...expectation, at: pageAt, rows: [{ severity: severities.ticket }, { severity: severities.page }] },
  );
  scenarios.story.push(`the identity issuer with ${humanDuration(left.ticket)} left tickets, then with ${humanDuration(left.page)} left pages`);
  scenarios.quietAfter.push(Math.max(minutesOf(issuer.ticketFor), minutesOf(issuer.pageFor)) + 2);

  out.panels.push(timeLeftStat({
    title: 'Identity issuer: time left',
    description: `Remaining validity of the issuer certificate the identity controller has loaded (${ISSUER_TTL}; negative = expired that long ago, 0 = none loaded yet, left out). Orange below ${normalDuration(issuer.ticketBelow)}, red below ${normalDuration(issuer.pageBelow)}.`,
    query: { expr: remaining, legend: 'issuer' },
    alertsAt: issuer,
    width: 6,
  }));
}

/** Per replica: replicas that disagree show one that has not reloaded a rotated issuer. */
function standing(ctx: BuildContext): StandingPanels {
  if (!generated(ctx)) return {};
  const issuer = ctx.config.slos.certificates.issuer;
  const ttl = ttlSelector(ctx);
  return {
    tables: [
      {
        title: 'Identity issuer per identity replica',
        description:
          `Time left of the issuer certificate each identity replica has loaded (${ISSUER_TTL}; 0 = none loaded yet, left out; negative = expired that long ago). ` +
          `Orange below ${normalDuration(issuer.ticketBelow)} (ticket), red below ${normalDuration(issuer.pageBelow)} (page): rotate the issuer (runbook LinkerdIdentityIssuerCertificateExpiring). Replicas disagreeing: one has not reloaded a rotated issuer.`,
        type: 'table',
        unit: 's',
        queries: [{ expr: aggregate('min', issuerLoaded(ttl), { by: [...ctx.clusterLabels, 'instance'] }), instant: true }],
        thresholds: expiryThresholds(issuer),
        width: 12,
      },
    ],
    reporting: [reportingQuery(ctx, ttl, `identity (${ISSUER_TTL})`)],
  };
}

function runbookFacts(ctx: BuildContext): Record<string, unknown> {
  const issuer = ctx.config.slos.certificates.issuer;
  return {
    hasIssuerTtl: ctx.facts.hasIssuerTtlMetric,
    issuer: { ...issuer, ticketBelow: normalDuration(issuer.ticketBelow), pageBelow: normalDuration(issuer.pageBelow) },
  };
}

export const identityIssuer: CertificateSource = {
  check,
  active: (config) => config.slos.certificates.issuer.enabled && atLeast(config.linkerd.version, 18),
  build,
  standing,
  runbookFacts,
};
