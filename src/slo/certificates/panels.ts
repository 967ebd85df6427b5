/**
 * The certificates dashboard's tables, shown whether or not the kind is enabled (when it is off,
 * a note that says so): one table per certificate class listing every certificate with its time
 * left (coloured at that class's alert thresholds), the proxies' refresh errors, and which
 * configured sources report nothing. Sources: the `src/metrics.rs` of linkerd/linkerd2-proxy's
 * identity crates (identity_cert_*), PR linkerd/linkerd2-proxy#2887 (control_identity_ prefix, 2.16); cert-manager
 * and x509-certificate-exporter as documented by those projects.
 */
import { union, aggregate, call, eq, gt, increase, num, sub, sum, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import { normalDuration, parseDuration } from '../../promql/number.js';
import { atLeast } from '../../linkerd/catalog.js';
import { issuerLoaded, CERTIFICATE_METRICS, workloadSelectors } from './sources.js';
import type { DashboardRow, PanelQuery, PanelSpec, Threshold } from '../../dashboard-model.js';
import { external, extraKeys, legendPrefix, orZero } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';


function expiryThresholds(t: { pageBelow: string; ticketBelow: string }): Threshold[] {
  return [
    { value: null, color: 'red' },
    { value: parseDuration(t.pageBelow), color: 'orange' },
    { value: parseDuration(t.ticketBelow), color: 'green' },
  ];
}

const X509 = [
  { key: 'trustAnchor', title: 'Trust anchor' },
  { key: 'issuer', title: 'Identity issuer' },
  { key: 'webhooks', title: 'Webhook serving certificates' },
] as const;

export function certificateRows(ctx: BuildContext): DashboardRow[] {
  const { config, facts } = ctx;
  const c = config.slos.certificates;
  if (!c.enabled) {
    return [
      {
        title: 'Certificate expiry',
        panels: [
          {
            title: 'Certificate checks are disabled',
            description: 'slos.certificates.enabled is false in the linkerd-slo config.',
            type: 'text',
            unit: 'none',
            queries: [],
            content: 'Certificate-expiry checks are disabled (`slos.certificates.enabled: false`). Expired certificates are the most common cause of Linkerd downtime: enable them and regenerate.',
            width: 24,
            height: 4,
          },
        ],
      },
    ];
  }
  const by = extraKeys(ctx);
  const prefix = legendPrefix(ctx);
  const time = call('time');
  const tables: PanelSpec[] = [];
  const sources: PanelQuery[] = [];
  const present = (sel: Expr, legend: string): PanelQuery => ({
    expr: orZero(aggregate('count', sel, by.length ? { by } : {})),
    legend: `${prefix}${legend}`,
    instant: true,
  });

  // ---- workload certificates: the kind shows least time left and the ten closest; here the sources --------
  const workload = workloadSelectors(ctx);
  if (c.workload.enabled) sources.push(present(workload.expiry, `proxies (${workload.expiry.metric})`));

  // ---- identity issuer as loaded by the identity controller (2.18+) ------------------------------------------
  if (c.issuer.enabled && facts.hasIssuerTtlMetric) {
    const ttl = ctx.controllerSelector(CERTIFICATE_METRICS.issuerTtl, [eq('component', 'identity')]);
    tables.push({
      title: 'Identity issuer per identity replica',
      description:
        `Time left of the issuer certificate each identity replica has loaded (${CERTIFICATE_METRICS.issuerTtl}; 0 = none loaded yet, left out; negative = expired that long ago). ` +
        `Orange below ${normalDuration(c.issuer.ticketBelow)} (ticket), red below ${normalDuration(c.issuer.pageBelow)} (page): rotate the issuer (runbook LinkerdIdentityIssuerCertificateExpiring). Replicas disagreeing: one has not reloaded a rotated issuer.`,
      type: 'table',
      unit: 's',
      queries: [{ expr: aggregate('min', issuerLoaded(ttl), { by: [...by, 'instance'] }), instant: true }],
      thresholds: expiryThresholds(c.issuer),
      width: 12,
    });
    sources.push(present(ttl, `identity (${CERTIFICATE_METRICS.issuerTtl})`));
  }

  // ---- cert-manager Certificates ----------------------------------------------------------------------------
  if (c.certManager.enabled) {
    const cm = c.certManager;
    const sel = (metric: string, e: (typeof cm.certificates)[number]): Selector =>
      external(ctx, metric, [eq('name', e.name), eq(cm.namespaceLabel, e.namespace ?? config.linkerd.namespace)]);
    const expirations = union(cm.certificates.map((e) => sel(CERTIFICATE_METRICS.certManagerExpiration, e)));
    const renewals = union(cm.certificates.map((e) => sel(CERTIFICATE_METRICS.certManagerRenewal, e)));
    const cols = [...by, cm.namespaceLabel, 'name'];
    tables.push({
      title: 'cert-manager Certificates: time left and renewal',
      description:
        `Per watched Certificate: time left (${CERTIFICATE_METRICS.certManagerExpiration}) and time until cert-manager renews it (${CERTIFICATE_METRICS.certManagerRenewal}; negative = overdue). ` +
        `Red below ${normalDuration(cm.pageBelow)} left; a renewal overdue by more than ${normalDuration(cm.renewalGrace)} opens LinkerdCertManagerCertificateRenewalOverdue: check the Certificate's events and its issuer.`,
      type: 'table',
      unit: 's',
      queries: [
        {
          expr: sub(aggregate('min', gt(expirations, num(0)), { by: cols }), time),
          instant: true,
          thresholds: [{ value: null, color: 'red' }, { value: parseDuration(cm.pageBelow), color: 'green' }],
        },
        {
          expr: sub(aggregate('min', gt(renewals, num(0)), { by: cols }), time),
          instant: true,
          thresholds: [{ value: null, color: 'red' }, { value: -parseDuration(cm.renewalGrace), color: 'orange' }, { value: 0, color: 'green' }],
        },
      ],
      width: 12,
    });
    sources.push(present(expirations, 'cert-manager'));
  }

  // ---- x509-certificate-exporter ----------------------------------------------------------------------------
  if (c.x509Exporter.enabled) {
    for (const { key, title } of X509) {
      const x = c.x509Exporter[key];
      if (!x.enabled || x.objects.length === 0) continue;
      const sels = x.objects.map((o) => {
        const ns = o.namespace ?? config.linkerd.namespace;
        const m: Matcher[] = o.kind === 'configmap'
          ? [eq('configmap_namespace', ns), eq('configmap_name', o.name)]
          : [eq('secret_namespace', ns), eq('secret_name', o.name)];
        return external(ctx, CERTIFICATE_METRICS.x509NotAfter, m);
      });
      const all = union(sels);
      tables.push({
        title: `${title}: every certificate`,
        description:
          `Time left of every certificate in ${x.objects.map((o) => `${o.namespace ?? config.linkerd.namespace}/${o.name}`).join(', ')} (x509-certificate-exporter ${CERTIFICATE_METRICS.x509NotAfter}). ` +
          `Orange below ${normalDuration(x.ticketBelow)} (ticket), red below ${normalDuration(x.pageBelow)} (page): rotate it now (see the runbook of the expiring alert).`,
        type: 'table',
        unit: 's',
        queries: [
          {
            expr: sub(aggregate('min', all, { by: [...by, 'secret_namespace', 'secret_name', 'configmap_namespace', 'configmap_name', 'subject_CN'] }), time),
            instant: true,
          },
        ],
        thresholds: expiryThresholds(x),
        width: 12,
      });
      sources.push(present(all, `x509-certificate-exporter: ${title.toLowerCase()}`));
    }
  }

  // ---- node clocks (node-exporter): the kind draws them; here only whether the source reports ------------------
  if (c.nodeClock.enabled) {
    const offset = external(ctx, CERTIFICATE_METRICS.clockOffset, Object.entries(c.nodeClock.matchers).map(([k, v]) => eq(k, v)));
    sources.push(present(offset, `node clocks (${CERTIFICATE_METRICS.clockOffset})`));
  }

  // ---- refresh errors ---------------------------------------------------------------------------------
  const refresh: PanelSpec[] = [];
  if (c.workload.enabled && workload.refreshErrors) {
    const window = normalDuration(c.workload.refreshErrors.window);
    const perPod = sum(increase(workload.refreshErrors, window), [...by, 'namespace', 'pod']);
    refresh.push(
      {
        title: 'Proxies failing to renew',
        description: `Proxies with at least one failed certificate refresh in the last ${window} (${workload.refreshErrors.metric}{result="error"}). Orange: LinkerdProxyCertificateRefreshErrors opens a ticket if it lasts; check identity's logs and the proxies' logs for "certify" errors.`,
        type: 'stat',
        unit: 'none',
        queries: [{ expr: orZero(aggregate('count', gt(perPod, num(0)), by.length ? { by } : {})), legend: `${prefix}proxies`, instant: true }],
        thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
        width: 6,
      },
      {
        title: 'Certificate refresh errors',
        description: `Failed refreshes per pod over ${window}, the ten worst. A failing proxy retries within seconds, so lasting errors mean identity or its issuer is broken; the expiry alert follows hours later.`,
        type: 'timeseries',
        unit: 'none',
        queries: [{ expr: aggregate('topk', gt(perPod, num(0)), { param: num(10) }), legend: `${prefix}{{namespace}}/{{pod}}` }],
        min: 0,
        width: 18,
      },
    );
  } else if (c.workload.enabled && !atLeast(facts.version, 15)) {
    refresh.push({
      title: 'No refresh-error signal before 2.15',
      description: 'Proxies before Linkerd 2.15 only count refreshes (identity_cert_refresh_count), not failures (linkerd/linkerd2-proxy PRs #2617, #2887).',
      type: 'text',
      unit: 'none',
      queries: [],
      content: `Linkerd ${facts.version} proxies do not count failed certificate refreshes (only \`${facts.identityCertRefreshMetric}\`); rely on the expiry panels above.`,
      width: 24,
      height: 3,
    });
  }

  const rows: DashboardRow[] = [];
  if (tables.length) rows.push({ title: 'Every certificate, by class', panels: tables });
  if (refresh.length) rows.push({ title: 'Proxy certificate renewal', panels: refresh });
  if (sources.length) {
    rows.push({
      title: 'Sources',
      panels: [
        {
          title: 'Series reported per source',
          description:
            `How many series each configured certificate source reports now. Red at 0: that source reports nothing, so its certificates can expire unnoticed (LinkerdCertificateSourceAbsent opens a ticket after ${normalDuration(c.absentFor)}). ` +
            'Check that the exporter runs, is scraped, and watches the configured objects.',
          type: 'bargauge',
          unit: 'none',
          queries: sources,
          thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
          min: 0,
          width: 24,
          height: Math.max(4, 2 + 2 * sources.length),
        },
      ],
    });
  }
  return rows;
}
