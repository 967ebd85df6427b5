/**
 * The building blocks of the configuration schema that more than one section uses: label and job
 * names, Kubernetes names, durations, URLs, objectives, serving ports. The schema (schema.ts) and
 * every SLO kind's own section (src/slo/<kind>/config.ts) are built from these.
 */
import { z } from 'zod';
import { isDuration, parseDuration } from '../promql/number.js';
import { quote } from '../text.js';

/**
 * A Prometheus label name (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels).
 * Names starting with "__" are reserved for Prometheus' internal use (__name__, and the __*__ labels
 * relabelling drops), so none of them can be a matcher or a rule label.
 */
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME_MESSAGE = 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) not starting with "__" (reserved for Prometheus\' internal labels)';
export const labelName = z.string().regex(LABEL_NAME, LABEL_NAME_MESSAGE);
export const labelMap = z.record(labelName, z.string(), {
  error: (issue) => (issue.code === 'invalid_key' ? `label name ${quote(issue.input)} ${LABEL_NAME_MESSAGE}` : undefined),
});

/** Prometheus `job` label value of a scrape: the job names Prometheus, the Operator and Helm charts produce. */
export const jobName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'must be a Prometheus job name: letters, digits, "_", ".", ":", "/" and "-", starting with a letter or digit');
/** A severity label value: a plain word, as Alertmanager routes match it. */
export const severityValue = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a severity name: letters, digits, "_", "." and "-", starting with a letter or digit');
export const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", starting and ending alphanumeric')
  .max(63);
/**
 * A Mimir/Cortex tenant ID, as Grafana Mimir documents them
 * (https://grafana.com/docs/mimir/latest/configure/about-tenant-ids/): up to 150
 * letters, digits and ! - _ . * ' ( ), and not "." or "..".
 */
export const tenantId = z
  .string()
  .min(1)
  .max(150)
  .regex(/^[A-Za-z0-9!_.*'()-]+$/, 'must be a Mimir tenant ID: letters, digits and ! - _ . * \' ( )')
  .refine((t) => t !== '.' && t !== '..', { message: 'must not be "." or ".."' });
/**
 * Longest duration a config may hold. Ten years is far beyond any SLO period or alert window, and
 * keeps every duration's seconds an exact integer (well inside 2^53) that prints back as one.
 */
const MAX_DURATION_SECONDS = 10 * 365 * 86400;

/**
 * Why a config duration is refused; undefined when it is fine. Durations are written back into
 * PromQL ranges and `for:` in whole seconds, so milliseconds are refused unless `subSecond`.
 */
function durationProblem(value: unknown, subSecond = false): string | undefined {
  if (typeof value !== 'string') return undefined; // zod names the wrong type itself
  if (!isDuration(value)) {
    return 'must be a Prometheus duration greater than zero, such as 5m, 1h or 30d: whole numbers with the units y, w, d, h, m, s, ms (lower case, largest first)';
  }
  const seconds = parseDuration(value);
  if (seconds > MAX_DURATION_SECONDS) return 'must be at most 10y';
  if (!subSecond && !Number.isInteger(seconds)) return 'must be a whole number of seconds: it is written into alert rules, which count in seconds here';
  return undefined;
}

// abort: a refinement of the enclosing object (e.g. short < long) never sees a bad duration.
const durationCheck = (subSecond: boolean) => z.string().refine((v) => durationProblem(v, subSecond) === undefined, {
  error: (issue) => durationProblem(issue.input, subSecond),
  abort: true,
});
export const duration = durationCheck(false);
/** A duration that is only ever a number of seconds in an expression (e.g. a clock offset), so 500ms is fine. */
export const subSecondDuration = durationCheck(true);
/**
 * http(s) URLs only, and only characters RFC 3986 allows unencoded except ' ( ) [ ] (which would
 * end a Markdown link): the URL lands in alert annotations, runbooks and Grafana links.
 */
export const url = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL', abort: true })
  .regex(/^[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+$/, 'must be an http(s) URL of unreserved characters; percent-encode spaces, quotes, brackets and parentheses');


export const objective = z
  .number()
  .gt(0)
  .lt(100)
  .describe('Target in percent of good events over the period, e.g. 99.9.');

/** The control-plane components' serving ports (chart defaults), shared by every server-side SLI. */
export const servingPorts = z
  .strictObject({
    destination: z.number().int().positive().default(8086),
    policy: z.number().int().positive().default(8090),
    identity: z.number().int().positive().default(8080),
  })
  .prefault({})
  .describe('Serving ports per component; only responses on these ports count, so probes and metric scrapes on admin ports do not dilute the SLI.');

/** Kubernetes object name (DNS subdomain): Secrets, ConfigMaps and cert-manager Certificates. */
export const k8sObjectName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name: lower-case letters, digits, "-" and ".", starting and ending alphanumeric')
  .max(253);

/** Kubernetes label key (optional DNS-subdomain prefix and a name of up to 63 characters) and value. */
export const k8sLabelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a Kubernetes label key, e.g. grafana_dashboard or example.com/team',
  );
export const k8sLabelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, 'must be a Kubernetes label value: up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric');
export const k8sLabels = z.record(k8sLabelKey, k8sLabelValue);

/** Longest string of the config (see the string limits in schema.ts); a description may hold OpenSLO's 1050. */
export const MAX_STRING = 1024;
export const MAX_DESCRIPTION = 1050;

/** A latency threshold: the bucket bounds of the proxy's response_latency_ms histogram (checked by the latency and workloads sections). */
export const latencyThresholdMs = z
  .number()
  .positive()
  .describe(
    'Milliseconds of time to first byte at or under which a response counts as fast. Must be one of the bounds of Linkerd\'s ' +
      'response_latency_ms histogram: 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, ' +
      '10000, 20000, 30000, 40000 or 50000.',
  );

/**
 * An error-budget policy: what happens once an SLO's budget over its period is spent (the SRE
 * Workbook's "Error Budget Policy" example, https://sre.google/workbook/error-budget-policy/).
 * Rendered into the runbook of the budget-exhausted ticket as Markdown text (made inert: no markup
 * of the config reaches the page). Each SLO may set its own; alerting.budgetPolicy is the default.
 */
export const budgetPolicyFields = {
  freeze: z
    .string()
    .min(1)
    .describe('What stops while the budget is spent, e.g. "Control-plane upgrades and config changes; only fixes and reliability work ship."'),
  decides: z.string().min(1).describe('Who decides on exceptions and when the freeze ends, e.g. "The platform team lead, with the SRE on call."'),
  notes: z.string().min(1).optional().describe('Anything else the policy says (one paragraph), e.g. where incidents are reviewed.'),
};
export const budgetPolicyOverride = z
  .strictObject({
    freeze: budgetPolicyFields.freeze.optional(),
    decides: budgetPolicyFields.decides.optional(),
    notes: budgetPolicyFields.notes,
  })
  .optional()
  .describe('This SLO\'s error-budget policy: each field given replaces that of alerting.budgetPolicy (docs/budget-policy.md).');
