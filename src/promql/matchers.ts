/**
 * Whether one label matcher holds for a label value, evaluated here rather than by Prometheus.
 * Prometheus anchors regex matchers at both ends (https://prometheus.io/docs/prometheus/latest/querying/basics/#time-series-selectors).
 */
import type { Matcher } from './ast.js';

/** The anchored JavaScript RegExp of a PromQL regex; undefined for RE2-only syntax JavaScript cannot compile. */
function anchoredRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** true or false; undefined when the matcher's regex cannot be evaluated here (RE2-only syntax). */
export function matcherHolds(m: Matcher, value: string): boolean | undefined {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return anchoredRegex(m.value)?.test(value);
    case '!~': {
      const r = anchoredRegex(m.value);
      return r ? !r.test(value) : undefined;
    }
  }
}
