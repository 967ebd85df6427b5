/**
 * The one definition of the configuration. The TypeScript types (defineConfig), the
 * JSON Schema (`linkerd-slo schema`, out/schema/) and the reference table in the README
 * are all derived from this file.
 */
import { z } from 'zod';
import { isDuration, parseDuration } from '../promql/number.js';
import { SUPPORTED_VERSIONS } from '../linkerd/catalog.js';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
const labelMap = z.record(labelName, z.string());
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", starting and ending alphanumeric')
  .max(63);
const duration = z.string().refine(isDuration, { message: 'must be a Prometheus duration such as 5m, 1h or 30d' });
const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/**
 * Control-plane components whose server side the proxies can measure. proxy-injector is not one:
 * the chart marks its webhook port 8443 opaque (config.linkerd.io/opaque-ports in
 * linkerd-control-plane/templates/proxy-injector.yaml), so its proxy records no HTTP responses;
 * its availability is watched through scrape health and replicas instead.
 */
export const COMPONENTS = ['destination', 'policy', 'identity'] as const;
export const CLIENT_COMPONENTS = ['destination', 'policy', 'identity'] as const;

const burnRateWindow = z
  .strictObject({
    severity: z.enum(['page', 'ticket']).describe('Which severity (alerting.severities) the alert carries.'),
    long: duration.describe('Long window: the burn rate must be high over this window (e.g. 1h).'),
    short: duration.describe('Short window, normally 1/12 of the long one: makes the alert stop soon after recovery (e.g. 5m).'),
    budgetConsumed: z
      .number()
      .gt(0)
      .lte(100)
      .describe('Percent of the period\'s error budget the long window must consume to fire. The burn-rate factor is budgetConsumed/100 × period / long.'),
    for: duration.optional().describe('How long the condition must hold before the alert fires.'),
  })
  .refine((w) => parseDuration(w.short) < parseDuration(w.long), { message: 'short must be shorter than long', path: ['short'] });

/** The SRE Workbook's multiwindow, multi-burn-rate table (Table 5-8 plus the 1d/2h ticket pair). */
export const DEFAULT_WINDOWS = [
  { severity: 'page', long: '1h', short: '5m', budgetConsumed: 2, for: '2m' },
  { severity: 'page', long: '6h', short: '30m', budgetConsumed: 5, for: '15m' },
  { severity: 'ticket', long: '1d', short: '2h', budgetConsumed: 10, for: '1h' },
  { severity: 'ticket', long: '3d', short: '6h', budgetConsumed: 10, for: '3h' },
] as const;

const objective = z
  .number()
  .gt(0)
  .lt(100)
  .describe('Target in percent of good events over the period, e.g. 99.9.');

const successRate = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate this SLO.'),
  objective: objective.default(99.9),
  period: duration.default('30d').describe('SLO period (rolling window), e.g. 30d or 28d.'),
  components: z
    .array(z.enum(COMPONENTS))
    .default([...COMPONENTS])
    .describe('Server side: control-plane components whose inbound gRPC/HTTP responses (seen by their own proxies) are measured.'),
  clientSide: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Also measure how every meshed proxy experiences the control plane (control_response_total).'),
      objective: objective.default(99.9),
      components: z.array(z.enum(CLIENT_COMPONENTS)).default([...CLIENT_COMPONENTS]),
    })
    .prefault({})
    .describe('Client side: control_response_total from every proxy, per control-plane service it calls.'),
  ports: z
    .strictObject({
      destination: z.number().int().positive().default(8086),
      policy: z.number().int().positive().default(8090),
      identity: z.number().int().positive().default(8080),
    })
    .prefault({})
    .describe('Serving ports per component; only requests to these ports count, so probes and metric scrapes on admin ports do not dilute the SLI.'),
});

/** Components whose server-side latency can be measured: the same as for success rate. */
export const LATENCY_COMPONENTS = COMPONENTS;

const latencyThresholdMs = z
  .number()
  .positive()
  .describe(
    'Milliseconds of time to first byte at or under which a response counts as fast. Must be one of the bounds of Linkerd\'s ' +
      'response_latency_ms histogram: 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, ' +
      '10000, 20000, 30000, 40000 or 50000.',
  );

const latencyConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate this SLO.'),
  objective: objective.default(99),
  period: duration.default('30d').describe('SLO period (rolling window), e.g. 30d or 28d.'),
  components: z
    .array(z.enum(LATENCY_COMPONENTS))
    .default(['identity'])
    .describe(
      'Components whose inbound response latency (time to first byte, seen by their own proxies) is measured. ' +
        'identity (default): Certify is a unary call, so its latency is the whole certificate issuance. ' +
        'destination and policy (opt-in): proxies hold long-lived watch streams, so their latency is the time to the first ' +
        'discovery/policy update, and a stream cancelled before its first update is recorded with its whole lifetime; ' +
        'enable them with a generous threshold.',
    ),
  thresholdMs: latencyThresholdMs.default(1000),
  componentThresholdMs: z
    .strictObject({
      destination: latencyThresholdMs.optional(),
      policy: latencyThresholdMs.optional(),
      identity: latencyThresholdMs.optional(),
    })
    .prefault({})
    .describe('Per-component override of thresholdMs, e.g. {destination: 2000}.'),
  ports: z
    .strictObject({
      destination: z.number().int().positive().default(8086),
      policy: z.number().int().positive().default(8090),
      identity: z.number().int().positive().default(8080),
    })
    .prefault({})
    .describe('Serving ports per component; only responses on these ports count, so probes and metric scrapes on admin ports do not dilute the SLI.'),
  spike: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when p99 latency spikes, before much budget is spent.'),
      factor: z
        .number()
        .gt(1)
        .default(3)
        .describe('Fire when the 5m p99 latency of a component exceeds factor × its threshold. factor × threshold must stay below 50000 ms, the largest finite bucket.'),
      for: duration.default('10m').describe('How long the p99 must stay above the limit before the ticket opens.'),
    })
    .prefault({})
    .describe('LinkerdControlPlaneLatencySpike: a ticket when the p99 latency exceeds a multiple of the threshold; respects alerting.lowTraffic over its 5m window.'),
  volumeChange: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when a component\'s request rate departs sharply from its baseline.'),
      window: duration.default('1h').describe('Window of the current request rate.'),
      baseline: duration.default('1d').describe('The baseline is the average of the current-window rate over this much history; must be longer than window.'),
      dropBelowPercent: z
        .number()
        .gt(0)
        .lt(100)
        .default(20)
        .describe('Fire when the current rate falls below this percent of the baseline (proxies may no longer reach the component).'),
      riseAboveFactor: z.number().gt(1).default(5).describe('Fire when the current rate exceeds this multiple of the baseline (mass restarts, reconnect storms).'),
      for: duration.default('15m').describe('How long the change must hold before the ticket opens.'),
    })
    .prefault({})
    .describe('LinkerdControlPlaneRequestVolumeChange: a ticket when request volume departs sharply from its recent baseline; respects alerting.lowTraffic over its window.'),
});

/** Kubernetes object name (DNS subdomain): Secrets, ConfigMaps and cert-manager Certificates. */
const k8sObjectName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name: lower-case letters, digits, "-" and ".", starting and ending alphanumeric')
  .max(253);

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

export const CERTIFICATE_CLASSES = ['issuer', 'trust-anchor', 'webhook'] as const;

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

export const certificatesConfig = z.strictObject({
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
});

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
    cluster: k8sName.describe('Name of the cluster this bundle monitors; used in rule group, object, file and dashboard names and in alert text.'),
    linkerd: z
      .strictObject({
        version: z
          .enum(SUPPORTED_VERSIONS)
          .default('2.18')
          .describe('Linkerd minor version of the control plane and proxies; metric names and labels changed in 2.10, 2.11, 2.15, 2.16, 2.18 and 2.19.'),
        namespace: k8sName.default('linkerd').describe('Control-plane namespace.'),
        vizNamespace: k8sName.default('linkerd-viz').describe('Linkerd Viz namespace.'),
        proxyJob: z
          .string()
          .min(1)
          .default('linkerd-proxy')
          .describe('Prometheus job label of proxy scrapes: "linkerd-proxy" with the Linkerd scrape config, "linkerd/linkerd-proxy" with the chart\'s PodMonitor.'),
        controllerJob: z
          .string()
          .min(1)
          .default('linkerd-controller')
          .describe('Prometheus job label of control-plane container scrapes ("linkerd/linkerd-controller" with PodMonitors).'),
      })
      .prefault({})
      .describe('The Linkerd installation being monitored and how Prometheus scrapes it.'),
    prometheus: z
      .strictObject({
        extraMatchers: labelMap.default({}).describe('Equality matchers added to every selector, e.g. {cluster: prod-eu1}.'),
        ruleLabels: labelMap.default({}).describe('Labels added to every recording and alerting rule, e.g. {team: platform}.'),
      })
      .prefault({})
      .describe('How selectors and rules fit your Prometheus.'),
    kubernetes: z
      .strictObject({
        namespace: k8sName.default('monitoring').describe('Namespace of the PrometheusRule object.'),
        release: z
          .string()
          .default('kube-prometheus-stack')
          .describe('Value of the "release" label kube-prometheus-stack\'s default ruleSelector requires; empty string to omit.'),
        labels: labelMap.default({}).describe('More labels on the PrometheusRule object.'),
      })
      .prefault({})
      .describe('The PrometheusRule object (out/kubernetes/).'),
    alerting: z
      .strictObject({
        severities: z
          .strictObject({
            page: z.string().min(1).default('critical'),
            ticket: z.string().min(1).default('warning'),
          })
          .prefault({})
          .describe('Value of the severity label for paging and ticket alerts.'),
        runbookBaseUrl: url
          .default('https://github.com/linkerd-slo/linkerd-slo/blob/main/out/runbooks')
          .describe('Base URL where the generated runbooks (out/runbooks/*.md) are published; runbook_url = <base>/<AlertName>.md.'),
        grafanaBaseUrl: url.optional().describe('Grafana URL; when set, alerts get a dashboard_url annotation.'),
        lowTraffic: z
          .strictObject({
            minRequests: z
              .number()
              .int()
              .min(0)
              .default(100)
              .describe('A burn-rate alert fires only when its long window holds at least this many requests, so one failure among a handful of requests cannot page. 0 disables the guard.'),
          })
          .prefault({}),
        windows: z
          .array(burnRateWindow)
          .min(1)
          .default(DEFAULT_WINDOWS.map((w) => ({ ...w })))
          .describe('Multiwindow, multi-burn-rate alert table (SRE Workbook ch. 5).'),
        absentFor: duration.default('10m').describe('How long SLI metrics must be missing before the "metrics absent" alert fires.'),
      })
      .prefault({}),
    slos: z
      .strictObject({
        controlPlaneSuccessRate: successRate.prefault({}).describe('Success rate of the Linkerd control plane (destination, policy, identity).'),
        certificates: certificatesConfig
          .prefault({})
          .describe('Certificate expiry: proxy workload certificates, the identity issuer, the trust anchor and webhook certificates, from Linkerd, cert-manager or x509-certificate-exporter.'),
        controlPlaneLatency: latencyConfig
          .prefault({})
          .describe('Latency of the Linkerd control plane: share of inbound responses (time to first byte) at or under a threshold, per component.'),
      })
      .prefault({}),
  })
  .describe('linkerd-slo configuration: one file compiles into Prometheus rules, PrometheusRule objects, runbooks and Grafana dashboards.');

/** What a user writes (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** The validated configuration with every default filled in. */
export type Config = z.output<typeof ConfigSchema>;

/** Identity function that gives a TypeScript config file completion and type checking. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://github.com/linkerd-slo/linkerd-slo/schema/linkerd-slo.schema.json', title: 'linkerd-slo configuration' };
}
