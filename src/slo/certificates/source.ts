/**
 * What every certificate source of the kind shares: the alert names, the certificate classes, the
 * contract a source implements (source by source, like pint's one check per file), and the
 * collection its rules, promtool fixtures and panels are added to. index.ts calls the sources in
 * one fixed order, so the rule group, the fixtures and the panels come out in that order.
 */
import { absent, aggregate, call, lt, num, union, type Expr, type Selector } from '../../promql/ast.js';
import { normalDuration, parseDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue, ConfigPath } from '../../config/errors.js';
import type { AlertingRule, RecordingRule } from '../../rules.js';
import type { DashboardRow, PanelQuery, PanelSpec, Threshold } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { templatedAlert, type Severity } from '../templated-alert.js';
import { templatesBeside } from '../../templates.js';
import { legendPrefix, orZero } from '../panel-queries.js';
import { fixtureLabels } from '../promtool-tests.js';
import type { Scenarios } from './scenarios.js';

/** Annotation and runbook templates: templates/ beside this module. */
export const templates = templatesBeside(import.meta.url);

export const KIND_ID = 'certificates';

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

/** The alerts' `certificate` label: which certificate of the mesh is at risk. */
export type CertClass = 'workload' | 'issuer' | 'trust-anchor' | 'webhook';
/** The alerts' `source` label: what reported the lifetime. */
export type SourceName = 'linkerd' | 'cert-manager' | 'x509-certificate-exporter' | 'node-exporter';
export type CertificatesConfig = Config['slos']['certificates'];
/** A certificate class's expiry thresholds, as every `expiryThresholds` config block holds them. */
export type ExpiryThresholds = { ticketBelow: string; pageBelow: string; ticketFor: string; pageFor: string };

export const CLASS_TITLE: Record<CertClass, string> = {
  workload: 'proxy workload certificate',
  issuer: 'identity issuer certificate',
  'trust-anchor': 'trust anchor',
  webhook: 'webhook serving certificate',
};

/** One certificate source: its config checks, rules, fixtures, panels and runbook facts. */
export interface CertificateSource {
  /** The source's config problems (thresholds in the wrong order, nothing left to watch). */
  check(config: Config): ConfigIssue[];
  /** Whether the source produces anything for this config: at least one must. */
  active(config: Config): boolean;
  /** Adds the source's rules, promtool fixtures and kind panels (nothing when it is off). */
  build(ctx: BuildContext, out: CertificateOutput): void;
  /** The source's share of the certificates dashboard's standing rows (shown when it is on). */
  standing(ctx: BuildContext): StandingPanels;
  /** What the runbook templates read about this source (whether it is on or off). */
  runbookFacts(ctx: BuildContext): Record<string, unknown>;
}

/** A source's panels on the standing rows of the certificates dashboard (panels.ts lays them out). */
export interface StandingPanels {
  /** "Every certificate, by class": one table per class the source watches. */
  readonly tables?: readonly PanelSpec[];
  /** "Sources": how many series the source reports now. */
  readonly reporting?: readonly PanelQuery[];
  /** "Proxy certificate renewal". */
  readonly renewal?: readonly PanelSpec[];
}

/** What the sources add to, in the order the sources run. */
export interface CertificateOutput {
  /** Recorded at the head of the group, before the alerts that read them. */
  readonly recordings: RecordingRule[];
  readonly alerts: AlertingRule[];
  /** Panels of the kind's "Certificate expiry" row. */
  readonly panels: PanelSpec[];
  /** Rows of their own, after that row (node clocks). */
  readonly rows: DashboardRow[];
  /** Alerts with a runbook, in the order they were first added. */
  readonly runbookAlerts: Set<string>;
  readonly scenarios: Scenarios;
}

export function emptyOutput(): CertificateOutput {
  return {
    recordings: [],
    alerts: [],
    panels: [],
    rows: [],
    runbookAlerts: new Set(),
    scenarios: { firing: [], checks: [], story: [], healthy: [], quietAfter: [], absent: [] },
  };
}

/** One alerting rule with its annotations from templates/<template>-summary and -description. */
export interface AlertSpec {
  readonly name: string;
  readonly severity: Severity;
  /** Absent for alerts about something other than a certificate (node clocks). */
  readonly certificate?: CertClass;
  readonly source: SourceName;
  readonly expr: Expr;
  readonly forDuration?: string;
  readonly template: string;
  /** What the templates read. */
  readonly text: Record<string, unknown>;
}

export function addAlert(ctx: BuildContext, out: CertificateOutput, spec: AlertSpec): void {
  const { name, severity, certificate, source, expr, forDuration, template, text } = spec;
  out.alerts.push(templatedAlert(ctx, templates, {
    name,
    expr,
    ...(forDuration ? { for: forDuration } : {}),
    template,
    labels: { slo: KIND_ID, severity: ctx.config.alerting.severities[severity], ...(certificate ? { certificate } : {}), source },
    context: text,
  }));
  out.runbookAlerts.add(name);
}

/** An alert on one certificate class: the templates also read the class's title and the control plane. */
export function certificateAlert(ctx: BuildContext, out: CertificateOutput, spec: AlertSpec & { certificate: CertClass }): void {
  const text = {
    ...linkerdTemplateFacts(ctx),
    ...spec.text,
    severity: spec.severity,
    certificate: spec.certificate,
    title: CLASS_TITLE[spec.certificate],
    source: spec.source,
  };
  addAlert(ctx, out, { ...spec, text });
}

export interface ExpiringSpec {
  readonly name: string;
  readonly certificate: CertClass;
  readonly source: SourceName;
  /** Seconds of validity left, per certificate. */
  readonly remaining: Expr;
  readonly thresholds: ExpiryThresholds;
  readonly template: string;
  readonly text?: Record<string, unknown>;
}

/**
 * Ticket and page on `remaining < threshold`, one rule each. An expired certificate has negative
 * time left, below every threshold, so both keep firing (and the text says "EXPIRED … ago") for as
 * long as its source still reports it: expiry never resolves an alert.
 */
export function addExpiringAlerts(ctx: BuildContext, out: CertificateOutput, spec: ExpiringSpec): void {
  const { thresholds } = spec;
  for (const severity of ['ticket', 'page'] as const) {
    const below = severity === 'page' ? thresholds.pageBelow : thresholds.ticketBelow;
    certificateAlert(ctx, out, {
      name: spec.name,
      severity,
      certificate: spec.certificate,
      source: spec.source,
      expr: lt(spec.remaining, seconds(below)),
      forDuration: severity === 'page' ? thresholds.pageFor : thresholds.ticketFor,
      template: spec.template,
      text: {
        ...spec.text,
        below: normalDuration(below),
        ticketBelow: normalDuration(thresholds.ticketBelow),
        pageBelow: normalDuration(thresholds.pageBelow),
      },
    });
  }
}

/**
 * LinkerdCertificateSourceAbsent for a certificate class: a ticket when none of the selectors
 * reports, so a removed or broken exporter is noticed before a certificate it watched expires.
 */
export function addAbsentAlert(ctx: BuildContext, out: CertificateOutput, certificate: CertClass, source: SourceName, selectors: readonly Selector[], what: string): void {
  const { absentFor } = ctx.config.slos.certificates;
  certificateAlert(ctx, out, {
    name: CERTIFICATE_ALERTS.sourceAbsent,
    severity: 'ticket',
    certificate,
    source,
    expr: union(selectors.map((selected) => absent(selected))),
    forDuration: absentFor,
    template: 'absent',
    text: { what, absentFor },
  });
  // absent() returns the selector's equality labels: one alert per distinct selector.
  const distinct = new Set(selectors.map((selected) => JSON.stringify(fixtureLabels(selected))));
  out.scenarios.absent.push(...Array.from(distinct, () => ({ certificate, source })));
}

export const seconds = (duration: string): Expr => num(parseDuration(duration));
export const time = (): Expr => call('time');

/** A stat of the time a certificate has left, orange and red where its ticket and page start. */
export function timeLeftStat(panel: { title: string; description: string; query: PanelQuery; alertsAt: { pageBelow: string; ticketBelow: string }; width: number }): PanelSpec {
  return {
    title: panel.title,
    description: panel.description,
    type: 'stat',
    unit: 's',
    queries: [{ ...panel.query, instant: true }],
    thresholds: expiryThresholds(panel.alertsAt),
    width: panel.width,
  };
}

/** Stat and table colours at a class's alert thresholds: red below pageBelow, orange below ticketBelow. */
export function expiryThresholds(thresholds: { pageBelow: string; ticketBelow: string }): Threshold[] {
  return [
    { value: null, color: 'red' },
    { value: parseDuration(thresholds.pageBelow), color: 'orange' },
    { value: parseDuration(thresholds.ticketBelow), color: 'green' },
  ];
}

export function checkThresholds(thresholds: ExpiryThresholds, path: ConfigPath): ConfigIssue[] {
  if (parseDuration(thresholds.pageBelow) < parseDuration(thresholds.ticketBelow)) return [];
  return [{ path: [...path, 'pageBelow'], message: `pageBelow (${thresholds.pageBelow}) must be shorter than ticketBelow (${thresholds.ticketBelow}): the ticket is the early warning` }];
}

/** `count(e) or on () vector(0)` per cluster label: 0 rather than no data when nothing matches. */
export function countOrZero(ctx: BuildContext, expr: Expr): Expr {
  const by = ctx.clusterLabels;
  return orZero(aggregate('count', expr, by.length ? { by } : {}));
}

/** A bar of the standing "Series reported per source" panel. */
export function reportingQuery(ctx: BuildContext, selected: Expr, legend: string): PanelQuery {
  return { expr: countOrZero(ctx, selected), legend: `${legendPrefix(ctx)}${legend}`, instant: true };
}

/** Namespace of the synthetic pods. */
export const TEST_NAMESPACE = 'app';

/** Remaining validity that tickets but does not page, one that pages, and a healthy one (seconds). */
export function testRemaining(thresholds: ExpiryThresholds): { ticket: number; page: number; healthy: number } {
  const ticketBelow = parseDuration(thresholds.ticketBelow);
  const pageBelow = parseDuration(thresholds.pageBelow);
  return { ticket: pageBelow + Math.floor((ticketBelow - pageBelow) / 2), page: pageBelow / 2, healthy: 2 * ticketBelow };
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
