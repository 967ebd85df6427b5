/**
 * The Linkerd metrics simulator: a mesh (mesh.ts), a scenario (scenario.ts) and the counters every
 * proxy and control-plane container would expose, advanced through time. Traffic is deterministic
 * (rates, not random arrivals) so tests can predict what Prometheus computes from it.
 *
 * Each proxy exposes (a real scrape: linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`),
 * one file per source:
 *  - its workload certificate (identity.ts);
 *  - request and control-plane traffic (proxy-traffic.ts), counted by streams.ts;
 *  - requests to admin ports, probes and scrapes, which the generator must ignore (admin-traffic.ts);
 *  - process_* and proxy_build_info (resources.ts).
 * Control-plane containers (job linkerd-controller) are control-plane.ts'; kube-state-metrics' and
 * the kubelet's cAdvisor series of the proxy containers are kube-state.ts' and cadvisor.ts'.
 */
import type { CpComponent } from './linkerd.js';
import { buildMesh, prng, type Mesh, type SimPod } from './mesh.js';
import { Scenario } from './scenario.js';
import { renderSeries, type Scalar } from './registry.js';
import { KUBE_STATE_JOB, writeKubeState, type KubeStateOptions } from './kube-state.js';
import { KUBELET_JOB, writeCadvisor } from './cadvisor.js';
import type { LatencyDist } from './latency.js';
import { DEFAULT_LATENCY, DEFAULT_RATES, type SimContext, type SimulatorOptions, type TrafficRates } from './options.js';
import { Target, type Job } from './target.js';
import { advanceStream, type Stream } from './streams.js';
import { advanceCert, certGauges, initialCert, registerCertFamilies, type CertState } from './identity.js';
import {
  appStreams, controlClientStreams, controlPlaneCalls, httpFamilies, registerBalancerEndpoints, registerTrafficFamilies, servingStreams,
  type ControlPlaneCalls,
} from './proxy-traffic.js';
import { adminStreams } from './admin-traffic.js';
import { advanceProcessCpu, processGauges, registerProcessFamilies, startProcess } from './resources.js';
import { GrpcServerCounts, advanceControllersCpu, controllerTargets, issuerTtlGauges, startControllers } from './control-plane.js';

interface PodState {
  readonly pod: SimPod;
  readonly proxy: Target;
  readonly controllers: Target[];
  readonly startSec: number;
  readonly rssBase: number;
  readonly streams: Stream[];
  readonly cert: CertState;
  growth: number;
}

export class LinkerdSimulator implements SimContext {
  readonly mesh: Mesh;
  readonly scenario: Scenario;
  readonly targets: Target[] = [];
  /** kube-state-metrics' one target, when simulated (kubeStateMetrics); not among `targets`, which are the Linkerd scrapes. */
  readonly kubeState?: Target;
  /** The kubelet's cAdvisor target, when simulated (cadvisor); not among `targets` either. */
  readonly kubelet?: Target;
  private readonly workingSets = new Map<string, Scalar>();
  readonly start: number;
  readonly rates: TrafficRates;
  /** Normal latency of each control-plane component and of applications. */
  readonly latency: Record<CpComponent | 'app', LatencyDist>;
  readonly certLifetime: number;
  readonly issuerNotAfter: number;
  /** Simulated time, epoch ms. */
  now: number;
  private readonly pods: PodState[] = [];
  private readonly byId = new Map<string, Target>();
  private readonly retainMs: number;
  private readonly grpc = new GrpcServerCounts();
  /** Called after every advance step with the simulated time (history recording). */
  onStep?: (t: number) => void;

  constructor(readonly options: SimulatorOptions = {}) {
    this.mesh = options.mesh ?? buildMesh(options);
    this.start = options.start ?? Date.now();
    this.now = this.start;
    this.scenario = options.scenario ?? new Scenario(this.start);
    this.rates = { ...DEFAULT_RATES, ...(options.rates ?? {}) };
    this.latency = { ...DEFAULT_LATENCY, ...(options.latency ?? {}) };
    this.certLifetime = options.certLifetimeSeconds ?? 86400;
    this.issuerNotAfter = options.issuerNotAfter ?? Math.floor(this.start / 1000) + 300 * 86400;
    this.retainMs = (options.retainIdleSeconds ?? 600) * 1000;
    if (options.cadvisor) this.kubelet = this.kubeletTarget();
    this.build();
    if (options.kubeStateMetrics) this.kubeState = this.kubeStateTarget(options.kubeStateMetrics === true ? {} : options.kubeStateMetrics);
  }

  /** The Linkerd targets and kube-state-metrics' (when simulated): everything a Prometheus would scrape. */
  get allTargets(): Target[] {
    return [...this.targets, ...(this.kubeState ? [this.kubeState] : []), ...(this.kubelet ? [this.kubelet] : [])];
  }

  target(id: string): Target | undefined {
    return this.byId.get(id);
  }

  targetsOf(job: Job): Target[] {
    return this.targets.filter((t) => t.job === job);
  }

  /** Whether a target's /metrics fails at `t` (scenario target-down). */
  isDown(target: Target, t = this.now): boolean {
    return target.job !== KUBE_STATE_JOB && target.job !== KUBELET_JOB && this.scenario.targetDown(target.job, target.pod, t);
  }

  /** Families hidden at `t` on a target (scenario families-missing). */
  missing(target: Target, t = this.now): ReadonlySet<string> {
    return this.scenario.missingFamilies(target.pod, t);
  }

  /** Text exposition of one target at the current simulated time (call advanceTo first). */
  exposition(target: Target): string {
    const lines = target.registry.render('', this.missing(target));
    return `${lines.join('\n')}\n`;
  }

  /**
   * Every live target's series with its target labels (for one scrape with honor_labels: true),
   * optionally only some families.
   */
  aggregateExposition(job?: Job, families?: ReadonlySet<string>): string {
    const byFamily = new Map<string, { head: string[]; lines: string[] }>();
    for (const t of this.allTargets) {
      if ((job && t.job !== job) || this.isDown(t)) continue;
      const skip = this.missing(t);
      for (const f of t.registry.families) {
        if (skip.has(f.name) || (families && !families.has(f.name))) continue;
        const out: string[] = [];
        for (const s of f.series.values()) if (s.visible) renderSeries(f, s, t.labelText, out);
        if (out.length === 0) continue;
        let g = byFamily.get(f.name);
        if (!g) byFamily.set(f.name, (g = { head: [`# HELP ${f.typeName} ${f.help}`, `# TYPE ${f.typeName} ${f.type}`], lines: [] }));
        g.lines.push(...out);
      }
    }
    const all: string[] = [];
    for (const g of byFamily.values()) all.push(...g.head, ...g.lines);
    return `${all.join('\n')}\n`;
  }

  /** Advances every counter to epoch ms `t`, splitting at scenario boundaries so effects start exactly on time. */
  advanceTo(t: number): void {
    if (t <= this.now) return;
    const bounds = new Set<number>();
    for (const e of this.scenario.effects) {
      bounds.add(this.scenario.at(e.from));
      if (e.to !== undefined) bounds.add(this.scenario.at(e.to));
    }
    const cuts = [...bounds].filter((b) => b > this.now && b < t).sort((a, b) => a - b);
    for (const c of [...cuts, t]) this.step(c);
    if (this.retainMs > 0) for (const target of this.targets) target.registry.evictIdle(this.now, this.retainMs);
    this.onStep?.(this.now);
  }

  // -------------------------------------------------------------------------------------------

  private step(to: number): void {
    const from = this.now;
    const dt = (to - from) / 1000;
    if (dt <= 0) return;
    const t = from; // effects are piecewise constant between boundaries: read them at the interval start
    for (const ps of this.pods) {
      let throughput = 0;
      for (const s of ps.streams) throughput += advanceStream(s, dt, t, to);
      advanceProcessCpu(ps.proxy.registry, dt, to, throughput, this.scenario.extraCpu(ps.pod, t));
      ps.growth += this.scenario.memoryGrowth(ps.pod, t) * dt;
      advanceControllersCpu(ps.controllers, dt, to);
      advanceCert(ps.cert, this.scenario.certRefreshFails(ps.pod, from), from / 1000, to / 1000, this);
    }
    this.now = to;
    this.updateGauges(to);
  }

  private updateGauges(now: number): void {
    const f = this.mesh.facts;
    for (const ps of this.pods) {
      const reg = ps.proxy.registry;
      certGauges(reg, f, ps.cert, now);
      processGauges(reg, f, ps, now, this.workingSets.get(ps.pod.name));
      issuerTtlGauges(ps.controllers, this.issuerNotAfter, now);
    }
  }

  // -------------------------------------------------------------------------------------------

  private build(): void {
    const rand = prng(7);
    const calls = controlPlaneCalls(this.mesh, this.rates);
    for (const pod of this.mesh.pods) this.pods.push(this.buildPod(pod, rand(), calls));
    this.updateGauges(this.start);
  }

  /** A pod's proxy and controller targets; `random` in [0, 1) sets its age. */
  private buildPod(pod: SimPod, random: number, calls: ControlPlaneCalls): PodState {
    const f = this.mesh.facts;
    const proxy = new Target(`proxy/${pod.namespace}/${pod.name}`, 'linkerd-proxy', pod, pod.proxyTargetLabels);
    this.addTarget(proxy);
    const controllers = controllerTargets(this.mesh, pod);
    controllers.forEach((c) => this.addTarget(c));
    const reg = proxy.registry;

    // Family registration order follows a real proxy scrape (linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`).
    registerCertFamilies(reg, f);
    const traffic = registerTrafficFamilies(reg, this.options.controlLatency);
    registerProcessFamilies(reg, f);

    const podAge = 3600 + random * 9 * 86400;
    const podStart = Math.floor(this.start / 1000 - podAge);
    startProcess(reg, f, pod, podStart, this.start);
    const cert = initialCert(podAge, podStart, this);

    const histograms = this.options.histograms ?? 'all';
    const withHist = (servedBy: CpComponent | 'app' | 'admin') =>
      histograms === 'all' || (histograms === 'control-plane' && pod.controlPlane) || (histograms === 'identity' && servedBy === 'identity');
    const streams = [
      ...adminStreams(this, pod, proxy, httpFamilies(traffic, withHist('admin'))),
      ...servingStreams(this, calls, pod, proxy, (component) => httpFamilies(traffic, withHist(component)), (component) => this.grpc.servedBy(controllers, component)),
      ...appStreams(this, pod, proxy, httpFamilies(traffic, withHist('app'))),
      ...controlClientStreams(this, calls, pod, proxy, traffic.control),
    ];
    registerBalancerEndpoints(reg, this.mesh, calls.components, this.start);
    startControllers(controllers, pod, podStart, f, this.start);
    return { pod, proxy, controllers, startSec: podStart, rssBase: pod.controlPlane ? 14e6 : 9e6, streams, cert, growth: 0 };
  }

  /** kube-state-metrics itself: a pod outside the mesh whose one target reports every meshed pod's proxy container. */
  private kubeStateTarget(opts: KubeStateOptions): Target {
    const pod: SimPod = {
      namespace: 'monitoring', workload: KUBE_STATE_JOB, name: `${KUBE_STATE_JOB}-0`, controlPlane: false, ip: '10.43.0.2', serviceAccount: KUBE_STATE_JOB,
      templateHash: '0', index: -1, proxyTargetLabels: {}, controllers: [],
    };
    const target = new Target(KUBE_STATE_JOB, KUBE_STATE_JOB, pod, { ...this.mesh.targetLabels, job: KUBE_STATE_JOB, instance: `${pod.ip}:8080` });
    writeKubeState(target.registry, this.mesh.pods, this.mesh.facts.minor, opts, this.start);
    this.byId.set(target.id, target);
    return target;
  }

  /** The kubelet's cAdvisor endpoint; the working sets follow each proxy's resident memory (updateGauges). */
  private kubeletTarget(): Target {
    const pod: SimPod = {
      namespace: 'kube-system', workload: KUBELET_JOB, name: 'node-0', controlPlane: false, ip: '10.43.0.3', serviceAccount: KUBELET_JOB,
      templateHash: '0', index: -2, proxyTargetLabels: {}, controllers: [],
    };
    const target = new Target(KUBELET_JOB, KUBELET_JOB, pod, { ...this.mesh.targetLabels, job: KUBELET_JOB, instance: `${pod.ip}:10250`, metrics_path: '/metrics/cadvisor' });
    for (const [name, scalar] of writeCadvisor(target.registry, this.mesh.pods, this.mesh.facts.minor, this.start)) this.workingSets.set(name, scalar);
    this.byId.set(target.id, target);
    return target;
  }

  private addTarget(t: Target): void {
    this.targets.push(t);
    this.byId.set(t.id, t);
  }
}
