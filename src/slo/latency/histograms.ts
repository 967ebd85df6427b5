/**
 * The proxy's response_latency_ms histogram in either storage (config linkerd.histograms):
 *  - classic: one `response_latency_ms_bucket` series per `le` bound;
 *  - native: one native histogram with custom buckets, read with histogram_count and
 *    histogram_fraction (src/slo/native-histograms.ts).
 */
import { aggregate, eq, inline, rate, selector, sub, sum, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import { histogramCount, slowerThan } from '../native-histograms.js';
import { leMatcher } from '../../linkerd/latency-buckets.js';
import type { BuildContext } from '../kind.js';
import { LATENCY_RECORDINGS } from '../series.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';

export interface LatencyHistogram {
  readonly native: boolean;
  /** The raw family as Prometheus stores it (what the runbooks and alert texts name). */
  readonly metric: string;
  /** What counts requests, as the runbooks quote it. */
  readonly requestsSource: string;
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
    metric: PROXY_HTTP.latencyBucket,
    requestsSource: inline(selector(PROXY_HTTP.latencyBucket, [eq('le', '+Inf')])),
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
  return {
    native: true,
    metric: PROXY_HTTP.latencyHistogram,
    requestsSource: inline(histogramCount(selector(PROXY_HTTP.latencyHistogram))),
    recording: LATENCY_RECORDINGS.nativeHistogram,
    presence: series,
    aggregateRate: h,
    requestsRate: (m, w, by) => histogramCount(h(m, w, by)),
    slowRate: (m, t, w, by) => slowerThan(h(m, w, by), t),
  };
}
