/**
 * The proxy's response_latency_ms histogram in either storage (config linkerd.histograms):
 *  - classic: one `response_latency_ms_bucket` series per `le` bound;
 *  - native: one native histogram with custom buckets (Prometheus 3 with
 *    convert_classic_histograms_to_nhcb: true keeps no `_bucket` series; the bounds stay Linkerd's,
 *    so histogram_fraction at a bound is exact: no interpolation inside a bucket). For a histogram
 *    whose lowest bound is positive, Prometheus takes the first bucket's lower edge as 0, so
 *    histogram_fraction(0, T) counts every response at or under T
 *    (https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_fraction).
 */
import {
  aggregate, call, eq, gt, mul, num, or, paren, rate, sub, sum, binary,
  type Expr, type Matcher, type Selector,
} from '../../promql/ast.js';
import { leMatcher } from '../../linkerd/latency-buckets.js';
import type { BuildContext } from '../kind.js';
import { LATENCY_RECORDINGS } from '../series.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';

export interface LatencyHistogram {
  readonly native: boolean;
  /** Name of the recorded aggregate (classic: per le; native: one histogram). */
  readonly recording: string;
  /** A series that exists while the pod's proxy is scraped (the +Inf bucket, or the histogram). */
  presence(matchers: readonly Matcher[]): Selector;
  /** Rate of the histogram over w, summed by `by` (and le when classic): what histogram_quantile reads. */
  aggregateRate(matchers: readonly Matcher[], w: string, by: readonly string[]): Expr;
  /** Responses per second over w. */
  requestsRate(matchers: readonly Matcher[], w: string, by: readonly string[]): Expr;
  /** Responses per second over w slower than thresholdMs. */
  slowRate(matchers: readonly Matcher[], thresholdMs: number, w: string, by: readonly string[]): Expr;
}

export function latencyHistogram(ctx: BuildContext): LatencyHistogram {
  return ctx.config.linkerd.histograms === 'native' ? nativeHistogram(ctx) : classicHistogram(ctx);
}

function classicHistogram(ctx: BuildContext): LatencyHistogram {
  const buckets = (m: readonly Matcher[]) => ctx.proxySelector(PROXY_HTTP.latencyBucket, [...m]);
  // Every response lands in le="+Inf"; the slow ones are those above the threshold bucket.
  const requestsRate = (m: readonly Matcher[], w: string, by: readonly string[]) => sum(rate(buckets([...m, eq('le', '+Inf')]), w), by);
  return {
    native: false,
    recording: LATENCY_RECORDINGS.histogram,
    presence: (m) => buckets([...m, eq('le', '+Inf')]),
    aggregateRate: (m, w, by) => aggregate('sum', rate(buckets(m), w), { by: ['le', ...by] }),
    requestsRate,
    slowRate: (m, t, w, by) => sub(requestsRate(m, w, by), sum(rate(buckets([...m, leMatcher(t)]), w), by)),
  };
}

function nativeHistogram(ctx: BuildContext): LatencyHistogram {
  const series = (m: readonly Matcher[]) => ctx.proxySelector(PROXY_HTTP.latencyHistogram, [...m]);
  const h = (m: readonly Matcher[], w: string, by: readonly string[]) => sum(rate(series(m), w), by);
  const count = (m: readonly Matcher[], w: string, by: readonly string[]) => call('histogram_count', h(m, w, by));
  return {
    native: true,
    recording: LATENCY_RECORDINGS.nativeHistogram,
    presence: series,
    aggregateRate: h,
    requestsRate: count,
    // histogram_fraction of an empty histogram is NaN, which would poison every window summed over
    // it; an idle window has no slow responses, so it reads 0 (the count) there.
    slowRate: (m, t, w, by) => {
      const fast = mul(call('histogram_fraction', num(0), num(t), h(m, w, by)), count(m, w, by));
      return or(paren(binary('and', sub(count(m, w, by), fast), gt(count(m, w, by), num(0)))), count(m, w, by));
    },
  };
}
