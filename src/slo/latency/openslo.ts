/**
 * The control-plane latency as OpenSLO ratio SLOs, per component (good = responses in the fast
 * buckets / total). None on native histograms (linkerd.histograms: native): there the histogram has
 * no `_bucket` series, so no counter selector counts the fast responses, and an OpenSLO ratioMetric
 * (counter: true) is read as counter selectors that tools take rate() of; the export's header says so.
 */
import { eq, type Matcher } from '../../promql/ast.js';
import { runningComponents, serverMatchers } from '../../linkerd/control-plane.js';
import { leMatcher } from '../../linkerd/latency-buckets.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';
import type { BuildContext, RatioSliDeclaration } from '../kind.js';
import { CONTROL_PLANE_SERVICE } from '../series.js';

export function latencySlis(ctx: BuildContext): RatioSliDeclaration[] {
  const { config, facts } = ctx;
  const lat = config.slos.controlPlaneLatency;
  if (config.linkerd.histograms === 'native') return [];
  return runningComponents(lat.components, facts).map((component) => {
    const thresholdMs = lat.componentThresholdMs[component] ?? lat.thresholdMs;
    const m = serverMatchers(ctx, component, lat.ports[component]);
    const bucket = (le: Matcher) => ctx.proxySelector(PROXY_HTTP.latencyBucket, [...m.pod, m.port, le]);
    return {
      name: `control-plane-latency-${component}`,
      displayName: `Control-plane latency: ${component} within ${thresholdMs} ms`,
      description: `Share of ${component} responses whose time to first byte is at most ${thresholdMs} ms, from its own pods' Linkerd proxies (cluster ${config.cluster}).`,
      service: CONTROL_PLANE_SERVICE,
      objective: lat.objective,
      period: lat.period,
      good: bucket(leMatcher(thresholdMs)),
      total: bucket(eq('le', '+Inf')),
      path: ['slos', 'controlPlaneLatency'],
    };
  });
}
