/** The shipped example bundle: golden files, PromQL validity, promtool on both rule formats. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { loadConfigFile } from '../src/config/load.js';
import { allExpressions, generate, OWNED_DIRS } from '../src/generate.js';
import { validatePromQL } from '../src/promql/validate.js';
import { Ajv } from 'ajv';
import { checkRules, testRules } from './support/promtool.js';
import { APP_POD, CONTROL_PLANE, appProxy, controlPlaneServerResponses, httpOutcome, inboundLabels, series } from './support/linkerd-series.js';
import { toYaml } from '../src/emit/rule-files.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'out');
process.chdir(ROOT); // config file names in generated headers are relative to the cwd
const { file, config } = await loadConfigFile(join(ROOT, 'examples', 'linkerd-slo.yaml'));
const gen = generate(config, file);

function listOut(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listOut(dir, sub ? `${sub}/${e.name}` : e.name) : [sub ? `${sub}/${e.name}` : e.name],
  );
}

describe('golden files: out/ is exactly what the example config generates', () => {
  it.each([...gen.files.keys()])('%s', (rel) => {
    expect(existsSync(join(OUT, rel)), `out/${rel} missing: run npm run generate`).toBe(true);
    expect(readFileSync(join(OUT, rel), 'utf8')).toBe(gen.files.get(rel));
  });

  it('has no stale files in the directories the generator owns', () => {
    const owned = listOut(OUT).filter((f) => (OWNED_DIRS as readonly string[]).includes(f.split('/')[0]!));
    expect(owned.sort()).toEqual([...gen.files.keys()].sort());
  });
});

describe('every generated expression', () => {
  const exprs = allExpressions(gen);
  it('there are many of them (rules and panels)', () => {
    expect(exprs.length).toBeGreaterThan(100);
  });
  it('parses with the in-process PromQL parser', () => {
    const bad = exprs.map((e) => ({ name: e.name, problems: validatePromQL(e.text) })).filter((e) => e.problems.length);
    expect(bad).toEqual([]);
  });
  it('prints clean numbers (no float noise)', () => {
    const noisy = exprs.filter((e) => /\d\.\d*?(0000000|9999999)\d*/.test(e.text));
    expect(noisy.map((e) => e.text)).toEqual([]);
  });
});

describe('promtool accepts', () => {
  it('the plain rule file', () => {
    const r = checkRules(gen.files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!);
    expect(r.ok, r.output).toBe(true);
  });

  it('the PrometheusRule specs (one object per SLO kind), and each object carries the kube-prometheus-stack release label', () => {
    // Split by kind since issue #14 (client-side kubectl apply limit); together they hold every group of the plain file.
    const paths = [...gen.files.keys()].filter((p) => p.startsWith('kubernetes/') && p.endsWith('.prometheusrule.yaml'));
    expect(paths).toContain('kubernetes/linkerd-slo-prod-eu1-control-plane-success-rate.prometheusrule.yaml');
    const groups: Array<{ name: string }> = [];
    for (const path of paths) {
      const obj = load(gen.files.get(path)!) as {
        apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { groups: Array<{ name: string }> };
      };
      expect(obj.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(obj.kind).toBe('PrometheusRule');
      expect(`kubernetes/${obj.metadata.name}.prometheusrule.yaml`).toBe(path);
      expect(obj.metadata).toMatchObject({ namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
      groups.push(...obj.spec.groups);
    }
    const plain = load(gen.files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!) as { groups: Array<{ name: string }> };
    expect(groups.map((g) => g.name).sort()).toEqual(plain.groups.map((g) => g.name).sort());
    const r = checkRules(toYaml({ groups }));
    expect(r.ok, r.output).toBe(true);
  });

  it('every panel query, wrapped in a throwaway recording rule', () => {
    const panels = allExpressions(gen).filter((e) => !e.name.startsWith('linkerd-slo-'));
    expect(panels.length).toBeGreaterThan(5);
    const file = toYaml({ groups: [{ name: 'panels', rules: panels.map((p, i) => ({ record: `panel_query_${i}`, expr: p.text })) }] });
    const r = checkRules(file);
    expect(r.ok, r.output).toBe(true);
  });
});

describe('alerts follow the conventions', () => {
  const alerts = gen.groups.flatMap((g) => g.rules).filter((r) => 'alert' in r);
  it.each(alerts.map((a) => [a.alert + ' ' + JSON.stringify(a.labels), a] as const))('%s', (_, a) => {
    expect(a.alert).toMatch(/^Linkerd[A-Z][A-Za-z]+$/);
    expect(Object.keys(a.labels)).toEqual(expect.arrayContaining(['severity', 'slo']));
    expect(['critical', 'warning']).toContain(a.labels.severity);
    expect(Object.keys(a.annotations)).toEqual(expect.arrayContaining(['summary', 'description', 'runbook_url']));
    expect(a.annotations.runbook_url).toMatch(new RegExp(`/${a.alert}\\.md$`));
    expect(gen.files.has(`runbooks/${a.alert}.md`)).toBe(true);
  });
  it('burn-rate descriptions show the observed burn rate', () => {
    const burn = alerts.filter((a) => a.alert === 'LinkerdControlPlaneErrorBudgetBurn');
    expect(burn).toHaveLength(8);
    for (const a of burn) expect(a.annotations.description).toContain('{{ $value | printf "%.1f" }}x');
  });
});

it('out/schema is a JSON Schema that accepts the example config and rejects what the loader rejects', () => {
  // Ajv is an independent JSON Schema implementation: editors validate with the file, not with zod.
  const schema = JSON.parse(gen.files.get('schema/linkerd-slo.schema.json')!) as Record<string, unknown>;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const example = load(readFileSync(join(ROOT, 'examples', 'linkerd-slo.yaml'), 'utf8'));
  expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  const rejected: Array<[string, unknown]> = [
    ['no cluster', { linkerd: { version: '2.18' } }],
    ['unknown top-level key', { cluster: 'a', clsuter: 'b' }],
    ['objective above 100', { cluster: 'a', slos: { controlPlaneSuccessRate: { objective: 100.5 } } }],
    ['unknown Linkerd version', { cluster: 'a', linkerd: { version: '1.9' } }],
  ];
  for (const [why, config] of rejected) expect(validate(config), why).toBe(false);
});

it('the dashboard has a valid, stable UID and a datasource variable', () => {
  const d = JSON.parse(gen.files.get('grafana/linkerd-slo-prod-eu1.json')!) as { uid: string; templating: { list: Array<{ name: string }> } };
  expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
  expect(d.templating.list.map((v) => v.name)).toContain('datasource');
});

it('the example rules page on a destination outage and a web outage described independently of them', () => {
  // Series as Linkerd 2.18 exposes them (test/support/linkerd-series.ts) plus the external `cluster`
  // label this Prometheus adds, not the fixtures the generator writes into out/tests/.
  const withCluster = (text: string) => text.replace(/\}$/, ', cluster="prod-eu1"}');
  const dst = CONTROL_PLANE.destination;
  const web = { ...appProxy(), cluster: 'prod-eu1' };
  const webInbound = (outcome: 'success' | 'failure') =>
    series('response_total', { ...web, ...inboundLabels('2.18', { ip: APP_POD.ip, port: 8080 }, { serviceAccount: 'vote-bot', namespace: 'emojivoto' }), ...httpOutcome(outcome) });
  const healthyThenDown = '0+60x60 3600x30';
  const failingAfterAnHour = '0x60 60+60x29';
  const rules = gen.files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!;
  const page = (alert: string, matchers: string) =>
    `count(ALERTS{alertname="${alert}", alertstate="firing", severity="critical", long="1h", cluster="prod-eu1"${matchers}})`;
  const r = testRules(rules, {
    tests: [{
      interval: '1m',
      input_series: [
        { series: withCluster(controlPlaneServerResponses('2.18', dst, 'success')), values: healthyThenDown },
        { series: withCluster(controlPlaneServerResponses('2.18', dst, 'failure')), values: failingAfterAnHour },
        { series: webInbound('success'), values: healthyThenDown },
        { series: webInbound('failure'), values: failingAfterAnHour },
      ],
      promql_expr_test: [
        { expr: page('LinkerdControlPlaneErrorBudgetBurn', ', sli="server", component="destination"'), eval_time: '59m', exp_samples: [] },
        { expr: page('LinkerdControlPlaneErrorBudgetBurn', ', sli="server", component="destination"'), eval_time: '80m', exp_samples: [{ labels: '{}', value: 1 }] },
        { expr: page('LinkerdWorkloadErrorBudgetBurn', ', namespace="emojivoto", deployment="web"'), eval_time: '59m', exp_samples: [] },
        { expr: page('LinkerdWorkloadErrorBudgetBurn', ', namespace="emojivoto", deployment="web"'), eval_time: '80m', exp_samples: [{ labels: '{}', value: 1 }] },
      ],
    }],
  });
  expect(r.ok, r.output).toBe(true);
});

describe('the promtool tests generated into out/tests/ (fixtures the generator derives from its own selectors: consistency, not proof)', () => {
  const rules = gen.files.get('prometheus/linkerd-slo-prod-eu1.rules.yaml')!;
  const tests = load(gen.files.get('tests/linkerd-slo-prod-eu1.test.yaml')!) as { rule_files: string[]; tests: unknown[] };

  it('point at the bundle\'s rule file and pass against it', () => {
    expect(tests.rule_files).toEqual(['../prometheus/linkerd-slo-prod-eu1.rules.yaml']);
    expect(tests.tests.length).toBeGreaterThanOrEqual(3);
    const r = testRules(rules, { tests: tests.tests });
    expect(r.ok, r.output).toBe(true);
    // The user's whole file: 17 tests of ~65 one-minute evaluations of every rule (the traffic guard's
    // [3d:5m] subqueries dominate), ~70 s per promtool alone on this project's 2-core machines, and both
    // promtools run at once beside another test file: 145 s measured on an idle machine, more in CI.
  }, 600_000);

  it('fail when the page alert can no longer fire (they can catch a broken bundle)', () => {
    const broken = rules.replaceAll('/ 0.001 > 14.4', '/ 0.001 > 1000');
    expect(broken).not.toBe(rules);
    // Only the tests of the SLIs the mutation breaks (the whole file takes ~30 s under promtool).
    const affected = (tests.tests as Array<{ name: string }>).filter((t) => t.name.startsWith('Control-plane success rate'));
    expect(affected.length).toBe(2);
    const r = testRules(broken, { tests: affected });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('long=\\"1h\\"');
  });
});
