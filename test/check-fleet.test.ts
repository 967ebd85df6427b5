/**
 * `linkerd-slo check` on a multi-cluster config checks every cluster with its own Linkerd version,
 * against a real Prometheus (started here on 127.0.0.1) scraping one small /metrics endpoint as two
 * clusters. The endpoint speaks Linkerd 2.14: the proxy's workload-certificate gauge is
 * identity_cert_expiration_timestamp_seconds, renamed control_identity_cert_expiration_timestamp_seconds
 * in 2.16 (linkerd/linkerd2-proxy PR #2887, release/v2.227.0); proxy_build_info of a 2.14 proxy
 * (v2.207.0) as linkerd/linkerd2-proxy `linkerd/app/core/src/build_info.rs` renders it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { startPrometheus, type RunningPrometheus } from '../tools/sim/prometheus.js';
import { runCli } from './support/cli.js';
import { waitFor } from './support/wait.js';
import { serveExposition, type ExpositionServer } from './support/exposition.js';

function exposition(t: number): string {
  return [
    '# TYPE proxy_build_info gauge',
    'proxy_build_info{namespace="emojivoto",pod="web-1",version="2.207.0",git_sha="9fa90df",profile="release",date="2023-08-21T00:00:00Z",vendor="linkerd"} 1',
    '# TYPE identity_cert_expiration_timestamp_seconds gauge',
    `identity_cert_expiration_timestamp_seconds{namespace="emojivoto",pod="web-1"} ${1_900_000_000 + t}`,
    '',
  ].join('\n');
}

let server: ExpositionServer | undefined;
let prom: RunningPrometheus;
const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-check-fleet-'));

beforeAll(async () => {
  server = await serveExposition(exposition);
  const target = server.target;
  // One endpoint, scraped as two clusters (the label each cluster's Prometheus would add).
  prom = await startPrometheus({
    config: {
      global: { scrape_interval: '1s' },
      scrape_configs: [{ job_name: 'linkerd-proxy', static_configs: [{ targets: [target], labels: { cluster: 'old' } }, { targets: [target], labels: { cluster: 'older' } }] }],
    },
  });
  // Both clusters' series must be there before checking; fail here rather than check an empty store.
  await waitFor('Prometheus to scrape both clusters', async () => (await prom.query('count by (cluster) (proxy_build_info)')).length === 2, 30_000, 200);
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await server?.close();
});

interface Report { findings: Array<{ severity: string; kind: string; message: string; selector: string }> }

async function check(config: object): Promise<{ status: number | null; report: Report; stderr: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, dump(config));
  const { status, stdout, stderr } = await runCli(['check', '--config', file, '--prometheus-url', prom.url, '--format', 'json']);
  return { status, report: JSON.parse(stdout || '{"findings":[]}') as Report, stderr };
}

/** Only the certificate kind, so the findings are about the one gauge whose name changed. */
const fleet = (versions: { old: string; older: string }) => ({
  cluster: 'fleet',
  slos: {
    controlPlaneSuccessRate: { enabled: false },
    controlPlaneLatency: { enabled: false },
    controlPlaneAvailability: { enabled: false },
    proxyResources: { enabled: false },
    certificates: { issuer: { enabled: false } },
  },
  clusters: [
    { name: 'old', overrides: { linkerd: { version: versions.old } } },
    { name: 'older', overrides: { linkerd: { version: versions.older } } },
  ],
});

describe('linkerd-slo check on a multi-cluster config', () => {
  it('checks the second cluster too: its 2.18 gauge name is found renamed', async () => {
    const { status, report, stderr } = await check(fleet({ old: '2.14', older: '2.18' }));
    const renamed = report.findings.filter((f) => f.kind === 'renamed-metric');
    expect(renamed.length, stderr).toBeGreaterThan(0);
    expect(renamed.every((f) => f.selector.includes('cluster="older"'))).toBe(true);
    expect(renamed[0]?.message).toContain('control_identity_cert_expiration_timestamp_seconds does not exist in this Prometheus');
    expect(status).toBe(1);
  });

  it('both clusters on the version they run: no blind finding', async () => {
    const { status, report } = await check(fleet({ old: '2.14', older: '2.14' }));
    expect(report.findings.filter((f) => f.severity === 'blind')).toEqual([]);
    expect(status).toBe(0);
  });
});
