/** The `slos.workloads` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { budgetPolicyOverride, labelMap, k8sName, duration, objective, k8sObjectName, latencyThresholdMs } from '../../config/fields.js';
import { quote } from '../../text.js';
import { WORKLOAD_KINDS } from '../../linkerd/catalog.js';
import type { ConfigSection } from '../../config/section.js';


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

const workloadsConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate SLOs for the workloads and routes listed. Default true: with both lists empty (the default) nothing is generated.'),
  budgetPolicy: budgetPolicyOverride,
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

export const configSection = {
  key: 'workloads',
  schema: workloadsConfig
    .prefault({})
    .describe('Workload SLOs: inbound success rate and latency per workload (Deployment, StatefulSet, DaemonSet or label selector) by request class, and optional per-route success rate.'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts). No `off`: the kind generates nothing until it is given something to watch.
  examples: {
    allOptions: { list: [{ namespace: 'shop', deployment: 'web' }], routes: [{ namespace: 'shop', service: 'web', route: 'api' }] },
  },
} as const satisfies ConfigSection;
