/**
 * Whether one label matcher holds for a label value, evaluated here rather than by Prometheus.
 * Prometheus anchors regex matchers at both ends (https://prometheus.io/docs/prometheus/latest/querying/basics/#time-series-selectors)
 * and evaluates them with Go's RE2 engine, whose matching time is linear in the input. The user's
 * regexes are evaluated the same way here, with re2js (a JavaScript port of RE2): JavaScript's own
 * backtracking RegExp takes time exponential in the input for a pattern such as (a+)+, which
 * would let one selector in a config hang validation and generation.
 */
import { RE2JS } from 're2js';
import type { Matcher } from './ast.js';

const compiled = new Map<string, RE2JS | null>();

/** The anchored RE2 program of a PromQL regex; null when RE2 refuses it (Prometheus would too). */
function anchoredRegex(pattern: string): RE2JS | null {
  let r = compiled.get(pattern);
  if (r === undefined) {
    try {
      r = RE2JS.compile(`^(?:${pattern})$`);
    } catch {
      r = null;
    }
    if (compiled.size >= 1000) compiled.clear(); // a library caller's process may see many configs
    compiled.set(pattern, r);
  }
  return r;
}

/** Why RE2 (the syntax Prometheus accepts) refuses a regex; undefined when it compiles. */
export function regexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(`^(?:${pattern})$`);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** true or false; undefined when the matcher's regex is not valid RE2 syntax. */
export function matcherHolds(m: Matcher, value: string): boolean | undefined {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return anchoredRegex(m.value)?.matches(value) ?? undefined;
    case '!~': {
      const r = anchoredRegex(m.value);
      return r ? !r.matches(value) : undefined;
    }
  }
}
