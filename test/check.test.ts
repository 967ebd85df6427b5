/**
 * `linkerd-slo check` against a real Prometheus (started here on 127.0.0.1) that scrapes a small
 * /metrics endpoint shaped like Linkerd proxies, with deliberately mismatched labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { startPrometheus, type RunningPrometheus } from '../tools/sim/prometheus.js';
import { authHeaders } from '../src/check/prometheus-client.js';
import { waitFor } from './support/wait.js';
import { EXAMPLE, runCli } from './support/cli.js';
import { serveExposition, type ExpositionServer } from './support/exposition.js';

/** Turned on by the last test: a pod whose proxy is a native sidecar, known to kube-state-metrics and never scraped. */
let nativeSidecarPod = false;

/** What two control-plane pods' proxies and one meshed pod expose (Linkerd 2.14 names). */
function exposition(t: number): string {
  const cp = (pod: string, component: string, port: number) =>
    `namespace="linkerd",pod="${pod}",control_plane_component="${component}",deployment="linkerd-${component}",direction="inbound",target_port="${port}"`;
  const addr = (a: string) => `namespace="emojivoto",pod="web-1",addr="${a}"`;
  return [
    '# TYPE response_total counter',
    `response_total{${cp('linkerd-destination-1', 'destination', 8086)},classification="success"} ${100 + t * 10}`,
    `response_total{${cp('linkerd-destination-1', 'destination', 8090)},classification="success"} ${100 + t * 10}`,
    `response_total{${cp('linkerd-identity-1', 'identity', 8080)},classification="success"} ${100 + t * 10}`,
    // An idle meshed Deployment: its proxy's admin server only (probes, scrapes; linkerd/linkerd2
    // `testutil/prommatch/testdata/sampleMetrics.txt`), which the workload SLIs leave out.
    `response_total{namespace="emojivoto",pod="idle-1",deployment="idle",direction="inbound",target_addr="0.0.0.0:4191",target_ip="0.0.0.0",target_port="4191",tls="no_identity",no_tls_reason="no_tls_from_remote",status_code="200",classification="success"} ${30 + t * 3}`,
    '# TYPE control_response_total counter',
    `control_response_total{${addr('linkerd-dst-headless.linkerd.svc.cluster.local:8086')},classification="success"} ${50 + t}`,
    `control_response_total{${addr('linkerd-policy.linkerd.svc.cluster.local:8090')},classification="success"} ${50 + t}`,
    `control_response_total{${addr('linkerd-identity-headless.linkerd.svc.cluster.local:8080')},classification="success"} ${50 + t}`,
    // A 2.14 proxy (v2.207.0): version label, no git_version (linkerd/linkerd2-proxy build_info.rs at release/v2.207.0).
    '# TYPE proxy_build_info gauge',
    `proxy_build_info{namespace="emojivoto",pod="web-1",version="2.207.0",git_sha="9fa90df",profile="release",date="2023-08-21T00:00:00Z",vendor="linkerd"} 1`,
    // kube-state-metrics' init-container family (kubernetes/kube-state-metrics `internal/store/pod.go` at v2.13.0).
    ...(nativeSidecarPod
      ? [
          '# TYPE kube_pod_init_container_info gauge',
          'kube_pod_init_container_info{namespace="emojivoto",pod="native-1",uid="u-1",container="linkerd-proxy",image_spec="cr.l5d.io/linkerd/proxy:edge-26.8.3",image="cr.l5d.io/linkerd/proxy:edge-26.8.3",image_id="",container_id="containerd://n1",restart_policy="Always"} 1',
        ]
      : []),
    '# TYPE identity_cert_expiration_timestamp_seconds gauge',
    `identity_cert_expiration_timestamp_seconds{namespace="emojivoto",pod="web-1"} ${Math.floor(Date.now() / 1000) + 86400}`,
    '',
  ].join('\n');
}

let server: ExpositionServer | undefined;
let prom: RunningPrometheus;
const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-check-'));

beforeAll(async () => {
  server = await serveExposition(exposition);
  // The job name a Prometheus Operator PodMonitor produces: <namespace>/<PodMonitor name> (linkerd/linkerd2
  // `charts/linkerd-control-plane/templates/podmonitor.yaml` at version-2.18).
  prom = await startPrometheus({
    config: { global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'linkerd/linkerd-proxy', static_configs: [{ targets: [server.target] }] }] },
  });
  // Three scrapes so rate() has data; without them every check below would test an empty Prometheus.
  await waitFor(
    'three scrapes of the fake proxies in Prometheus',
    async () => {
      const r = await prom.query('count_over_time(response_total[1m])');
      return r.length > 0 && Number(r[0]!.value![1]) >= 3;
    },
    40_000,
    200,
  );
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await server?.close();
});

async function check(config: object, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, dump(config));
  return runCli(['check', '--config', file, '--prometheus-url', prom.url, ...args]);
}

const only = (extra: object = {}) => ({
  cluster: 'check',
  slos: {
    controlPlaneLatency: { enabled: false },
    controlPlaneAvailability: { enabled: false },
    proxyResources: { enabled: false },
    certificates: { issuer: { enabled: false } },
  },
  ...extra,
});

interface Report { findings: Array<{ severity: string; kind: string; message: string; fix: string; selector: string; usedBy: string[] }> }

describe('linkerd-slo check', () => {
  it('finds the PodMonitor job name and says which setting fixes it (exit 1: alerts are blind)', async () => {
    const r = await check(only({ linkerd: { version: '2.14' } }), '--format', 'json');
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    const pm = report.findings.filter((f) => f.kind === 'podmonitor-job');
    expect(pm.length).toBeGreaterThan(3);
    expect(new Set(pm.map((f) => f.fix))).toEqual(new Set(['set linkerd.proxyJob: linkerd/linkerd-proxy']));
  });

  it('finds a metric that exists only under another Linkerd version\'s name', async () => {
    const r = await check(only({ linkerd: { version: '2.18', proxyJob: 'linkerd/linkerd-proxy' } }), '--format', 'json');
    const report = JSON.parse(r.stdout) as Report;
    const renamed = report.findings.find((f) => f.kind === 'renamed-metric');
    expect(renamed?.message).toContain('control_identity_cert_expiration_timestamp_seconds does not exist in this Prometheus, but identity_cert_expiration_timestamp_seconds (Linkerd 2.10–2.15) does');
    expect(renamed?.severity).toBe('blind');
    expect(r.status).toBe(1);
  });

  it('names a label value that matches nothing (a wrong control-plane namespace)', async () => {
    const r = await check(only({ linkerd: { version: '2.14', proxyJob: 'linkerd/linkerd-proxy', namespace: 'linkerd-prod' } }), '--format', 'json');
    const report = JSON.parse(r.stdout) as Report;
    const ns = report.findings.find((f) => f.kind === 'label-value' && f.message.startsWith('namespace="linkerd-prod"'));
    expect(ns?.message).toContain('namespace values seen: ');
    expect(ns?.message).toContain('linkerd');
  });

  it('a workload with only admin-port traffic (probes, scrapes) is explained, not reported as a wrong label', async () => {
    const r = await check(
      { ...only({ linkerd: { version: '2.14', proxyJob: 'linkerd/linkerd-proxy' } }), slos: { ...only().slos, workloads: { list: [{ namespace: 'emojivoto', deployment: 'idle' }] } } },
      '--format',
      'json',
    );
    const report = JSON.parse(r.stdout) as Report;
    const admin = report.findings.filter((f) => f.kind === 'admin-traffic-only');
    expect(admin.length, r.stdout).toBeGreaterThan(0);
    expect(admin[0]!.message).toContain('admin server on port 4191');
    expect(admin[0]!.selector).toContain('target_port!="4191"');
    expect(report.findings.filter((f) => f.selector.includes('deployment="idle"') && f.kind === 'label-value')).toEqual([]);
  });

  it('a matching config has no blind findings and exits 0; the text report says so', async () => {
    const r = await check(only({ linkerd: { version: '2.14', proxyJob: 'linkerd/linkerd-proxy' } }));
    expect(r.stdout).not.toContain('BLIND');
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^Checked \d+ selectors against http:\/\/127\.0\.0\.1:\d+\./);
  });

  it('version skew on an up-to-date mesh: its old-proxy selectors finding nothing is not a finding', async () => {
    const r = await check(
      {
        ...only({ linkerd: { version: '2.14', proxyJob: 'linkerd/linkerd-proxy' } }),
        slos: { ...only().slos, controlPlaneSuccessRate: { enabled: false }, certificates: { enabled: false }, controlPlaneAvailability: { components: [], pageComponents: [], viz: { enabled: false } } },
      },
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    // The skew rules' selectors; the control-plane dashboard's own proxy_build_info panel (no control-plane
    // proxies in this scrape) is a warning about a panel, not about them.
    expect(report.findings.filter((f) => f.selector.includes('proxy_build_info') && f.usedBy.some((u) => u.startsWith('rule ')))).toEqual([]);
    expect(r.status, r.stdout).toBe(0);
  });

  it('native-sidecar proxies (init containers) that the proxy job never scrapes are a blind finding (last: it changes the scrape)', async () => {
    const before = await check(only({ linkerd: { version: '2.14', proxyJob: 'linkerd/linkerd-proxy' } }), '--format', 'json');
    expect((JSON.parse(before.stdout) as Report).findings.filter((f) => f.kind === 'init-containers-dropped')).toEqual([]);
    nativeSidecarPod = true;
    await waitFor('the native-sidecar pod in Prometheus', async () => (await prom.query('kube_pod_init_container_info')).length > 0, 20_000, 200);
    const r = await check(only({ linkerd: { version: '2.14', proxyJob: 'linkerd/linkerd-proxy' } }), '--format', 'json');
    const found = (JSON.parse(r.stdout) as Report).findings.filter((f) => f.kind === 'init-containers-dropped');
    expect(found, r.stdout).toHaveLength(1);
    expect(found[0]!.severity).toBe('blind');
    expect(found[0]!.fix).toContain('__meta_kubernetes_pod_container_init');
    expect(r.status).toBe(1);
  });

  it('an unreachable Prometheus is a clear error, exit 3', async () => {
    // A port that was free a moment ago (port 9 would be refused by fetch itself as a "bad port", before any connection).
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    const { status, stderr } = await runCli(['check', '--config', EXAMPLE, '--prometheus-url', `http://127.0.0.1:${port}`]);
    expect(status).toBe(3);
    expect(stderr).toBe(`error: cannot reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`);
  });
});

it('credentials come from the environment only', () => {
  expect(authHeaders({ LINKERD_SLO_PROMETHEUS_TOKEN: 't0k' })).toEqual({ Authorization: 'Bearer t0k' });
  expect(authHeaders({ LINKERD_SLO_PROMETHEUS_USERNAME: 'u', LINKERD_SLO_PROMETHEUS_PASSWORD: 'p' })).toEqual({ Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
  expect(authHeaders({})).toEqual({});
});

it('credentials an HTTP header cannot carry are refused by the name of their variable', () => {
  expect(() => authHeaders({ LINKERD_SLO_PROMETHEUS_TOKEN: 'secret\r\nX: y' })).toThrow(/^LINKERD_SLO_PROMETHEUS_TOKEN contains a control character/);
  expect(() => authHeaders({ LINKERD_SLO_PROMETHEUS_TOKEN: 'sécret' })).toThrow(/^LINKERD_SLO_PROMETHEUS_TOKEN contains spaces or non-ASCII/);
  expect(() => authHeaders({ LINKERD_SLO_PROMETHEUS_USERNAME: 'a:b' })).toThrow(/^LINKERD_SLO_PROMETHEUS_USERNAME contains ":"/);
  // Basic credentials travel base64-encoded, so a non-ASCII password is fine.
  expect(authHeaders({ LINKERD_SLO_PROMETHEUS_USERNAME: 'u', LINKERD_SLO_PROMETHEUS_PASSWORD: 'pässwörd' })).toEqual({ Authorization: `Basic ${Buffer.from('u:pässwörd').toString('base64')}` });
  for (const bad of ['secret\r\nX: y', 'sécret']) {
    try {
      authHeaders({ LINKERD_SLO_PROMETHEUS_TOKEN: bad });
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
  }
});
