/**
 * A proxy's request traffic (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0):
 *  - request_total / response_total / response_latency_ms for inbound gRPC on the serving ports of
 *    control-plane pods (destination 8086, policy 8090 in the destination pod, identity 8080), one
 *    series per calling identity (client_id), and for application traffic (workload pods, port 8080)
 *    inbound and outbound with dst_* labels;
 *  - control_request_total / control_response_total (and optionally control_response_latency_ms)
 *    towards linkerd-dst-headless, linkerd-policy and linkerd-identity-headless (localhost inside
 *    the pod that serves the component);
 *  - control_<component>_balancer_endpoints (2.15+).
 * The admin port's own traffic is admin-traffic.ts'.
 */
import { CONTROL_ADDR, SERVING_POD, type CpComponent, type SimFacts } from './linkerd.js';
import { identityOf, type Mesh, type SimPod } from './mesh.js';
import { oneHopFurther } from './latency.js';
import { labelText, type Family, type Registry } from './registry.js';
import { makeStream, type Stream, type TrafficFamilies } from './streams.js';
import type { SimContext, TrafficRates } from './options.js';
import type { Target } from './target.js';

const EVICT = { evict: true } as const;
const LATENCY_HELP = "Elapsed times between a request's headers being received and its response stream completing";

/** The proxy's traffic families, registered in the order of a real scrape (cert families before, process_* after). */
export interface ProxyTrafficFamilies {
  readonly req: Family;
  readonly hist: Family;
  readonly resp: Family;
  readonly control: TrafficFamilies;
}

export function registerTrafficFamilies(reg: Registry, controlLatency: boolean | undefined): ProxyTrafficFamilies {
  const req = reg.family('request_total', 'counter', 'Total count of HTTP requests.', EVICT);
  const hist = reg.family('response_latency_ms', 'histogram', LATENCY_HELP, EVICT);
  const resp = reg.family('response_total', 'counter', 'Total count of HTTP responses.', EVICT);
  const creq = reg.family('control_request_total', 'counter', 'Total count of HTTP requests.', EVICT);
  const chist = controlLatency ? reg.family('control_response_latency_ms', 'histogram', LATENCY_HELP, EVICT) : undefined;
  const cresp = reg.family('control_response_total', 'counter', 'Total count of HTTP responses.', EVICT);
  return { req, hist, resp, control: { req: creq, resp: cresp, hist: chist } };
}

/** request_total/response_total, with response_latency_ms when the traffic gets histograms. */
export const httpFamilies = (f: ProxyTrafficFamilies, withHist: boolean): TrafficFamilies => ({ req: f.req, resp: f.resp, hist: withHist ? f.hist : undefined });

/** Who calls the control plane, and how often. */
export interface ControlPlaneCalls {
  readonly components: readonly CpComponent[];
  readonly perProxy: Readonly<Record<CpComponent, number>>;
  /** Callers of a component through its service, grouped by identity. */
  callerGroups(component: CpComponent): Array<{ namespace: string; sa: string; count: number }>;
  /** Replicas of a control-plane pod kind. */
  replicas(kind: string | undefined): number;
}

export function controlPlaneCalls(mesh: Mesh, rates: TrafficRates): ControlPlaneCalls {
  // Who calls the control plane through its service (every proxy but the serving pod's own; linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0).
  const callersOf = (component: CpComponent) => mesh.pods.filter((p) => p.component !== SERVING_POD[component]);
  return {
    components: mesh.facts.policy ? ['destination', 'policy', 'identity'] : ['destination', 'identity'],
    perProxy: { destination: rates.destinationPerProxy, policy: rates.policyPerProxy, identity: rates.identityPerProxy },
    callerGroups: (component) => {
      const groups = new Map<string, { namespace: string; sa: string; count: number }>();
      for (const p of callersOf(component)) {
        const key = `${p.namespace}/${p.serviceAccount}`;
        const g = groups.get(key) ?? { namespace: p.namespace, sa: p.serviceAccount, count: 0 };
        g.count++;
        groups.set(key, g);
      }
      return [...groups.values()];
    },
    replicas: (kind) => mesh.controlPlanePods.filter((p) => p.component === kind).length,
  };
}

/** Inbound endpoint labels of the version (linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` at release/v2.138.0, v2.161.0, v2.294.0). */
export function inboundEndpoint(f: SimFacts, pod: SimPod, port: number, o: { tls: string; clientId?: string; noTlsReason?: string; authority?: string }): string {
  const pairs: Array<[string, string]> = [['direction', 'inbound']];
  if (f.inboundAuthority && o.authority) pairs.push(['authority', o.authority]);
  pairs.push(['target_addr', `${pod.ip}:${port}`]);
  if (f.targetPort) pairs.push(['target_ip', pod.ip], ['target_port', String(port)]);
  pairs.push(['tls', o.tls]);
  if (o.clientId !== undefined) pairs.push(['client_id', o.clientId]);
  if (o.noTlsReason !== undefined) pairs.push(['no_tls_reason', o.noTlsReason]);
  if (f.serverLabels) {
    pairs.push(['srv_group', ''], ['srv_kind', 'default'], ['srv_name', 'all-unauthenticated']);
    if (f.srvPort) pairs.push(['srv_port', String(port)]);
    pairs.push(['route_group', ''], ['route_kind', 'default'], ['route_name', 'default']);
    pairs.push(['authz_group', ''], ['authz_kind', 'default'], ['authz_name', 'all-unauthenticated']);
  } else if (f.minor === 11) {
    pairs.push(['srv_kind', 'default'], ['srv_name', 'all-unauthenticated'], ['authz_kind', 'default'], ['authz_name', 'all-unauthenticated']);
  }
  return labelText(pairs);
}

/** Outbound endpoint labels with the destination's dst_* labels (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0). */
function outboundEndpoint(mesh: Mesh, up: { namespace: string; name: string; kind: string; serviceAccount: string }, peer: SimPod): string {
  const f = mesh.facts;
  const pairs: Array<[string, string]> = [
    ['direction', 'outbound'],
    ['authority', `${up.name}.${up.namespace}.svc.${mesh.clusterDomain}:8080`],
    ['target_addr', `${peer.ip}:8080`],
  ];
  if (f.targetPort) pairs.push(['target_ip', peer.ip], ['target_port', '8080']);
  pairs.push(['tls', 'true'], ['server_id', identityOf(mesh, up.namespace, up.serviceAccount)]);
  pairs.push(['dst_control_plane_ns', mesh.controlPlaneNamespace], [`dst_${up.kind}`, up.name], ['dst_namespace', up.namespace], ['dst_pod', peer.name]);
  if (up.kind === 'deployment') pairs.push(['dst_pod_template_hash', peer.templateHash]);
  pairs.push(['dst_service', up.name], ['dst_serviceaccount', up.serviceAccount]);
  if (f.dstZone) pairs.push(['dst_zone', '']);
  if (f.dstZoneLocality) pairs.push(['dst_zone_locality', 'unknown']);
  return labelText(pairs);
}

/** Callback of the controller that serves a component's calls (control-plane.ts counts them in grpc_server_handled_total). */
export type ServedBy = (component: CpComponent) => ((ok: number, failed: number, now: number) => void) | undefined;

/** Inbound gRPC on a control-plane pod's serving ports: one stream per calling identity, its rate shared by the replicas. */
export function servingStreams(
  ctx: SimContext, calls: ControlPlaneCalls, pod: SimPod, proxy: Target, families: (component: CpComponent) => TrafficFamilies, servedBy: ServedBy,
): Stream[] {
  const { mesh, scenario } = ctx;
  const cpNs = mesh.controlPlaneNamespace;
  const streams: Stream[] = [];
  for (const component of calls.components) {
    if (pod.component !== SERVING_POD[component]) continue;
    const { port, service } = CONTROL_ADDR[component];
    const n = calls.replicas(pod.component);
    for (const g of calls.callerGroups(component)) {
      const endpoint = inboundEndpoint(mesh.facts, pod, port, {
        tls: 'true',
        clientId: identityOf(mesh, g.namespace, g.sa),
        authority: `${service}.${cpNs}.svc.${mesh.clusterDomain}:${port}`,
      });
      const s = makeStream(mesh.facts.fullClassLabels, proxy, families(component), endpoint, true, {
        rate: (t) => (g.count * calls.perProxy[component] * scenario.cpTraffic(component, t)) / n,
        errorRatio: (t) => scenario.cpErrorRatio(component, t),
        latency: (t) => scenario.cpLatency(component, t) ?? ctx.latency[component],
      });
      const served = servedBy(component);
      if (served) s.onServed = served;
      streams.push(s);
    }
  }
  return streams;
}

/** Application traffic of a workload pod: inbound from the workload that calls this one, outbound to its upstream. */
export function appStreams(ctx: SimContext, pod: SimPod, proxy: Target, families: TrafficFamilies): Stream[] {
  if (pod.controlPlane || pod.extension) return [];
  const { mesh, scenario } = ctx;
  const wl = mesh.workloads.find((w) => w.pods.includes(pod))!;
  const caller = mesh.workloads.find((w) => w.upstream === wl) ?? wl;
  const inbound = inboundEndpoint(mesh.facts, pod, 8080, {
    tls: 'true',
    clientId: identityOf(mesh, caller.namespace, caller.serviceAccount),
    authority: `${wl.name}.${wl.namespace}.svc.${mesh.clusterDomain}:8080`,
  });
  const rate = (t: number) => ctx.rates.appRps * scenario.appTraffic(pod, t);
  const up = wl.upstream!;
  const peer = up.pods[pod.index % up.pods.length]!;
  return [
    makeStream(mesh.facts.fullClassLabels, proxy, families, inbound, false, {
      rate,
      errorRatio: (t) => scenario.appErrorRatio(pod, t),
      latency: (t) => scenario.appLatency(pod, t) ?? ctx.latency.app,
    }),
    makeStream(mesh.facts.fullClassLabels, proxy, families, outboundEndpoint(mesh, up, peer), false, {
      rate,
      errorRatio: (t) => scenario.appErrorRatio(peer, t),
      latency: (t) => oneHopFurther(scenario.appLatency(peer, t) ?? ctx.latency.app),
    }),
  ];
}

/** Every proxy's control-plane clients (control_* families): to the service, or to localhost in the serving pod. */
export function controlClientStreams(ctx: SimContext, calls: ControlPlaneCalls, pod: SimPod, proxy: Target, families: TrafficFamilies): Stream[] {
  const { mesh, scenario } = ctx;
  const cpNs = mesh.controlPlaneNamespace;
  return calls.components.map((component) => {
    const { service, port, serverSa } = CONTROL_ADDR[component];
    const local = pod.component === SERVING_POD[component];
    const endpoint = local
      ? labelText({ addr: `localhost.:${port}`, tls: 'no_identity', no_tls_reason: 'loopback' })
      : labelText({ addr: `${service}.${cpNs}.svc.${mesh.clusterDomain}:${port}`, tls: 'true', server_id: identityOf(mesh, cpNs, serverSa) });
    return makeStream(mesh.facts.fullClassLabels, proxy, families, endpoint, true, {
      rate: (t) => calls.perProxy[component] * scenario.cpTraffic(component, t),
      errorRatio: (t) => scenario.cpErrorRatio(component, t),
      latency: (t) => oneHopFurther(scenario.cpLatency(component, t) ?? ctx.latency[component]),
    });
  });
}

/**
 * What each control-plane client balances over (Linkerd 2.15+, linkerd/linkerd2-proxy
 * `linkerd/proxy/balance/gauge-endpoints/src/lib.rs` at release/v2.221.0): a healthy proxy holds a
 * ready endpoint of every control-plane service, and reports both states.
 */
export function registerBalancerEndpoints(reg: Registry, mesh: Mesh, components: readonly CpComponent[], start: number): void {
  if (mesh.facts.minor < 15) return;
  for (const component of components) {
    const { service, port } = CONTROL_ADDR[component];
    const name = `control_${component}_balancer_endpoints`;
    const family = reg.get(name) ?? reg.family(name, 'gauge', 'The number of endpoints currently in a HTTP request balancer');
    const addr = `${service}.${mesh.controlPlaneNamespace}.svc.${mesh.clusterDomain}:${port}`;
    reg.scalar(family, labelText({ endpoint_state: 'ready', addr }), start).set(1, start);
    reg.scalar(family, labelText({ endpoint_state: 'pending', addr }), start).set(0, start);
  }
}
