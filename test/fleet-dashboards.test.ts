/**
 * A fleet's dashboards are built from every cluster's build: with mixed Linkerd versions each
 * cluster's panels read its own version's metric names, and per-cluster objectives stay per cluster.
 * Facts from Linkerd's source: the proxy's workload-certificate expiry gauge is
 * identity_cert_expiration_timestamp_seconds up to 2.15 and gained the control_ prefix in 2.16
 * (linkerd/linkerd2-proxy PR #2887, release/v2.227.0).
 */
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { resolveConfig } from '../src/config/load.js';
import { generateBundle } from '../src/generate.js';

const FLEET = `
cluster: fleet
clusters:
  - name: new
    overrides: { linkerd: { version: "2.18" } }
  - name: old
    overrides:
      linkerd: { version: "2.14" }
      slos: { controlPlaneSuccessRate: { objective: 99.5 } }
`;

const exprsOf = (json: string): string[] =>
  (JSON.parse(json) as { panels: Array<{ targets?: Array<{ expr: string }> }> }).panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

describe('fleet dashboards with mixed Linkerd versions', () => {
  const gen = generateBundle(resolveConfig(load(FLEET), 'fleet.yaml'), 'fleet.yaml');
  const certificates = exprsOf(gen.files.get('grafana/linkerd-slo-fleet-certificates.json')!);
  const overview = exprsOf(gen.files.get('grafana/linkerd-slo-fleet.json')!);

  it('read each version\'s workload-certificate gauge, each restricted to its clusters', () => {
    const both = certificates.find((e) => e.includes('control_identity_cert_expiration_timestamp_seconds') && /(?<!control_)identity_cert_expiration_timestamp_seconds/.test(e));
    expect(both, certificates.join('\n')).toBeDefined();
    expect(both).toMatch(/control_identity_cert_expiration_timestamp_seconds\{[^}]*cluster=~"new"\}/);
    expect(both).toMatch(/(?<!control_)identity_cert_expiration_timestamp_seconds\{[^}]*cluster=~"old"\}/);
  });

  it('divide each cluster\'s burn rate by its own error budget', () => {
    const burn = overview.find((e) => e.startsWith('linkerd_slo:sli_error:ratio_rate1h{slo="control-plane-success-rate", sli="server"'));
    expect(burn).toMatch(/cluster=~"new"\} \/ 0\.001/);
    expect(burn).toMatch(/cluster=~"old"\} \/ 0\.005/);
  });

  it('keep a query that reads the same in every cluster as one query', () => {
    const single = generateBundle(resolveConfig(load(FLEET.replace('"2.14"', '"2.18"').replace('objective: 99.5', 'objective: 99.9')), 'fleet.yaml'), 'fleet.yaml');
    const exprs = exprsOf(single.files.get('grafana/linkerd-slo-fleet.json')!);
    expect(exprs.some((e) => e.includes('"new"') || e.includes('"old"'))).toBe(false);
  });
});

// One cluster on Prometheus 3 with convert_classic_histograms_to_nhcb (no _bucket series left), one
// still classic: what a fleet looks like half-way through that migration.
const MIXED_STORAGE = `
cluster: fleet
clusters:
  - name: east
  - name: west
    overrides:
      linkerd: { histograms: native }
      prometheus: { minVersion: "3.4" }
`;

interface HeatmapPanel { type: string; title: string; targets: Array<{ expr: string; format?: string }> }

function heatmapsOf(json: string): HeatmapPanel[] {
  const out: HeatmapPanel[] = [];
  const walk = (panels: Array<HeatmapPanel & { panels?: HeatmapPanel[] }>): void => {
    for (const p of panels) {
      if (p.panels) walk(p.panels as Array<HeatmapPanel & { panels?: HeatmapPanel[] }>);
      if (p.type === 'heatmap') out.push(p);
    }
  };
  walk((JSON.parse(json) as { panels: Array<HeatmapPanel & { panels?: HeatmapPanel[] }> }).panels);
  return out;
}

describe('fleet heatmaps while some clusters store latency as native histograms', () => {
  const gen = generateBundle(resolveConfig(load(MIXED_STORAGE), 'fleet.yaml'), 'fleet.yaml');
  const heatmaps = heatmapsOf(gen.files.get('grafana/linkerd-slo-fleet-control-plane.json')!);

  it('draw each storage in its own heatmap: classic buckets in Grafana\'s heatmap format, the native histogram as it is', () => {
    const destination = heatmaps.filter((p) => p.title.includes('destination'));
    expect(destination.map((p) => p.title)).toEqual([
      expect.stringContaining('classic histograms: east'),
      expect.stringContaining('native histograms: west'),
    ]);
    const [classic, native] = destination;
    expect(classic!.targets).toHaveLength(1);
    expect(classic!.targets[0]!.format).toBe('heatmap');
    expect(classic!.targets[0]!.expr).toMatch(/^sum by \(le\) \([a-z_:]+_bucket:rate5m\{[^}]*cluster=~"east"\}\)$/);
    expect(native!.targets).toHaveLength(1);
    expect(native!.targets[0]!.format).toBeUndefined();
    expect(native!.targets[0]!.expr).not.toContain('_bucket');
    expect(native!.targets[0]!.expr).toMatch(/cluster=~"west"\}\)$/);
  });

  it('keep one heatmap per component when every cluster stores the same way', () => {
    const classicOnly = generateBundle(resolveConfig(load(MIXED_STORAGE.replace('histograms: native', 'histograms: classic')), 'fleet.yaml'), 'fleet.yaml');
    const titles = heatmapsOf(classicOnly.files.get('grafana/linkerd-slo-fleet-control-plane.json')!).map((p) => p.title);
    expect(titles.filter((t) => t.includes('destination'))).toEqual(['Latency distribution: destination']);
  });
});
