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

export const COMPONENTS = ['destination', 'policy', 'identity', 'proxy-injector'] as const;
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
      'proxy-injector': z.number().int().positive().default(8443),
    })
    .prefault({})
    .describe('Serving ports per component; only requests to these ports count, so probes and metric scrapes on admin ports do not dilute the SLI.'),
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
      .prefault({}),
    prometheus: z
      .strictObject({
        extraMatchers: labelMap.default({}).describe('Equality matchers added to every selector, e.g. {cluster: prod-eu1}.'),
        ruleLabels: labelMap.default({}).describe('Labels added to every recording and alerting rule, e.g. {team: platform}.'),
      })
      .prefault({}),
    kubernetes: z
      .strictObject({
        namespace: k8sName.default('monitoring').describe('Namespace of the PrometheusRule object.'),
        release: z
          .string()
          .default('kube-prometheus-stack')
          .describe('Value of the "release" label kube-prometheus-stack\'s default ruleSelector requires; empty string to omit.'),
        labels: labelMap.default({}).describe('More labels on the PrometheusRule object.'),
      })
      .prefault({}),
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
          .describe('Base URL where the generated runbooks (out/runbooks/*.md) are published; runbook_url = <base>/<file>#<alert>.'),
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
        controlPlaneSuccessRate: successRate.prefault({}).describe('Success rate of the Linkerd control plane (destination, policy, identity, proxy-injector).'),
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
