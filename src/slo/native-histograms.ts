/**
 * SLI arithmetic on a native histogram (config linkerd.histograms: native), shared by the kinds that
 * read the proxy's response_latency_ms: Prometheus 3 with convert_classic_histograms_to_nhcb: true
 * stores it as one native histogram with custom buckets (Linkerd's bounds, no `_bucket` series).
 * histogram_fraction(0, T, h) is exact at a bucket bound (no interpolation inside a bucket), and for
 * a histogram whose lowest bound is positive Prometheus takes the first bucket's lower edge as 0, so
 * it counts every response at or under T
 * (https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_fraction).
 */
import { binary, call, gt, mul, num, or, paren, sub, type Expr } from '../promql/ast.js';

/** Observations per second in `h`, a rate of a native histogram. */
export function histogramCount(h: Expr): Expr {
  return call('histogram_count', h);
}

/**
 * Observations per second in `h` above `threshold`: count − fraction(0, T) × count.
 * histogram_fraction of an empty histogram is NaN, which would poison every window summed over it;
 * an idle window has no slow responses, so it reads 0 (the count) there.
 */
export function slowerThan(h: Expr, threshold: number): Expr {
  const count = histogramCount(h);
  const fast = mul(call('histogram_fraction', num(0), num(threshold), h), count);
  return or(paren(binary('and', sub(count, fast), gt(count, num(0)))), count);
}
