/** The success-rate kind's names and the burn-rate settings both of its sides share. */
import type { BuildContext } from '../kind.js';
import { burnRateTemplates, type SliDefinition } from '../burn-rate.js';
import type { Templates } from '../../templates.js';
import { METRIC_NAMES } from '../../linkerd/metric-names.js';
import { CONTROL_PLANE_SLO } from '../series.js';

export const ID = CONTROL_PLANE_SLO.successRate;
export const BURN_ALERT = 'LinkerdControlPlaneErrorBudgetBurn';
export const ABSENT_ALERT = 'LinkerdControlPlaneSLIMetricsAbsent';

/** The fields of an SLI definition the server and client sides share. */
export type SharedDefinition = Pick<SliDefinition, 'slo' | 'period' | 'burnAlert' | 'absentAlert' | 'templates' | 'budgetPolicy'>;

export function sharedDefinition(ctx: BuildContext, templates: Templates): SharedDefinition {
  const slo = ctx.config.slos.controlPlaneSuccessRate;
  return {
    slo: ID,
    period: slo.period,
    burnAlert: BURN_ALERT,
    absentAlert: ABSENT_ALERT,
    templates: burnRateTemplates(templates),
    budgetPolicy: slo.budgetPolicy,
  };
}

/** What every alert and annotation text of the kind names. */
export function textContext(ctx: BuildContext) {
  return { namespace: ctx.config.linkerd.namespace, version: ctx.facts.version, metrics: METRIC_NAMES };
}
