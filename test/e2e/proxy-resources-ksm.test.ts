/**
 * The proxy-resources kind's Kubernetes alerts on both shapes of the proxy container, from the
 * simulator's kube-state-metrics and cAdvisor series (tools/sim/kube-state.ts, cadvisor.ts; their
 * label sets checked against the exporters' own in test/captures.test.ts), scraped live by a real
 * Prometheus that evaluates the generated rules:
 *  - Linkerd 2.19: the proxy is a regular sidecar (`kube_pod_container_*`);
 *  - Linkerd 2.20: a native sidecar by default, an init container (`kube_pod_init_container_*` only).
 * Each mesh has two workloads of two pods:
 *  - web, busy: one pod on Linkerd's default resources (no CPU limit: LinkerdProxyHighThroughputDefaultResources
 *    must open), its twin with a custom CPU limit (the same traffic: must stay quiet);
 *  - cache, with a 64 MiB memory limit: one pod's proxy leaks memory past 90% of it
 *    (LinkerdProxyMemoryNearLimit must page), its twin does not (quiet).
 * The high-throughput line is 100 RPS and every `for` 1s so the test runs in seconds; the pods carry
 * 2 × 2,000 RPS, as a 5m rate over the few seconds of data a fresh Prometheus holds reads only a
 * small share of the real rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LinkerdSimulator, Scenario, buildMesh, startPrometheus, type RunningPrometheus, type SimPod } from '../../tools/sim/index.js';
import { resolveConfig } from '../../src/config/load.js';
import { generateBundle } from '../../src/generate.js';
import { PROXY_RESOURCES_RECORDINGS } from '../../src/slo/proxy-resources/names.js';
import { sleep } from './support/harness.js';

const HIGH_THROUGHPUT = 'LinkerdProxyHighThroughputDefaultResources';
const MEMORY = 'LinkerdProxyMemoryNearLimit';
const LINE_RPS = 100;
const MIB = 1024 * 1024;
const VERSIONS = ['2.19', '2.20'] as const;
type Version = (typeof VERSIONS)[number];
const FAMILIES = new Set([
  'request_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'container_memory_working_set_bytes',
  'kube_pod_container_info', 'kube_pod_container_resource_limits', 'kube_pod_init_container_info', 'kube_pod_init_container_resource_limits',
]);

function rulesFor(version: Version): string {
  const off = { enabled: false };
  const resolved = resolveConfig({
    cluster: 'ksm',
    linkerd: { version },
    slos: {
      controlPlaneSuccessRate: off, controlPlaneLatency: off, controlPlaneAvailability: off, certificates: off,
      proxyResources: {
        enabled: true, controlPlane: off,
        kubernetesMetrics: { enabled: true, memoryNearLimit: { for: '1s' }, cpuThrottled: off },
        highThroughput: { requestsPerSecond: LINE_RPS, for: '1s' },
      },
    },
  }, 'ksm.yaml');
  return generateBundle(resolved, 'ksm.yaml').files.get('prometheus/linkerd-slo-ksm.rules.yaml')!;
}

/** The simulator's aggregate exposition as of the wall clock. */
async function serve(sim: LinkerdSimulator): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    sim.advanceTo(Date.now());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(sim.aggregateExposition(undefined, FAMILIES));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Run {
  readonly version: Version;
  readonly web: { readonly defaults: string; readonly custom: string };
  readonly cache: { readonly leaking: string; readonly steady: string };
  familiesSeen: string[];
  firing: Record<string, string[]>;
  customRps: number;
  steadyWorkingSet: number;
}

/** A mesh with the two workloads, their pods' resources and the leak. */
function simulator(version: Version, start: number): { sim: LinkerdSimulator; run: Run } {
  const mesh = buildMesh({ version, namespaces: 0, viz: false, workloads: [{ namespace: 'shop', name: 'web', pods: 2 }, { namespace: 'shop', name: 'cache', pods: 2 }] });
  const names = (w: string) => mesh.pods.filter((p) => p.workload === w).map((p) => p.name);
  const [defaults, custom] = names('web') as [string, string];
  const [leaking, steady] = names('cache') as [string, string];
  const resources = (pod: SimPod) =>
    pod.name === custom ? { limits: { cpu: 2 } } : pod.workload === 'cache' ? { limits: { cpu: 2, memory: 64 * MIB } } : {};
  const sim = new LinkerdSimulator({
    mesh, start, histograms: 'none', rates: { appRps: 2000 }, kubeStateMetrics: { resources }, cadvisor: true,
    // 1 MB/s from the start: above 90% of 64 MiB within a minute.
    scenario: new Scenario(start, [{ kind: 'proxy-resources', memoryGrowthBytesPerHour: 3.6e9, from: 0, select: { pods: [leaking] } }]),
  });
  return { sim, run: { version, web: { defaults, custom }, cache: { leaking, steady }, familiesSeen: [], firing: {}, customRps: 0, steadyWorkingSet: 0 } };
}

describe('proxy-resources Kubernetes alerts from kube-state-metrics and cAdvisor, regular and native sidecar (live Prometheus)', () => {
  const servers: Server[] = [];
  const proms: RunningPrometheus[] = [];
  const runs: Run[] = [];

  beforeAll(async () => {
    for (const version of VERSIONS) {
      const { sim, run } = simulator(version, Date.now() - 60_000);
      const { server, url } = await serve(sim);
      servers.push(server);
      proms.push(await startPrometheus({
        config: {
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          rule_files: ['rules.yaml'],
          scrape_configs: [{ job_name: 'sim', honor_labels: true, static_configs: [{ targets: [url] }] }],
        },
        files: { 'rules.yaml': rulesFor(version) },
      }));
      runs.push(run);
    }
    // Poll each Prometheus until both tickets it must raise fire (or the deadline passes).
    const deadline = Date.now() + 120_000;
    for (const [i, run] of runs.entries()) {
      const prom = proms[i]!;
      const t0 = Date.now();
      while (Date.now() < deadline) {
        const alerts = (await prom.alerts()).filter((a) => a.state === 'firing');
        for (const name of [HIGH_THROUGHPUT, MEMORY]) run.firing[name] = alerts.filter((a) => a.labels.alertname === name).map((a) => a.labels.pod!).sort();
        if (run.firing[HIGH_THROUGHPUT]!.includes(run.web.defaults) && run.firing[MEMORY]!.includes(run.cache.leaking)) break;
        await sleep(1000);
      }
      // The quiet twins have data: the same traffic above the line, a working set below the limit.
      const [rps] = await prom.query(`${PROXY_RESOURCES_RECORDINGS.requests}{pod="${run.web.custom}"}`);
      run.customRps = Number(rps?.value?.[1] ?? 0);
      const [ws] = await prom.query(`container_memory_working_set_bytes{pod="${run.cache.steady}"}`);
      run.steadyWorkingSet = Number(ws?.value?.[1] ?? 0);
      run.familiesSeen = await prom.api<string[]>('label/__name__/values');
      console.log(`proxy-resources-ksm ${run.version}: ${JSON.stringify(run.firing)} after ${((Date.now() - t0) / 1000).toFixed(0)} s of polling`);
    }
  }, 240_000);

  afterAll(async () => {
    for (const p of proms) await p.stop();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  });

  const runOf = (version: Version) => runs.find((r) => r.version === version)!;

  it.each([
    ['2.19', 'kube_pod_container_info', 'kube_pod_init_container_info'],
    ['2.20', 'kube_pod_init_container_info', 'kube_pod_container_info'],
  ] as const)('%s: kube-state-metrics reports the proxy under %s only', (version, present, absent) => {
    expect(runOf(version).familiesSeen).toContain(present);
    expect(runOf(version).familiesSeen).not.toContain(absent);
  });

  it.each(VERSIONS)('%s: the busy pod on default resources gets the ticket; its twin with a custom CPU limit, above the line too, does not', (version) => {
    const run = runOf(version);
    expect(run.firing[HIGH_THROUGHPUT]).toEqual([run.web.defaults]);
    expect(run.customRps).toBeGreaterThan(LINE_RPS);
  });

  it.each(VERSIONS)('%s: the leaking proxy near its memory limit pages; its steady twin with the same limit does not', (version) => {
    const run = runOf(version);
    expect(run.firing[MEMORY]).toEqual([run.cache.leaking]);
    expect(run.steadyWorkingSet).toBeGreaterThan(0);
    expect(run.steadyWorkingSet).toBeLessThan(0.9 * 64 * MIB);
  });
});
