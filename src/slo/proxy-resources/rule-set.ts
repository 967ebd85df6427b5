/**
 * What every source of the kind writes its rules with. The kind has two rule groups (recordings,
 * alerts); each source adds to both in turn, so the order of the rules is the order in which index.ts
 * calls the sources. Every alert added gets a runbook page and a check in the quiet promtool scenario.
 */
import { aggregate, type AggregateOp, type Expr } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import type { AlertingRule, RecordingRule } from '../../rules.js';
import { templatesBeside } from '../../templates.js';
import type { BuildContext } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { templatedAlert, type Severity } from '../templated-alert.js';
import { PROXY_RESOURCES_ID } from './names.js';

/** Annotation and runbook templates: templates/ beside this module. */
export const templates = templatesBeside(import.meta.url);

/** The rate window of every recording (and of the throttling alert). */
export const WINDOW = '5m';

export const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/** An aggregation that leaves out an empty `by ()`. */
export function agg(op: AggregateOp, expr: Expr, by: readonly string[], param?: Expr): Expr {
  return aggregate(op, expr, { ...(by.length ? { by } : {}), ...(param ? { param } : {}) });
}

/** The labels of one pod's series: the cluster labels, namespace and pod. */
export const podKeys = (ctx: BuildContext): string[] => uniq([...ctx.clusterLabels, 'namespace', 'pod']);

interface AlertSpec {
  readonly name: string;
  readonly severity: Severity;
  readonly expr: Expr;
  readonly for: string;
  /** templates/<template>-summary.hbs and -description.hbs. */
  readonly template: string;
  /** Labels that say what fired (resource, component), besides slo and severity. */
  readonly labels?: Record<string, string>;
  /** What this alert's annotations say besides the kind's common text. */
  readonly text?: Record<string, unknown>;
}

export interface ProxyResourcesRules {
  readonly recordings: RecordingRule[];
  readonly alerts: AlertingRule[];
  /** The alerts added, in order: one runbook page each. */
  readonly generated: Set<string>;
  record(name: string, expr: Expr): void;
  alert(spec: AlertSpec): void;
}

export function proxyResourcesRules(ctx: BuildContext): ProxyResourcesRules {
  const { config } = ctx;
  const common = {
    ...linkerdTemplateFacts(ctx),
  };
  const rules: ProxyResourcesRules = {
    recordings: [],
    alerts: [],
    generated: new Set<string>(),
    record(name, expr) {
      rules.recordings.push({ record: name, expr, labels: { ...ctx.ruleLabels } });
    },
    alert(a) {
      const context = { ...common, ...a.text, severity: a.severity, for: normalDuration(a.for) };
      rules.alerts.push(templatedAlert(ctx, templates, {
        ...a,
        labels: { ...a.labels, slo: PROXY_RESOURCES_ID, severity: config.alerting.severities[a.severity] },
        context,
      }));
      rules.generated.add(a.name);
    },
  };
  return rules;
}
