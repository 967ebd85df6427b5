/**
 * What every source of the kind writes its alerts with: one rule group, in the order index.ts calls
 * the sources. Every alert added gets a runbook page and a check in the quiet promtool scenario.
 */
import type { Expr } from '../../promql/ast.js';
import type { AlertingRule, LintExemption } from '../../rules.js';
import { controllerTargets, scrapeStyleOf } from '../../linkerd/catalog.js';
import { templatesBeside } from '../../templates.js';
import type { BuildContext } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { templatedAlert, type Severity } from '../templated-alert.js';
import { AVAILABILITY_ID } from './names.js';

/** Annotation and runbook templates: templates/ beside this module. */
export const templates = templatesBeside(import.meta.url);

interface AlertSpec {
  readonly name: string;
  readonly severity: Severity;
  readonly expr: Expr;
  readonly for: string;
  /** templates/<template>-summary.hbs and -description.hbs. */
  readonly template: string;
  /** What this alert's annotations say besides the kind's common text. */
  readonly text?: Record<string, unknown>;
  /** The control-plane component (or client) it is about, a label of the alert. */
  readonly component?: string;
  readonly lint?: readonly LintExemption[];
}

export interface AvailabilityAlerts {
  readonly alerts: AlertingRule[];
  /** The alerts added, in order: one runbook page each. */
  readonly generated: Set<string>;
  add(spec: AlertSpec): void;
}

export function availabilityAlerts(ctx: BuildContext): AvailabilityAlerts {
  const { config, facts } = ctx;
  const common = {
    ...linkerdTemplateFacts(ctx),
    scrapeRegression: controllerTargets(facts, scrapeStyleOf(config.linkerd.controllerJob)).scrapeRegression,
    portsRenamed: facts.controllerPortsRenamed,
  };
  const set: AvailabilityAlerts = {
    alerts: [],
    generated: new Set<string>(),
    add(a) {
      const component: Record<string, string> = a.component ? { component: a.component } : {};
      const context = { ...common, ...a.text, severity: a.severity, ...component };
      set.alerts.push(templatedAlert(ctx, templates, {
        ...a,
        labels: { slo: AVAILABILITY_ID, severity: config.alerting.severities[a.severity], ...component },
        context,
      }));
      set.generated.add(a.name);
    },
  };
  return set;
}
