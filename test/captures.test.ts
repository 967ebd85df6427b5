/**
 * The simulator (tools/sim) and the promtool fixtures (test/support/linkerd-series.ts) against real
 * captures, family by family: their label names must be the capture's, so neither can drift into
 * agreeing with the generator. The captures' label names are transcribed in test/support/captures.ts;
 * the last block checks that transcription against the capture file when ../shared is present.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LinkerdSimulator } from '../tools/sim/index.js';
import { CADVISOR_CAPTURE, KUBE_STATE_CAPTURE, KUBE_STATE_UNITS, PROXY_CAPTURE, PROXY_CAPTURE_ADMIN } from './support/captures.js';
import { adminInboundLabels, adminResponses, kubeStateProxyContainer } from './support/linkerd-series.js';
import { PROXY_SCRAPE, parseExposition, proxyScrapePresent, type ScrapeLine } from './support/scrape.js';

const T0 = 1_700_000_000_000;
const anchorPresent = proxyScrapePresent();

/** Distinct sorted label-name sets of a family, optionally only the series a predicate keeps. */
const shapes = (lines: ScrapeLine[], family: string, keep: (l: ScrapeLine) => boolean = () => true): string[][] => {
  const seen = new Map<string, string[]>();
  for (const l of lines.filter((x) => x.name === family && keep(x))) {
    const names = Object.keys(l.labels).sort();
    seen.set(names.join(','), names);
  }
  return [...seen.values()].sort((a, b) => (a.join() < b.join() ? -1 : 1));
};
const sortedShapes = (s: readonly (readonly string[])[]) => s.map((x) => [...x].sort()).sort((a, b) => (a.join() < b.join() ? -1 : 1));
const isAdmin = (l: ScrapeLine) => l.labels.target_port === '4191';
/** Target labels the scrape adds; captures of /metrics have none. */
const TARGET = new Set(['job', 'instance', 'namespace', 'pod', 'deployment', 'statefulset', 'daemonset', 'control_plane_ns', 'control_plane_component', 'workload_ns', 'pod_template_hash', 'cluster', 'serviceaccount']);
const withoutTarget = (l: ScrapeLine): ScrapeLine => ({ ...l, labels: Object.fromEntries(Object.entries(l.labels).filter(([k]) => !TARGET.has(k))) });

describe('simulator against the captures (label names per family)', () => {
  // The capture is of the 2.11 line (its policy labels: srv_kind/srv_name/authz_kind/authz_name, no route_*).
  const sim = new LinkerdSimulator({ version: '2.11', start: T0, rates: { identityPerProxy: 0.1 } });
  sim.advanceTo(T0 + 60_000);
  const target = sim.targets.find((t) => t.job === 'linkerd-proxy' && !t.pod.controlPlane && !t.pod.extension)!;
  const ours = parseExposition(sim.exposition(target)).map(withoutTarget);

  it.each(['request_total', 'response_total', 'response_latency_ms_bucket'])('%s: the proxy admin server\'s inbound series', (family) => {
    expect(shapes(ours, family, isAdmin)).toEqual(sortedShapes(PROXY_CAPTURE[family]!));
  });

  it('the admin server\'s identifying values (tls, target) are the capture\'s', () => {
    const admin = ours.find((l) => l.name === 'response_total' && isAdmin(l))!;
    for (const k of ['direction', 'target_port', 'tls', 'no_tls_reason'] as const) expect(admin.labels[k], k).toBe(PROXY_CAPTURE_ADMIN[k]);
  });

  it.each(['control_request_total', 'control_response_total'])('%s', (family) => {
    // Every shape the simulator writes is one the capture has.
    for (const s of shapes(ours, family)) expect(sortedShapes(PROXY_CAPTURE[family]!)).toContainEqual(s);
  });
});

describe('simulated kube-state-metrics against kube-state-metrics\' own label sets', () => {
  const MIB = 1024 * 1024;
  const resources = { limits: { cpu: 1, memory: 256 * MIB }, requests: { cpu: 0.1, memory: 64 * MIB } };
  const ksm = (version: '2.19' | '2.20', opts: { resources?: typeof resources; nativeSidecar?: boolean } = { resources }) => {
    const sim = new LinkerdSimulator({ version, start: T0, namespaces: 1, workloadsPerNamespace: 2, podsPerWorkload: 2, kubeStateMetrics: opts });
    const proxies = sim.targets.filter((t) => t.job === 'linkerd-proxy').map((t) => `${t.labels.namespace}/${t.labels.pod}`).sort();
    return { lines: parseExposition(sim.exposition(sim.kubeState!)), proxies, aggregate: parseExposition(sim.aggregateExposition('kube-state-metrics')) };
  };
  // Linkerd's proxy is a regular sidecar before 2.20 and a native sidecar (an init container) by default from 2.20 (linkerd/linkerd2 #15267).
  const SHAPES = [
    ['2.19', 'regular sidecar', ['kube_pod_container_info', 'kube_pod_container_resource_limits', 'kube_pod_container_resource_requests']],
    ['2.20', 'native sidecar', ['kube_pod_init_container_info', 'kube_pod_init_container_resource_limits', 'kube_pod_init_container_resource_requests']],
  ] as const;

  it.each(SHAPES)('%s (%s): exactly these families, each with kube-state-metrics\' label keys', (version, _shape, families) => {
    const { lines } = ksm(version);
    expect([...new Set(lines.map((l) => l.name))].sort()).toEqual([...families].sort());
    for (const family of families) expect(shapes(lines, family), family).toEqual([[...KUBE_STATE_CAPTURE[family]!].sort()]);
  });

  it.each(SHAPES)('%s (%s): one info series per meshed pod, on the pods the proxy job scrapes, container linkerd-proxy', (version, shape, [info]) => {
    const { lines, proxies } = ksm(version);
    const series = lines.filter((l) => l.name === info);
    expect(series.map((l) => `${l.labels.namespace}/${l.labels.pod}`).sort()).toEqual(proxies);
    // linkerd/linkerd2 `charts/partials/templates/_proxy.tpl`: the injected container is named linkerd-proxy.
    for (const l of series) expect(l.labels.container).toBe('linkerd-proxy');
    if (shape === 'native sidecar') for (const l of series) expect(l.labels.restart_policy).toBe('Always');
  });

  it.each(SHAPES)('%s (%s): limits and requests per resource with its unit and value', (version, _shape, [, limits, requests]) => {
    const { lines } = ksm(version);
    for (const [family, asked] of [[limits, resources.limits], [requests, resources.requests]] as const) {
      const series = lines.filter((l) => l.name === family);
      expect(new Set(series.map((l) => l.labels.resource))).toEqual(new Set(['cpu', 'memory']));
      for (const l of series) expect(l.labels.unit).toBe(KUBE_STATE_UNITS[l.labels.resource as 'cpu' | 'memory']);
      for (const l of series) expect(l.value, `${family} ${l.labels.resource}`).toBe(asked[l.labels.resource as 'cpu' | 'memory']);
    }
  });

  it('Linkerd\'s default (no proxy requests or limits): only the info family, no resource series', () => {
    expect([...new Set(ksm('2.20', {}).lines.map((l) => l.name))]).toEqual(['kube_pod_init_container_info']);
    expect([...new Set(ksm('2.20', { nativeSidecar: false }).lines.map((l) => l.name))]).toEqual(['kube_pod_container_info']);
  });

  it('scraped: job kube-state-metrics, and the pod labels are the series\' own (none of the proxy target\'s)', () => {
    const { aggregate } = ksm('2.20');
    expect(aggregate.length).toBeGreaterThan(0);
    for (const l of aggregate) {
      expect(l.labels.job).toBe('kube-state-metrics');
      expect(Object.keys(l.labels).filter((k) => !KUBE_STATE_CAPTURE[l.name]!.includes(k)).sort()).toEqual(['instance', 'job']);
    }
  });
});

describe('simulated cAdvisor against the kubelet\'s label sets', () => {
  it('container_memory_working_set_bytes: one series per proxy container with the kubelet\'s label keys, the same container ID as kube-state-metrics, following the proxy\'s memory', () => {
    const sim = new LinkerdSimulator({ version: '2.20', start: T0, namespaces: 1, workloadsPerNamespace: 1, podsPerWorkload: 2, viz: false, cadvisor: true, kubeStateMetrics: true });
    sim.advanceTo(T0 + 60_000);
    const lines = parseExposition(sim.exposition(sim.kubelet!)).filter((l) => l.name === 'container_memory_working_set_bytes');
    expect(shapes(lines, 'container_memory_working_set_bytes')).toEqual([[...CADVISOR_CAPTURE.container_memory_working_set_bytes!].sort()]);
    const proxies = sim.targets.filter((t) => t.job === 'linkerd-proxy');
    expect(lines.map((l) => `${l.labels.namespace}/${l.labels.pod}`).sort()).toEqual(proxies.map((t) => `${t.labels.namespace}/${t.labels.pod}`).sort());
    const info = parseExposition(sim.exposition(sim.kubeState!));
    for (const l of lines) {
      expect(l.labels.container).toBe('linkerd-proxy');
      const ksm = info.find((k) => k.labels.pod === l.labels.pod)!;
      expect(ksm.labels.container_id).toBe(`containerd://${l.labels.name}`);
      expect(l.labels.id).toContain(ksm.labels.uid!);
      // The working set holds the proxy's resident memory.
      const proxy = proxies.find((t) => t.labels.pod === l.labels.pod)!;
      const rss = parseExposition(sim.exposition(proxy)).find((p) => p.name === 'process_resident_memory_bytes')!.value;
      expect(l.value).toBeGreaterThanOrEqual(rss);
      expect(l.value).toBeLessThan(rss * 1.5);
    }
  });
});

describe('promtool fixtures against the captures', () => {
  it('adminInboundLabels/adminResponses are the capture\'s admin series (2.11, the capture\'s line)', () => {
    const labels = parseExposition(adminResponses('2.11', {}) + ' 1')[0]!.labels;
    expect(Object.keys(labels).sort()).toEqual([...PROXY_CAPTURE.response_total![0]!].sort());
    expect(adminInboundLabels('2.11')).toEqual(PROXY_CAPTURE_ADMIN);
    // Newer versions only add labels: every value that identifies the admin server stays.
    expect(adminInboundLabels('2.20')).toMatchObject(PROXY_CAPTURE_ADMIN);
  });

  it.each([['sidecar', 'info', 'kube_pod_container_info'], ['native', 'info', 'kube_pod_init_container_info'], ['sidecar', 'limits', 'kube_pod_container_resource_limits'], ['native', 'limits', 'kube_pod_init_container_resource_limits']] as const)(
    'kube-state-metrics %s %s is %s with its label keys',
    (shape, family, metric) => {
      const [line] = parseExposition(`${kubeStateProxyContainer(shape, family, { namespace: 'app', pod: 'web-1' })} 1`);
      expect(line!.name).toBe(metric);
      const { job: _job, ...labels } = line!.labels;
      expect(Object.keys(labels).sort()).toEqual([...KUBE_STATE_CAPTURE[metric]!].sort());
    },
  );
});

describe.skipIf(!anchorPresent)('the transcription against the capture itself (shared/anchors/linkerd-proxy-scrape)', () => {
  const real = anchorPresent ? parseExposition(readFileSync(PROXY_SCRAPE, 'utf8')) : [];
  it.each(Object.keys(PROXY_CAPTURE))('%s', (family) => {
    const keep = family.startsWith('control_') ? () => true : isAdmin;
    expect(shapes(real, family, keep)).toEqual(sortedShapes(PROXY_CAPTURE[family]!));
  });
  it('admin values', () => {
    const admin = real.find((l) => l.name === 'response_total' && isAdmin(l))!;
    expect(Object.fromEntries(Object.entries(admin.labels).filter(([k]) => k in PROXY_CAPTURE_ADMIN))).toEqual(PROXY_CAPTURE_ADMIN);
  });
});
