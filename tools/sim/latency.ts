/**
 * Latency distributions of simulated traffic: log-normal, turned into the share of responses at or
 * under each response_latency_ms bucket bound (LATENCY_BUCKETS_MS) and the mean (for _sum).
 */
import { LATENCY_BUCKETS_MS } from './linkerd.js';

export interface LatencyDist {
  readonly medianMs: number;
  readonly sigma: number;
}

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

const cdfCache = new Map<string, { cdf: Float64Array; mean: number }>();

/** Log-normal latency: CDF at each bucket bound, and the mean (for _sum). */
export function latencyShape(d: LatencyDist): { cdf: Float64Array; mean: number } {
  const key = `${d.medianMs}/${d.sigma}`;
  let v = cdfCache.get(key);
  if (!v) {
    const cdf = new Float64Array(LATENCY_BUCKETS_MS.length);
    const mu = Math.log(d.medianMs);
    LATENCY_BUCKETS_MS.forEach((b, i) => {
      cdf[i] = d.sigma <= 0 ? (b >= d.medianMs ? 1 : 0) : 0.5 * (1 + erf((Math.log(b) - mu) / (d.sigma * Math.SQRT2)));
    });
    v = { cdf, mean: d.medianMs * Math.exp((d.sigma * d.sigma) / 2) };
    cdfCache.set(key, v);
  }
  return v;
}

/** The same distribution one hop further away (a client's view of a server: +1 ms). */
export const oneHopFurther = (l: LatencyDist): LatencyDist => ({ medianMs: l.medianMs + 1, sigma: l.sigma });
