/**
 * One stream of HTTP/gRPC traffic a proxy counts: request_total, response_total (success and
 * failure) and optionally response_latency_ms under one endpoint label set, advanced by its rate,
 * error ratio and latency over time. Which streams a proxy has is the business of proxy-traffic.ts,
 * admin-traffic.ts and control-plane.ts; this file only counts.
 */
import { latencyShape, type LatencyDist } from './latency.js';
import { Family, Hist, Scalar, joinLabels } from './registry.js';
import type { Target } from './target.js';

/** The families a stream counts into (request_total/response_total/response_latency_ms or their control_ twins). */
export interface TrafficFamilies {
  readonly req: Family;
  readonly resp: Family;
  readonly hist?: Family | undefined;
}

/** How a stream behaves at simulated time t (epoch ms). */
export interface StreamBehaviour {
  rate(t: number): number;
  errorRatio(t: number): number;
  latency(t: number): LatencyDist;
}

export interface Stream extends StreamBehaviour {
  readonly target: Target;
  readonly req: Family;
  readonly resp: Family;
  readonly hist?: Family;
  readonly grpc: boolean;
  readonly endpoint: string;
  readonly okLabels: string;
  readonly failLabels: string;
  readonly histOkLabels: string;
  readonly histFailLabels: string;
  onServed?(ok: number, failed: number, t: number): void;
  reqS?: Scalar;
  okS?: Scalar;
  failS?: Scalar;
  hOk?: Hist;
  hFail?: Hist;
}

/** A series the registry has not evicted (evicted ones are recreated on the next increment). */
const live = <T extends { evicted: boolean }>(x: T | undefined): T | undefined => (x && !x.evicted ? x : undefined);

/**
 * A stream's label sets: classification (and grpc_status on gRPC) on responses; the full class
 * labels (grpc_status and error on every response) where the version has them (`fullClassLabels`).
 */
export function makeStream(
  fullClassLabels: boolean, target: Target, families: TrafficFamilies, endpoint: string, grpc: boolean, behaviour: StreamBehaviour,
): Stream {
  const cls = (code: string, classification: string, grpcStatus: string) => {
    if (fullClassLabels) return `status_code="${code}",classification="${classification}",grpc_status="${grpcStatus}",error=""`;
    return grpc ? `status_code="${code}",classification="${classification}",grpc_status="${grpcStatus}"` : `status_code="${code}",classification="${classification}"`;
  };
  const okLabels = joinLabels(endpoint, grpc ? cls('200', 'success', '0') : cls('200', 'success', ''));
  const failLabels = joinLabels(endpoint, grpc ? cls('200', 'failure', '14') : cls('503', 'failure', ''));
  const { req, resp, hist } = families;
  return {
    target, req, resp, ...(hist ? { hist } : {}), grpc, endpoint, okLabels, failLabels,
    histOkLabels: joinLabels(endpoint, 'status_code="200"'),
    histFailLabels: joinLabels(endpoint, grpc ? 'status_code="200"' : 'status_code="503"'),
    rate: behaviour.rate, errorRatio: behaviour.errorRatio, latency: behaviour.latency,
  };
}

/** Counts `dt` seconds of a stream read at `t` and stamped `now`; returns its request rate (the proxy's throughput). */
export function advanceStream(s: Stream, dt: number, t: number, now: number): number {
  const rps = s.rate(t);
  const n = rps * dt;
  if (n <= 0) return 0;
  const reg = s.target.registry;
  const e = s.errorRatio(t);
  const failed = n * e;
  const ok = n - failed;
  (s.reqS = live(s.reqS) ?? reg.scalar(s.req, s.endpoint, now)).add(n, now);
  if (ok > 0) (s.okS = live(s.okS) ?? reg.scalar(s.resp, s.okLabels, now)).add(ok, now);
  if (failed > 0) (s.failS = live(s.failS) ?? reg.scalar(s.resp, s.failLabels, now)).add(failed, now);
  if (s.hist) {
    const shape = latencyShape(s.latency(t));
    if (s.histOkLabels === s.histFailLabels) {
      (s.hOk = live(s.hOk) ?? reg.hist(s.hist, s.histOkLabels, now)).observe(n, shape.cdf, shape.mean, now);
    } else {
      if (ok > 0) (s.hOk = live(s.hOk) ?? reg.hist(s.hist, s.histOkLabels, now)).observe(ok, shape.cdf, shape.mean, now);
      if (failed > 0) (s.hFail = live(s.hFail) ?? reg.hist(s.hist, s.histFailLabels, now)).observe(failed, shape.cdf, shape.mean, now);
    }
  }
  s.onServed?.(ok, failed, now);
  return rps;
}
