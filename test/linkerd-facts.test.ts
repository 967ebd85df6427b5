/**
 * Linkerd facts of 2.19 and 2.20 as the bundle uses them: text that names a cause must name the
 * right one, and the version-dependent sets (gRPC servers, admin ports) reach every reader.
 * Sources: linkerd/linkerd2 #14111 (admin ports renamed in 2.19), #14122 (policy gRPC server metrics,
 * `policy-controller/grpc/src/metrics.rs` at version-2.19), #15267 (native sidecars by default in 2.20),
 * `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.19 and version-2.20.
 */
import { describe, expect, it } from 'vitest';
import { generated } from './support/bundle.js';

const ALL_ON = {
  workloads: { list: [{ namespace: 'shop', deployment: 'web' }] },
  custom: [{ name: 'checkout', objective: 99.9, period: '30d', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' }],
};
const bundle = (version: string) => generated({ cluster: 'test', linkerd: { version: version as '2.20' }, slos: ALL_ON });

describe('2.19/2.20 facts in the bundle', () => {
  const files = bundle('2.20').files;

  it('every absent-metrics runbook whose series come from proxies names dropped init containers (native sidecars) as a cause', () => {
    for (const alert of ['LinkerdControlPlaneSLIMetricsAbsent', 'LinkerdControlPlaneLatencyMetricsAbsent', 'LinkerdWorkloadMetricsAbsent', 'LinkerdCertificateSourceAbsent', 'LinkerdCustomSLOMetricsAbsent']) {
      const text = files.get(`runbooks/${alert}.md`);
      expect(text, alert).toBeDefined();
      expect(text, alert).toContain('__meta_kubernetes_pod_container_init="true"');
    }
  });

  it('the proxy-side absent runbook does not blame the 2.19 Viz chart (it changed the controller job, not linkerd-proxy)', () => {
    const text = files.get('runbooks/LinkerdControlPlaneSLIMetricsAbsent.md')!;
    expect(text).not.toMatch(/viz chart stopped scraping/i);
    expect(text).toContain('`linkerd-admin`');
  });

  it('the not-scraped runbook lists the admin port names of the configured version and the shipped keep rule', () => {
    const r18 = bundle('2.18').files.get('runbooks/LinkerdControlPlaneComponentNotScraped.md')!;
    const r19 = bundle('2.19').files.get('runbooks/LinkerdControlPlaneComponentNotScraped.md')!;
    const r20 = files.get('runbooks/LinkerdControlPlaneComponentNotScraped.md')!;
    expect(r18).toContain('must keep on 2.18: `admin-http`\n');
    for (const port of ['dest-admin', 'spval-admin', 'policy-admin', 'ident-admin', 'injector-admin']) expect(r20).toContain(`\`${port}\``);
    expect(r19).toContain('scrape of 2.19 keeps `admin`');
    expect(r20).toContain('scrape of 2.20 keeps `.*admin$`');
  });

  it('policy\'s gRPC server metrics are read from 2.19 on, in the availability row and the mesh row alike', () => {
    const grpcQueries = (version: string) =>
      [...bundle(version).files].filter(([p]) => p.startsWith('grafana/') && p.endsWith('.json')).flatMap(([, text]) => text.match(/grpc_server_handled_total\{[^}]*\}/g) ?? []);
    const before = grpcQueries('2.18');
    const after = grpcQueries('2.19');
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((q) => !q.includes('policy'))).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((q) => q.includes('policy'))).toBe(true);
  });
});
