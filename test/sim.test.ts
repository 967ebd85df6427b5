/**
 * The Linkerd metrics simulator (tools/sim) on its own: the shape of what it exposes (against a real
 * proxy scrape when ../shared is present), version-specific names, deterministic counters,
 * scenarios, and OpenMetrics history that promtool backfills.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LATENCY_BUCKETS_MS, LinkerdSimulator, Scenario, backfill, buildMesh, primary, writeOpenMetricsHistory, type Target } from '../tools/sim/index.js';
import { requirePromtool } from './support/promtool.js';
import { PROXY_SCRAPE, parseExposition, proxyScrapePresent, type ScrapeLine } from './support/scrape.js';

const T0 = 1_700_000_000_000;
const anchorPresent = proxyScrapePresent();

const proxyOf = (sim: LinkerdSimulator, pred: (t: Target) => boolean) => {
  const t = sim.targets.find((x) => x.job === 'linkerd-proxy' && pred(x));
  if (!t) throw new Error('no such target');
  return t;
};
const find = (lines: ScrapeLine[], name: string, match: Record<string, string>) =>
  lines.filter((l) => l.name === name && Object.entries(match).every(([k, v]) => l.labels[k] === v));
const sumOf = (lines: ScrapeLine[]) => lines.reduce((s, l) => s + l.value, 0);

describe('simulated mesh topology and target labels', () => {
  it('has the control plane, viz and N workload pods with the standard scrape configs\' target labels', () => {
    const mesh = buildMesh({ namespaces: 2, workloadsPerNamespace: 3, podsPerWorkload: 2, targetLabels: { cluster: 'c1' } });
    expect(mesh.dataPods).toHaveLength(12);
    expect(mesh.controlPlanePods.map((p) => p.component)).toEqual(['destination', 'identity', 'proxy-injector']);
    const dst = mesh.controlPlanePods[0]!;
    expect(Object.keys(dst.proxyTargetLabels).sort()).toEqual(
      ['cluster', 'control_plane_component', 'control_plane_ns', 'deployment', 'instance', 'job', 'namespace', 'pod', 'pod_template_hash', 'workload_ns'].sort(),
    );
    expect(dst.proxyTargetLabels).toMatchObject({ job: 'linkerd-proxy', namespace: 'linkerd', deployment: 'linkerd-destination', control_plane_component: 'destination', instance: `${dst.ip}:4191` });
    const app = mesh.dataPods[0]!;
    expect(app.proxyTargetLabels).toMatchObject({ control_plane_ns: 'linkerd', deployment: app.workload, namespace: app.namespace });
    expect(app.proxyTargetLabels.control_plane_component).toBeUndefined();
    const sim = new LinkerdSimulator({ mesh, start: T0 });
    const controllers = sim.targetsOf('linkerd-controller').map((t) => t.labels.component).sort();
    expect(controllers).toEqual(['destination', 'identity', 'metrics-api', 'policy', 'prometheus', 'proxy-injector', 'sp-validator', 'tap', 'tap-injector', 'web']);
    for (const t of sim.targetsOf('linkerd-controller')) expect(Object.keys(t.labels).sort()).toEqual(['cluster', 'component', 'instance', 'job']);
  });
});

describe('exposition of one proxy', () => {
  const sim = new LinkerdSimulator({ version: '2.18', start: T0, rates: { appRps: 5 } });
  sim.advanceTo(T0 + 100_000);
  const app = proxyOf(sim, (t) => !t.pod.controlPlane && !t.pod.extension);
  const lines = parseExposition(sim.exposition(app));

  it('counts deterministic traffic: 5 requests/s for 100 s is 500 requests', () => {
    expect(sumOf(find(lines, 'request_total', { direction: 'inbound', target_port: '8080' }))).toBe(500);
    expect(sumOf(find(lines, 'response_total', { direction: 'outbound', classification: 'success' }))).toBe(500);
    expect(find(lines, 'response_total', { classification: 'failure' })).toEqual([]);
  });

  it('has cumulative latency histograms with Linkerd\'s ms buckets, +Inf equal to the count', () => {
    const buckets = find(lines, 'response_latency_ms_bucket', { direction: 'inbound', target_port: '8080' });
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS_MS.map(String), '+Inf']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    const count = find(lines, 'response_latency_ms_count', { direction: 'inbound', target_port: '8080' })[0]!;
    expect(buckets.at(-1)!.value).toBe(count.value);
  });

  it('calls destination and policy by their service addresses (no trailing dot, as in a real scrape)', () => {
    const addrs = find(lines, 'control_response_total', {}).map((l) => l.labels.addr).sort();
    expect(addrs).toEqual(['linkerd-dst-headless.linkerd.svc.cluster.local:8086', 'linkerd-policy.linkerd.svc.cluster.local:8090']);
  });
});

// Certificate family names: linkerd/linkerd2-proxy#2617 (2.15), #2887 (2.16).
describe('names by Linkerd version', () => {
  const names = (version: '2.14' | '2.18') => {
    const sim = new LinkerdSimulator({ version, start: T0 });
    sim.advanceTo(T0 + 30_000);
    const proxy = new Set(parseExposition(sim.exposition(proxyOf(sim, (t) => !t.pod.controlPlane))).map((l) => l.name));
    const identity = sim.targetsOf('linkerd-controller').find((t) => t.labels.component === 'identity')!;
    return { proxy, identity: new Set(parseExposition(sim.exposition(identity)).map((l) => l.name)) };
  };

  it('2.14: identity_cert_expiration_timestamp_seconds and identity_cert_refresh_count, no issuer TTL', () => {
    const n = names('2.14');
    expect(n.proxy.has('identity_cert_expiration_timestamp_seconds')).toBe(true);
    expect(n.proxy.has('identity_cert_refresh_count')).toBe(true);
    expect(n.proxy.has('control_identity_cert_expiration_timestamp_seconds')).toBe(false);
    expect(n.identity.has('issuer_cert_ttl_seconds')).toBe(false);
  });

  it('2.18: control_identity_cert_* and issuer_cert_ttl_seconds on the identity controller', () => {
    const n = names('2.18');
    expect(n.proxy.has('control_identity_cert_expiration_timestamp_seconds')).toBe(true);
    expect(n.proxy.has('control_identity_cert_refreshes_total')).toBe(true);
    expect(n.proxy.has('identity_cert_expiration_timestamp_seconds')).toBe(false);
    expect(n.identity.has('issuer_cert_ttl_seconds')).toBe(true);
  });
});

describe.skipIf(!anchorPresent)('against a real proxy scrape (2.11, shared/anchors/linkerd-proxy-scrape)', () => {
  it('uses the same label names, buckets and process families', () => {
    const real = parseExposition(readFileSync(PROXY_SCRAPE, 'utf8'));
    const sim = new LinkerdSimulator({ version: '2.11', start: T0, rates: { identityPerProxy: 0.1 } });
    sim.advanceTo(T0 + 60_000);
    const ours = parseExposition(sim.exposition(proxyOf(sim, (t) => !t.pod.controlPlane && !t.pod.extension)));
    const names = (ls: ScrapeLine[], family: string, pred: (l: ScrapeLine) => boolean = () => true) =>
      [...new Set(ls.filter((l) => l.name === family && pred(l)).flatMap((l) => Object.keys(l.labels)))].sort();
    // The proxy's own admin-port traffic, the one inbound stream the fixture shows.
    const admin = (l: ScrapeLine) => l.labels.target_port === '4191';
    for (const family of ['request_total', 'response_total', 'response_latency_ms_bucket']) expect(names(ours, family, admin), family).toEqual(names(real, family, admin));
    for (const family of ['control_request_total', 'control_response_total']) expect(names(ours, family), family).toEqual(names(real, family));
    const le = (ls: ScrapeLine[]) => [...new Set(ls.filter((l) => l.name === 'response_latency_ms_bucket').map((l) => l.labels.le))];
    expect(le(ours)).toEqual(le(real));
    const process = (ls: ScrapeLine[]) => new Set(ls.map((l) => l.name).filter((n) => n.startsWith('process_') || n.startsWith('identity_cert')));
    expect([...process(real)].filter((n) => !process(ours).has(n))).toEqual([]);
  });
});

describe('scenarios', () => {
  it('a control-plane outage fails responses on both sides: the component\'s proxy and every client', () => {
    const scenario = new Scenario(T0, [{ kind: 'cp-errors', component: 'destination', ratio: 1, from: 10, to: 20 }]);
    const sim = new LinkerdSimulator({ start: T0, scenario, rates: { destinationPerProxy: 1 } });
    sim.advanceTo(T0 + 30_000);
    const dst = parseExposition(sim.exposition(proxyOf(sim, (t) => t.pod.component === 'destination')));
    const failed = sumOf(find(dst, 'response_total', { target_port: '8086', classification: 'failure' }));
    const ok = sumOf(find(dst, 'response_total', { target_port: '8086', classification: 'success' }));
    expect(failed / (failed + ok)).toBeCloseTo(1 / 3, 1);
    expect(find(dst, 'response_total', { target_port: '8086', classification: 'failure' })[0]!.labels.grpc_status).toBe('14');
    const app = parseExposition(sim.exposition(proxyOf(sim, (t) => !t.pod.controlPlane && !t.pod.extension)));
    expect(sumOf(find(app, 'control_response_total', { classification: 'failure' }))).toBe(10);
  });

  it('latency shifts move the histogram', () => {
    const scenario = new Scenario(T0, [{ kind: 'cp-latency', component: 'identity', medianMs: 3000, sigma: 0.2, from: 0 }]);
    const sim = new LinkerdSimulator({ start: T0, scenario, rates: { identityPerProxy: 1 } });
    sim.advanceTo(T0 + 60_000);
    const id = parseExposition(sim.exposition(proxyOf(sim, (t) => t.pod.component === 'identity')));
    const under1s = sumOf(find(id, 'response_latency_ms_bucket', { target_port: '8080', le: '1000' }));
    const all = sumOf(find(id, 'response_latency_ms_bucket', { target_port: '8080', le: '+Inf' }));
    expect(all).toBeGreaterThan(100);
    expect(under1s / all).toBeLessThan(0.01);
  });

  it('a slow workload moves its own inbound histogram only: not its admin port, not another workload', () => {
    const scenario = new Scenario(T0, [{ kind: 'app-latency', medianMs: 3000, sigma: 0.2, select: { namespace: 'app-0', workload: 'web' }, from: 0 }]);
    const sim = new LinkerdSimulator({ start: T0, scenario, namespaces: 1, workloadsPerNamespace: 2, podsPerWorkload: 1, viz: false, rates: { appRps: 5 } });
    sim.advanceTo(T0 + 60_000);
    const fastShare = (pod: string, match: Record<string, string>) => {
      const lines = parseExposition(sim.exposition(proxyOf(sim, (t) => t.pod.namespace === 'app-0' && t.pod.name.startsWith(pod))));
      const under = sumOf(find(lines, 'response_latency_ms_bucket', { ...match, le: '1000' }));
      const all = sumOf(find(lines, 'response_latency_ms_bucket', { ...match, le: '+Inf' }));
      expect(all).toBeGreaterThan(10);
      return under / all;
    };
    expect(fastShare('web-', { direction: 'inbound', target_port: '8080' })).toBeLessThan(0.01);
    expect(fastShare('web-', { direction: 'inbound', target_port: '4191' })).toBe(1);
    expect(fastShare('api-', { direction: 'inbound', target_port: '8080' })).toBe(1);
  });

  it('histogram buckets only grow, as a real proxy\'s do: no per-bucket count ever drops between scrapes', () => {
    // A proxy adds each response to one bucket, so no bucket (cumulative or not) and no +Inf share
    // ever decreases. Prometheus 3 stores a scraped classic histogram as one native histogram
    // (convert_classic_histograms_to_nhcb), where any bucket that drops is a counter reset of the
    // whole histogram: rate() would count every response again.
    const scenario = new Scenario(T0, [
      { kind: 'cp-latency', component: 'identity', medianMs: 3000, sigma: 0.3, from: 120 },
      { kind: 'cp-latency', component: 'identity', medianMs: 700, sigma: 0.8, from: 300 },
    ]);
    const sim = new LinkerdSimulator({ start: T0, scenario, rates: { identityPerProxy: 2 }, namespaces: 1, workloadsPerNamespace: 1, podsPerWorkload: 2 });
    const identity = proxyOf(sim, (t) => t.pod.component === 'identity');
    const last = new Map<string, number[]>();
    const drops: string[] = [];
    let scrapes = 0;
    for (let s = 1; s <= 480; s++) {
      sim.advanceTo(T0 + s * 1000);
      const bySeries = new Map<string, number[]>();
      for (const l of parseExposition(sim.exposition(identity))) {
        if (l.name !== 'response_latency_ms_bucket') continue;
        const { le: _le, ...rest } = l.labels;
        const key = JSON.stringify(rest);
        bySeries.set(key, [...(bySeries.get(key) ?? []), l.value]);
      }
      for (const [key, cumulative] of bySeries) {
        const own = cumulative.map((v, i) => v - (i === 0 ? 0 : cumulative[i - 1]!));
        const before = last.get(key);
        if (before) own.forEach((v, i) => { if (v < before[i]!) drops.push(`${s} s, bucket ${i}: ${before[i]} -> ${v}`); });
        last.set(key, own);
      }
      scrapes += bySeries.size > 0 ? 1 : 0;
    }
    expect(scrapes).toBeGreaterThan(400);
    expect(drops.length, `first drops: ${drops.slice(0, 5).join('; ')}`).toBe(0);
  });

  it('failed certificate refreshes: the expiry stops moving and the error counter grows', () => {
    const life = 3600;
    const scenario = new Scenario(T0, [{ kind: 'cert-refresh-failure', from: 0 }]);
    const sim = new LinkerdSimulator({ start: T0, scenario, certLifetimeSeconds: life });
    const target = proxyOf(sim, (t) => !t.pod.controlPlane);
    const before = parseExposition(sim.exposition(target)).find((l) => l.name === 'control_identity_cert_expiration_timestamp_seconds')!.value;
    sim.advanceTo(T0 + life * 1000);
    const after = parseExposition(sim.exposition(target));
    expect(after.find((l) => l.name === 'control_identity_cert_expiration_timestamp_seconds')!.value).toBe(before);
    expect(before).toBeLessThanOrEqual(T0 / 1000 + life);
    expect(find(after, 'control_identity_cert_refreshes_total', { result: 'error' })[0]!.value).toBeGreaterThan(0);
  });

  it('healthy proxies renew at 70% of the lifetime: never less than 30% left', () => {
    const sim = new LinkerdSimulator({ start: T0, certLifetimeSeconds: 86400 });
    for (let h = 1; h <= 48; h++) {
      sim.advanceTo(T0 + h * 3600_000);
      for (const t of sim.targetsOf('linkerd-proxy')) {
        const exp = parseExposition(sim.exposition(t)).find((l) => l.name === 'control_identity_cert_expiration_timestamp_seconds')!.value;
        expect(exp - sim.now / 1000).toBeGreaterThanOrEqual(0.3 * 86400 - 1);
      }
    }
  });

  it('proxy memory growth, targets down and missing families', () => {
    const scenario = new Scenario(T0, [
      { kind: 'proxy-resources', memoryGrowthBytesPerHour: 36e6, from: 0, select: { namespace: 'app-0' } },
      { kind: 'target-down', job: 'linkerd-proxy', from: 0, to: 60, select: { namespace: 'app-1' } },
      { kind: 'families-missing', families: ['response_total'], from: 0, select: { namespace: 'app-2' } },
    ]);
    const sim = new LinkerdSimulator({ start: T0, scenario });
    const rss = (t: Target) => parseExposition(sim.exposition(t)).find((l) => l.name === 'process_resident_memory_bytes')!.value;
    const grow = proxyOf(sim, (t) => t.pod.namespace === 'app-0');
    const steady = proxyOf(sim, (t) => t.pod.namespace === 'app-2');
    sim.advanceTo(T0 + 10_000);
    const g0 = rss(grow);
    const s0 = rss(steady);
    sim.advanceTo(T0 + 3_610_000);
    expect(rss(grow) - g0).toBeGreaterThan(35e6);
    expect(Math.abs(rss(steady) - s0)).toBeLessThan(1e6);
    const down = proxyOf(sim, (t) => t.pod.namespace === 'app-1');
    expect(sim.isDown(down, T0 + 30_000)).toBe(true);
    expect(sim.isDown(down)).toBe(false);
    expect(parseExposition(sim.exposition(steady)).some((l) => l.name === 'response_total')).toBe(false);
  });

  it('low traffic: idle series are evicted after 10 minutes, like the proxy does', () => {
    // linkerd/linkerd2-proxy `linkerd/app/src/env.rs` (DEFAULT_METRICS_RETAIN_IDLE) at release/v2.294.0.
    // One identity call per proxy every ~17h: the client series appears, then is evicted.
    const sim = new LinkerdSimulator({ start: T0, rates: { identityPerProxy: 1 / 300 } });
    const app = proxyOf(sim, (t) => !t.pod.controlPlane && !t.pod.extension);
    const identitySeries = () => find(parseExposition(sim.exposition(app)), 'control_response_total', { addr: 'linkerd-identity-headless.linkerd.svc.cluster.local:8080' });
    sim.advanceTo(T0 + 310_000);
    expect(identitySeries()).toHaveLength(1);
    const quiet = new LinkerdSimulator({ start: T0, rates: { identityPerProxy: 1 / 300 }, scenario: new Scenario(T0, [{ kind: 'cp-traffic', component: 'identity', factor: 0, from: 310 }]) });
    const qapp = proxyOf(quiet, (t) => !t.pod.controlPlane && !t.pod.extension);
    quiet.advanceTo(T0 + 310_000);
    expect(find(parseExposition(quiet.exposition(qapp)), 'control_response_total', { addr: 'linkerd-identity-headless.linkerd.svc.cluster.local:8080' })).toHaveLength(1);
    quiet.advanceTo(T0 + 930_000);
    expect(find(parseExposition(quiet.exposition(qapp)), 'control_response_total', { addr: 'linkerd-identity-headless.linkerd.svc.cluster.local:8080' })).toHaveLength(0);
  });
});

describe('OpenMetrics history for promtool backfill', () => {
  it('writes families once, timestamps in seconds, # EOF, and promtool backfills every sample', () => {
    requirePromtool();
    const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-sim-'));
    try {
      const sim = new LinkerdSimulator({ start: T0, namespaces: 1, workloadsPerNamespace: 2, podsPerWorkload: 1, viz: false, histograms: 'identity' });
      const h = writeOpenMetricsHistory(sim, { until: T0 + 600_000, stepSeconds: 30, file: join(dir, 'h.om') });
      const text = readFileSync(h.file, 'utf8');
      expect(text.endsWith('# EOF\n')).toBe(true);
      const types = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
      expect(new Set(types).size).toBe(types.length);
      expect(text).toMatch(/^up\{.*\} 1 1700000000$/m);
      expect(text).toMatch(/ 1700000600$/m);
      const b = backfill(h.file, join(dir, 'data'));
      void b;
      const list = spawnSync(primary('promtool'), ['tsdb', 'list', join(dir, 'data')], { encoding: 'utf8' });
      expect(list.status, list.stderr).toBe(0);
      const samples = list.stdout
        .split('\n')
        .slice(1)
        .filter((l) => l.trim())
        .reduce((n, l) => n + Number(l.trim().split(/\s+/)[4]), 0);
      expect(samples).toBe(h.samples);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
