/** The `slos.certificates` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { labelName, labelMap, k8sName, duration, subSecondDuration, k8sObjectName } from '../../config/fields.js';
import type { ConfigSection } from '../../config/section.js';

/** Ticket/page thresholds on the remaining validity of one certificate class. */
function expiryThresholds(defaults: { ticketBelow: string; pageBelow: string; ticketWhy: string; pageWhy: string }) {
  return {
    ticketBelow: duration
      .default(defaults.ticketBelow)
      .describe(`Open a ticket when less validity than this is left. Default ${defaults.ticketBelow}: ${defaults.ticketWhy}`),
    pageBelow: duration
      .default(defaults.pageBelow)
      .describe(`Page when less validity than this is left; must be below ticketBelow. Default ${defaults.pageBelow}: ${defaults.pageWhy}`),
    ticketFor: duration
      .default('15m')
      .describe('How long the remaining validity must stay below ticketBelow before the ticket opens. Default 15m: validity only shrinks between renewals, so this only rides out a renewal in flight.'),
    pageFor: duration
      .default('5m')
      .describe('How long the remaining validity must stay below pageBelow before paging. Default 5m: short, because every minute of delay is a minute less to act.'),
  };
}

const LONG_LIVED = {
  ticketBelow: '60d',
  pageBelow: '7d',
  ticketWhy: 'what `linkerd check` warns at ("valid for at least 60 days").',
  pageWhy: 'a week leaves time to rotate even through a change freeze or a holiday.',
};

const CERTIFICATE_CLASSES = ['issuer', 'trust-anchor', 'webhook'] as const;

const x509Object = z.strictObject({
  kind: z
    .enum(['secret', 'configmap'])
    .default('secret')
    .describe('Where the exporter reads the certificate: a Secret (labels secret_namespace/secret_name) or a ConfigMap (labels configmap_namespace/configmap_name, x509-certificate-exporter v4; the v3 label set for ConfigMaps is unconfirmed).'),
  name: k8sObjectName.describe('Name of the Secret or ConfigMap.'),
  namespace: k8sName.optional().describe('Its namespace; omitted: the control-plane namespace (linkerd.namespace).'),
});

function x509Class(title: string, objects: Array<{ kind?: 'secret' | 'configmap'; name: string; namespace?: string }>, why: string) {
  return z
    .strictObject({
      enabled: z.boolean().default(true).describe(`Alert on the ${title} (when x509Exporter is enabled).`),
      objects: z.array(x509Object).default(objects.map((o) => ({ kind: o.kind ?? 'secret', ...o }))).describe(`Objects holding the ${title}. ${why}`),
      ...expiryThresholds(LONG_LIVED),
    })
    .prefault({})
    .describe(`The ${title}: objects to watch and thresholds.`);
}

const certificatesConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate certificate-expiry alerts. Expired certificates are the most common cause of Linkerd downtime.'),
  absentFor: duration
    .default('30m')
    .describe('How long an enabled source may report nothing before LinkerdCertificateSourceAbsent opens a ticket. Default 30m: rides out exporter restarts and Prometheus reloads, yet a removed exporter is noticed long before any certificate it watched can expire unnoticed.'),
  workload: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Alert on proxies\' own (workload) certificates, from the proxy gauge (control_)identity_cert_expiration_timestamp_seconds.'),
      issuanceLifetime: duration
        .default('24h')
        .describe('Lifetime of workload certificates (Helm identity.issuer.issuanceLifetime, default 24h). Only used to check ticketBelow: a healthy proxy renews at 70% of the lifetime, so its remaining validity never normally drops below 30% of it (7.2h for 24h).'),
      ...expiryThresholds({
        ticketBelow: '6h',
        pageBelow: '1h',
        ticketWhy: 'just below the ~7.2h a healthy proxy reaches before renewing its 24h certificate, so it only fires when renewals fail (or the issuer itself expires within the day).',
        pageWhy: 'the proxy loses mTLS within the hour; restarting the pod or fixing identity must happen now.',
      }),
      refreshErrors: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Open a ticket when proxies fail to renew their certificate (Linkerd 2.15+ only: earlier proxies do not count failures separately).'),
          window: duration.default('15m').describe('Window of increase() over the refresh-error counter. Default 15m: a failing proxy retries within seconds, so a persistent failure shows up in every 15m window.'),
          for: duration.default('15m').describe('How long errors must keep occurring before the ticket opens. Default 15m: one failed refresh during an identity rollout, followed by success, does not ticket.'),
        })
        .prefault({})
        .describe('LinkerdProxyCertificateRefreshErrors: early warning, hours before the expiry alert.'),
    })
    .prefault({})
    .describe('Proxy workload certificates (24h leaves, renewed automatically).'),
  issuer: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Alert on the identity issuer from the identity controller\'s issuer_cert_ttl_seconds (Linkerd 2.18+; not generated for older versions: use certManager or x509Exporter there). With a short-lived cert-manager issuer (the docs use 48h) lower the thresholds or disable this and use certManager.'),
      ...expiryThresholds(LONG_LIVED),
    })
    .prefault({})
    .describe('Identity issuer (intermediate CA) as loaded by the identity controller.'),
  certManager: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Alert on cert-manager Certificates (needs cert-manager\'s metrics scraped).'),
      certificates: z
        .array(
          z.strictObject({
            name: k8sObjectName.describe('Name of the cert-manager Certificate.'),
            namespace: k8sName.optional().describe('Its namespace; omitted: the control-plane namespace (linkerd.namespace).'),
            certificate: z.enum(CERTIFICATE_CLASSES).describe('What it is: issuer, trust-anchor or webhook (the alerts\' certificate label).'),
          }),
        )
        .min(1)
        .default([
          { name: 'linkerd-identity-issuer', certificate: 'issuer' },
          { name: 'linkerd-trust-anchor', namespace: 'cert-manager', certificate: 'trust-anchor' },
        ])
        .describe('Certificates to watch. Defaults: the issuer and trust anchor of Linkerd\'s cert-manager guide (issuer in the control-plane namespace, anchor in cert-manager).'),
      namespaceLabel: labelName
        .default('exported_namespace')
        .describe('Label holding the Certificate\'s namespace. Default exported_namespace: a ServiceMonitor/PodMonitor scrape adds its own namespace label and renames cert-manager\'s; use namespace for scrapes that keep it.'),
      renewalGrace: duration
        .default('15m')
        .describe('A ticket opens when the renewal time (certmanager_certificate_renewal_timestamp_seconds) is this far in the past and the certificate was not renewed. Default 15m: CA issuers renew within seconds; keep it well below the smallest renewBefore (the docs\' webhook example uses 1h). Renewal-overdue works for any lifetime, unlike fixed day thresholds that always fire on a 48h issuer.'),
      pageBelow: duration
        .default('7d')
        .describe('Page when renewal is overdue and less validity than this is left. Default 7d: pages at once for short-lived (48h) issuers whose renewal failed, a week ahead for year-long anchors.'),
      notReadyFor: duration
        .default('15m')
        .describe('How long a Certificate may be Ready=False before a ticket opens. Default 15m: longer than a normal issuance.'),
    })
    .prefault({})
    .describe('cert-manager Certificates (issuer, trust anchor, webhooks): renewal overdue, not ready.'),
  x509Exporter: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Alert from enix x509-certificate-exporter (x509_cert_not_after), which must watch these Secrets/ConfigMaps (add Opaque:crt.pem for the default issuer Secret and the ConfigMap key ca-bundle.crt).'),
      trustAnchor: x509Class(
        'trust anchor',
        [{ kind: 'configmap', name: 'linkerd-identity-trust-roots' }],
        'Default: the ConfigMap linkerd-identity-trust-roots (key ca-bundle.crt) every proxy trusts; add the anchor Secret if cert-manager manages it.',
      ),
      issuer: x509Class(
        'identity issuer',
        [{ name: 'linkerd-identity-issuer' }],
        'Default: the Secret linkerd-identity-issuer. With a short-lived cert-manager issuer prefer certManager.',
      ),
      webhooks: x509Class(
        'webhook serving certificates',
        [
          { name: 'linkerd-proxy-injector-k8s-tls' },
          { name: 'linkerd-sp-validator-k8s-tls' },
          { name: 'linkerd-policy-validator-k8s-tls' },
          { name: 'tap-k8s-tls', namespace: 'linkerd-viz' },
          { name: 'tap-injector-k8s-tls', namespace: 'linkerd-viz' },
        ],
        'Default: the core webhook Secrets and the Viz ones (set their namespace if Viz is not in linkerd-viz). Helm generates them for 365 days and renews them on every upgrade.',
      ),
    })
    .prefault({})
    .describe('x509-certificate-exporter on the trust anchor, issuer and webhook Secrets/ConfigMaps.'),
  nodeClock: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Alert on node clocks from node-exporter\'s timex collector (node_timex_offset_seconds, node_timex_maxerror_seconds, node_timex_sync_status; needs node-exporter scraped). A proxy checks a peer certificate\'s NotBefore and NotAfter against its own node\'s clock, so a skewed node breaks mTLS for every pod on it.'),
      matchers: labelMap
        .default({})
        .describe('Equality matchers picking node-exporter\'s series, e.g. {job: node-exporter}, when something else also exposes node_timex_*. Default none: only node-exporter exposes these names.'),
      nodeLabel: labelName
        .default('instance')
        .describe('Label naming the node in the alerts\' text. Default instance: kube-prometheus relabels node-exporter\'s instance to the node name.'),
      ticketAbove: subSecondDuration
        .default('500ms')
        .describe('Open a ticket when a node\'s clock may be off by more than this: |node_timex_offset_seconds| plus node_timex_maxerror_seconds, the kernel\'s own bound on its error. Default 500ms: a synchronised node stays within milliseconds, so this means time sync has failed, yet it is 20 times below pageAbove, leaving hours to fix it before certificates are affected.'),
      ticketFor: duration.default('10m').describe('How long the bound must stay above ticketAbove before the ticket opens. Default 10m: rides out a time daemon restart.'),
      pageAbove: subSecondDuration
        .default('10s')
        .describe('Page when a node\'s measured offset (|node_timex_offset_seconds|) is larger than this; must be above ticketAbove. Default 10s: the identity controller backdates every certificate\'s NotBefore by identity.issuer.clockSkewAllowance (Helm default 20s) and nothing else tolerates skew, so two nodes each within 10s of true time still accept each other\'s fresh certificates. Set it to half your clockSkewAllowance.'),
      pageFor: duration.default('2m').describe('How long the offset must stay above pageAbove before paging. Default 2m: long enough to ignore a single bad reading; a node this far off rejects new certificates now.'),
      unsyncedFor: duration
        .default('10m')
        .describe('How long the kernel may report the clock unsynchronised (node_timex_sync_status 0 throughout a 5m window) before a ticket opens. Default 10m: a booting node synchronises within minutes.'),
    })
    .prefault({})
    .describe('Node clock skew from node-exporter (off by default, like the other optional sources): a skewed node clock makes proxies reject valid certificates as not yet valid or expired.'),
});

export const configSection = {
  key: 'certificates',
  schema: certificatesConfig
    .prefault({})
    .describe('Certificate expiry: proxy workload certificates, the identity issuer, the trust anchor and webhook certificates, from Linkerd, cert-manager or x509-certificate-exporter.'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts).
  examples: {
    allOptions: { certManager: { enabled: true }, x509Exporter: { enabled: true }, nodeClock: { enabled: true } },
    off: { enabled: false },
  },
} as const satisfies ConfigSection;
