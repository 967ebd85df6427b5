/**
 * LinkerdProxyHighThroughputDefaultResources on both shapes of the proxy container, from the
 * simulator's kube-state-metrics series (tools/sim/kube-state.ts, label sets checked against
 * kube-state-metrics' own in test/captures.test.ts) scraped live by a real Prometheus that evaluates
 * the generated rules:
 *  - Linkerd 2.19: the proxy is a regular sidecar (`kube_pod_container_*`);
 *  - Linkerd 2.20: a native sidecar by default, an init container (`kube_pod_init_container_*` only).
 * In each, two busy pods of one workload: one with Linkerd's default resources (no CPU limit: the
 * ticket must open), one with a custom CPU limit (the same traffic, so it must stay quiet). The line
 * is lowered to 100 RPS and `for` to 1s so the test runs in seconds; the pods carry 2 × 2,000 RPS, as a
 * 5m rate over the few seconds of data a fresh Prometheus holds reads only a small share of the real rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LinkerdSimulator, startPrometheus, type RunningPrometheus } from '../../tools/sim/index.js';
import { resolveConfig } from '../../src/config/load.js';
import { generateBundle } from '../../src/generate.js';
import { PROXY_RESOURCES_RECORDINGS } from '../../src/slo/proxy-resources/index.js';
import { sleep } from './support/harness.js';

const ALERT = 'LinkerdProxyHighThroughputDefaultResources';
const LINE_RPS = 100;
const FAMILIES = new Set([
  'request_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes',
  'kube_pod_container_info', 'kube_pod_container_resource_limits', 'kube_pod_init_container_info', 'kube_pod_init_container_resource_limits',
]);

function rulesFor(version: '2.19' | '2.20'): string {
  const off = { enabled: false };
  const resolved = resolveConfig({
    cluster: 'ksm',
    linkerd: { version },
    slos: {
      controlPlaneSuccessRate: off, controlPlaneLatency: off, controlPlaneAvailability: off, certificates: off,
      proxyResources: { enabled: true, controlPlane: off, kubernetesMetrics: { enabled: true }, highThroughput: { requestsPerSecond: LINE_RPS, for: '1s' } },
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
  readonly version: '2.19' | '2.20';
  familiesSeen: string[];
  readonly defaultPod: string;
  readonly customPod: string;
  firing: string[];
  customRps: number;
}

describe('LinkerdProxyHighThroughputDefaultResources from kube-state-metrics, regular and native sidecar (live Prometheus)', () => {
  const servers: Server[] = [];
  const proms: RunningPrometheus[] = [];
  const runs: Run[] = [];

  beforeAll(async () => {
    for (const version of ['2.19', '2.20'] as const) {
      const start = Date.now() - 60_000;
      let customPod = '';
      const sim = new LinkerdSimulator({
        version, start, namespaces: 0, viz: false, histograms: 'none',
        workloads: [{ namespace: 'shop', name: 'web', pods: 2 }],
        rates: { appRps: 2000 },
        kubeStateMetrics: {
          // The first web pod has a custom CPU limit (2 cores); every other pod Linkerd's default (none).
          resources: (pod) => {
            if (pod.workload !== 'web' || (customPod !== '' && customPod !== pod.name)) return {};
            customPod = pod.name;
            return { limits: { cpu: 2 } };
          },
        },
      });
      const web = sim.mesh.pods.filter((p) => p.workload === 'web').map((p) => p.name);
      const { server, url } = await serve(sim);
      servers.push(server);
      const prom = await startPrometheus({
        config: {
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          rule_files: ['rules.yaml'],
          scrape_configs: [{ job_name: 'sim', honor_labels: true, static_configs: [{ targets: [url] }] }],
        },
        files: { 'rules.yaml': rulesFor(version) },
      });
      proms.push(prom);
      runs.push({ version, familiesSeen: [], defaultPod: web.find((n) => n !== customPod)!, customPod, firing: [], customRps: 0 });
    }
    // Poll each Prometheus until its default-resources pod's ticket fires (or the deadline passes).
    const deadline = Date.now() + 120_000;
    for (const [i, run] of runs.entries()) {
      const prom = proms[i]!;
      const t0 = Date.now();
      while (Date.now() < deadline) {
        run.firing = (await prom.alerts()).filter((a) => a.labels.alertname === ALERT && a.state === 'firing').map((a) => a.labels.pod!).sort();
        if (run.firing.includes(run.defaultPod)) break;
        await sleep(1000);
      }
      // The custom-limit pod carries the same traffic: its request rate is above the line too.
      const [rps] = await prom.query(`${PROXY_RESOURCES_RECORDINGS.requests}{pod="${run.customPod}"}`);
      run.customRps = Number(rps?.value?.[1] ?? 0);
      run.familiesSeen = await prom.api<string[]>('label/__name__/values');
      console.log(`proxy-resources-ksm ${run.version}: firing for [${run.firing.join(', ')}] after ${((Date.now() - t0) / 1000).toFixed(0)} s of polling`);
    }
  }, 240_000);

  afterAll(async () => {
    for (const p of proms) await p.stop();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  });

  it.each([
    ['2.19', 'kube_pod_container_info', 'kube_pod_init_container_info'],
    ['2.20', 'kube_pod_init_container_info', 'kube_pod_container_info'],
  ] as const)('%s: kube-state-metrics reports the proxy under %s only', (version, present, absent) => {
    const run = runs.find((r) => r.version === version)!;
    expect(run.familiesSeen).toContain(present);
    expect(run.familiesSeen).not.toContain(absent);
  });

  it.each(['2.19', '2.20'] as const)('%s: the pod on default resources gets the ticket; its twin with a custom CPU limit, above the line too, does not', (version) => {
    const run = runs.find((r) => r.version === version)!;
    expect(run.customPod).not.toBe('');
    expect(run.firing).toEqual([run.defaultPod]);
    expect(run.customRps).toBeGreaterThan(LINE_RPS);
  });
});
