/**
 * Workload and route SLOs as OpenSLO ratio SLOs, one per workload (or route) and SLI, with the raw
 * counter selectors the rules read for it:
 *
 *   success rate → workload-success-rate-<namespace>-<deployment|statefulset|daemonset|workload>-<name>
 *                  bad = inbound response_total{classification="failure"} / total = inbound response_total
 *   latency      → workload-latency-<namespace>-<…>-<name>
 *                  good = inbound response_latency_ms_bucket{le="<thresholdMs>"} / total = the le="+Inf" bucket;
 *                  none on native histograms (no `_bucket` series, hence no counter selector: see
 *                  src/slo/latency/openslo.ts)
 *   route        → route-success-rate-<protocol>-<parent namespace>-<service>-<route namespace>-<route>
 *                  good = the callers' outbound_<protocol>_route_request_statuses_total without failure / total
 *
 * The rules sum the workloads of one class together and pick them out by label; OpenSLO has one SLO
 * per workload, so each gets equality matchers of its own. Names longer than a DNS label (63
 * characters, what metadata.name and import-openslo accept) end in a hash of the whole name.
 */
import { eq, type Matcher } from '../../promql/ast.js';
import { leMatcher } from '../../linkerd/latency-buckets.js';
import { PROXY_HTTP, servedInbound } from '../../linkerd/proxy-admin.js';
import { boundedName } from '../../text.js';
import type { BuildContext, RatioSliDeclaration } from '../kind.js';
import { membersOf, routeMetric, routesOf, routeSuccessMatchers, type Member } from './members.js';

const DNS_LABEL_MAX = 63;

export function workloadSlis(ctx: BuildContext): RatioSliDeclaration[] {
  const { config } = ctx;
  const w = config.slos.workloads;
  const base = ['slos', 'workloads'];
  const inbound = servedInbound(ctx.facts, config.linkerd.proxyAdminPort);
  /** The labels that pick one workload's proxies, as the linkerd-proxy job sets them. */
  const identity = (m: Member): Matcher[] =>
    m.selector
      ? [eq('namespace', m.namespace), ...Object.entries(m.selector).map(([k, v]) => eq(k, v))]
      : [eq('namespace', m.namespace), eq(m.component, m.name)];
  const out: RatioSliDeclaration[] = [];

  membersOf(w).forEach((m, i) => {
    const cls = w.classes[m.class]!;
    const who = `${m.namespace}-${m.component}-${m.name}`;
    const where = `${m.component === 'workload' ? 'selector workload' : m.component} ${m.namespace}/${m.name}`;
    const common = { service: m.name, period: w.defaults.period, path: [...base, 'list', i] };
    const sel = (metric: string, extra: readonly Matcher[]) => ctx.proxySelector(metric, [...inbound, ...identity(m), ...extra]);
    if (cls.successRate.enabled) {
      out.push({
        ...common,
        name: boundedName(`workload-success-rate-${who}`, DNS_LABEL_MAX),
        displayName: `Workload success rate: ${where} (${m.class})`,
        description: `Share of the inbound responses of ${where} that succeed, counted by its own Linkerd proxies (cluster ${config.cluster}).`,
        objective: cls.successRate.objective,
        bad: sel(PROXY_HTTP.responses, [eq('classification', 'failure')]),
        total: sel(PROXY_HTTP.responses, []),
      });
    }
    if (cls.latency.enabled && config.linkerd.histograms !== 'native') {
      const thresholdMs = cls.latency.thresholdMs;
      out.push({
        ...common,
        name: boundedName(`workload-latency-${who}`, DNS_LABEL_MAX),
        displayName: `Workload latency: ${where} within ${thresholdMs} ms (${m.class})`,
        description: `Share of the inbound responses of ${where} whose time to first byte is at most ${thresholdMs} ms, from its own Linkerd proxies (cluster ${config.cluster}).`,
        objective: cls.latency.objective,
        good: sel(PROXY_HTTP.latencyBucket, [leMatcher(thresholdMs)]),
        total: sel(PROXY_HTTP.latencyBucket, [eq('le', '+Inf')]),
      });
    }
  });

  routesOf(w).forEach((r, i) => {
    const { parent_namespace, parent_name, route_namespace, route_name } = r.labels;
    const identity = Object.entries(r.labels).map(([k, v]) => eq(k, v));
    const metric = routeMetric(r.protocol);
    const where = `${r.protocol} route ${route_namespace}/${route_name} of Service ${parent_namespace}/${parent_name}`;
    out.push({
      name: boundedName(`route-success-rate-${r.protocol}-${parent_namespace}-${parent_name}-${route_namespace}-${route_name}`, DNS_LABEL_MAX),
      displayName: `Route success rate: ${where} (${r.class})`,
      description: `Share of every meshed caller's requests on the ${where} that succeed (${metric}, cluster ${config.cluster}).`,
      service: parent_name,
      objective: w.classes[r.class]!.successRate.objective,
      period: w.defaults.period,
      good: ctx.proxySelector(metric, [...identity, ...routeSuccessMatchers(r.protocol)]),
      total: ctx.proxySelector(metric, identity),
      path: [...base, 'routes', i],
    });
  });
  return out;
}
