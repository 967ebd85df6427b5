/**
 * The bucket bounds of the proxy's response_latency_ms histogram, which every latency SLI reads:
 * a threshold must be one of them. Source: linkerd/linkerd2-proxy `linkerd/metrics/src/latency.rs`
 * (bounds) and `linkerd/metrics/src/histogram.rs` (`le` rendering) at release/v2.294.0.
 */
import { escapeRegex, re, type Matcher } from '../promql/ast.js';
import { formatNumber } from '../promql/number.js';

/** Bucket bounds in ms, `+Inf` aside. */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000,
] as const;

/**
 * `le` matcher for a bucket bound. Linkerd renders "100"; Prometheus 3 normalises classic-histogram
 * `le` to floats ("100.0"), so accept both (Prometheus 3 migration guide,
 * https://prometheus.io/docs/prometheus/latest/migration/#le-and-quantile-label-values).
 */
export function leMatcher(boundMs: number): Matcher {
  return re('le', `${escapeRegex(String(boundMs))}(\\.0)?`);
}

/** The bucket bounds on either side of a value that is not one. */
export function nearestBounds(value: number): number[] {
  const below = [...LATENCY_BUCKETS_MS].reverse().find((b) => b < value);
  const above = LATENCY_BUCKETS_MS.find((b) => b > value);
  return [below, above].filter((b): b is (typeof LATENCY_BUCKETS_MS)[number] => b !== undefined);
}

/** Why a latency threshold (ms) cannot be read from the histogram, or undefined when it is a bound. */
export function bucketBoundProblem(value: number): string | undefined {
  if ((LATENCY_BUCKETS_MS as readonly number[]).includes(value)) return undefined;
  const nearest = nearestBounds(value);
  return (
    `${formatNumber(value)} ms is not a bucket bound of Linkerd's response_latency_ms histogram, so the share of faster responses cannot be read from it; ` +
    `the nearest ${nearest.length > 1 ? 'bounds are' : 'bound is'} ${nearest.join(' and ')} ms (bounds: ${LATENCY_BUCKETS_MS.join(', ')})`
  );
}
