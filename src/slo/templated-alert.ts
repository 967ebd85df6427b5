/**
 * The alert every kind writes besides its burn-rate pages: an expression, its labels, and a summary
 * and description rendered from the kind's templates/<template>-summary.hbs and -description.hbs.
 * The kinds differ only in the labels they add and in what their templates read.
 */
import type { Expr } from '../promql/ast.js';
import { normalDuration } from '../promql/number.js';
import type { AlertingRule, LintExemption } from '../rules.js';
import type { Templates } from '../templates.js';
import type { BuildContext } from './kind.js';
import { annotations } from './burn-rate.js';

export type Severity = 'page' | 'ticket';

export interface TemplatedAlert {
  readonly name: string;
  readonly expr: Expr;
  /** Left out: the alert fires on the first evaluation that finds it true. */
  readonly for?: string;
  readonly template: string;
  /** Every label after the rule labels (slo, severity, what fired), in the order they are written. */
  readonly labels: Readonly<Record<string, string>>;
  /** What the templates read. */
  readonly context: Readonly<Record<string, unknown>>;
  readonly lint?: readonly LintExemption[];
}

export function templatedAlert(ctx: BuildContext, templates: Templates, a: TemplatedAlert): AlertingRule {
  return {
    alert: a.name,
    expr: a.expr,
    ...(a.for ? { for: normalDuration(a.for) } : {}),
    labels: { ...ctx.ruleLabels, ...a.labels },
    annotations: annotations(ctx, a.name, templates.line(`${a.template}-summary`, a.context), templates.render(`${a.template}-description`, a.context)),
    ...(a.lint ? { lint: a.lint } : {}),
  };
}
