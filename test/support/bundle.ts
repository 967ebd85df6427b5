/** Generating a bundle for a test config and picking rule files, groups and rules out of it. */
import { dump, load } from 'js-yaml';
import { validateConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { generate, type Generated } from '../../src/generate.js';
import { kindsOff, type Slos } from './kinds.js';

export type { Slos };

/**
 * Every registered kind that is on by default, turned off (the `off` section each declares in its
 * config.ts): a test turns on only the kind it tests.
 */
export const DEFAULT_KINDS_OFF: Slos = kindsOff();

/** The bundle of a single-cluster config (validated like a user's file). */
export function generated(input: ConfigInput, file = 'test.yaml'): Generated {
  return generate(validateConfig(input, file), file);
}

/** The plain Prometheus rule file of a bundle. */
export function ruleFileOf(gen: Generated, cluster = 'test'): string {
  const text = gen.files.get(`prometheus/linkerd-slo-${cluster}.rules.yaml`);
  if (text === undefined) throw new Error(`prometheus/linkerd-slo-${cluster}.rules.yaml missing from the bundle`);
  return text;
}

interface RuleFileYaml { groups: Array<{ name: string; rules: RuleYaml[] }> }

/** A rule file with only the named groups (so promtool evaluates only what is under test); each must exist. */
export function onlyGroups(ruleFileText: string, ...names: string[]): string {
  const doc = load(ruleFileText) as RuleFileYaml;
  const groups = doc.groups.filter((g) => names.includes(g.name));
  const missing = names.filter((n) => !groups.some((g) => g.name === n));
  if (missing.length) throw new Error(`rule groups missing: ${missing.join(', ')} (have ${doc.groups.map((g) => g.name).join(', ')})`);
  return dump({ groups }, { lineWidth: -1, noRefs: true });
}

export interface RuleYaml {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rule of a rule file, in order. */
export function rulesOf(ruleFileText: string): RuleYaml[] {
  return (load(ruleFileText) as RuleFileYaml).groups.flatMap((g) => g.rules);
}

/** A promtool `promql_expr_test` expression: firing instances of an alert, counted by the given labels. */
export function firing(alertname: string, by: string, extraMatchers = ''): string {
  return `count by (${by}) (ALERTS{alertstate="firing", alertname="${alertname}"${extraMatchers}})`;
}

/** promtool `exp_samples` rows of value 1 for the given label sets (`a="x", b="y"`). */
export function rows(...labelSets: string[]): Array<{ labels: string; value: number }> {
  return labelSets.map((labels) => ({ labels: `{${labels}}`, value: 1 }));
}
