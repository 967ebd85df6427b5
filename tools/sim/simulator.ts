/**
 * The Linkerd metrics simulator: a mesh (mesh.ts), a scenario (scenario.ts) and the counters every
 * proxy and control-plane container would expose, advanced through time. Traffic is deterministic
 * (rates, not random arrivals) so tests can predict what Prometheus computes from it.
 *
 * What each proxy exposes (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0; a real scrape: linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`):
 *  - request_total / response_total / response_latency_ms (ms buckets) for
 *      inbound application traffic (workload pods, port 8080),
 *      inbound gRPC on the serving ports of control-plane pods (destination 8086, policy 8090 in the
 *      destination pod, identity 8080), one series per calling identity (client_id),
 *      inbound probes and scrapes on control-plane admin ports and on the proxy's own 4191,
 *      outbound application traffic with dst_* labels;
 *  - control_request_total / control_response_total (and optionally control_response_latency_ms)
 *    towards linkerd-dst-headless, linkerd-policy and linkerd-identity-headless (localhost inside
 *    the pod that serves the component);
 *  - (control_)identity_cert_expiration_timestamp_seconds and the refresh counter of the version;
 *  - process_* of the version, proxy_build_info.
 * Control-plane containers (job linkerd-controller): process_*, go_goroutines, and on identity
 * issuer_cert_ttl_seconds (2.18+) and grpc_server_handled_total for Certify.
 */
import { CONTROL_ADDR, LATENCY_BUCKETS_MS, PROXY_ADMIN_PORT, SERVING_POD as SERVING_POD_KIND, type CpComponent } from './linkerd.js';
import { buildMesh, identityOf, prng, type Mesh, type MeshOptions, type SimPod } from './mesh.js';
import { Scenario } from './scenario.js';
import { Family, Hist, Registry, Scalar, labelText, joinLabels, renderSeries } from './registry.js';
import { KUBE_STATE_JOB, writeKubeState, type KubeStateOptions } from './kube-state.js';
import { KUBELET_JOB, workingSetOf, writeCadvisor } from './cadvisor.js';

export interface TrafficRates {
  /** Inbound application requests per second per workload pod (and as many outbound). */
  readonly appRps: number;
  /** Requests per second each proxy makes to destination, policy and identity. */
  readonly destinationPerProxy: number;
  readonly policyPerProxy: number;
  readonly identityPerProxy: number;
  /** Prometheus scrape interval of proxies and controllers (their admin ports see these requests). */
  readonly scrapeIntervalSeconds: number;
  /** Kubelet probe period (liveness and readiness, so two requests per period). */
  readonly probePeriodSeconds: number;
}

export interface LatencyDist {
  readonly medianMs: number;
  readonly sigma: number;
}

export interface SimulatorOptions extends MeshOptions {
  /** Epoch ms at which the simulation (and the counters) start. Default: now. */
  readonly start?: number;
  readonly scenario?: Scenario;
  readonly rates?: Partial<TrafficRates>;
  /** Normal latency of each control-plane component and of applications. */
  readonly latency?: Partial<Record<CpComponent | 'app', LatencyDist>>;
  /** Which traffic gets response_latency_ms histograms (default all). */
  readonly histograms?: 'all' | 'control-plane' | 'identity' | 'none';
  /** Workload certificate lifetime (Helm identity.issuer.issuanceLifetime, 24h; Linkerd docs https://linkerd.io/2.18/features/automatic-mtls/). */
  readonly certLifetimeSeconds?: number;
  /** Identity issuer notAfter, epoch seconds (default: 300 days after start). Leaf certificates are clamped to it (linkerd/linkerd2 `pkg/tls/ca.go` at version-2.18). */
  readonly issuerNotAfter?: number;
  /** Proxy idle-series retention (LINKERD2_PROXY_METRICS_RETAIN_IDLE, 10 min, linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0); 0 keeps series forever. */
  readonly retainIdleSeconds?: number;
  /** Also expose control_response_latency_ms (off by default: it triples the series of every proxy). */
  readonly controlLatency?: boolean;
  /** Also expose a target label set on every series of the aggregate /metrics endpoint (always on per-target endpoints' targets). */
  readonly mesh?: Mesh;
  /** Also simulate kube-state-metrics' series of every proxy container (kube-state.ts); off by default. */
  readonly kubeStateMetrics?: boolean | KubeStateOptions;
  /** Also simulate the kubelet's cAdvisor working set of every proxy container (cadvisor.ts); off by default. */
  readonly cadvisor?: boolean;
}

export const DEFAULT_RATES: TrafficRates = {
  appRps: 5,
  destinationPerProxy: 0.05,
  policyPerProxy: 0.02,
  // A proxy renews its 24h certificate at 70% of its lifetime (Linkerd docs https://linkerd.io/2.18/features/automatic-mtls/).
  identityPerProxy: 1 / (0.7 * 86400),
  scrapeIntervalSeconds: 10,
  probePeriodSeconds: 10,
};

const DEFAULT_LATENCY: Record<CpComponent | 'app', LatencyDist> = {
  destination: { medianMs: 3, sigma: 0.6 },
  policy: { medianMs: 2, sigma: 0.6 },
  identity: { medianMs: 25, sigma: 0.5 },
  app: { medianMs: 8, sigma: 0.8 },
};

/** Typical resident memory of each controller container (bytes). */
const CONTROLLER_RSS: Record<string, number> = { policy: 28e6, destination: 60e6, prometheus: 420e6, web: 30e6, tap: 35e6 };

const ADMIN_LATENCY: LatencyDist = { medianMs: 1, sigma: 0.4 };

/**
 * Proxy pinned by each Linkerd release (`.proxy-version` at the linkerd/linkerd2 tag), as proxy_build_info
 * shows it: from v2.205 (2.14) a `version` label without the "v" (LINKERD2_PROXY_VERSION is `${VERSION#v}`
 * in linkerd/linkerd2-proxy `.github/workflows/release.yml`); before, only the build commit, the commit of
 * the linkerd/linkerd2-proxy tag `release/<version>` (git_sha = git_version, as in the real v2.175.0 scrape
 * in linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`).
 */
const PROXY_BUILD: Record<string, { version: string } | { commit: string }> = {
  '2.10': { commit: 'acf250f' }, '2.11': { commit: 'd10ed8f' }, '2.12': { commit: '20bfadf' }, '2.13': { commit: 'd6f20a6' },
  '2.14': { version: '2.207.0' }, '2.15': { version: '2.221.0' }, '2.16': { version: '2.246.0' }, '2.17': { version: '2.268.0' },
  '2.18': { version: '2.294.0' }, '2.19': { version: '2.326.0' }, '2.20': { version: '2.359.0' },
};

// ---------------------------------------------------------------------------------------------
// Latency distribution → share of responses at or under each bucket bound.

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

// ---------------------------------------------------------------------------------------------

export type Job = 'linkerd-proxy' | 'linkerd-controller' | typeof KUBE_STATE_JOB | typeof KUBELET_JOB;

export class Target {
  readonly registry = new Registry();
  /** Target labels as text, sorted by name (what Prometheus attaches to every series). */
  readonly labelText: string;
  readonly path: string;
  constructor(
    readonly id: string,
    readonly job: Job,
    readonly pod: SimPod,
    readonly labels: Readonly<Record<string, string>>,
    readonly container?: string,
  ) {
    this.labelText = labelText(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.path = `/targets/${id}/metrics`;
  }
}

interface Stream {
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
  rate(t: number): number;
  errorRatio(t: number): number;
  latency(t: number): LatencyDist;
  onServed?(ok: number, failed: number, t: number): void;
  reqS?: Scalar;
  okS?: Scalar;
  failS?: Scalar;
  hOk?: Hist;
  hFail?: Hist;
}

interface CertState {
  expiry: number;
  nextRefresh: number;
  lastRefresh: number;
  ok: number;
  errors: number;
}

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

const live = <T extends { evicted: boolean }>(x: T | undefined): T | undefined => (x && !x.evicted ? x : undefined);

export class LinkerdSimulator {
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
  readonly certLifetime: number;
  readonly issuerNotAfter: number;
  /** Simulated time, epoch ms. */
  now: number;
  private readonly pods: PodState[] = [];
  private readonly byId = new Map<string, Target>();
  private readonly latency: Record<CpComponent | 'app', LatencyDist>;
  private readonly retainMs: number;
  private readonly grpcSeries = new Map<Target, Map<string, Scalar>>();
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
      for (const s of ps.streams) throughput += this.advanceStream(s, dt, t, to);
      this.advanceProcess(ps, dt, t, to, throughput);
      this.advanceCert(ps, from / 1000, to / 1000);
    }
    this.now = to;
    this.updateGauges(to);
  }

  private advanceStream(s: Stream, dt: number, t: number, now: number): number {
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

  private advanceProcess(ps: PodState, dt: number, t: number, now: number, throughput: number): void {
    const reg = ps.proxy.registry;
    const extraCpu = this.scenario.extraCpu(ps.pod, t);
    reg.scalar(reg.get('process_cpu_seconds_total')!, '', now).add((0.002 + 0.0004 * throughput + extraCpu) * dt, now);
    ps.growth += this.scenario.memoryGrowth(ps.pod, t) * dt;
    for (const c of ps.controllers) {
      const r = c.registry;
      r.scalar(r.get('process_cpu_seconds_total')!, '', now).add(0.004 * dt, now);
    }
  }

  private advanceCert(ps: PodState, fromSec: number, toSec: number): void {
    const c = ps.cert;
    const failing = this.scenario.certRefreshFails(ps.pod, fromSec * 1000);
    const retry = 10; // LINKERD2_PROXY_IDENTITY_MIN_REFRESH (linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0)
    if (c.nextRefresh > toSec) return;
    if (failing) {
      const attempts = Math.floor((toSec - c.nextRefresh) / retry) + 1;
      c.errors += attempts;
      c.nextRefresh += attempts * retry;
      return;
    }
    while (c.nextRefresh <= toSec) {
      const issued = Math.max(c.nextRefresh, fromSec);
      c.expiry = Math.min(issued + this.certLifetime, this.issuerNotAfter);
      c.lastRefresh = issued;
      c.ok += 1;
      // Renew at 70% of the remaining lifetime, at least 10s later (see LINKERD2_PROXY_IDENTITY_MIN_REFRESH above).
      c.nextRefresh = issued + Math.max(retry, 0.7 * (c.expiry - issued));
    }
  }

  private updateGauges(now: number): void {
    const f = this.mesh.facts;
    const nowSec = now / 1000;
    for (const ps of this.pods) {
      const reg = ps.proxy.registry;
      reg.scalar(reg.get(f.certExpiry)!, '', now).set(ps.cert.expiry, now);
      const refresh = reg.get(f.certRefresh.name)!;
      if (f.certRefresh.labelled) {
        reg.scalar(refresh, 'result="ok"', now).set(ps.cert.ok, now);
        if (ps.cert.errors > 0) reg.scalar(refresh, 'result="error"', now).set(ps.cert.errors, now);
        if (f.certRefresh.timestamp) reg.scalar(reg.get(f.certRefresh.timestamp)!, '', now).set(ps.cert.lastRefresh, now);
      } else {
        reg.scalar(refresh, '', now).set(ps.cert.ok, now);
      }
      const series = reg.families.reduce((n, fam) => n + fam.series.size, 0);
      const rss = ps.rssBase + 2048 * series + ps.growth;
      reg.scalar(reg.get('process_resident_memory_bytes')!, '', now).set(Math.round(rss), now);
      this.workingSets.get(ps.pod.name)?.set(workingSetOf(rss), now);
      reg.scalar(reg.get('process_virtual_memory_bytes')!, '', now).set(Math.round(rss * 5 + 60e6), now);
      reg.scalar(reg.get('process_open_fds')!, '', now).set(20 + Math.min(200, Math.round(series / 20)), now);
      if (f.processUptime) reg.scalar(reg.get('process_uptime_seconds_total')!, '', now).set(nowSec - ps.startSec, now);
      for (const c of ps.controllers) {
        const r = c.registry;
        const ttl = r.get('issuer_cert_ttl_seconds');
        if (ttl) r.scalar(ttl, '', now).set(Math.round(this.issuerNotAfter - nowSec), now);
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  private build(): void {
    const mesh = this.mesh;
    const f = mesh.facts;
    const rand = prng(7);
    const startSec = this.start / 1000;
    const histograms = this.options.histograms ?? 'all';
    const cpNs = mesh.controlPlaneNamespace;

    // Who calls the control plane through its service (every proxy but the serving pod's own; linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0).
    const callersOf = (component: CpComponent) => mesh.pods.filter((p) => p.component !== SERVING_POD_KIND[component]);
    const callerGroups = (component: CpComponent) => {
      const groups = new Map<string, { namespace: string; sa: string; count: number }>();
      for (const p of callersOf(component)) {
        const key = `${p.namespace}/${p.serviceAccount}`;
        const g = groups.get(key) ?? { namespace: p.namespace, sa: p.serviceAccount, count: 0 };
        g.count++;
        groups.set(key, g);
      }
      return [...groups.values()];
    };
    const perProxy: Record<CpComponent, number> = {
      destination: this.rates.destinationPerProxy,
      policy: this.rates.policyPerProxy,
      identity: this.rates.identityPerProxy,
    };
    const replicas = (kind: string) => mesh.controlPlanePods.filter((p) => p.component === kind).length;
    const components: CpComponent[] = f.policy ? ['destination', 'policy', 'identity'] : ['destination', 'identity'];

    for (const pod of mesh.pods) {
      const proxy = new Target(`proxy/${pod.namespace}/${pod.name}`, 'linkerd-proxy', pod, pod.proxyTargetLabels);
      this.addTarget(proxy);
      const controllers = pod.controllers.map(
        (c) =>
          new Target(`controller/${pod.name}/${c.container}`, 'linkerd-controller', pod, {
            ...mesh.targetLabels,
            job: mesh.controllerJob,
            instance: `${pod.ip}:${c.adminPort}`,
            component: c.container,
          }, c.container),
      );
      controllers.forEach((c) => this.addTarget(c));
      const reg = proxy.registry;

      // Family registration order follows a real proxy scrape (linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`).
      reg.family(f.certExpiry, 'gauge', "Time when the this proxy's current mTLS identity certificate will expire (in seconds since the UNIX epoch).");
      if (f.certRefresh.labelled) {
        reg.family(f.certRefresh.name, 'counter', "The total number of times this proxy's mTLS identity certificate has been refreshed by the Identity service.", {
          typeName: f.certRefresh.name.replace(/_total$/, ''),
        });
        reg.family(f.certRefresh.timestamp!, 'gauge', "Time when this proxy's mTLS identity certificate was last refreshed (in seconds since the UNIX epoch).");
      } else {
        reg.family(f.certRefresh.name, 'counter', "The total number of times this proxy's mTLS identity certificate has been refreshed by the Identity service.");
      }
      const reqF = reg.family('request_total', 'counter', 'Total count of HTTP requests.', { evict: true });
      const histF = reg.family('response_latency_ms', 'histogram', "Elapsed times between a request's headers being received and its response stream completing", { evict: true });
      const respF = reg.family('response_total', 'counter', 'Total count of HTTP responses.', { evict: true });
      const creqF = reg.family('control_request_total', 'counter', 'Total count of HTTP requests.', { evict: true });
      const chistF = this.options.controlLatency
        ? reg.family('control_response_latency_ms', 'histogram', "Elapsed times between a request's headers being received and its response stream completing", { evict: true })
        : undefined;
      const crespF = reg.family('control_response_total', 'counter', 'Total count of HTTP responses.', { evict: true });
      reg.family('process_start_time_seconds', 'gauge', 'Time that the process started (in seconds since the UNIX epoch)');
      reg.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', { int: false, decimals: 2 });
      reg.family('process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.');
      reg.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
      reg.family('process_open_fds', 'gauge', 'Number of open file descriptors.');
      reg.family('process_max_fds', 'gauge', 'Maximum number of open file descriptors.');
      if (f.processThreads) reg.family('process_threads', 'gauge', 'Number of OS threads in the process.');
      if (f.processUptime) reg.family('process_uptime_seconds_total', 'counter', 'Total time since the process started (in seconds)', { int: false, typeName: 'process_uptime_seconds' });
      reg.family('proxy_build_info', 'gauge', 'Proxy build info');

      const podAge = 3600 + rand() * 9 * 86400;
      const podStart = Math.floor(startSec - podAge);
      reg.scalar(reg.get('process_start_time_seconds')!, '', this.start).set(podStart, this.start);
      reg.scalar(reg.get('process_max_fds')!, '', this.start).set(1048576, this.start);
      if (f.processThreads) reg.scalar(reg.get('process_threads')!, '', this.start).set(pod.controlPlane ? 4 : 2, this.start);
      const pinned = PROXY_BUILD[f.version]!;
      const build: Record<string, string> = 'version' in pinned
        ? { date: '', git_sha: 'unknown', profile: 'release', vendor: 'linkerd.io', version: pinned.version }
        : { git_branch: 'HEAD', git_sha: pinned.commit, git_version: pinned.commit, profile: 'release', rust_version: 'rustc 1.59.0' };
      reg.scalar(reg.get('proxy_build_info')!, labelText(build), this.start).set(1, this.start);

      // Certificate: renewed at 70% of its lifetime since the pod started; pick the current one.
      const refreshEvery = 0.7 * this.certLifetime;
      const renewals = Math.floor(podAge / refreshEvery);
      const issued = podStart + renewals * refreshEvery;
      const expiry = Math.min(issued + this.certLifetime, this.issuerNotAfter);
      const cert: CertState = { expiry, nextRefresh: issued + 0.7 * (expiry - issued), lastRefresh: issued, ok: renewals + 1, errors: 0 };

      const streams: Stream[] = [];
      const withHist = (servedBy: CpComponent | 'app' | 'admin') =>
        histograms === 'all' || (histograms === 'control-plane' && pod.controlPlane) || (histograms === 'identity' && servedBy === 'identity');

      // Inbound: the proxy's own admin port (Prometheus scrapes, its own probes) and, on control-plane
      // pods, the containers' admin ports (probes and linkerd-controller scrapes).
      const adminRate = 1 / this.rates.scrapeIntervalSeconds + 2 / this.rates.probePeriodSeconds;
      const adminPorts: Array<[number, number]> = [[PROXY_ADMIN_PORT, adminRate]];
      for (const c of pod.controllers) adminPorts.push([c.adminPort, adminRate]);
      if (pod.component === 'destination' && !f.policyMetrics && f.policy) adminPorts.push([9990, 2 / this.rates.probePeriodSeconds]);
      for (const [port, rate] of adminPorts) {
        const endpoint = this.inboundEndpoint(pod, port, { tls: 'no_identity', noTlsReason: 'no_tls_from_remote' });
        streams.push(this.stream(proxy, reqF, respF, withHist('admin') ? histF : undefined, endpoint, false, () => rate, () => 0, () => ADMIN_LATENCY));
      }

      // Inbound on control-plane serving ports: one series per calling identity.
      for (const component of components) {
        if (pod.component !== SERVING_POD_KIND[component]) continue;
        const { port, service } = CONTROL_ADDR[component];
        const n = replicas(pod.component);
        for (const g of callerGroups(component)) {
          const endpoint = this.inboundEndpoint(pod, port, {
            tls: 'true',
            clientId: identityOf(mesh, g.namespace, g.sa),
            authority: `${service}.${cpNs}.svc.${mesh.clusterDomain}:${port}`,
          });
          const s = this.stream(
            proxy, reqF, respF, withHist(component) ? histF : undefined, endpoint, true,
            (t) => (g.count * perProxy[component] * this.scenario.cpTraffic(component, t)) / n,
            (t) => this.scenario.cpErrorRatio(component, t),
            (t) => this.scenario.cpLatency(component, t) ?? this.latency[component],
          );
          // The controller's own gRPC server counts the same calls (grpc_server_handled_total, linkerd/linkerd2 `pkg/prometheus/prometheus.go` at version-2.18):
          // identity's Certify is unary; destination's Get/GetProfile are watch streams that mostly end
          // Canceled (the proxy drops the watch), which is normal.
          const served = component === 'identity' ? controllers.find((c) => c.container === 'identity') : component === 'destination' ? controllers.find((c) => c.container === 'destination') : undefined;
          if (served) s.onServed = (ok, failed, now) => this.grpcServed(served, component as 'identity' | 'destination', ok, failed, now);
          streams.push(s);
        }
      }

      // Application traffic (workload pods): inbound from the workload that calls this one, outbound to its upstream.
      if (!pod.controlPlane && !pod.extension) {
        const wl = mesh.workloads.find((w) => w.pods.includes(pod))!;
        const caller = mesh.workloads.find((w) => w.upstream === wl) ?? wl;
        const inbound = this.inboundEndpoint(pod, 8080, {
          tls: 'true',
          clientId: identityOf(mesh, caller.namespace, caller.serviceAccount),
          authority: `${wl.name}.${wl.namespace}.svc.${mesh.clusterDomain}:8080`,
        });
        streams.push(this.stream(proxy, reqF, respF, withHist('app') ? histF : undefined, inbound, false,
          (t) => this.rates.appRps * this.scenario.appTraffic(pod, t),
          (t) => this.scenario.appErrorRatio(pod, t),
          (t) => this.scenario.appLatency(pod, t) ?? this.latency.app));
        const up = wl.upstream!;
        const peer = up.pods[pod.index % up.pods.length]!;
        const outbound = this.outboundEndpoint(up, peer);
        streams.push(this.stream(proxy, reqF, respF, withHist('app') ? histF : undefined, outbound, false,
          (t) => this.rates.appRps * this.scenario.appTraffic(pod, t),
          (t) => this.scenario.appErrorRatio(peer, t),
          (t) => {
            const l = this.scenario.appLatency(peer, t) ?? this.latency.app;
            return { medianMs: l.medianMs + 1, sigma: l.sigma };
          }));
      }

      // Control-plane clients (every proxy).
      for (const component of components) {
        const { service, port, serverSa } = CONTROL_ADDR[component];
        const local = pod.component === SERVING_POD_KIND[component];
        const endpoint = local
          ? labelText({ addr: `localhost.:${port}`, tls: 'no_identity', no_tls_reason: 'loopback' })
          : labelText({ addr: `${service}.${cpNs}.svc.${mesh.clusterDomain}:${port}`, tls: 'true', server_id: identityOf(mesh, cpNs, serverSa) });
        streams.push(this.stream(proxy, creqF, crespF, chistF, endpoint, true,
          (t) => perProxy[component] * this.scenario.cpTraffic(component, t),
          (t) => this.scenario.cpErrorRatio(component, t),
          (t) => {
            const l = this.scenario.cpLatency(component, t) ?? this.latency[component];
            return { medianMs: l.medianMs + 1, sigma: l.sigma };
          }));
      }

      // What each control-plane client balances over (Linkerd 2.15+, linkerd/linkerd2-proxy
      // `linkerd/proxy/balance/gauge-endpoints/src/lib.rs` at release/v2.221.0): a healthy proxy holds a
      // ready endpoint of every control-plane service, and reports both states.
      if (f.minor >= 15) {
        for (const component of components) {
          const { service, port } = CONTROL_ADDR[component];
          const name = `control_${component}_balancer_endpoints`;
          const family = reg.get(name) ?? reg.family(name, 'gauge', 'The number of endpoints currently in a HTTP request balancer');
          const addr = `${service}.${cpNs}.svc.${mesh.clusterDomain}:${port}`;
          reg.scalar(family, labelText({ endpoint_state: 'ready', addr }), this.start).set(1, this.start);
          reg.scalar(family, labelText({ endpoint_state: 'pending', addr }), this.start).set(0, this.start);
        }
      }

      // Controller containers.
      for (const c of controllers) {
        const r = c.registry;
        r.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', { int: false, decimals: 2 });
        r.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
        r.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
        r.scalar(r.get('process_start_time_seconds')!, '', this.start).set(podStart + 2, this.start);
        r.scalar(r.get('process_resident_memory_bytes')!, '', this.start).set(CONTROLLER_RSS[c.container ?? ''] ?? 45e6, this.start);
        const spec = pod.controllers.find((x) => x.container === c.container)!;
        if (spec.go) {
          r.family('go_goroutines', 'gauge', 'Number of goroutines that currently exist.');
          r.scalar(r.get('go_goroutines')!, '', this.start).set(c.container === 'destination' ? 180 : 60, this.start);
        }
        if (c.container === 'identity' || c.container === 'destination') {
          r.family('grpc_server_handled_total', 'counter', 'Total number of RPCs completed on the server, regardless of success or failure.');
        }
        if (c.container === 'identity') {
          if (f.issuerTtl) r.family('issuer_cert_ttl_seconds', 'gauge', 'The remaining lifetime of the issuer certificate in seconds.');
        }
      }

      this.pods.push({
        pod,
        proxy,
        controllers,
        startSec: podStart,
        rssBase: pod.controlPlane ? 14e6 : 9e6,
        streams,
        cert,
        growth: 0,
      });
    }
    this.updateGauges(this.start);
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

  private grpcServed(target: Target, component: 'identity' | 'destination', ok: number, failed: number, now: number): void {
    const r = target.registry;
    const fam = r.get('grpc_server_handled_total')!;
    const state = this.grpcSeries.get(target) ?? new Map<string, Scalar>();
    this.grpcSeries.set(target, state);
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

  /** Inbound endpoint labels of the version (linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` at release/v2.138.0, v2.161.0, v2.294.0). */
  private inboundEndpoint(pod: SimPod, port: number, o: { tls: string; clientId?: string; noTlsReason?: string; authority?: string }): string {
    const f = this.mesh.facts;
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
  private outboundEndpoint(up: { namespace: string; name: string; kind: string; serviceAccount: string }, peer: SimPod): string {
    const mesh = this.mesh;
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

  private stream(
    target: Target, req: Family, resp: Family, hist: Family | undefined, endpoint: string, grpc: boolean,
    rate: (t: number) => number, errorRatio: (t: number) => number, latency: (t: number) => LatencyDist,
  ): Stream {
    const full = this.mesh.facts.fullClassLabels;
    const cls = (code: string, classification: string, grpcStatus: string) => {
      if (full) return `status_code="${code}",classification="${classification}",grpc_status="${grpcStatus}",error=""`;
      return grpc ? `status_code="${code}",classification="${classification}",grpc_status="${grpcStatus}"` : `status_code="${code}",classification="${classification}"`;
    };
    const okLabels = joinLabels(endpoint, grpc ? cls('200', 'success', '0') : cls('200', 'success', ''));
    const failLabels = joinLabels(endpoint, grpc ? cls('200', 'failure', '14') : cls('503', 'failure', ''));
    return {
      target, req, resp, ...(hist ? { hist } : {}), grpc, endpoint, okLabels, failLabels,
      histOkLabels: joinLabels(endpoint, 'status_code="200"'),
      histFailLabels: joinLabels(endpoint, grpc ? 'status_code="200"' : 'status_code="503"'),
      rate, errorRatio, latency,
    };
  }
}

