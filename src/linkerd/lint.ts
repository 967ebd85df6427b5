/**
 * Linkerd facts pint's online promql/series check cannot know: label values the proxy creates only when
 * something goes wrong. Its metric families (prometheus-client in linkerd/linkerd2-proxy) create a label
 * set at its first observation, so a healthy mesh has no series with these values, and pint, finding
 * none in its look-back, reports the selector as matching nothing (Bug). The rules read them on purpose
 * (`or 0 * total` keeps the SLI at 0 meanwhile), so each rule reading one tells pint to skip that
 * label's value check: `# pint rule/set promql/series ignore/label-value <label>` (docs/linting.md).
 */
import { walk, type Expr } from '../promql/ast.js';
import type { LintExemption, Rule } from '../rules.js';

/** label="value" pairs that exist only after a failure, and why. */
const AFTER_FAILURE_ONLY: ReadonlyArray<{ readonly label: string; readonly value: string; readonly reason: string }> = [
  // response_total and control_response_total (linkerd/linkerd2-proxy `linkerd/app/core/src/classify.rs` at release/v2.294.0).
  { label: 'classification', value: 'failure', reason: 'the proxy creates a classification="failure" series at its first failed response: a healthy mesh has none' },
  // (control_)identity_cert_refreshes_total{result} (linkerd/linkerd2-proxy PRs #2617, #2887).
  { label: 'result', value: 'error', reason: 'the proxy creates a result="error" series at its first failed certificate refresh: a healthy mesh has none' },
];

/** The exemptions of one expression: one per after-failure label value it selects. */
function afterFailureExemptions(expr: Expr): LintExemption[] {
  const found = new Map<string, LintExemption>();
  walk(expr, (n) => {
    if (n.kind !== 'selector') return;
    for (const m of n.matchers) {
      const fact = AFTER_FAILURE_ONLY.find((f) => f.label === m.label && f.value === m.value && m.op === '=');
      if (fact) found.set(fact.label, { check: 'promql/series', set: `ignore/label-value ${fact.label}`, reason: fact.reason });
    }
  });
  return [...found.values()];
}

/** `rule` with the exemptions of its expression added to its own. */
export function withAfterFailureExemptions<R extends Rule>(rule: R): R {
  const more = afterFailureExemptions(rule.expr);
  return more.length ? { ...rule, lint: [...(rule.lint ?? []), ...more] } : rule;
}
