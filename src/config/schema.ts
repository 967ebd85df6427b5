/**
 * The one definition of the configuration. The TypeScript types (defineConfig), the
 * JSON Schema (`linkerd-slo schema`, out/schema/) and the reference in docs/configuration.md
 * are all derived from this file. It holds the shared settings; `slos` is assembled from the
 * config section of every registered SLO kind (src/slo/<kind>/config.ts, src/slo/registry.ts).
 */
import { z } from 'zod';
import { isDuration, parseDuration } from '../promql/number.js';
import { SUPPORTED_VERSIONS } from '../linkerd/catalog.js';
import { CONTROL_CHARACTERS, quote } from '../text.js';
import { MAX_STRING, budgetPolicyFields, duration, jobName, k8sLabelKey, k8sLabels, k8sLabelValue, k8sName, labelMap, labelName, severityValue, tenantId, url } from './fields.js';
import type { ConfigSection } from './section.js';
import { maintenance } from './maintenance.js';
import { KINDS } from '../slo/registry.js';

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

/**
 * Whether a path is a free-text field: only a custom SLO's `description` (slos.custom[i].description,
 * also under a cluster's overrides). A map key that happens to be named "description" (a rule
 * label, a matcher, a workload selector) is a label like any other and held to every limit.
 */
function isFreeText(path: ReadonlyArray<string | number>): boolean {
  const n = path.length;
  return n >= 4 && path[n - 1] === 'description' && typeof path[n - 2] === 'number' && path[n - 3] === 'custom' && path[n - 4] === 'slos';
}

function stringProblem(value: string, freeText: boolean): string | undefined {
  // A description field states its own maximum (MAX_DESCRIPTION), so it is not reported twice.
  if (!freeText && value.length > MAX_STRING) return `is ${value.length} characters long; at most ${MAX_STRING} are allowed`;
  const control = (freeText ? value.replace(/[\n\t]/g, ' ') : value).match(CONTROL_CHARACTERS);
  if (control) return `contains the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}; line breaks and control characters are not allowed here`;
  if (value.includes('{{') || value.includes('}}')) return 'contains "{{" or "}}": Prometheus would run it as a template in alert labels and annotations';
  return undefined;
}

/**
 * The range every number of the config is held to, whatever its field: 0, or a magnitude between
 * 1e-6 and 1e9. Thresholds, budgets and rates are multiplied and divided into alert thresholds; an
 * extreme value such as 1e308 or 1e-308 would overflow to Infinity there (no PromQL number), and no
 * real setting comes near these bounds. Each field's own range (e.g. an objective below 100) is
 * checked by the field.
 */
const NUMBER_MAX = 1e9;
const NUMBER_MIN = 1e-6;

function numberProblem(value: number): string | undefined {
  const size = Math.abs(value);
  if (size > NUMBER_MAX) return `is ${value}; numbers of the config are at most ${NUMBER_MAX} in size`;
  if (value !== 0 && size < NUMBER_MIN) return `is ${value}; numbers of the config are 0 or at least ${NUMBER_MIN} in size`;
  return undefined;
}

/** Every string (and mapping key) and number of a parsed document that breaks the limits above. */
function stringIssues(value: unknown, path: Array<string | number>, out: Array<{ path: Array<string | number>; message: string }>): void {
  if (typeof value === 'number') {
    const problem = numberProblem(value);
    if (problem) out.push({ path, message: problem });
  } else if (typeof value === 'string') {
    const problem = stringProblem(value, isFreeText(path));
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
    keepFiringFor: duration
      .optional()
      .describe(
        'keep_firing_for (Prometheus ≥ 2.42, Thanos ≥ 0.34): how long the alert keeps firing after its condition clears, so an error ratio that hovers at the threshold sends one notification per incident instead of one per dip; recovery is announced that much later.',
      ),
  })
  .refine((w) => !isDuration(w.short) || !isDuration(w.long) || parseDuration(w.short) < parseDuration(w.long), { message: 'short must be shorter than long', path: ['short'] });

/**
 * The SRE Workbook's multiwindow, multi-burn-rate table (Table 5-8 plus the 1d/2h ticket pair). The
 * pages have no `for`, as in the Workbook: the short window is the debounce, and a 30 s blip or a
 * 3-minute 20% burst stays below the long window's threshold (bench/RESULTS.md, alert quality).
 */
export const DEFAULT_WINDOWS = [
  { severity: 'page', long: '1h', short: '5m', budgetConsumed: 2, keepFiringFor: '10m' },
  { severity: 'page', long: '6h', short: '30m', budgetConsumed: 5, keepFiringFor: '10m' },
  { severity: 'ticket', long: '1d', short: '2h', budgetConsumed: 10, for: '1h' },
  { severity: 'ticket', long: '3d', short: '6h', budgetConsumed: 10, for: '3h' },
] as const;

/** Delivery formats of the Grafana dashboards (out/grafana/). */
export const GRAFANA_FORMATS = ['import', 'provisioning', 'configmap', 'operator', 'v2', 'v2-operator'] as const;
/** The classic JSON formats, written unless `formats` says otherwise (v2 is opt-in: it needs Grafana 12+ with schema v2). */
const DEFAULT_GRAFANA_FORMATS = ['import', 'provisioning', 'configmap', 'operator'] as const;

const grafanaConfig = z.strictObject({
  formats: z
    .array(z.enum(GRAFANA_FORMATS))
    .min(1)
    .default([...DEFAULT_GRAFANA_FORMATS])
    .describe(
      'Which delivery formats to write under out/grafana/: import (JSON with __inputs for the UI or the import API), provisioning ' +
        '(plain JSON plus a file-provider YAML), configmap (one ConfigMap per dashboard for the Grafana Helm chart sidecar), ' +
        'operator (one Grafana Operator GrafanaDashboard per dashboard); schema v2 (Grafana 12+, the default layout of Grafana 13): ' +
        'v2 (one dashboard.grafana.app/v2 resource per dashboard: tabs per SLO kind) and v2-operator (the same as a Grafana Operator GrafanaManifest). ' +
        'Default: the four classic formats (docs/grafana.md: which format for which Grafana and delivery).',
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

/** Everything that describes one cluster's bundle. */
const ClusterConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
    cluster: k8sName.describe('Name of the cluster this bundle monitors; used in rule group, object, file and dashboard names and in alert text.'),
    linkerd: z
      .strictObject({
        version: z
          .enum(SUPPORTED_VERSIONS)
          .default('2.20')
          .describe('Linkerd minor version of the control plane and proxies; metric names and labels changed in 2.10, 2.11, 2.15, 2.16, 2.18 and 2.19.'),
        namespace: k8sName.default('linkerd').describe('Control-plane namespace.'),
        vizNamespace: k8sName.default('linkerd-viz').describe('Linkerd Viz namespace.'),
        proxyJob: jobName
          .default('linkerd-proxy')
          .describe('Prometheus job label of proxy scrapes: "linkerd-proxy" with the Linkerd scrape config, "linkerd/linkerd-proxy" with the chart\'s PodMonitor.'),
        proxyAdminPort: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .default(4191)
          .describe('Admin port of the proxies (the chart\'s proxy.ports.admin, per pod config.linkerd.io/admin-port). The proxy meters its admin server as inbound traffic (kubelet probes, metric scrapes: about 0.3 successful requests/s per pod), so the workload SLIs leave out responses on this port.'),
        controllerJob: jobName
          .default('linkerd-controller')
          .describe('Prometheus job label of control-plane container scrapes ("linkerd/linkerd-controller" with PodMonitors). A name with a "/" is read as the chart\'s PodMonitor, which from 2.19 never scrapes Viz containers, so they are not expected then.'),
        histograms: z
          .enum(['classic', 'native'])
          .default('classic')
          .describe(
            'How Prometheus stores the proxy\'s response_latency_ms histogram. classic: one response_latency_ms_bucket series per le bound. ' +
              'native: one native histogram with custom buckets, as Prometheus 3 stores it with convert_classic_histograms_to_nhcb: true (no _bucket series left); ' +
              'the control-plane and workload latency SLOs then read histogram_count(…) - histogram_fraction(0, threshold, …) * histogram_count(…), exact at the bucket bounds, ' +
              'and the recorded histograms and latency panels are native too. linkerd-slo check reports a mismatch with what your Prometheus stores.',
          ),
      })
      .prefault({})
      .describe('The Linkerd installation being monitored and how Prometheus scrapes it.'),
    prometheus: z
      .strictObject({
        extraMatchers: labelMap.default({}).describe('Equality matchers added to every selector, e.g. {cluster: prod-eu1}.'),
        ruleLabels: labelMap.default({}).describe('Labels added to every recording and alerting rule, e.g. {team: platform}.'),
        minVersion: z
          .string()
          .regex(/^\d+\.\d+(\.\d+)?$/, 'must be a Prometheus release such as 2.42, 2.53 or 3.0')
          .default('2.42')
          .describe(
            'Oldest Prometheus that loads the rule files; decides which rule-file fields are written: query_offset on the global groups (multiCluster.queryOffset) from 2.53, group `labels` (ruleLabels once per group instead of on every rule) from 3.0. The default 2.42 is the oldest release that reads keep_firing_for and loads everywhere; set 3.0 when every Prometheus that loads the files runs 3.x.',
          ),
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
        maintenance,
        budgetPolicy: z
          .strictObject({
            freeze: budgetPolicyFields.freeze.default(
              'Changes to what this SLO measures: releases, upgrades and configuration changes other than fixes and reliability work, until the budget is positive again.',
            ),
            decides: budgetPolicyFields.decides.default('The team that owns the SLO; name it here (alerting.budgetPolicy.decides).'),
            notes: budgetPolicyFields.notes,
          })
          .prefault({})
          .describe(
            'The error-budget policy of every SLO (each may override it with its own budgetPolicy): rendered into the runbook of the budget-exhausted ticket, which fires while an SLO\'s budget over its period is spent (docs/budget-policy.md).',
          ),
      })
      .prefault({}),
    slos: z
      .strictObject({
        ...kindSections(KINDS),
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
      queryOffset: z
        .union([z.literal('0s'), duration])
        .default('1m')
        .describe(
          'query_offset of the global groups (every group of the global bundle reads shipped data: remote write, Thanos sidecar/Receive, Mimir): the global ruler evaluates that long in the past, so a sample that arrives up to this late still counts. 1m covers remote write\'s default batching (5 s deadline) with retries and Mimir\'s default offset; alerts evaluated there fire that much later; 0s writes none. Written when prometheus.minVersion is 2.53 or later; not for Thanos Ruler, which has no such setting.',
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
          maxRulesPerGroup: z
            .number()
            .int()
            .min(0)
            .max(10_000)
            .default(20)
            .describe("The ruler's rules-per-group limit (Mimir's default ruler_max_rules_per_rule_group is 20): a larger group is split where no rule reads another across the cut; 0 for no limit."),
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

/**
 * `slos`: the config section of every registered kind, keyed by the section's name. A kind typed
 * without a section of its own (plain SloKind, key `string`, e.g. the panel-only mesh) adds none.
 */
type Sections<Kinds extends readonly { readonly config?: ConfigSection }[]> = {
  [Kind in Kinds[number] as NonNullable<Kind['config']> extends ConfigSection<infer Key> ? (string extends Key ? never : Key) : never]: NonNullable<Kind['config']>['schema'];
};

function kindSections<const Kinds extends readonly { readonly config?: ConfigSection }[]>(kinds: Kinds): Sections<Kinds> {
  return Object.fromEntries(kinds.flatMap((k) => (k.config ? [[k.config.key, k.config.schema]] : []))) as Sections<Kinds>;
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
