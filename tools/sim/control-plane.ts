/**
 * Control-plane containers scraped by the controller job (job linkerd-controller): process_*,
 * go_goroutines, and on identity issuer_cert_ttl_seconds (2.18+, linkerd/linkerd2 `pkg/identity/service.go`
 * at version-2.18); identity and destination count the calls their proxy serves in
 * grpc_server_handled_total (linkerd/linkerd2 `pkg/prometheus/prometheus.go` at version-2.18).
 */
import type { CpComponent, SimFacts } from './linkerd.js';
import type { Mesh, SimPod } from './mesh.js';
import { labelText, type Scalar } from './registry.js';
import { Target } from './target.js';

/** Typical resident memory of each controller container (bytes). */
const CONTROLLER_RSS: Record<string, number> = { policy: 28e6, destination: 60e6, prometheus: 420e6, web: 30e6, tap: 35e6 };

/** One target per container of a control-plane pod that the controller job scrapes. */
export function controllerTargets(mesh: Mesh, pod: SimPod): Target[] {
  return pod.controllers.map(
    (c) =>
      new Target(`controller/${pod.name}/${c.container}`, 'linkerd-controller', pod, {
        ...mesh.targetLabels,
        job: mesh.controllerJob,
        instance: `${pod.ip}:${c.adminPort}`,
        component: c.container,
      }, c.container),
  );
}

/** Families and start values of each controller container. */
export function startControllers(controllers: readonly Target[], pod: SimPod, podStart: number, f: SimFacts, start: number): void {
  for (const c of controllers) {
    const r = c.registry;
    r.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', { int: false, decimals: 2 });
    r.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
    r.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
    r.scalar(r.get('process_start_time_seconds')!, '', start).set(podStart + 2, start);
    r.scalar(r.get('process_resident_memory_bytes')!, '', start).set(CONTROLLER_RSS[c.container ?? ''] ?? 45e6, start);
    const spec = pod.controllers.find((x) => x.container === c.container)!;
    if (spec.go) {
      r.family('go_goroutines', 'gauge', 'Number of goroutines that currently exist.');
      r.scalar(r.get('go_goroutines')!, '', start).set(c.container === 'destination' ? 180 : 60, start);
    }
    if (c.container === 'identity' || c.container === 'destination') {
      r.family('grpc_server_handled_total', 'counter', 'Total number of RPCs completed on the server, regardless of success or failure.');
    }
    if (c.container === 'identity') {
      if (f.issuerTtl) r.family('issuer_cert_ttl_seconds', 'gauge', 'The remaining lifetime of the issuer certificate in seconds.');
    }
  }
}

export function advanceControllersCpu(controllers: readonly Target[], dt: number, now: number): void {
  for (const c of controllers) {
    const r = c.registry;
    r.scalar(r.get('process_cpu_seconds_total')!, '', now).add(0.004 * dt, now);
  }
}

export function issuerTtlGauges(controllers: readonly Target[], issuerNotAfter: number, now: number): void {
  for (const c of controllers) {
    const r = c.registry;
    const ttl = r.get('issuer_cert_ttl_seconds');
    if (ttl) r.scalar(ttl, '', now).set(Math.round(issuerNotAfter - now / 1000), now);
  }
}

/** grpc_server_handled_total of the controllers that serve calls, series created as calls arrive. */
export class GrpcServerCounts {
  private readonly series = new Map<Target, Map<string, Scalar>>();

  /**
   * The counter of the container serving a component's calls on this pod, if any: identity's Certify
   * is unary; destination's Get/GetProfile are watch streams that mostly end Canceled (the proxy
   * drops the watch), which is normal.
   */
  servedBy(controllers: readonly Target[], component: CpComponent): ((ok: number, failed: number, now: number) => void) | undefined {
    if (component !== 'identity' && component !== 'destination') return undefined;
    const served = controllers.find((c) => c.container === component);
    return served ? (ok, failed, now) => this.count(served, component, ok, failed, now) : undefined;
  }

  private count(target: Target, component: 'identity' | 'destination', ok: number, failed: number, now: number): void {
    const r = target.registry;
    const fam = r.get('grpc_server_handled_total')!;
    const state = this.series.get(target) ?? new Map<string, Scalar>();
    this.series.set(target, state);
    const add = (code: string, method: string, type: string, service: string, n: number) => {
      if (n <= 0) return;
      const key = `${code}/${method}`;
      let sc = state.get(key);
      if (!sc) state.set(key, (sc = r.scalar(fam, labelText({ grpc_code: code, grpc_method: method, grpc_service: service, grpc_type: type }), now)));
      sc.add(n, now);
    };
    if (component === 'identity') {
      add('OK', 'Certify', 'unary', 'io.linkerd.proxy.identity.Identity', ok);
      add('Unavailable', 'Certify', 'unary', 'io.linkerd.proxy.identity.Identity', failed);
    } else {
      const svc = 'io.linkerd.proxy.destination.Destination';
      add('Canceled', 'Get', 'server_stream', svc, ok * 0.6);
      add('Canceled', 'GetProfile', 'server_stream', svc, ok * 0.35);
      add('OK', 'Get', 'server_stream', svc, ok * 0.05);
      add('Unavailable', 'Get', 'server_stream', svc, failed);
    }
  }
}
