/**
 * The one definition of the configuration. The TypeScript types (defineConfig), the
 * JSON Schema (`linkerd-slo schema`, out/schema/) and the reference table in the README
 * are all derived from this file.
 */
import { z } from 'zod';
import { isDuration, parseDuration } from '../promql/number.js';
import { CONTROLLER_COMPONENTS, SUPPORTED_VERSIONS, VIZ_COMPONENTS } from '../linkerd/catalog.js';
import { CONTROL_CHARACTERS, quote } from '../text.js';

/**
 * A Prometheus label name (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels).
 * Names starting with "__" are reserved for Prometheus' internal use (__name__, and the __*__ labels
 * relabelling drops), so none of them can be a matcher or a rule label.
 */
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME_MESSAGE = 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) not starting with "__" (reserved for Prometheus\' internal labels)';
const labelName = z.string().regex(LABEL_NAME, LABEL_NAME_MESSAGE);
const labelMap = z.record(labelName, z.string(), {
  error: (issue) => (issue.code === 'invalid_key' ? `label name ${quote(issue.input)} ${LABEL_NAME_MESSAGE}` : undefined),
});

/**
 * Limits that hold for every string of the config (checked over the whole document, so sections
 * added later are covered too): at most MAX_STRING characters (a label value repeats in every
 * rule, so one large value multiplies the output), no control characters or line separators
 * (they would end a YAML comment or a Markdown line in what we write), and no Go template
 * delimiters: Prometheus expands {{ }} in alert labels and annotations, so a config value holding
 * them would run as a template, and a `query` action runs PromQL on every evaluation
 * (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/#templating and
 * .../configuration/template_reference/#queries).
 * Descriptions are free text: up to 1050 characters (OpenSLO's limit) and may hold newlines and tabs.
 */
export const MAX_STRING = 1024;
const MAX_DESCRIPTION = 1050;

function stringProblem(value: string, freeText: boolean): string | undefined {
  // A description field states its own maximum (MAX_DESCRIPTION), so it is not reported twice.
  if (!freeText && value.length > MAX_STRING) return `is ${value.length} characters long; at most ${MAX_STRING} are allowed`;
  const control = (freeText ? value.replace(/[\n\t]/g, ' ') : value).match(CONTROL_CHARACTERS);
  if (control) return `contains the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}; line breaks and control characters are not allowed here`;
  if (value.includes('{{') || value.includes('}}')) return 'contains "{{" or "}}": Prometheus would run it as a template in alert labels and annotations';
  return undefined;
}

/** Every string (and mapping key) of a parsed document that breaks the limits above. */
function stringIssues(value: unknown, path: Array<string | number>, out: Array<{ path: Array<string | number>; message: string }>): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value, path[path.length - 1] === 'description');
    if (problem) out.push({ path, message: problem });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => stringIssues(v, [...path, i], out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const problem = stringProblem(k, false);
      if (problem) out.push({ path: [...path, k], message: `key ${problem} (${quote(k, 40)})` });
      else stringIssues(v, [...path, k], out);
    }
  }
}

/** Prometheus `job` label value of a scrape: the job names Prometheus, the Operator and Helm charts produce. */
const jobName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'must be a Prometheus job name: letters, digits, "_", ".", ":", "/" and "-", starting with a letter or digit');
/** A severity label value: a plain word, as Alertmanager routes match it. */
const severityValue = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a severity name: letters, digits, "_", "." and "-", starting with a letter or digit');
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", starting and ending alphanumeric')
  .max(63);
/**
 * A Mimir/Cortex tenant ID, as Grafana Mimir documents them
 * (https://grafana.com/docs/mimir/latest/configure/about-tenant-ids/): up to 150
 * letters, digits and ! - _ . * ' ( ), and not "." or "..".
 */
const tenantId = z
  .string()
  .min(1)
  .max(150)
  .regex(/^[A-Za-z0-9!_.*'()-]+$/, 'must be a Mimir tenant ID: letters, digits and ! - _ . * \' ( )')
  .refine((t) => t !== '.' && t !== '..', { message: 'must not be "." or ".."' });
const duration = z.string().refine(isDuration, { message: 'must be a Prometheus duration such as 5m, 1h or 30d' });
/**
 * http(s) URLs only, and only characters RFC 3986 allows unencoded except ' ( ) [ ] (which would
 * end a Markdown link): the URL lands in alert annotations, runbooks and Grafana links.
 */
const url = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL', abort: true })
  .regex(/^[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+$/, 'must be an http(s) URL of unreserved characters; percent-encode spaces, quotes, brackets and parentheses');

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

/**
 * The SRE Workbook's multiwindow, multi-burn-rate table (Table 5-8 plus the 1d/2h ticket pair). The
 * pages have no `for`, as in the Workbook: the short window is the debounce, and a 30 s blip or a
 * 3-minute 20% burst stays below the long window's threshold (bench/RESULTS.md, alert quality).
 */
export const DEFAULT_WINDOWS = [
  { severity: 'page', long: '1h', short: '5m', budgetConsumed: 2 },
  { severity: 'page', long: '6h', short: '30m', budgetConsumed: 5 },
  { severity: 'ticket', long: '1d', short: '2h', budgetConsumed: 10, for: '1h' },
  { severity: 'ticket', long: '3d', short: '6h', budgetConsumed: 10, for: '3h' },
] as const;

const objective = z
  .number()
  .gt(0)
  .lt(100)
  .describe('Target in percent of good events over the period, e.g. 99.9.');

/** The control-plane components' serving ports (chart defaults), shared by every server-side SLI. */
const servingPorts = z
  .strictObject({
    destination: z.number().int().positive().default(8086),
    policy: z.number().int().positive().default(8090),
    identity: z.number().int().positive().default(8080),
  })
  .prefault({})
  .describe('Serving ports per component; only responses on these ports count, so probes and metric scrapes on admin ports do not dilute the SLI.');

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
  ports: servingPorts,
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
  ports: servingPorts,
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
      ticketAbove: duration
        .default('500ms')
        .describe('Open a ticket when a node\'s clock may be off by more than this: |node_timex_offset_seconds| plus node_timex_maxerror_seconds, the kernel\'s own bound on its error. Default 500ms: a synchronised node stays within milliseconds, so this means time sync has failed, yet it is 20 times below pageAbove, leaving hours to fix it before certificates are affected.'),
      ticketFor: duration.default('10m').describe('How long the bound must stay above ticketAbove before the ticket opens. Default 10m: rides out a time daemon restart.'),
      pageAbove: duration
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

export const availabilityConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate control-plane availability and hygiene alerts (scrape health, HA replicas, proxy version skew). Default true: scrape health and skew only need the controller and proxy scrapes every Linkerd Prometheus already has.'),
  components: z
    .array(z.enum(CONTROLLER_COMPONENTS))
    .default([...CONTROLLER_COMPONENTS])
    .describe(
      'Core control-plane containers (the `component` label of the controller job) whose scrape health is watched. Each is only watched on ' +
        'versions where it exists and its /metrics works: policy from 2.13 (404 or not scraped before), public-api only on 2.10. Default: all of them.',
    ),
  pageComponents: z
    .array(z.enum(CONTROLLER_COMPONENTS))
    .default(['destination', 'identity', 'proxy-injector'])
    .describe(
      'Components for which every instance down pages (a partial outage stays a ticket). Default destination, identity, proxy-injector: without them ' +
        'proxies get no discovery updates, no new certificates, and new pods no proxy. Must be listed in components.',
    ),
  viz: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Also watch Linkerd Viz containers. Default true: the controller scrape job ships with Viz\'s Prometheus, so clusters that have it usually run Viz; set false without Viz.'),
      components: z
        .array(z.enum(VIZ_COMPONENTS))
        .default(['metrics-api', 'tap', 'tap-injector', 'web'])
        .describe('Viz containers to watch (tickets only). Default: the Viz API, tap and web containers; prometheus is left out because a BYOP setup has none and Viz\'s own is the one evaluating these rules. Never watched: grafana (2.10–2.11; its own grafana job scrapes it), and any Viz container under the chart\'s PodMonitor from 2.19 (it keeps only ports matching .*-admin$; Viz ports are named admin).'),
    })
    .prefault({})
    .describe('Linkerd Viz containers scraped by the same controller job.'),
  down: z
    .strictObject({
      ticketFor: duration
        .default('15m')
        .describe('How long an instance must fail its scrape (up == 0) before LinkerdControlPlaneComponentDown opens a ticket. Default 15m: rides out rollouts and node drains, catches a crash-looping replica.'),
      pageFor: duration
        .default('5m')
        .describe('How long every instance of a paging component must be down before it pages. Default 5m: longer than a container restart, short enough that discovery or identity outages are acted on while proxies still run on cached state.'),
    })
    .prefault({})
    .describe('LinkerdControlPlaneComponentDown: scrape failures per component.'),
  notScrapedFor: duration
    .default('10m')
    .describe('How long a watched component (or, with replicas enabled, a Deployment in kube-state-metrics) may have no series at all before a ticket opens. Default 10m: rides out Prometheus reloads and target relabelling during upgrades.'),
  replicas: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Alert on available replicas of linkerd-destination, linkerd-identity and linkerd-proxy-injector from kube-state-metrics (kube_deployment_status_replicas_available). Default false: needs kube-state-metrics, which Linkerd does not ship.'),
      expected: z
        .number()
        .int()
        .min(1)
        .default(3)
        .describe('Replicas each Deployment should have available (LinkerdControlPlaneReplicasBelowHA tickets below it). Default 3: the HA values (controllerReplicas: 3).'),
      for: duration
        .default('15m')
        .describe('How long available replicas must stay below expected before the ticket opens. Default 15m: a rolling update (maxUnavailable 1) briefly has one fewer.'),
      injectorUnavailableFor: duration
        .default('5m')
        .describe('How long linkerd-proxy-injector may have no available replica before LinkerdProxyInjectorUnavailable pages. Default 5m: in HA mode the injector webhook fails closed, so no pod in an injected namespace can be created meanwhile.'),
      namespaceLabel: labelName
        .default('namespace')
        .describe('Label holding the Deployment\'s namespace on kube-state-metrics series. Default namespace (kube-prometheus-stack scrapes it with honorLabels); exported_namespace when your scrape renames it.'),
    })
    .prefault({})
    .describe('HA replica checks from kube-state-metrics (optional source).'),
  versionSkew: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when proxies run a release too far behind the control plane (proxy_build_info). Default true: one cheap series per proxy, and an unsupported skew silently blocks the next upgrade.'),
      maxReleasesBehind: z
        .number()
        .int()
        .min(0)
        .default(1)
        .describe('Linkerd releases (2.<major>) a proxy may lag the control plane (linkerd.version). Default 1: Linkerd supports proxies one major version behind the control plane.'),
      for: duration
        .default('1h')
        .describe('How long old proxies must be present before the ticket opens. Default 1h: data-plane rollouts after an upgrade take a while; a pod that survives them is a real leftover.'),
    })
    .prefault({})
    .describe('LinkerdProxyVersionSkew: proxies from a release more than maxReleasesBehind behind the control plane.'),
});

/** Containers of one control-plane replica set that the per-node plan covers (controller job `component` label, §2.3). */
const CORE_CONTROL_PLANE_CONTAINERS = ['destination', 'sp-validator', 'policy', 'identity', 'proxy-injector'];

export const proxyResourcesConfig = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe('Generate proxy and control-plane resource alerts. Default true: they read only the proxies\' and controllers\' own process metrics, which every Linkerd version exports.'),
  budget: z
    .strictObject({
      cpuCoresPer1kRps: z
        .number()
        .positive()
        .default(0.25)
        .describe('CPU cores a proxy may use per 1,000 requests per second it handles (inbound + outbound). Default 0.25: the Linkerd runbook\'s rule of thumb.'),
      memoryMiBPer1kRps: z
        .number()
        .positive()
        .default(20)
        .describe('Memory (MiB) a proxy may use per 1,000 requests per second. Default 20: the runbook\'s "20 MB per 1,000 RPS" (MiB vs MB is well inside the rule of thumb\'s precision).'),
      idleCpuCores: z
        .number()
        .positive()
        .default(0.1)
        .describe('CPU cores every proxy may use on top of the per-RPS budget (the idle floor; must be > 0). Default 0.1: an idle proxy uses a few millicores; 0.1 absorbs TLS handshakes, discovery updates and scrapes without hiding a runaway proxy.'),
      idleMemoryMiB: z
        .number()
        .positive()
        .default(64)
        .describe('Memory (MiB) every proxy may use on top of the per-RPS budget (the idle floor; must be > 0). Default 64: idle proxies hold tens of MB, more when they talk to many destinations (discovery caches, connection pools).'),
      for: duration
        .default('1h')
        .describe('How long a proxy must stay over its budget before LinkerdProxyOverResourceBudget opens a ticket. Default 1h: "persistently" over budget; traffic bursts, rollouts and GC-like allocator spikes pass well within an hour.'),
    })
    .prefault({})
    .describe('Per-proxy budget: idle floor + per-1k-RPS share, against process_cpu_seconds_total and process_resident_memory_bytes of the proxy job.'),
  highThroughput: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Open a ticket when a pod above requestsPerSecond still runs its proxy on default resources. Needs kubernetesMetrics (kube-state-metrics): without it the alert is not generated and the dashboard only counts such pods.'),
      requestsPerSecond: z
        .number()
        .positive()
        .default(5000)
        .describe('The high-throughput line, in requests per second through the pod\'s proxy (inbound + outbound). Default 5000: above ~5,000 RPS the runbook calls for custom proxy resources.'),
      defaultCpuLimitCores: z
        .number()
        .positive()
        .optional()
        .describe('The CPU limit your installation gives every proxy (Helm proxy.resources.cpu.limit), if any. A proxy with no CPU limit, or exactly this one, counts as on default resources. Omitted: only "no CPU limit" counts, which is Linkerd\'s default (a single runtime worker, no requests or limits).'),
      for: duration
        .default('1h')
        .describe('How long the pod must stay above the line before the ticket opens. Default 1h: a sustained load level, not a burst.'),
    })
    .prefault({})
    .describe('LinkerdProxyHighThroughputDefaultResources: pods above the high-throughput line still on default proxy resources.'),
  kubernetesMetrics: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Use cAdvisor (container_*) and kube-state-metrics (kube_pod_container_*) series for the linkerd-proxy container: memory near its limit, CPU throttling, default-resources detection. Default false: neither ships with Linkerd.'),
      cadvisorMatchers: labelMap
        .default({})
        .describe('Equality matchers that select cAdvisor series, e.g. {job: kubelet, metrics_path: /metrics/cadvisor}. Default none: the metric names and container="linkerd-proxy" suffice.'),
      kubeStateMetricsMatchers: labelMap
        .default({})
        .describe('Equality matchers that select kube-state-metrics (v2) series, e.g. {job: kube-state-metrics}. Default none. Its namespace and pod labels must be the pod\'s (kube-prometheus-stack scrapes it with honorLabels).'),
      memoryNearLimit: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Page when a proxy container\'s working set nears its memory limit (OOM-kill risk).'),
          ratio: z
            .number()
            .gt(0)
            .lte(1)
            .default(0.9)
            .describe('Fire above this share of the memory limit. Default 0.9: at 90% one traffic burst away from an OOM kill, which drops every connection of the pod.'),
          for: duration.default('5m').describe('How long the working set must stay above the ratio. Default 5m: longer than an allocation spike, shorter than a typical leak-to-OOM run.'),
        })
        .prefault({})
        .describe('LinkerdProxyMemoryNearLimit (page).'),
      cpuThrottled: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Open a ticket when a proxy container is CPU-throttled (only containers with a CPU limit can be).'),
          ratio: z
            .number()
            .gt(0)
            .lte(1)
            .default(0.25)
            .describe('Fire above this share of throttled CFS periods. Default 0.25, as kubernetes-mixin\'s CPUThrottlingHigh: each throttled period stalls every request the proxy holds.'),
          for: duration.default('15m').describe('How long throttling must persist. Default 15m: sustained, not a burst at startup.'),
        })
        .prefault({})
        .describe('LinkerdProxyCpuThrottled (ticket).'),
    })
    .prefault({})
    .describe('Optional source: cAdvisor and kube-state-metrics series for the linkerd-proxy container.'),
  controlPlane: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when the control plane outgrows its resource plan (LinkerdControlPlaneOverResourcePlan).'),
      containers: z
        .array(k8sName)
        .min(1)
        .default([...CORE_CONTROL_PLANE_CONTAINERS])
        .describe('Controller-job containers (`component` label) that one control-plane node hosts, one replica each. Default: the core containers destination, sp-validator, policy, identity and proxy-injector.'),
      perNodeCpuCores: z
        .number()
        .positive()
        .default(0.5)
        .describe('CPU cores planned for the control plane on each node. Default 0.5: the runbook\'s plan (0.5 core on each control-plane node, three nodes in HA mode).'),
      perNodeMemoryMiB: z
        .number()
        .positive()
        .default(512)
        .describe('Memory (MiB) planned for the control plane on each node. Default 512: the runbook\'s plan.'),
      for: duration.default('1h').describe('How long usage must exceed the plan before the ticket opens. Default 1h: outgrowing a plan is a trend, not a spike.'),
      prometheus: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe('Also watch the Prometheus that scrapes the mesh (the controller job\'s `prometheus` container, Linkerd Viz). No series, no alert: harmless without Viz\'s Prometheus. Off under the chart\'s PodMonitor from 2.19, which never scrapes it.'),
          memoryMiBPerMeshedPod: z
            .number()
            .positive()
            .default(5)
            .describe('Memory (MiB) planned per meshed pod (proxy scraped). Default 5: the runbook\'s ~5 MB per meshed pod.'),
          minimumMemoryMiB: z
            .number()
            .positive()
            .default(512)
            .describe('The plan never drops below this. Default 512: Prometheus\' own fixed overhead (head block, WAL, query buffers) dominates until ~100 meshed pods.'),
        })
        .prefault({})
        .describe('Memory plan of the mesh\'s Prometheus: memoryMiBPerMeshedPod × meshed pods, at least minimumMemoryMiB.'),
    })
    .prefault({})
    .describe('Control-plane resource plan, per node.'),
});

/** Delivery formats of the Grafana dashboards (out/grafana/). */
export const GRAFANA_FORMATS = ['import', 'provisioning', 'configmap', 'operator'] as const;

/** Kubernetes label key (optional DNS-subdomain prefix and a name of up to 63 characters) and value. */
const k8sLabelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a Kubernetes label key, e.g. grafana_dashboard or example.com/team',
  );
const k8sLabelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, 'must be a Kubernetes label value: up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric');
const k8sLabels = z.record(k8sLabelKey, k8sLabelValue);

const grafanaConfig = z.strictObject({
  formats: z
    .array(z.enum(GRAFANA_FORMATS))
    .min(1)
    .default([...GRAFANA_FORMATS])
    .describe(
      'Which delivery formats to write under out/grafana/: import (JSON with __inputs for the UI or the import API), provisioning ' +
        '(plain JSON plus a file-provider YAML), configmap (one ConfigMap per dashboard for the Grafana Helm chart sidecar), ' +
        'operator (one Grafana Operator GrafanaDashboard per dashboard).',
    ),
  folder: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'must be a Grafana folder title of letters, digits, spaces, "_", "." and "-", starting with a letter or digit')
    .default('Linkerd')
    .describe('Grafana folder of the dashboards: the provider\'s folder, the ConfigMaps\' folder annotation and the GrafanaDashboards\' spec.folder.'),
  datasource: z
    .string()
    .min(1)
    .max(190)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:/()-]*$/, 'must be a data source name or UID: letters, digits, spaces, "_", ".", ":", "/", "(", ")" and "-", starting with a letter or digit')
    .optional()
    .describe('Name or UID of the Prometheus data source the dashboards\' `datasource` variable starts on; omitted: Grafana\'s default data source. The import format asks for it instead.'),
  namespace: k8sName.optional().describe('Namespace of the ConfigMaps and GrafanaDashboards; omitted: kubernetes.namespace.'),
  labels: k8sLabels.default({}).describe('More labels on the ConfigMaps and GrafanaDashboards.'),
  sidecar: z
    .strictObject({
      label: k8sLabelKey.default('grafana_dashboard').describe('Label the Grafana Helm chart\'s dashboard sidecar selects ConfigMaps by (sidecar.dashboards.label).'),
      labelValue: k8sLabelValue
        .default('1')
        .describe('Its value. Default "1": what kube-prometheus-stack requires (sidecar.dashboards.labelValue), and accepted by the grafana chart\'s default (any value).'),
      folderAnnotation: k8sLabelKey
        .default('grafana_folder')
        .describe('Annotation carrying the folder; the sidecar only reads it when the chart sets sidecar.dashboards.folderAnnotation to the same key.'),
    })
    .prefault({})
    .describe('ConfigMaps for the Grafana Helm chart\'s dashboard sidecar (format configmap).'),
  provisioning: z
    .strictObject({
      path: z
        .string()
        .min(1)
        .regex(/^(\/[A-Za-z0-9_.-]+)+\/?$/, 'must be an absolute directory path of letters, digits, "_", "." and "-"')
        .refine((p) => !p.split('/').some((seg) => seg === '.' || seg === '..'), { message: 'must not contain "." or ".." segments' })
        .default('/var/lib/grafana/dashboards/linkerd-slo')
        .describe('Directory the file provider reads (options.path); copy the dashboard JSON files of out/grafana/ (not its sub-directories) there.'),
      updateIntervalSeconds: z.number().int().positive().default(60).describe('How often Grafana rereads the directory.'),
    })
    .prefault({})
    .describe('File provisioning (format provisioning): out/grafana/provisioning/<name>.yaml goes into Grafana\'s provisioning/dashboards/.'),
  operator: z
    .strictObject({
      instanceSelector: k8sLabels
        .default({ dashboards: 'grafana' })
        .describe('spec.instanceSelector.matchLabels: labels of the Grafana custom resources that receive the dashboards.'),
      allowCrossNamespaceImport: z
        .boolean()
        .default(false)
        .describe('Set when the Grafana instances live in another namespace than the GrafanaDashboards.'),
    })
    .prefault({})
    .describe('Grafana Operator GrafanaDashboard objects (grafana.integreatly.org/v1beta1, format operator).'),
});

/**
 * Custom SLOs on any Prometheus counters (Pyrra's ratio indicator): bad events over all events,
 * given as PromQL counter selectors. Also what `linkerd-slo import-openslo` produces.
 */
const counterSelector = z.string().min(1);

export const customConfig = z.array(
  z.strictObject({
    name: k8sName.describe('Name of the SLO: the `slo` label of its rules and alerts and the title of its dashboard row. A DNS label, unique among custom SLOs.'),
    description: z.string().max(MAX_DESCRIPTION).optional().describe('What the SLO promises, in words; shown in its runbook.'),
    objective: objective,
    period: duration.describe('SLO period (rolling window), e.g. 30d or 28d.'),
    errors: counterSelector
      .optional()
      .describe('Counter selector of bad events, e.g. http_requests_total{job="api",code=~"5.."}: a plain vector selector, no rate() or [range]. Set errors or good, not both.'),
    good: counterSelector
      .optional()
      .describe('Counter selector of good events, e.g. http_requests_total{job="api",code!~"5.."}; bad events are total − good. Set errors or good, not both.'),
    total: counterSelector.describe('Counter selector of all events, e.g. http_requests_total{job="api"}; a plain vector selector. Its absence raises LinkerdCustomSLOMetricsAbsent.'),
  }),
);

/** Workload kinds whose pods the linkerd-proxy job labels with the owner's name (`deployment`, …; linkerd-metrics.md §2.3). */
export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset'] as const;

const REQUEST_CLASS_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const REQUEST_CLASS_MESSAGE = 'must be a class name: up to 63 letters, digits and "_", starting with a letter (e.g. HIGH_FAST)';
const requestClassName = z.string().regex(REQUEST_CLASS_NAME, REQUEST_CLASS_MESSAGE);

type ClassDefaults = { successRate: number; why: string; latency?: { objective: number; thresholdMs: number; why: string } };

const classSuccessRateEnabled = z
  .boolean()
  .default(true)
  .describe('Measure the inbound success rate of the class\'s workloads (response_total, classification="failure").');

function classLatency(d?: ClassDefaults) {
  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(d?.latency !== undefined)
        .describe(
          d?.latency
            ? 'Measure the share of inbound responses at or under thresholdMs (response_latency_ms, time to first byte).'
            : 'Measure the share of inbound responses at or under thresholdMs. Default false: the class has no latency objective.',
        ),
      objective: objective
        .default(d?.latency?.objective ?? 99)
        .describe(
          'Percent of inbound responses that must be at or under thresholdMs. Default 99: the Workbook\'s 99th-percentile column; its 90th-percentile ' +
            'column cannot be alerted on (a 90% objective needs an impossible error ratio of 1.44 for the 1h/5m page).',
        ),
      thresholdMs: latencyThresholdMs
        .default(d?.latency?.thresholdMs ?? 1000)
        .describe(`${d?.latency ? `Default ${d.latency.thresholdMs}: ${d.latency.why} ` : 'Default 1000 (unused unless enabled). '}Must be a bucket bound of response_latency_ms.`),
    })
    .prefault({})
    .describe('Latency SLO of the class (LinkerdWorkloadLatencyBudgetBurn).');
}

/** A built-in request class (SRE Workbook Table 5-10), every field defaulted. */
function builtinClass(d: ClassDefaults) {
  return z
    .strictObject({
      successRate: z
        .strictObject({
          enabled: classSuccessRateEnabled,
          objective: objective.default(d.successRate).describe(`Percent of inbound responses that must succeed over the period. Default ${d.successRate}: ${d.why}`),
        })
        .prefault({})
        .describe('Success-rate SLO of the class (LinkerdWorkloadErrorBudgetBurn).'),
      latency: classLatency(d),
    })
    .prefault({})
    .describe(`Built-in request class: ${d.why}`);
}

/**
 * A custom request class: its success-rate objective must be stated. Optional in the input type so a
 * TypeScript config can override single fields of a built-in class (the map's index signature covers them).
 */
const customClass = z
  .strictObject({
    successRate: z
      .strictObject({
        enabled: classSuccessRateEnabled,
        objective: objective.optional().describe('Percent of inbound responses that must succeed over the period (required for a custom class).'),
      })
      .prefault({})
      .describe('Success-rate SLO of the class (LinkerdWorkloadErrorBudgetBurn).'),
    latency: classLatency(),
  })
  .superRefine((c, ctx) => {
    if (c.successRate.objective === undefined) {
      ctx.addIssue({ code: 'custom', path: ['successRate', 'objective'], message: 'required for a custom class (built-in classes: CRITICAL, HIGH_FAST, HIGH_SLOW, LOW)' });
    }
  })
  .transform((c) => ({ ...c, successRate: { ...c.successRate, objective: c.successRate.objective ?? 0 } }))
  .describe('A custom request class.');

const workloadItem = z
  .strictObject({
    namespace: k8sName.describe('Namespace of the workload\'s pods (the `namespace` label of the linkerd-proxy job).'),
    deployment: k8sObjectName.max(63).optional().describe('Deployment name (the `deployment` label, from the pod label linkerd.io/proxy-deployment).'),
    statefulset: k8sObjectName.max(63).optional().describe('StatefulSet name (the `statefulset` label).'),
    daemonset: k8sObjectName.max(63).optional().describe('DaemonSet name (the `daemonset` label).'),
    selector: labelMap
      .optional()
      .describe(
        'Instead of a workload name: equality matchers on the labels the linkerd-proxy job copies from pod labels (sanitised: app.kubernetes.io/name → ' +
          'app_kubernetes_io_name), e.g. {app: web}. Alerts then carry `workload` = name.',
      ),
    name: k8sName.optional().describe('Name of a selector workload in alerts and dashboards (the `workload` label); required with selector, not allowed otherwise.'),
    class: requestClassName.optional().describe('Request class (a key of classes); omitted: defaults.class.'),
  })
  .superRefine((w, ctx) => {
    const set = [...WORKLOAD_KINDS, 'selector'].filter((k) => w[k as keyof typeof w] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `set exactly one of deployment, statefulset, daemonset or selector (got ${set.length ? set.join(', ') : 'none'})` });
    }
    if (w.selector !== undefined && Object.keys(w.selector).length === 0) ctx.addIssue({ code: 'custom', path: ['selector'], message: 'needs at least one label' });
    if (w.selector !== undefined && w.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'required with selector: it names the workload in alerts' });
    if (w.selector === undefined && w.name !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'only for selector workloads; a deployment/statefulset/daemonset is named by its own key' });
  });

const routeItem = z.strictObject({
  namespace: k8sName.describe('Namespace of the parent Service (`parent_namespace`).'),
  service: k8sObjectName.max(63).describe('Name of the parent Service the route is attached to (`parent_name`).'),
  route: k8sObjectName.describe('Name of the HTTPRoute or GRPCRoute (`route_name`).'),
  routeNamespace: k8sName.optional().describe('Namespace of the route (`route_namespace`); omitted: namespace (a producer route). Set it for consumer routes.'),
  protocol: z
    .enum(['http', 'grpc'])
    .default('http')
    .describe('http: outbound_http_route_request_statuses_total, failure = 5xx status or a proxy error; grpc: outbound_grpc_route_request_statuses_total, failure = a gRPC status Linkerd classifies as failure by default (UNKNOWN, DEADLINE_EXCEEDED, PERMISSION_DENIED, INTERNAL, UNAVAILABLE, DATA_LOSS) or a proxy error.'),
  class: requestClassName.optional().describe('Request class (its success-rate objective applies); omitted: defaults.class.'),
});

export const workloadsConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate SLOs for the workloads and routes listed. Default true: with both lists empty (the default) nothing is generated.'),
  defaults: z
    .strictObject({
      class: requestClassName
        .default('HIGH_FAST')
        .describe('Class of workloads and routes that name none. Default HIGH_FAST: the Workbook\'s class for user-facing, interactive requests.'),
      period: duration.default('30d').describe('SLO period (rolling window) of every workload and route SLO. Default 30d, as the control-plane SLOs.'),
    })
    .prefault({})
    .describe('What applies to every workload and route unless it says otherwise.'),
  classes: z
    .object({
      CRITICAL: builtinClass({
        successRate: 99.99,
        why: 'the Workbook\'s CRITICAL class (Table 5-10): requests whose failure users notice at once (login, checkout).',
        latency: { objective: 99, thresholdMs: 200, why: 'the Workbook\'s 99th-percentile latency for CRITICAL (200 ms; 90% under 100 ms).' },
      }),
      HIGH_FAST: builtinClass({
        successRate: 99.9,
        why: 'the Workbook\'s HIGH_FAST class (Table 5-10): interactive requests.',
        latency: { objective: 99, thresholdMs: 200, why: 'the Workbook\'s 99th-percentile latency for HIGH_FAST (200 ms; 90% under 100 ms).' },
      }),
      HIGH_SLOW: builtinClass({
        successRate: 99.9,
        why: 'the Workbook\'s HIGH_SLOW class (Table 5-10): important but slower requests (reports, uploads).',
        latency: { objective: 99, thresholdMs: 5000, why: 'the Workbook\'s 99th-percentile latency for HIGH_SLOW (5,000 ms; 90% under 1,000 ms).' },
      }),
      LOW: builtinClass({
        successRate: 99,
        why: 'the Workbook\'s LOW class (Table 5-10): background work, no latency objective.',
      }),
    })
    .catchall(customClass)
    .superRefine((classes, ctx) => {
      for (const name of Object.keys(classes)) {
        if (!REQUEST_CLASS_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `class name ${quote(name, 40)} ${REQUEST_CLASS_MESSAGE}` });
      }
    })
    .prefault({})
    .describe(
      'Request classes after the SRE Workbook\'s Table 5-10. Override a built-in class\'s fields or add your own (e.g. PAYMENTS: {successRate: {objective: 99.95}}); ' +
        'to give one workload other objectives, give it its own class. Workloads of a class share their recording rules.',
    ),
  list: z
    .array(workloadItem)
    .default([])
    .describe('Workloads with SLOs, measured on the server side: the inbound side of their own pods\' proxies (response_total and response_latency_ms{direction="inbound"}). Default none.'),
  routes: z
    .array(routeItem)
    .default([])
    .describe('Optional per-route success-rate SLOs from the client side: every meshed caller\'s outbound route metrics (Gateway API HTTPRoute/GRPCRoute, Linkerd 2.16+). Default none.'),
});

/** Everything that describes one cluster's bundle. */
const ClusterConfigSchema = z
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
        proxyJob: jobName
          .default('linkerd-proxy')
          .describe('Prometheus job label of proxy scrapes: "linkerd-proxy" with the Linkerd scrape config, "linkerd/linkerd-proxy" with the chart\'s PodMonitor.'),
        controllerJob: jobName
          .default('linkerd-controller')
          .describe('Prometheus job label of control-plane container scrapes ("linkerd/linkerd-controller" with PodMonitors). A name with a "/" is read as the chart\'s PodMonitor, which from 2.19 never scrapes Viz containers, so they are not expected then.'),
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
        release: k8sLabelValue
          .default('kube-prometheus-stack')
          .describe('Value of the "release" label kube-prometheus-stack\'s default ruleSelector requires; empty string to omit.'),
        labels: k8sLabels.default({}).describe('More labels on the PrometheusRule object.'),
      })
      .prefault({})
      .describe('The PrometheusRule object (out/kubernetes/).'),
    alerting: z
      .strictObject({
        severities: z
          .strictObject({
            page: severityValue.default('critical'),
            ticket: severityValue.default('warning'),
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
        controlPlaneAvailability: availabilityConfig
          .prefault({})
          .describe('Control-plane availability and hygiene: scrape health per component, HA replicas (kube-state-metrics), data-plane version skew.'),
        proxyResources: proxyResourcesConfig
          .prefault({})
          .describe('Proxy resources against a per-1k-RPS budget, high-throughput pods on default resources, proxy containers near their limits (optional cAdvisor/kube-state-metrics), and the control plane against its per-node plan.'),
        workloads: workloadsConfig
          .prefault({})
          .describe('Workload SLOs: inbound success rate and latency per workload (Deployment, StatefulSet, DaemonSet or label selector) by request class, and optional per-route success rate.'),
        custom: customConfig
          .default([])
          .describe('Custom ratio SLOs on any Prometheus counters (errors or good over total), alerted with the same multiwindow, multi-burn-rate table (alerting.windows). `linkerd-slo import-openslo` writes these.'),
      })
      .prefault({}),
    grafana: grafanaConfig
      .prefault({})
      .describe('Grafana dashboards (overview, control plane, proxies, certificates) and the formats they are delivered in (out/grafana/).'),
  })
  .describe('linkerd-slo configuration: one file compiles into Prometheus rules, PrometheusRule objects, runbooks and Grafana dashboards.');

const shape = ClusterConfigSchema.shape;

/**
 * Per-cluster overrides: any part of linkerd, prometheus, kubernetes, alerting or slos. They are
 * deep-merged over the shared settings (maps merge, lists and scalars replace) and the result
 * is validated as a whole, so an error points into the override that caused it.
 */
const clusterOverrides = z
  .strictObject({
    linkerd: shape.linkerd.optional(),
    prometheus: shape.prometheus.optional(),
    kubernetes: shape.kubernetes.optional(),
    alerting: shape.alerting.optional(),
    slos: shape.slos.optional(),
  })
  .describe('Settings of this cluster that differ from the shared ones (e.g. linkerd.version, an objective).');

export const RULE_TARGETS = ['prometheus', 'prometheus-operator', 'thanos', 'mimir'] as const;
const partialResponse = z.enum(['abort', 'warn']);

export const ConfigSchema = ClusterConfigSchema.extend({
  clusters: z
    .array(
      z.strictObject({
        name: k8sName.describe('Cluster name: the value of the cluster label (multiCluster.clusterLabel) in its series.'),
        overrides: clusterOverrides.optional(),
      }),
    )
    .min(1)
    .optional()
    .describe('Several clusters from one config: each gets its own bundle (its selectors match its cluster label) and a global bundle covers them all. `cluster` then names the fleet.'),
  multiCluster: z
    .strictObject({
      clusterLabel: labelName
        .default('cluster')
        .describe('Label that tells clusters apart in the shared store (an external label of each cluster\'s Prometheus); added to every selector and kept in every aggregation.'),
      split: z
        .boolean()
        .default(false)
        .describe(
          'Split evaluation: 5m recordings, windows up to 6h and the page alerts run in each cluster\'s Prometheus; 1d/3d/period roll-ups and ticket alerts run on the global ruler from the shipped 5m recordings. Cheaper per cluster; the global side lags by the shipping delay (remote write, sidecar upload), which shifts long-window ratios by that delay over the window (≈0.1% of a 1d window for a 2m delay).',
        ),
    })
    .prefault({})
    .describe('How clusters are told apart and where rules run (with clusters).'),
  rules: z
    .strictObject({
      targets: z
        .array(z.enum(RULE_TARGETS))
        .min(1)
        .default(['prometheus', 'prometheus-operator'])
        .describe('Rule formats to write: plain Prometheus files (also vmalert), PrometheusRule objects, Thanos Ruler files, Grafana Mimir/Cortex namespaces.'),
      thanos: z
        .strictObject({
          alerts: partialResponse.default('abort').describe('partial_response_strategy of groups with alerts: abort, so no alert is evaluated on half the data.'),
          recordings: partialResponse.default('warn').describe('partial_response_strategy of recording-only groups.'),
        })
        .prefault({}),
      mimir: z
        .strictObject({
          namespace: k8sName
            .default('linkerd-slo')
            .describe('Ruler namespace prefix, a DNS label (it names the files out/mimir/<prefix>-<cluster>.yaml); one namespace (file) per cluster plus <prefix>-global.'),
          sourceTenants: z
            .array(tenantId)
            .default([])
            .describe('Tenants the global groups read (federated rule groups, source_tenants); empty for a single tenant.'),
        })
        .prefault({}),
    })
    .prefault({})
    .describe('Which rule formats to write and their target-specific settings.'),
})
  .superRefine((config, ctx) => {
    const issues: Array<{ path: Array<string | number>; message: string }> = [];
    stringIssues(config, [], issues);
    for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
    // Also when other parts of the document are invalid, so every oversized or hostile string is named at once.
  }, { when: () => true })
  .describe('linkerd-slo configuration: one file compiles into Prometheus rules, PrometheusRule objects, runbooks and Grafana dashboards.');

/** What a user writes (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** The validated configuration with every default filled in. */
export type Config = z.output<typeof ConfigSchema>;

/** Identity function that gives a TypeScript config file completion and type checking. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

let jsonSchema: string | undefined;

/** The JSON Schema of the config (computed once; a fresh copy each call). */
export function configJsonSchema(): Record<string, unknown> {
  jsonSchema ??= JSON.stringify({
    ...(z.toJSONSchema(ConfigSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    $id: 'https://github.com/linkerd-slo/linkerd-slo/schema/linkerd-slo.schema.json',
    title: 'linkerd-slo configuration',
  });
  return JSON.parse(jsonSchema) as Record<string, unknown>;
}
