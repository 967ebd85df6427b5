/**
 * Rule-file fields newer than Prometheus 2.42 (issue #23): keep_firing_for on the pages, query_offset on
 * the groups of the global bundle (they read shipped data) and group `labels`, each written only when
 * prometheus.minVersion says every reader knows it. Checked by the real promtools: Debian's 2.42 and
 * Prometheus 3 (built by scripts/engines.mjs; skipped with a message when absent).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { resolveConfig } from '../src/config/load.js';
import { generateBundle } from '../src/generate.js';
import { DEBIAN, enginePath, engineRelease } from './support/engines.js';

interface RuleYaml { alert?: string; record?: string; keep_firing_for?: string; labels?: Record<string, string> }
interface GroupYaml { name: string; query_offset?: string; labels?: Record<string, string>; rules: RuleYaml[] }

const only = { certificates: { enabled: false }, controlPlaneLatency: { enabled: false }, controlPlaneAvailability: { enabled: false }, proxyResources: { enabled: false } };

function fleet(prometheus: Record<string, unknown>, split = true) {
  const config = {
    cluster: 'fleet',
    prometheus: { ruleLabels: { team: 'platform' }, ...prometheus },
    slos: only,
    multiCluster: { split },
    rules: { targets: ['prometheus', 'prometheus-operator', 'thanos', 'mimir'] },
    clusters: [{ name: 'prod-eu1' }, { name: 'prod-us1' }],
  };
  return generateBundle(resolveConfig(config, 'f.yaml'), 'f.yaml').files;
}

const groupsOf = (text: string): GroupYaml[] => {
  const doc = load(text) as { groups?: GroupYaml[]; spec?: { groups: GroupYaml[] } };
  return (doc.spec?.groups ?? doc.groups)!;
};

function promtoolCheck(promtool: string, text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-features-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), text);
    const r = spawnSync(promtool, ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const prometheus3 = enginePath('promtool');
if (!prometheus3) console.log(`rule-file-features: Prometheus ${engineRelease('promtool')} promtool not built (node scripts/engines.mjs): its checks are skipped`);

describe('rule-file fields by prometheus.minVersion', () => {
  it('default (2.42): keep_firing_for on the pages and the budget-exhausted tickets only, no query_offset, no group labels; both promtools load every plain file', () => {
    const files = fleet({});
    const plain = [...files.keys()].filter((f) => f.startsWith('prometheus/'));
    for (const f of plain) {
      for (const g of groupsOf(files.get(f)!)) {
        expect(g.query_offset, f).toBeUndefined();
        expect(g.labels, f).toBeUndefined();
        for (const r of g.rules) {
          expect(r.labels?.team, `${f} ${r.alert ?? r.record}`).toBe('platform');
          // A page keeps firing through dips; an exhausted-budget ticket stays an hour past recovery (docs/budget-policy.md).
          if (r.keep_firing_for) expect(r.labels?.severity === 'critical' || /BudgetExhausted$/.test(r.alert ?? ''), `${f} ${r.alert}`).toBe(true);
        }
      }
      expect(promtoolCheck(DEBIAN.promtool, files.get(f)!).ok, f).toBe(true);
      if (prometheus3) expect(promtoolCheck(prometheus3, files.get(f)!).ok, f).toBe(true);
    }
    const pages = plain.flatMap((f) => groupsOf(files.get(f)!).flatMap((g) => g.rules.filter((r) => r.alert && r.labels?.severity === 'critical')));
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((r) => r.keep_firing_for !== undefined)).toBe(true);
  });

  it('3.0: the global groups get query_offset, every plain group the rule labels once; PrometheusRule for a global ruler and Thanos keep rule labels', () => {
    const files = fleet({ minVersion: '3.0' });
    const global = groupsOf(files.get('prometheus/linkerd-slo-fleet-global.rules.yaml')!);
    const local = groupsOf(files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!);
    expect(global.length).toBeGreaterThan(0);
    for (const g of global) expect(g.query_offset).toBe('1m');
    for (const g of [...global, ...local]) {
      expect(g.labels).toEqual({ team: 'platform' });
      for (const r of g.rules) expect(r.labels?.team).toBeUndefined();
    }
    for (const g of local) expect(g.query_offset).toBeUndefined();
    const globalObjects = [...files.keys()].filter((f) => /^kubernetes\/linkerd-slo-fleet-global.*prometheusrule\.yaml$/.test(f));
    expect(globalObjects.length).toBeGreaterThan(0);
    for (const f of globalObjects) {
      for (const g of groupsOf(files.get(f)!)) {
        expect(g.query_offset).toBe('1m');
        expect(g.labels).toBeUndefined();
        for (const r of g.rules) expect(r.labels?.team).toBe('platform');
      }
    }
    for (const g of groupsOf(files.get('thanos/linkerd-slo-fleet-global.rules.yaml')!)) {
      expect(g.query_offset).toBeUndefined();
      expect(g.labels).toBeUndefined();
    }
  });

  it('3.0 files: Prometheus 3 loads them; Debian 2.42 refuses query_offset and group labels (why minVersion decides)', () => {
    const files = fleet({ minVersion: '3.0' });
    const globalFile = files.get('prometheus/linkerd-slo-fleet-global.rules.yaml')!;
    const refused = promtoolCheck(DEBIAN.promtool, globalFile);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/field (query_offset|labels) not found/);
    if (!prometheus3) return;
    for (const f of [...files.keys()].filter((k) => k.startsWith('prometheus/'))) {
      const r = promtoolCheck(prometheus3, files.get(f)!);
      expect(r.ok, `${f}\n${r.output}`).toBe(true);
    }
  });

  it('2.53: query_offset without group labels; multiCluster.queryOffset sets it, 0s leaves it out', () => {
    const text = (files: ReadonlyMap<string, string>) => files.get('prometheus/linkerd-slo-fleet-global.rules.yaml')!;
    const g253 = groupsOf(text(fleet({ minVersion: '2.53' })));
    expect(g253.every((g) => g.query_offset === '1m' && g.labels === undefined)).toBe(true);
    const files = generateBundle(resolveConfig({ cluster: 'fleet', prometheus: { minVersion: '2.53' }, slos: only, multiCluster: { split: true, queryOffset: '2m' }, clusters: [{ name: 'a' }] }, 'f.yaml'), 'f.yaml').files;
    expect(groupsOf(text(files)).every((g) => g.query_offset === '2m')).toBe(true);
    const none = generateBundle(resolveConfig({ cluster: 'fleet', prometheus: { minVersion: '2.53' }, slos: only, multiCluster: { split: true, queryOffset: '0s' }, clusters: [{ name: 'a' }] }, 'f.yaml'), 'f.yaml').files;
    expect(groupsOf(text(none)).every((g) => g.query_offset === undefined)).toBe(true);
  });

  it('below 2.42: no keep_firing_for, so Prometheus releases before it load the file', () => {
    const files = fleet({ minVersion: '2.41' });
    const rules = groupsOf(files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!).flatMap((g) => g.rules);
    expect(rules.some((r) => r.keep_firing_for)).toBe(false);
  });
});
