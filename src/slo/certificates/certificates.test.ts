/**
 * Certificate-expiry alerts, proven by the real promtool on synthetic series shaped like the
 * sources' own metrics (proxy gauges: linkerd/linkerd2-proxy#2617 (2.15), #2887 (2.16); issuer_cert_ttl_seconds: linkerd/linkerd2 `pkg/identity/service.go` at version-2.18;
 * cert-manager `internal/collectors/certificate_collector.go`; enix/x509-certificate-exporter `internal/collector.go` at v3.21.0).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { firing as firingBy, generated as generatedBundle, onlyGroups, rows, ruleFileOf, rulesOf } from '../../../test/support/bundle.js';

const EXPIRING = 'LinkerdProxyCertificateExpiringSoon';
const REFRESH = 'LinkerdProxyCertificateRefreshErrors';
const ISSUER = 'LinkerdIdentityIssuerCertificateExpiring';
const OVERDUE = 'LinkerdCertManagerCertificateRenewalOverdue';
const NOT_READY = 'LinkerdCertManagerCertificateNotReady';
const ANCHOR = 'LinkerdTrustAnchorCertificateExpiring';
const WEBHOOK = 'LinkerdWebhookCertificateExpiring';
const ABSENT = 'LinkerdCertificateSourceAbsent';

type Certs = NonNullable<NonNullable<ConfigInput['slos']>['certificates']>;

const CERT_GROUP = 'linkerd-slo-certificates';
const generated = (version: string, certs: Certs = {}) => generatedBundle({ cluster: 'test', linkerd: { version: version as never }, slos: { certificates: certs } });
const rulesFor = (version = '2.18', certs: Certs = {}): string => ruleFileOf(generated(version, certs));

/**
 * The rule file with only the certificates group, for promtool unit tests over many simulated hours
 * (the SLO kinds' long-window recordings would make them slow; the full file is linted separately).
 */
const certRuleFile = (version = '2.18', certs: Certs = {}): string => onlyGroups(rulesFor(version, certs), CERT_GROUP);

/** The certificates group's rules (none when the file has no such group). */
const certRules = (text: string) => (text.includes(`- name: ${CERT_GROUP}\n`) ? rulesOf(onlyGroups(text, CERT_GROUP)) : []);

/** Firing alerts of one name, counted by the given labels. */
const firing = (alertname: string, by = 'severity, certificate') => firingBy(alertname, by);

const HOUR = 3600;
const DAY = 86400;
const proxy = (metric: string, pod: string, extra = '') => `${metric}{job="linkerd-proxy", namespace="app", pod="${pod}"${extra}}`;

/** A gauge renewed every 16.8h (70% of 24h) to "now + 24h", for `segments` renewals, one sample per minute. */
function healthyExpiry(segments: number): string {
  const every = 1008; // minutes = 16.8h
  return Array.from({ length: segments }, (_, i) => `${i * every * 60 + DAY}x${every - 1}`).join(' ');
}

describe('certificate expiry under promtool', () => {
  beforeAll(requirePromtool);

  it('every source enabled: the rule file passes promtool check rules --lint-fatal', () => {
    const text = rulesFor('2.18', { certManager: { enabled: true }, x509Exporter: { enabled: true } });
    const r = checkRules(text);
    expect(r.output).toContain('SUCCESS');
    expect(r.ok, r.output).toBe(true);
  });

  it('a proxy whose certificate stops being renewed tickets below 6h and pages below 1h; a healthy proxy stays silent', () => {
    const metric = 'control_identity_cert_expiration_timestamp_seconds';
    const text = certRuleFile('2.18');
    const runbook = `https://github.com/linkerd-slo/linkerd-slo/blob/main/out/runbooks/${EXPIRING}.md`;
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            // Issued at t0 for 24h, never renewed.
            { series: proxy(metric, 'stuck'), values: `${DAY}x1500` },
            { series: proxy(metric, 'healthy'), values: healthyExpiry(3) },
          ],
          promql_expr_test: [
            { expr: firing(EXPIRING, 'severity, pod'), eval_time: '17h', exp_samples: [] },
            // Below 6h from 18h01m, `for: 15m`: still pending at 18h10m.
            { expr: firing(EXPIRING, 'severity, pod'), eval_time: '18h10m', exp_samples: [] },
            { expr: firing(EXPIRING, 'severity, pod, certificate'), eval_time: '18h20m', exp_samples: rows('severity="warning", pod="stuck", certificate="workload"') },
            // Below 1h from 23h01m, `for: 5m`.
            { expr: firing(EXPIRING, 'severity, pod'), eval_time: '23h10m', exp_samples: rows('severity="critical", pod="stuck"', 'severity="warning", pod="stuck"') },
            // Expired at 24h: the proxy still reports the same timestamp, and both alerts keep firing.
            { expr: firing(EXPIRING, 'severity, pod'), eval_time: '24h30m', exp_samples: rows('severity="critical", pod="stuck"', 'severity="warning", pod="stuck"') },
          ],
          alert_rule_test: [
            {
              eval_time: '18h20m',
              alertname: EXPIRING,
              exp_alerts: [
                {
                  exp_labels: { slo: 'certificates', severity: 'warning', certificate: 'workload', source: 'linkerd', namespace: 'app', pod: 'stuck' },
                  exp_annotations: {
                    summary: 'Linkerd (test): the workload certificate of proxy app/stuck expires in 5h 40m 0s (below 6h).',
                    description:
                      'The proxy of pod app/stuck holds a workload certificate that expires in 5h 40m 0s (control_identity_cert_expiration_timestamp_seconds, Linkerd 2.18); this ticket alert fires below 6h.\n' +
                      "A healthy proxy renews at 70% of its certificate's lifetime and never gets this low: its renewals with the identity controller (namespace linkerd) are failing, or the issuer certificate itself expires within the day (workload certificates never outlive the issuer).\n" +
                      'When it expires the pod can no longer take part in mTLS: meshed traffic to and from it fails.',
                    runbook_url: runbook,
                  },
                },
              ],
            },
            {
              // Half an hour after expiry the page says so, rather than "expires in -30m".
              eval_time: '24h30m',
              alertname: EXPIRING,
              exp_alerts: [
                {
                  exp_labels: { slo: 'certificates', severity: 'critical', certificate: 'workload', source: 'linkerd', namespace: 'app', pod: 'stuck' },
                  exp_annotations: {
                    summary: 'Linkerd (test): the workload certificate of proxy app/stuck EXPIRED 30m 0s ago (below 1h).',
                    description:
                      'The proxy of pod app/stuck holds a workload certificate that EXPIRED 30m 0s ago (control_identity_cert_expiration_timestamp_seconds, Linkerd 2.18); this page alert fires below 1h.\n' +
                      "A healthy proxy renews at 70% of its certificate's lifetime and never gets this low: its renewals with the identity controller (namespace linkerd) are failing, or the issuer certificate itself expires within the day (workload certificates never outlive the issuer).\n" +
                      'When it expires the pod can no longer take part in mTLS: meshed traffic to and from it fails.',
                    runbook_url: runbook,
                  },
                },
                {
                  exp_labels: { slo: 'certificates', severity: 'warning', certificate: 'workload', source: 'linkerd', namespace: 'app', pod: 'stuck' },
                  exp_annotations: {
                    summary: 'Linkerd (test): the workload certificate of proxy app/stuck EXPIRED 30m 0s ago (below 6h).',
                    description:
                      'The proxy of pod app/stuck holds a workload certificate that EXPIRED 30m 0s ago (control_identity_cert_expiration_timestamp_seconds, Linkerd 2.18); this ticket alert fires below 6h.\n' +
                      "A healthy proxy renews at 70% of its certificate's lifetime and never gets this low: its renewals with the identity controller (namespace linkerd) are failing, or the issuer certificate itself expires within the day (workload certificates never outlive the issuer).\n" +
                      'When it expires the pod can no longer take part in mTLS: meshed traffic to and from it fails.',
                    runbook_url: runbook,
                  },
                },
              ],
            },
          ],
        },
        {
          // Renewed every 16.8h for ~50h: remaining validity never drops below 7.2h.
          interval: '1m',
          input_series: [{ series: proxy(metric, 'healthy'), values: healthyExpiry(3) }],
          promql_expr_test: ['16h50m', '18h20m', '23h10m', '33h40m', '40h', '50h'].map((t) => ({ expr: firing(EXPIRING), eval_time: t, exp_samples: [] })),
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('picks the expiry gauge by Linkerd version: identity_cert_… up to 2.15, control_identity_cert_… from 2.16', () => {
    const old = 'identity_cert_expiration_timestamp_seconds';
    const renamed = 'control_identity_cert_expiration_timestamp_seconds';
    // The expiring alerts read the gauge through the group's one pass over it, recorded at its head.
    const expiryExpr = (text: string) => certRules(text).find((r) => r.record === 'linkerd_slo:proxy_certificate_remaining:seconds')!.expr;
    const v14 = rulesFor('2.14');
    const v15 = rulesFor('2.15');
    const v16 = rulesFor('2.16');
    expect(expiryExpr(v14)).toContain(`(${old}{job="linkerd-proxy"})`);
    expect(v14).not.toContain('control_identity_cert');
    expect(expiryExpr(v15)).toContain(`(${old}{job="linkerd-proxy"})`);
    expect(expiryExpr(v16)).toContain(`(${renamed}{job="linkerd-proxy"})`);
    // Refresh errors: none ≤2.14 (no result label), the 2.15 name, then the control_ name.
    expect(certRules(v14).some((r) => r.alert === REFRESH)).toBe(false);
    expect(certRules(v15).find((r) => r.alert === REFRESH)!.expr).toContain('increase(identity_cert_refreshes_total{job="linkerd-proxy", result="error"}[15m])');
    expect(certRules(v16).find((r) => r.alert === REFRESH)!.expr).toContain('increase(control_identity_cert_refreshes_total{job="linkerd-proxy", result="error"}[15m])');

    // Each version's rules react to its own metric name only: two stuck proxies (3h left), one per name.
    for (const [version, own] of [['2.14', 'old-name'], ['2.16', 'new-name']] as const) {
      const r = testRules(certRuleFile(version), {
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: proxy(old, 'old-name'), values: `${3 * HOUR}x40` },
              { series: proxy(renamed, 'new-name'), values: `${3 * HOUR}x40` },
            ],
            promql_expr_test: [{ expr: firing(EXPIRING, 'severity, pod'), eval_time: '20m', exp_samples: rows(`severity="warning", pod="${own}"`) }],
          },
        ],
      });
      expect(r.ok, `${own}: ${r.output}`).toBe(true);
    }
  });

  it('tickets on persistent refresh errors, not on successful refreshes or old errors', () => {
    const metric = 'control_identity_cert_refreshes_total';
    const r = testRules(certRuleFile('2.18'), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: proxy(metric, 'failing', ', result="error"'), values: '0+1x60' },
            { series: proxy(metric, 'recovered', ', result="error"'), values: '3x60' },
            { series: proxy(metric, 'fine', ', result="ok"'), values: '0+1x60' },
          ],
          promql_expr_test: [
            { expr: firing(REFRESH, 'pod'), eval_time: '10m', exp_samples: [] },
            { expr: firing(REFRESH, 'severity, pod'), eval_time: '30m', exp_samples: rows('severity="warning", pod="failing"') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('issuer TTL: ticket below 60d, page below 7d, 0 (no issuer loaded) ignored; not generated before 2.18', () => {
    const ttl = 'issuer_cert_ttl_seconds{job="linkerd-controller", component="identity", instance="10.0.0.9:9990"}';
    const r = testRules(certRuleFile('2.18'), {
      tests: [
        {
          interval: '1m',
          input_series: [{ series: ttl, values: `0x29 ${90 * DAY}x29 ${50 * DAY}x29 ${5 * DAY}x29 0x29` }],
          promql_expr_test: [
            { expr: firing(ISSUER), eval_time: '25m', exp_samples: [] },
            { expr: firing(ISSUER), eval_time: '55m', exp_samples: [] },
            { expr: firing(ISSUER), eval_time: '85m', exp_samples: rows('severity="warning", certificate="issuer"') },
            { expr: firing(ISSUER), eval_time: '115m', exp_samples: rows('severity="critical", certificate="issuer"', 'severity="warning", certificate="issuer"') },
            { expr: firing(ISSUER), eval_time: '145m', exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
    expect(rulesFor('2.17')).not.toContain('issuer_cert_ttl_seconds');
    expect(rulesFor('2.18', { issuer: { ticketBelow: '30d' } })).toContain('issuer_cert_ttl_seconds{job="linkerd-controller", component="identity"} != 0) < 2592000');
  });

  it('issuer TTL going negative (expired, 2.18+ reports time.Until(NotAfter)) keeps paging; the page says EXPIRED', () => {
    // Two identity replicas as scraped by Linkerd's own linkerd-controller job (admin port 9990); the
    // TTL falls by 60s a minute, from 2h30s at t0 through the moment of expiry (2h00m30s) and beyond.
    const ttl = (pod: string, ip: string) =>
      `issuer_cert_ttl_seconds{job="linkerd-controller", component="identity", namespace="linkerd", pod="${pod}", instance="${ip}:9990"}`;
    const r = testRules(certRuleFile('2.18'), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: ttl('linkerd-identity-6d8f7b9c4-abcde', '10.42.0.17'), values: `${2 * HOUR + 30}-60x300` },
            { series: ttl('linkerd-identity-6d8f7b9c4-fghij', '10.42.1.23'), values: `${2 * HOUR + 30}-60x300` },
          ],
          promql_expr_test: [
            { expr: firing(ISSUER), eval_time: '1h', exp_samples: rows('severity="critical", certificate="issuer"', 'severity="warning", certificate="issuer"') },
            // Expired 29m30s ago, and 2h59m30s ago: still paging.
            { expr: firing(ISSUER), eval_time: '2h30m', exp_samples: rows('severity="critical", certificate="issuer"', 'severity="warning", certificate="issuer"') },
            { expr: firing(ISSUER), eval_time: '5h', exp_samples: rows('severity="critical", certificate="issuer"', 'severity="warning", certificate="issuer"') },
          ],
          alert_rule_test: [
            {
              eval_time: '2h30m',
              alertname: ISSUER,
              exp_alerts: ['critical', 'warning'].map((severity) => ({
                exp_labels: { slo: 'certificates', severity, certificate: 'issuer', source: 'linkerd' },
                exp_annotations: {
                  summary: `Linkerd (test): the identity issuer certificate EXPIRED 29m 30s ago (below ${severity === 'critical' ? '7d' : '60d'}).`,
                  description:
                    `Observed by linkerd: the identity issuer loaded by the identity controller (issuer_cert_ttl_seconds) EXPIRED 29m 30s ago. This ${severity === 'critical' ? 'page' : 'ticket'} alert fires below ${severity === 'critical' ? '7d' : '60d'} (ticket below 60d, page below 7d).\n` +
                    "When the issuer expires, the identity controller can no longer issue workload certificates: within a day every proxy's certificate has expired and meshed traffic fails.",
                  runbook_url: `https://github.com/linkerd-slo/linkerd-slo/blob/main/out/runbooks/${ISSUER}.md`,
                },
              })),
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('a workload certificate already expired when first seen alerts (ticket and page)', () => {
    const metric = 'control_identity_cert_expiration_timestamp_seconds';
    // Seen from 2h on: one pod's certificate expired at 1h, one is freshly renewed (24h ahead).
    const r = testRules(certRuleFile('2.18'), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: proxy(metric, 'expired'), values: `_x120 ${HOUR}x60` },
            { series: proxy(metric, 'fresh'), values: `_x120 ${26 * HOUR}x60` },
          ],
          promql_expr_test: [
            { expr: firing(EXPIRING, 'severity, pod'), eval_time: '2h10m', exp_samples: rows('severity="critical", pod="expired"') },
            { expr: firing(EXPIRING, 'severity, pod'), eval_time: '2h20m', exp_samples: rows('severity="critical", pod="expired"', 'severity="warning", pod="expired"') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('cert-manager: renewal overdue tickets (and pages when close), unissued (0) and healthy 48h certificates stay silent', () => {
    const text = certRuleFile('2.18', {
      certManager: {
        enabled: true,
        certificates: [
          { name: 'linkerd-identity-issuer', certificate: 'issuer' },
          { name: 'linkerd-trust-anchor', namespace: 'cert-manager', certificate: 'trust-anchor' },
          { name: 'linkerd-proxy-injector', certificate: 'webhook' },
          { name: 'linkerd-sp-validator', certificate: 'webhook' },
        ],
      },
    });
    const cm = (metric: string, name: string, ns: string, extra = '') =>
      `certmanager_certificate_${metric}{job="cert-manager", namespace="cert-manager", exported_namespace="${ns}", name="${name}", issuer_name="x", issuer_kind="Issuer", issuer_group="cert-manager.io"${extra}}`;
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            // Healthy 48h issuer renewed 25h ahead (the Linkerd guide): a fixed 21-day threshold would fire, we must not.
            { series: cm('expiration_timestamp_seconds', 'linkerd-identity-issuer', 'linkerd'), values: `${48 * HOUR}x60` },
            { series: cm('renewal_timestamp_seconds', 'linkerd-identity-issuer', 'linkerd'), values: `${23 * HOUR}x60` },
            // Not yet issued: expiration and renewal 0, Ready=False.
            { series: cm('expiration_timestamp_seconds', 'linkerd-trust-anchor', 'cert-manager'), values: '0x60' },
            { series: cm('renewal_timestamp_seconds', 'linkerd-trust-anchor', 'cert-manager'), values: '0x60' },
            { series: cm('ready_status', 'linkerd-trust-anchor', 'cert-manager', ', condition="False"'), values: '1x60' },
            { series: cm('ready_status', 'linkerd-trust-anchor', 'cert-manager', ', condition="True"'), values: '0x60' },
            // Renewal due at 10m, never happens: 30 days left → ticket only.
            { series: cm('expiration_timestamp_seconds', 'linkerd-proxy-injector', 'linkerd'), values: `${30 * DAY}x60` },
            { series: cm('renewal_timestamp_seconds', 'linkerd-proxy-injector', 'linkerd'), values: '600x60' },
            // Renewal due at 10m, 2h left → ticket and page.
            { series: cm('expiration_timestamp_seconds', 'linkerd-sp-validator', 'linkerd'), values: `${2 * HOUR}x60` },
            { series: cm('renewal_timestamp_seconds', 'linkerd-sp-validator', 'linkerd'), values: '600x60' },
            // Same name in another namespace, overdue: not ours.
            { series: cm('expiration_timestamp_seconds', 'linkerd-sp-validator', 'other'), values: `${2 * HOUR}x60` },
            { series: cm('renewal_timestamp_seconds', 'linkerd-sp-validator', 'other'), values: '600x60' },
          ],
          promql_expr_test: [
            // Overdue from 10m, grace 15m: nothing yet at 20m.
            { expr: firing(OVERDUE, 'severity, certificate, name'), eval_time: '20m', exp_samples: [] },
            {
              expr: firing(OVERDUE, 'severity, certificate, name, exported_namespace'),
              eval_time: '30m',
              exp_samples: rows(
                'severity="critical", certificate="webhook", name="linkerd-sp-validator", exported_namespace="linkerd"',
                'severity="warning", certificate="webhook", name="linkerd-proxy-injector", exported_namespace="linkerd"',
                'severity="warning", certificate="webhook", name="linkerd-sp-validator", exported_namespace="linkerd"',
              ),
            },
            { expr: firing(NOT_READY, 'severity, certificate, name'), eval_time: '10m', exp_samples: [] },
            { expr: firing(NOT_READY, 'severity, certificate, name'), eval_time: '30m', exp_samples: rows('severity="warning", certificate="trust-anchor", name="linkerd-trust-anchor"') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('cert-manager: an expired Certificate pages on its expiry alone, with or without a renewal time', () => {
    const text = certRuleFile('2.18', {
      certManager: {
        enabled: true,
        certificates: [
          { name: 'linkerd-identity-issuer', certificate: 'issuer' },
          { name: 'linkerd-trust-anchor', namespace: 'cert-manager', certificate: 'trust-anchor' },
        ],
      },
    });
    // Label sets of cert-manager's controller metrics as scraped through its ServiceMonitor (pkg/metrics/certificates.go).
    const cm = (metric: string, name: string, ns: string) =>
      `certmanager_certificate_${metric}{job="cert-manager", namespace="cert-manager", pod="cert-manager-7d9f8c5b6-x2k4q", exported_namespace="${ns}", name="${name}", issuer_name="linkerd-trust-anchor", issuer_kind="Issuer", issuer_group="cert-manager.io"}`;
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            // Expired at 10m; its renewal time (5m) passed long before.
            { series: cm('expiration_timestamp_seconds', 'linkerd-identity-issuer', 'linkerd'), values: '600x60' },
            { series: cm('renewal_timestamp_seconds', 'linkerd-identity-issuer', 'linkerd'), values: '300x60' },
            // Expired at 10m, and no renewal gauge at all (cert-manager before v1.6 has none).
            { series: cm('expiration_timestamp_seconds', 'linkerd-trust-anchor', 'cert-manager'), values: '600x60' },
          ],
          promql_expr_test: [
            { expr: firing(OVERDUE, 'severity, name'), eval_time: '5m', exp_samples: [] },
            {
              expr: firing(OVERDUE, 'severity, name'),
              eval_time: '12m',
              exp_samples: rows('severity="critical", name="linkerd-identity-issuer"', 'severity="critical", name="linkerd-trust-anchor"'),
            },
            {
              expr: firing(OVERDUE, 'severity, name'),
              eval_time: '45m',
              exp_samples: rows(
                'severity="critical", name="linkerd-identity-issuer"',
                'severity="critical", name="linkerd-trust-anchor"',
                'severity="warning", name="linkerd-identity-issuer"',
              ),
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('x509-certificate-exporter: an expired issuer keeps paging as long as the exporter reports it', () => {
    const text = certRuleFile('2.18', { x509Exporter: { enabled: true } });
    // The exporter's own label set for a Secret (pkg/registry/labels.go): it keeps exporting an expired certificate.
    const issuer =
      'x509_cert_not_after{job="x509-certificate-exporter", namespace="monitoring", secret_namespace="linkerd", secret_name="linkerd-identity-issuer", secret_key="crt.pem", ' +
      'serial_number="271475393917373218766151284146379476519", issuer_CN="root.linkerd.cluster.local", subject_CN="identity.linkerd.cluster.local"}';
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [{ series: issuer, values: `${HOUR}x300` }],
          promql_expr_test: [
            { expr: firing(ISSUER, 'severity, secret_name'), eval_time: '30m', exp_samples: rows('severity="critical", secret_name="linkerd-identity-issuer"', 'severity="warning", secret_name="linkerd-identity-issuer"') },
            { expr: firing(ISSUER, 'severity, secret_name'), eval_time: '4h', exp_samples: rows('severity="critical", secret_name="linkerd-identity-issuer"', 'severity="warning", secret_name="linkerd-identity-issuer"') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('cert-manager namespace label is configurable; cert-manager and x509 sources are off by default', () => {
    const text = rulesFor('2.18', { certManager: { enabled: true, namespaceLabel: 'namespace' } });
    expect(text).toContain('certmanager_certificate_expiration_timestamp_seconds{name="linkerd-identity-issuer", namespace="linkerd"}');
    expect(text).not.toContain('exported_namespace=');
    const defaults = rulesFor('2.18');
    expect(defaults).not.toContain('certmanager_');
    expect(defaults).not.toContain('x509_cert_not_after');
  });

  it('x509-certificate-exporter: per-class thresholds for trust anchor, issuer and webhooks', () => {
    const text = certRuleFile('2.18', { x509Exporter: { enabled: true, webhooks: { ticketBelow: '30d', pageBelow: '2d' } } });
    const x509 = (labels: string) => `x509_cert_not_after{job="x509-certificate-exporter", ${labels}}`;
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            // Bundle with an anchor 40 days from expiry (ticket) and a new one with 10 years.
            { series: x509('configmap_namespace="linkerd", configmap_name="linkerd-identity-trust-roots", subject_CN="root.linkerd.cluster.local", serial_number="1"'), values: `${40 * DAY}x40` },
            { series: x509('configmap_namespace="linkerd", configmap_name="linkerd-identity-trust-roots", subject_CN="root.linkerd.cluster.local", serial_number="2"'), values: `${3650 * DAY}x40` },
            // Issuer with 200 days: silent.
            { series: x509('secret_namespace="linkerd", secret_name="linkerd-identity-issuer", subject_CN="identity.linkerd.cluster.local"'), values: `${200 * DAY}x40` },
            // Webhooks: 40d is fine under the 30d override, 1d pages; an unwatched Secret expiring is ignored.
            { series: x509('secret_namespace="linkerd", secret_name="linkerd-proxy-injector-k8s-tls"'), values: `${40 * DAY}x40` },
            { series: x509('secret_namespace="linkerd-viz", secret_name="tap-k8s-tls"'), values: `${1 * DAY}x40` },
            { series: x509('secret_namespace="default", secret_name="some-app-tls"'), values: `${1 * DAY}x40` },
          ],
          promql_expr_test: [
            { expr: firing(ANCHOR, 'severity, certificate, serial_number'), eval_time: '20m', exp_samples: rows('severity="warning", certificate="trust-anchor", serial_number="1"') },
            { expr: firing(ISSUER), eval_time: '20m', exp_samples: [] },
            {
              expr: firing(WEBHOOK, 'severity, secret_name'),
              eval_time: '20m',
              exp_samples: rows('severity="critical", secret_name="tap-k8s-tls"', 'severity="warning", secret_name="tap-k8s-tls"'),
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('a source that reports nothing opens a ticket after absentFor, per class and object', () => {
    const text = certRuleFile('2.18', { x509Exporter: { enabled: true } });
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            // Linkerd sources present; the x509 exporter only sees the issuer Secret.
            { series: proxy('control_identity_cert_expiration_timestamp_seconds', 'web'), values: `${DAY}x60` },
            { series: 'issuer_cert_ttl_seconds{job="linkerd-controller", component="identity"}', values: `${300 * DAY}x60` },
            { series: 'x509_cert_not_after{secret_namespace="linkerd", secret_name="linkerd-identity-issuer"}', values: `${300 * DAY}x60` },
          ],
          promql_expr_test: [
            { expr: firing(ABSENT, 'source'), eval_time: '20m', exp_samples: [] },
            {
              // One row per missing object: the trust-roots ConfigMap and the five webhook Secrets.
              expr: `count by (severity, certificate, source) (ALERTS{alertstate="firing", alertname="${ABSENT}"})`,
              eval_time: '40m',
              exp_samples: [
                { labels: '{severity="warning", certificate="trust-anchor", source="x509-certificate-exporter"}', value: 1 },
                { labels: '{severity="warning", certificate="webhook", source="x509-certificate-exporter"}', value: 5 },
              ],
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });
});

describe('certificate expiry: config, dashboard and runbooks', () => {
  it('rejects thresholds that cannot work', () => {
    expect(() => rulesFor('2.18', { workload: { ticketBelow: '8h' } })).toThrow(/ticketBelow \(8h\) must be below 30% of issuanceLifetime/);
    expect(() => rulesFor('2.18', { workload: { issuanceLifetime: '48h', ticketBelow: '8h' } })).not.toThrow();
    expect(() => rulesFor('2.18', { issuer: { pageBelow: '90d' } })).toThrow(/pageBelow \(90d\) must be shorter than ticketBelow \(60d\)/);
    expect(() => rulesFor('2.17', { workload: { enabled: false } })).toThrow(/every certificate source is disabled/);
  });

  it('dashboard panels show time left in seconds, coloured at the alert thresholds', () => {
    const gen = generated('2.18', { workload: { ticketBelow: '5h', pageBelow: '30m' }, x509Exporter: { enabled: true, webhooks: { ticketBelow: '30d', pageBelow: '2d' } } });
    const row = gen.outputs.flatMap((o) => o.dashboardRows).find((r) => r.title === 'Certificate expiry')!;
    const panel = (title: string) => row.panels.find((p) => p.title === title)!;
    expect(panel('Proxy certificates: least time left').unit).toBe('s');
    expect(panel('Proxy certificates: least time left').thresholds!.map((t) => t.value)).toEqual([null, 1800, 18000]);
    expect(panel('Identity issuer: time left').thresholds!.map((t) => t.value)).toEqual([null, 7 * DAY, 60 * DAY]);
    expect(panel('Webhook serving certificate: time left').thresholds!.map((t) => t.value)).toEqual([null, 2 * DAY, 30 * DAY]);
  });

  it('every alert has its runbook page, and runbook_url points at it', () => {
    const gen = generated('2.18', { certManager: { enabled: true }, x509Exporter: { enabled: true } });
    const rules = certRules(gen.files.get('prometheus/linkerd-slo-test.rules.yaml')!).filter((r) => r.alert);
    const names = [...new Set(rules.map((r) => r.alert!))];
    expect(names.sort()).toEqual([ABSENT, OVERDUE, NOT_READY, ISSUER, EXPIRING, REFRESH, ANCHOR, WEBHOOK].sort());
    for (const rule of rules) {
      expect(rule.annotations!.runbook_url).toMatch(new RegExp(`/${rule.alert}\\.md$`));
      expect(rule.labels!.certificate).toMatch(/^(workload|issuer|trust-anchor|webhook)$/);
      const page = gen.files.get(`runbooks/${rule.alert}.md`);
      expect(page, rule.alert).toBeDefined();
      expect(page!.startsWith(`# ${rule.alert}\n`)).toBe(true);
    }
  });
});
