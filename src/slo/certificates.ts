/**
 * Certificate expiry, the most common cause of Linkerd downtime. Not a ratio SLO: plain
 * threshold alerts on the remaining validity of each certificate class, from whichever sources
 * the user has (reference: shared/reference/linkerd-metrics.md §1.8, §5, §6 item 4):
 *  - workload: every proxy's own leaf certificate, (control_)identity_cert_expiration_timestamp_seconds,
 *    plus refresh errors (2.15+);
 *  - issuer: the identity controller's issuer_cert_ttl_seconds (2.18+);
 *  - cert-manager: renewal overdue (works for a 48h issuer, unlike fixed day thresholds) and not ready;
 *  - x509-certificate-exporter: x509_cert_not_after of the trust anchor, issuer and webhook objects;
 *  - per enabled source, an absent() ticket so a missing exporter is noticed.
 * No recording rules: every expression reads one gauge family once, nothing to save.
 */
import {
  absent, aggregate, and, binary, call, eq, gt, increase, lt, min, num, or, selector, sub, sum, withMatchers,
  type Expr, type Matcher, type Selector,
} from '../promql/ast.js';
import { formatDuration, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import { atLeast } from '../linkerd/catalog.js';
import type { ConfigIssue, ConfigPath } from '../config/errors.js';
import type { AlertingRule, RuleGroup } from '../rules.js';
import type { PanelSpec, Threshold } from '../dashboard-model.js';
import type { BuildContext, KindOutput, Runbook, SloKind } from './kind.js';
import { annotations } from './burn-rate.js';
import { render, renderLine } from '../text.js';

const ID = 'certificates';
export const GROUP = 'linkerd-slo-certificates';

export const ALERTS = {
  proxyExpiring: 'LinkerdProxyCertificateExpiringSoon',
  proxyRefreshErrors: 'LinkerdProxyCertificateRefreshErrors',
  issuerExpiring: 'LinkerdIdentityIssuerCertificateExpiring',
  trustAnchorExpiring: 'LinkerdTrustAnchorCertificateExpiring',
  webhookExpiring: 'LinkerdWebhookCertificateExpiring',
  certManagerRenewalOverdue: 'LinkerdCertManagerCertificateRenewalOverdue',
  certManagerNotReady: 'LinkerdCertManagerCertificateNotReady',
  sourceAbsent: 'LinkerdCertificateSourceAbsent',
} as const;

export const METRICS = {
  issuerTtl: 'issuer_cert_ttl_seconds',
  certManagerExpiration: 'certmanager_certificate_expiration_timestamp_seconds',
  certManagerRenewal: 'certmanager_certificate_renewal_timestamp_seconds',
  certManagerReady: 'certmanager_certificate_ready_status',
  x509NotAfter: 'x509_cert_not_after',
} as const;

type CertClass = 'workload' | 'issuer' | 'trust-anchor' | 'webhook';
type Source = 'linkerd' | 'cert-manager' | 'x509-certificate-exporter';
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
  issuer: ALERTS.issuerExpiring,
  'trust-anchor': ALERTS.trustAnchorExpiring,
  webhook: ALERTS.webhookExpiring,
};

const X509_CLASSES = [
  { key: 'trustAnchor', cls: 'trust-anchor' },
  { key: 'issuer', cls: 'issuer' },
  { key: 'webhooks', cls: 'webhook' },
] as const;

const seconds = (d: string): Expr => num(parseDuration(d));
const time = (): Expr => call('time');
const norm = (d: string): string => formatDuration(parseDuration(d));

/** `a or b or c`; absent/selector unions for several objects of one class. */
function union(exprs: readonly Expr[]): Expr {
  if (exprs.length === 0) throw new Error('union needs at least one expression');
  return exprs.slice(1).reduce((acc, e) => or(acc, e), exprs[0]!);
}

/** The proxy job's workload-certificate selectors for the configured version. */
export function workloadSelectors(ctx: BuildContext): { expiry: Selector; refreshErrors?: Selector } {
  const { facts } = ctx;
  const expiry = ctx.proxySelector(facts.identityCertExpiryMetric);
  // §1.8: ≤2.14 only has identity_cert_refresh_count without a result label: no error signal.
  const refreshErrors = atLeast(facts.version, 15) ? ctx.proxySelector(facts.identityCertRefreshMetric, [eq('result', 'error')]) : undefined;
  return refreshErrors ? { expiry, refreshErrors } : { expiry };
}

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
  readonly alerts: AlertingRule[];
  readonly panels: PanelSpec[];
  readonly runbookAlerts: Set<string>;
}

export const certificates: SloKind = {
  id: ID,
  title: 'Certificate expiry',
  enabled: (config: Config) => config.slos.certificates.enabled,

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
    const anySource =
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
    const b: Builder = { alerts: [], panels: [], runbookAlerts: new Set() };
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
        ...(forDuration ? { for: norm(forDuration) } : {}),
        labels: { ...ctx.ruleLabels, slo: ID, severity: config.alerting.severities[severity], certificate: cls, source },
        annotations: annotations(ctx, name, renderLine(`certificates/${template}-summary`, context), render(`certificates/${template}-description`, context)),
      });
      b.runbookAlerts.add(name);
    };
    const absentAlert = (cls: CertClass, source: Source, expr: Expr, what: string): void =>
      alert(ALERTS.sourceAbsent, 'ticket', cls, source, expr, c.absentFor, 'absent', { what, absentFor: c.absentFor });

    /** Ticket and page on `remaining < threshold`, one rule each. */
    const expiring = (name: string, cls: CertClass, source: Source, remaining: Expr, t: Thresholds, template: string, extra: Record<string, unknown> = {}): void => {
      for (const severity of ['ticket', 'page'] as const) {
        const below = severity === 'page' ? t.pageBelow : t.ticketBelow;
        const forDuration = severity === 'page' ? t.pageFor : t.ticketFor;
        alert(name, severity, cls, source, lt(remaining, seconds(below)), forDuration, template, {
          ...extra,
          below: norm(below),
          ticketBelow: norm(t.ticketBelow),
          pageBelow: norm(t.pageBelow),
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
      const remaining = sub(min(sel.expiry, by), time());
      expiring(ALERTS.proxyExpiring, 'workload', 'linkerd', remaining, w, 'proxy-expiring', { metric: sel.expiry.metric });
      if (sel.refreshErrors && w.refreshErrors.enabled) {
        alert(
          ALERTS.proxyRefreshErrors,
          'ticket',
          'workload',
          'linkerd',
          gt(sum(increase(sel.refreshErrors, w.refreshErrors.window), by), num(0)),
          w.refreshErrors.for,
          'proxy-refresh-errors',
          { metric: sel.refreshErrors.metric, window: norm(w.refreshErrors.window) },
        );
      }
      absentAlert('workload', 'linkerd', absent(sel.expiry), `${sel.expiry.metric} from job ${config.linkerd.proxyJob}`);
      b.panels.push(
        {
          title: 'Proxy certificates: least time left',
          description:
            `Shortest remaining validity of any proxy's workload certificate (${sel.expiry.metric}). A healthy proxy renews at 70% of its ` +
            `${w.issuanceLifetime} certificate, so this stays above ~30% of it. Orange below ${norm(w.ticketBelow)} (ticket), red below ${norm(w.pageBelow)} (page).`,
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
          queries: [{ expr: aggregate('bottomk', remaining, { param: num(10) }), instant: true }],
          thresholds: thresholdsOf(w),
          width: 18,
        },
      );
    }

    // ---- 2. identity issuer, as loaded by the identity controller (2.18+) -------------------------
    if (c.issuer.enabled && facts.hasIssuerTtlMetric) {
      const ttl = ctx.controllerSelector(METRICS.issuerTtl, [eq('component', 'identity')]);
      // §5.1: 0 until an issuer is loaded; ignore it rather than page on a starting pod.
      const remaining = aggregate('min', gt(ttl, num(0)), extraKeys.length ? { by: extraKeys } : {});
      expiring(ALERTS.issuerExpiring, 'issuer', 'linkerd', remaining, c.issuer, 'expiring', { what: `the identity issuer loaded by the identity controller (${METRICS.issuerTtl})` });
      absentAlert('issuer', 'linkerd', absent(ttl), `${METRICS.issuerTtl} from job ${config.linkerd.controllerJob}, component identity`);
      b.panels.push({
        title: 'Identity issuer: time left',
        description: `Remaining validity of the issuer certificate the identity controller has loaded (${METRICS.issuerTtl}). Orange below ${norm(c.issuer.ticketBelow)}, red below ${norm(c.issuer.pageBelow)}.`,
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
      const cmText = { namespaceLabel: cm.namespaceLabel, grace: norm(cm.renewalGrace), pageBelow: norm(cm.pageBelow), notReadyFor: norm(cm.notReadyFor) };
      const remainingAll: Expr[] = [];
      const renewalAll: Expr[] = [];
      for (const cls of classes) {
        const entries = cm.certificates.filter((e) => e.certificate === cls);
        // §5.2: expiration is 0 until the Certificate is first issued; renewal likewise.
        const remaining = sub(gt(union(entries.map((e) => sel(METRICS.certManagerExpiration, e))), num(0)), time());
        const renewal = gt(union(entries.map((e) => sel(METRICS.certManagerRenewal, e))), num(0));
        const overdue = gt(sub(time(), renewal), seconds(cm.renewalGrace));
        remainingAll.push(remaining);
        renewalAll.push(sub(renewal, time()));
        alert(ALERTS.certManagerRenewalOverdue, 'ticket', cls, 'cert-manager', and(remaining, overdue), undefined, 'certmanager-overdue', cmText);
        alert(ALERTS.certManagerRenewalOverdue, 'page', cls, 'cert-manager', and(lt(remaining, seconds(cm.pageBelow)), overdue), undefined, 'certmanager-overdue', cmText);
        alert(
          ALERTS.certManagerNotReady,
          'ticket',
          cls,
          'cert-manager',
          binary('==', union(entries.map((e) => sel(METRICS.certManagerReady, e, [eq('condition', 'False')]))), num(1)),
          cm.notReadyFor,
          'certmanager-not-ready',
          cmText,
        );
        absentAlert(cls, 'cert-manager', union(entries.map((e) => absent(sel(METRICS.certManagerExpiration, e)))), `${METRICS.certManagerExpiration} for the ${CLASS_TITLE[cls]} Certificate(s) ${entries.map((e) => e.name).join(', ')}`);
      }
      b.panels.push(
        {
          title: 'cert-manager: time left',
          description: `Remaining validity of the watched Certificates (${METRICS.certManagerExpiration}; 0, i.e. not yet issued, is left out). Red below ${norm(cm.pageBelow)}; what matters more is whether renewal happens on time (next panel).`,
          type: 'stat',
          unit: 's',
          queries: [{ expr: union(remainingAll), legend: `{{name}}`, instant: true }],
          thresholds: [{ value: null, color: 'red' }, { value: parseDuration(cm.pageBelow), color: 'green' }],
          width: 12,
        },
        {
          title: 'cert-manager: renewal due in',
          description: `Time until cert-manager renews each Certificate (${METRICS.certManagerRenewal}). Negative means overdue: orange once due, red after the ${norm(cm.renewalGrace)} grace (ticket).`,
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
            ? withExtra(METRICS.x509NotAfter, [eq('configmap_namespace', ns), eq('configmap_name', o.name)])
            : withExtra(METRICS.x509NotAfter, [eq('secret_namespace', ns), eq('secret_name', o.name)]);
        });
        const remaining = sub(union(sels), time());
        const objects = x.objects.map((o) => `${o.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${o.namespace ?? config.linkerd.namespace}/${o.name}`);
        expiring(EXPIRING_ALERT[cls], cls, 'x509-certificate-exporter', remaining, x, 'expiring', {
          what: `the ${CLASS_TITLE[cls]} in ${objects.join(', ')} (x509-certificate-exporter)`,
        });
        absentAlert(cls, 'x509-certificate-exporter', union(sels.map((s) => absent(s))), `${METRICS.x509NotAfter} for ${objects.join(', ')}`);
        b.panels.push({
          title: `${capitalise(CLASS_TITLE[cls])}: time left`,
          description: `Remaining validity per certificate in ${objects.join(', ')} (x509-certificate-exporter). Orange below ${norm(x.ticketBelow)} (ticket), red below ${norm(x.pageBelow)} (page).`,
          type: 'stat',
          unit: 's',
          queries: [{ expr: remaining, legend: '{{secret_name}}{{configmap_name}} {{subject_CN}}', instant: true }],
          thresholds: thresholdsOf(x),
          width: 8,
        });
      }
    }

    const group: RuleGroup = { name: GROUP, rules: b.alerts };
    const runbooks: Runbook[] = [...b.runbookAlerts].map((alertName) => ({ alert: alertName, markdown: render(`runbooks/${alertName}.md`, runbookContext(ctx)) }));
    return {
      ruleGroups: b.alerts.length ? [group] : [],
      dashboardRows: b.panels.length ? [{ title: 'Certificate expiry', panels: b.panels, dashboard: 'certificates' as const }] : [],
      runbooks,
    };
  },
};

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function runbookContext(ctx: BuildContext): Record<string, unknown> {
  const { config, facts } = ctx;
  const c: CertsConfig = config.slos.certificates;
  const sel = workloadSelectors(ctx);
  return {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    vizNamespace: config.linkerd.vizNamespace,
    version: facts.version,
    proxyJob: config.linkerd.proxyJob,
    controllerJob: config.linkerd.controllerJob,
    severities: config.alerting.severities,
    alerts: ALERTS,
    expiryMetric: sel.expiry.metric,
    refreshMetric: facts.identityCertRefreshMetric,
    hasRefreshErrors: sel.refreshErrors !== undefined,
    hasIssuerTtl: facts.hasIssuerTtlMetric,
    absentFor: norm(c.absentFor),
    workload: { ...c.workload, ticketBelow: norm(c.workload.ticketBelow), pageBelow: norm(c.workload.pageBelow), window: norm(c.workload.refreshErrors.window) },
    issuer: { ...c.issuer, ticketBelow: norm(c.issuer.ticketBelow), pageBelow: norm(c.issuer.pageBelow) },
    certManager: { ...c.certManager, renewalGrace: norm(c.certManager.renewalGrace), pageBelow: norm(c.certManager.pageBelow), notReadyFor: norm(c.certManager.notReadyFor),
      certificates: c.certManager.certificates.map((e) => ({ ...e, namespace: e.namespace ?? config.linkerd.namespace })) },
    x509: {
      enabled: c.x509Exporter.enabled,
      classes: X509_CLASSES.map(({ key, cls }) => {
        const x = c.x509Exporter[key];
        return {
          certificate: cls,
          enabled: x.enabled,
          ticketBelow: norm(x.ticketBelow),
          pageBelow: norm(x.pageBelow),
          objects: x.objects.map((o) => ({ kind: o.kind, name: o.name, namespace: o.namespace ?? config.linkerd.namespace })),
        };
      }),
    },
  };
}
