/** Many clusters from one config: overrides, the cluster label everywhere, targets, split evaluation. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { resolveConfig, parseYamlConfig } from '../src/config/load.js';
import { ConfigError } from '../src/config/errors.js';
import { generateBundle } from '../src/generate.js';
import { isAlert, type RuleGroup } from '../src/rules.js';
import type { Expr } from '../src/promql/ast.js';
import { checkRules, testRules } from './support/promtool.js';
import { toYaml } from '../src/emit/rule-files.js';
import { thrown } from './support/errors.js';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const EXAMPLE = 'examples/multi-cluster.yaml';
const resolved = resolveConfig(load(readFileSync(EXAMPLE, 'utf8')), EXAMPLE);
const fleet = generateBundle(resolved, EXAMPLE);

function walk(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  if (e.kind === 'call') e.args.forEach((a) => walk(a, visit));
  else if (e.kind === 'aggregate') {
    walk(e.expr, visit);
    if (e.param) walk(e.param, visit);
  } else if (e.kind === 'binary') {
    walk(e.lhs, visit);
    walk(e.rhs, visit);
  } else if (e.kind === 'paren') walk(e.expr, visit);
}

describe('cluster expansion', () => {
  it('one config per cluster, with its overrides', () => {
    expect(resolved.clusters.map((c) => [c.cluster, c.linkerd.version, c.slos.controlPlaneSuccessRate.objective, c.alerting.lowTraffic.minRequests, c.alerting.severities.page])).toEqual([
      ['prod-eu1', '2.20', 99.9, 100, 'critical'],
      ['prod-us1', '2.16', 99.9, 100, 'critical'],
      ['staging', '2.20', 99.5, 20, 'critical'],
    ]);
  });

  it('every selector of a cluster matches its cluster label, every aggregation keeps it', () => {
    for (const [i, c] of resolved.clusters.entries()) {
      const groups = fleet.clusters[i]!.groups;
      let selectors = 0;
      for (const g of groups)
        for (const r of g.rules)
          walk(r.expr, (e) => {
            if (e.kind === 'selector') {
              selectors++;
              expect(e.matchers, `${g.name}: ${e.metric}`).toContainEqual({ label: 'cluster', op: '=', value: c.cluster });
            }
            if (e.kind === 'aggregate' && e.op !== 'count' && e.op !== 'group') {
              const keeps = e.by ? e.by.includes('cluster') : !(e.without ?? []).includes('cluster') && e.without !== undefined;
              expect(keeps, `${g.name}: ${e.op} by (${e.by?.join(', ')}) drops the cluster label`).toBe(true);
            }
          });
      expect(selectors).toBeGreaterThan(100);
    }
  });

  it('per-cluster overrides reach the rules: version-specific metric names and objectives', () => {
    const rules = (name: string) => fleet.files.get(`prometheus/linkerd-slo-${name}.rules.yaml`)!;
    const globalRules = fleet.files.get('prometheus/linkerd-slo-fleet-global.rules.yaml')!;
    expect(rules('prod-us1')).toContain('control_identity_cert_expiration_timestamp_seconds{');
    expect(rules('staging')).toMatch(/ratio_rate1h\{[^}]*cluster="staging"[^}]*\} \/ 0\.005 > 14\.4/);
    expect(rules('prod-eu1')).toMatch(/ratio_rate1h\{[^}]*cluster="prod-eu1"[^}]*\} \/ 0\.001 > 14\.4/);
    expect(globalRules).toMatch(/cluster="staging"/);
  });

  it('an error in an override points at the override, with line and column', () => {
    const yaml = 'cluster: fleet\nclusters:\n  - name: a\n  - name: b\n    overrides:\n      slos:\n        controlPlaneSuccessRate: { objective: 90 }\n';
    const err = thrown(ConfigError, () => parseYamlConfig(yaml, 'f.yaml'));
    expect(err.message).toMatch(/^f\.yaml:7:\d+: clusters\[1\]\.overrides\.slos\.controlPlaneSuccessRate\.objective: objective 90% means the page alert/);
    expect(err.message).toContain('(cluster b)');
  });
});

describe('split evaluation', () => {
  it('puts windows up to 6h and page alerts in the clusters, long roll-ups and ticket alerts on the global ruler', () => {
    const local = fleet.files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!;
    const global = fleet.files.get('prometheus/linkerd-slo-fleet-global.rules.yaml')!;
    expect(local).toContain('record: linkerd_slo:sli_error:ratio_rate6h');
    expect(local).not.toContain('record: linkerd_slo:sli_error:ratio_rate1d');
    expect(global).toContain('record: linkerd_slo:sli_error:ratio_rate1d');
    expect(global).not.toContain('record: linkerd_slo:sli_error:ratio_rate5m');
    const alertsOf = (text: string) => (load(text) as { groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string> }> }> }).groups.flatMap((g) => g.rules).filter((r) => r.alert === 'LinkerdControlPlaneErrorBudgetBurn');
    expect(new Set(alertsOf(local).map((a) => a.labels!.long))).toEqual(new Set(['1h', '6h']));
    expect(new Set(alertsOf(global).map((a) => a.labels!.long))).toEqual(new Set(['1d', '3d']));
  });

  // Two hours healthy at 1 rps, then one hour at 10% errors, in prod-eu1; prod-us1 stays healthy.
  const series = (cluster: string, broken: boolean) => {
    const base = `job="linkerd-proxy", namespace="linkerd", control_plane_component="destination", direction="inbound", target_port="8086", cluster="${cluster}"`;
    return [
      { series: `response_total{${base}, classification="success"}`, values: broken ? '0+60x120 7254+54x60' : '0+60x180' },
      { series: `response_total{${base}, classification="failure"}`, values: broken ? '0x120 6+6x60' : '0x180' },
    ];
  };
  const ratio1d = 'linkerd_slo:sli_error:ratio_rate1d{sli="server", component="destination", cluster="prod-eu1"}';
  const labels = '{slo="control-plane-success-rate", sli="server", component="destination", cluster="prod-eu1", team="platform"}';
  const scenario = {
    interval: '1m',
    input_series: [...series('prod-eu1', true), ...series('prod-us1', false)],
    promql_expr_test: [
      // 360 errors of 10800 requests: 3.33%; the tolerance covers rate() extrapolation at the window edges.
      { expr: `(${ratio1d} > bool 0.030) * (${ratio1d} < bool 0.037)`, eval_time: '3h', exp_samples: [{ labels, value: 1 }] },
      {
        expr: 'count by (cluster, long) (ALERTS{alertname="LinkerdControlPlaneErrorBudgetBurn", alertstate="firing", sli="server"})',
        eval_time: '3h',
        exp_samples: [{ labels: '{cluster="prod-eu1", long="1h"}', value: 1 }, { labels: '{cluster="prod-eu1", long="6h"}', value: 1 }],
      },
    ],
  };

  it('split (cluster + global rules) and unsplit rules agree on the same data', () => {
    // Only the success-rate SLO, to keep promtool fast; the split logic is the same for every kind.
    const only = {
      certificates: { enabled: false },
      controlPlaneLatency: { enabled: false },
      controlPlaneAvailability: { enabled: false },
      proxyResources: { enabled: false },
    };
    const bundle = (split: boolean) =>
      generateBundle(
        resolveConfig({ cluster: 'fleet', prometheus: { ruleLabels: { team: 'platform' } }, slos: only, multiCluster: { split }, clusters: [{ name: 'prod-eu1' }, { name: 'prod-us1' }] }, 'f.yaml'),
        'f.yaml',
      );
    const split = bundle(true);
    const unsplit = bundle(false);
    const text = (b: typeof fleet, names: string[]) =>
      toYaml({ groups: names.flatMap((n) => (load(b.files.get(`prometheus/${n}.rules.yaml`)!) as { groups: unknown[] }).groups) });
    const splitRules = text(split, ['linkerd-slo-prod-eu1', 'linkerd-slo-prod-us1', 'linkerd-slo-fleet-global']);
    const unsplitRules = text(unsplit, ['linkerd-slo-prod-eu1', 'linkerd-slo-prod-us1']);
    for (const rules of [splitRules, unsplitRules]) {
      const r = testRules(rules, { tests: [scenario] });
      expect(r.ok, r.output).toBe(true);
    }
  });
});

describe('targets', () => {
  it('promtool accepts every Prometheus, PrometheusRule, Thanos and Mimir file (target-only keys stripped)', () => {
    const plain = (text: string) => {
      const doc = load(text) as { spec?: { groups: Array<Record<string, unknown>> }; groups?: Array<Record<string, unknown>> };
      const groups = (doc.spec?.groups ?? doc.groups)!;
      return toYaml({ groups: groups.map((g) => Object.fromEntries(Object.entries(g).filter(([k]) => ['name', 'interval', 'rules'].includes(k)))) });
    };
    const ruleFiles = [...fleet.files.keys()].filter((f) => /^(prometheus|kubernetes|thanos|mimir)\//.test(f) && !f.endsWith('/kustomization.yaml'));
    // Four bundles (three clusters and the global one) in the three file targets; PrometheusRules are one object per SLO kind (issue #14).
    expect(ruleFiles.filter((f) => !f.startsWith('kubernetes/')).length).toBe(12);
    const objects = ruleFiles.filter((f) => f.startsWith('kubernetes/'));
    const groupNames = (files: string[]) =>
      files.flatMap((f) => ((load(fleet.files.get(f)!) as { spec?: { groups: Array<{ name: string }> }; groups?: Array<{ name: string }> }).spec?.groups ?? []).map((g) => g.name)).sort();
    const plainNames = ruleFiles.filter((f) => f.startsWith('prometheus/')).flatMap((f) => (load(fleet.files.get(f)!) as { groups: Array<{ name: string }> }).groups.map((g) => g.name)).sort();
    expect(objects.length).toBeGreaterThan(4);
    expect(groupNames(objects)).toEqual(plainNames);
    for (const f of ruleFiles) {
      const r = checkRules(plain(fleet.files.get(f)!));
      expect(r.ok, `${f}\n${r.output}`).toBe(true);
    }
  });

  it('Thanos groups abort on partial responses when they alert; Mimir global groups federate the tenants', () => {
    const thanos = load(fleet.files.get('thanos/linkerd-slo-fleet-global.rules.yaml')!) as { groups: Array<{ rules: Array<{ alert?: string }>; partial_response_strategy: string }> };
    for (const g of thanos.groups) expect(g.partial_response_strategy).toBe(g.rules.some((r) => r.alert) ? 'abort' : 'warn');
    const mimir = load(fleet.files.get('mimir/linkerd-slo-global.yaml')!) as { namespace: string; groups: Array<{ source_tenants?: string[] }> };
    expect(mimir.namespace).toBe('linkerd-slo-global');
    for (const g of mimir.groups) expect(g.source_tenants).toEqual(['prod-eu1', 'prod-us1', 'staging']);
    const own = load(fleet.files.get('mimir/linkerd-slo-prod-eu1.yaml')!) as { groups: Array<{ source_tenants?: string[] }> };
    for (const g of own.groups) expect(g.source_tenants).toBeUndefined();
  });

  it('group names are unique across the whole fleet (the global ruler loads them together)', () => {
    const names = [...fleet.files.keys()].filter((f) => f.startsWith('prometheus/')).flatMap((f) => (load(fleet.files.get(f)!) as { groups: Array<{ name: string }> }).groups.map((g) => g.name));
    expect(new Set(names).size).toBe(names.length);
  });
});

it('the fleet dashboards have a multi-value cluster variable with an all-clusters option', () => {
  const d = JSON.parse(fleet.files.get('grafana/linkerd-slo-fleet.json')!) as { templating: { list: Array<{ name: string; multi?: boolean; includeAll?: boolean }> }; panels: Array<{ targets?: Array<{ expr: string }> }> };
  expect(d.templating.list.find((v) => v.name === 'cluster')).toMatchObject({ multi: true, includeAll: true });
  const exprs = d.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  expect(exprs.some((e) => e.includes('cluster=~"$cluster"'))).toBe(true);
  expect(exprs.some((e) => e.includes('cluster="prod-eu1"'))).toBe(false);
});

it('out/multi-cluster is what the example generates (golden)', () => {
  for (const [rel, content] of fleet.files) {
    const path = join(ROOT, 'out', 'multi-cluster', rel);
    expect(existsSync(path), `${path} missing: npm run generate`).toBe(true);
    expect(readFileSync(path, 'utf8'), rel).toBe(content);
  }
});

it('rule groups of one cluster never mix in another cluster\'s alerts', () => {
  for (const [i, c] of resolved.clusters.entries()) {
    const groups: readonly RuleGroup[] = fleet.clusters[i]!.groups;
    for (const g of groups) {
      expect(g.name.startsWith(`linkerd-slo-${c.cluster}-`)).toBe(true);
      const others = resolved.clusters.map((o) => o.cluster).filter((n) => n !== c.cluster);
      for (const r of g.rules) {
        if (!isAlert(r)) continue;
        expect(r.labels.cluster).toBe(c.cluster);
        for (const other of others) expect(r.annotations.summary, `${g.name}/${r.alert}`).not.toContain(other);
      }
    }
  }
});
