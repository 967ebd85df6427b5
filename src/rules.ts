/** The rule model every SLO kind produces and every emitter serialises. */
import type { Expr } from './promql/ast.js';

/**
 * Where a rule runs under split evaluation (multiCluster.split): `global` rules (long-window
 * roll-ups and the alerts that read them) run on the global ruler from the shipped recordings;
 * everything else runs next to the data. Not serialised.
 */
type Placement = 'local' | 'global';

/**
 * A pint (cloudflare/pint) check a rule is exempt from, and why in one line: written above the rule in
 * every rule file ("# <check>: <reason>", then "# pint disable <check>" or "# pint rule/set <check> <set>"). Only where pint cannot see
 * what makes the rule right (docs/linting.md lists each). Not part of the rule's meaning.
 */
export interface LintExemption {
  readonly check: string;
  readonly reason: string;
  /** A pint `rule/set` setting of the check ("ignore/label-value classification") instead of disabling it. */
  readonly set?: string;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: Expr;
  readonly labels?: Readonly<Record<string, string>>;
  readonly placement?: Placement;
  readonly lint?: readonly LintExemption[];
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: Expr;
  readonly for?: string;
  /** keep_firing_for: the alert fires on that long after its expression returns nothing. */
  readonly keepFiringFor?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * Labels besides slo, sli and component that two tiers of this alert must share for the faster to
   * inhibit the slower (e.g. namespace and deployment when one rule alerts for many workloads). Not serialised.
   */
  readonly inhibitEqual?: readonly string[];
  /**
   * Alertmanager inhibits this alert while `alert` fires with that severity and the same slo, sli,
   * component, `equal` labels and extra matchers' labels (e.g. a page inhibits the budget-exhausted
   * ticket of its SLI). Not serialised.
   */
  readonly inhibitedBy?: { readonly alert: string; readonly severity: string; readonly equal: readonly string[] };
  readonly placement?: Placement;
  readonly lint?: readonly LintExemption[];
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export const isAlert = (r: Rule): r is AlertingRule => 'alert' in r;
export const ruleName = (r: Rule): string => (isAlert(r) ? r.alert : r.record);

/**
 * Split groups by placement: `local` keeps each group's local rules under its name; `global` gets
 * the global rules of each group under `<name>-global`. Empty groups are dropped.
 */
export function splitGroups(groups: readonly RuleGroup[]): { local: RuleGroup[]; global: RuleGroup[] } {
  const local: RuleGroup[] = [];
  const global: RuleGroup[] = [];
  for (const g of groups) {
    const l = g.rules.filter((r) => r.placement !== 'global');
    const gl = g.rules.filter((r) => r.placement === 'global');
    if (l.length) local.push({ ...g, rules: l });
    if (gl.length) global.push({ ...g, name: `${g.name}-global`, rules: gl });
  }
  return { local, global };
}
