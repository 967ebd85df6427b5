/**
 * Traffic the generator must ignore: inbound requests to admin ports, counted by the proxy like any
 * other inbound traffic (request_total/response_total/response_latency_ms, tls="no_identity"): the
 * proxy's own admin port 4191 (Prometheus scrapes, the kubelet's probes) and, on control-plane pods,
 * the containers' admin ports (probes and linkerd-controller scrapes).
 */
import { PROXY_ADMIN_PORT } from './linkerd.js';
import type { SimPod } from './mesh.js';
import type { LatencyDist } from './latency.js';
import { inboundEndpoint } from './proxy-traffic.js';
import { makeStream, type Stream, type TrafficFamilies } from './streams.js';
import type { SimContext } from './options.js';
import type { Target } from './target.js';

const ADMIN_LATENCY: LatencyDist = { medianMs: 1, sigma: 0.4 };

export function adminStreams(ctx: SimContext, pod: SimPod, proxy: Target, families: TrafficFamilies): Stream[] {
  const f = ctx.mesh.facts;
  const { scrapeIntervalSeconds, probePeriodSeconds } = ctx.rates;
  const adminRate = 1 / scrapeIntervalSeconds + 2 / probePeriodSeconds;
  const adminPorts: Array<[number, number]> = [[PROXY_ADMIN_PORT, adminRate]];
  for (const c of pod.controllers) adminPorts.push([c.adminPort, adminRate]);
  // The policy controller's probe port before it served metrics itself (no scrapes there).
  if (pod.component === 'destination' && !f.policyMetrics && f.policy) adminPorts.push([9990, 2 / probePeriodSeconds]);
  return adminPorts.map(([port, rate]) => {
    const endpoint = inboundEndpoint(f, pod, port, { tls: 'no_identity', noTlsReason: 'no_tls_from_remote' });
    return makeStream(f.fullClassLabels, proxy, families, endpoint, false, { rate: () => rate, errorRatio: () => 0, latency: () => ADMIN_LATENCY });
  });
}
