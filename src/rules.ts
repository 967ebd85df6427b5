/** The rule model every SLO kind produces and every emitter serialises. */
import type { Expr } from './promql/ast.js';

export interface RecordingRule {
  readonly record: string;
  readonly expr: Expr;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: Expr;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * Labels besides slo, sli and component that two tiers of this alert must share for the faster to
   * inhibit the slower (e.g. namespace and deployment when one rule alerts for many workloads). Not serialised.
   */
  readonly inhibitEqual?: readonly string[];
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export const isAlert = (r: Rule): r is AlertingRule => 'alert' in r;
export const ruleName = (r: Rule): string => (isAlert(r) ? r.alert : r.record);
