/**
 * The promtool tests the bundle ships (out/tests/) for the threshold kinds: certificates,
 * control-plane availability and proxy resources. Their fixtures are built from the rules' own
 * selectors, so for any config they must pass against the bundle's own rule file, cover every alert
 * those kinds generate (firing on its scenario and quiet on healthy data), and fail once a rule can
 * no longer fire. Being derived from the rules, they check what we ship for consistency; they cannot
 * show that a rule reads what Linkerd exposes. That is proven on independent fixtures
 * (test/support/linkerd-series.ts) by test/mutations.test.ts and each kind's own tests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { validateConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';
import type { ConfigInput } from '../src/config/schema.js';
import { requirePromtool, testRules } from './support/promtool.js';

const SLOS = ['certificates', 'control-plane-availability', 'proxy-resources'];

interface ExprTest { expr: string; eval_time: string; exp_samples: Array<{ labels: string; value: number }> }
interface PromtoolTest { name: string; interval: string; input_series: Array<{ series: string; values: string }>; promql_expr_test: ExprTest[] }
interface TestFile { rule_files: string[]; evaluation_interval: string; tests: PromtoolTest[] }
interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }
interface RuleFile { groups: Array<{ name: string; rules: Rule[] }> }

type Input = Omit<ConfigInput, 'cluster'>;

/** The threshold kinds only: the burn-rate SLOs' own tests are proven elsewhere (and are slower). */
function bundle(input: Input = {}) {
  const config = validateConfig(
    { cluster: 'test', ...input, slos: { controlPlaneSuccessRate: { enabled: false }, controlPlaneLatency: { enabled: false }, ...input.slos } },
    't.yaml',
  );
  const gen = generate(config, 't.yaml');
  const rules = gen.files.get('prometheus/linkerd-slo-test.rules.yaml');
  const tests = gen.files.get('tests/linkerd-slo-test.test.yaml');
  if (!rules || !tests) throw new Error('rule or test file missing from the bundle');
  return { rules, file: load(tests) as TestFile };
}

/** Every alert the three kinds generate, as `alert/severity` (one entry per distinct pair). */
function alertsOf(rules: string): Set<string> {
  const doc = load(rules) as RuleFile;
  return new Set(doc.groups.flatMap((g) => g.rules).filter((r) => r.alert && SLOS.includes(r.labels!.slo!)).map((r) => `${r.alert}/${r.labels!.severity}`));
}

const checksOf = (file: TestFile) => file.tests.flatMap((t) => t.promql_expr_test.map((e) => ({ test: t.name, ...e })));
const alertnameOf = (expr: string) => /ALERTS\{alertname="([^"]+)", alertstate="firing"/.exec(expr)?.[1];

/** The rule file with the matching alerting rules changed by `mutate`. */
function mutated(rules: string, pick: (r: Rule) => boolean, mutate: (expr: string) => string): { text: string; alerts: Set<string> } {
  const doc = load(rules) as RuleFile;
  const alerts = new Set<string>();
  for (const g of doc.groups) {
    for (const r of g.rules) {
      if (r.alert && pick(r)) {
        const next = mutate(r.expr);
        expect(next, `${r.alert}: mutation changes nothing`).not.toBe(r.expr);
        r.expr = next;
        alerts.add(r.alert);
      }
    }
  }
  expect(alerts.size, 'no rule mutated').toBeGreaterThan(0);
  return { text: dump(doc, { lineWidth: -1, noRefs: true }), alerts };
}

/** Alert names whose checks promtool reports as failed. */
function failedAlerts(output: string): Set<string> {
  return new Set([...output.matchAll(/expr: "[^\n]*?alertname=\\"([A-Za-z]+)\\"/g)].map((m) => m[1]!));
}

const EVERY_SOURCE: Input['slos'] = {
  certificates: { certManager: { enabled: true }, x509Exporter: { enabled: true }, nodeClock: { enabled: true } },
  controlPlaneAvailability: { replicas: { enabled: true } },
  proxyResources: {
    kubernetesMetrics: { enabled: true, cadvisorMatchers: { job: 'kubelet' }, kubeStateMetricsMatchers: { job: 'kube-state-metrics' } },
    highThroughput: { defaultCpuLimitCores: 1 },
  },
};
const ELSEWHERE: Input = {
  prometheus: { extraMatchers: { cluster: 'x' } },
  linkerd: { namespace: 'mesh', proxyJob: 'linkerd/linkerd-proxy', controllerJob: 'mesh/linkerd-controller' },
};

const CONFIGS: Array<[string, Input]> = [
  ['the default config', {}],
  ['extra matchers, another namespace and other job names', ELSEWHERE],
  ['every optional source, extra matchers, other names and severities', { ...ELSEWHERE, alerting: { severities: { page: 'P1', ticket: 'P3' } }, slos: EVERY_SOURCE }],
  ['Linkerd 2.10, every optional source', { linkerd: { version: '2.10' }, slos: EVERY_SOURCE }],
  ['Linkerd 2.12, every optional source', { linkerd: { version: '2.12' }, slos: EVERY_SOURCE }],
  ['Linkerd 2.14 (no refresh errors, no issuer TTL)', { linkerd: { version: '2.14' } }],
  ['Linkerd 2.20, every optional source', { linkerd: { version: '2.20' }, slos: EVERY_SOURCE }],
  [
    'a lone paging component, no skew allowed, one replica expected, odd thresholds',
    {
      slos: {
        controlPlaneAvailability: { components: ['destination'], pageComponents: ['destination'], viz: { enabled: false }, versionSkew: { maxReleasesBehind: 0 }, replicas: { enabled: true, expected: 1 } },
        certificates: { workload: { ticketBelow: '8h', pageBelow: '10m', ticketFor: '90s', issuanceLifetime: '48h' }, issuer: { ticketBelow: '3s', pageBelow: '1s' } },
        proxyResources: { controlPlane: { containers: ['destination', 'prometheus'] }, highThroughput: { requestsPerSecond: 100 }, kubernetesMetrics: { enabled: true, memoryNearLimit: { ratio: 1 } } },
      },
    },
  ],
];

describe('generated promtool tests of the threshold kinds', () => {
  beforeAll(requirePromtool);

  it.each(CONFIGS)('%s: cover every alert (firing and quiet) and pass against the bundle\'s rule file', (_, input) => {
    const { rules, file } = bundle(input);
    expect(file.rule_files).toEqual(['../prometheus/linkerd-slo-test.rules.yaml']);
    const checks = checksOf(file);
    for (const c of checks) expect(c.expr, c.test).toMatch(/^count(?: by \([^)]*\) )?\(ALERTS\{alertname="[A-Za-z]+", alertstate="firing"[^}]*\}\)$/);
    const alerts = alertsOf(rules);
    expect(alerts.size).toBeGreaterThan(3);
    for (const pair of alerts) {
      const [alert, severity] = pair.split('/');
      const own = checks.filter((c) => alertnameOf(c.expr) === alert);
      // Fires on its scenario, at this severity…
      expect(own.some((c) => c.exp_samples.some((s) => s.labels.includes(`severity="${severity}"`) || !/severity=/.test(s.labels))), `${pair} never expected to fire`).toBe(true);
      // …and some healthy scenario checks it stays quiet.
      expect(own.some((c) => c.exp_samples.length === 0), `${alert} never expected quiet`).toBe(true);
    }
    // Short in simulated time: promtool evaluates the whole bundle at every step of every test.
    for (const t of file.tests) {
      const last = Math.max(...t.promql_expr_test.map((e) => Number(/^(\d+)m$/.exec(e.eval_time)![1])));
      expect(last, t.name).toBeLessThanOrEqual(120);
    }
    const r = testRules(rules, { tests: file.tests });
    expect(r.ok, r.output).toBe(true);
  });

  it('fixtures follow the selectors: extra matchers, namespace and job names reach every input series', () => {
    const { file } = bundle({ ...ELSEWHERE, slos: EVERY_SOURCE });
    const series = file.tests.flatMap((t) => t.input_series.map((s) => s.series));
    expect(series.length).toBeGreaterThan(50);
    for (const s of series) expect(s).toContain('cluster="x"');
    expect(series.filter((s) => s.startsWith('up{')).every((s) => s.includes('job="mesh/linkerd-controller"'))).toBe(true);
    expect(series.filter((s) => s.startsWith('proxy_build_info{')).every((s) => s.includes('job="linkerd/linkerd-proxy"'))).toBe(true);
    expect(series.some((s) => s.startsWith('kube_deployment_status_replicas_available{') && s.includes('namespace="mesh"'))).toBe(true);
    expect(series.some((s) => s.startsWith('certmanager_certificate_expiration_timestamp_seconds{') && s.includes('exported_namespace="mesh"'))).toBe(true);
  });

  describe('fail when a rule can no longer fire', () => {
    const { rules, file } = bundle({ ...ELSEWHERE, slos: EVERY_SOURCE });

    it.each([
      ['the proxy certificate page threshold', 'Certificate expiry', 'LinkerdProxyCertificateExpiringSoon', 'critical', /\s3600$/, ' -1'],
      ['the issuer ticket thresholds (TTL and x509)', 'Certificate expiry', 'LinkerdIdentityIssuerCertificateExpiring', 'warning', /\s5184000$/, ' -1'],
      ['the component-down page condition', 'Control-plane availability', 'LinkerdControlPlaneComponentDown', 'critical', /\) == 0$/, ') == 2'],
      ['the version-skew regex (floor lowered to v2.0)', 'Control-plane availability', 'LinkerdProxyVersionSkew', 'warning', /version=~"[^"]+"/, 'version=~"v?2\\\\.(?:0)\\\\..*"'],
      ['the proxy budget threshold', 'Proxy resources', 'LinkerdProxyOverResourceBudget', 'warning', /\s1$/, ' 1000'],
      ['the control-plane CPU plan threshold', 'Proxy resources', 'LinkerdControlPlaneOverResourcePlan', 'warning', /\s0\.5$/, ' 1000'],
    ] as const)('%s (the kind\'s own tests)', (_, kind, alert, severity, from, to) => {
      const broken = mutated(rules, (r) => r.alert === alert && r.labels!.severity === severity && from.test(r.expr.trimEnd()), (e) => e.trimEnd().replace(from, to));
      const own = file.tests.filter((t) => t.name.startsWith(`${kind}: `));
      expect(own.length).toBeGreaterThanOrEqual(2);
      const r = testRules(broken.text, { tests: own });
      expect(r.ok).toBe(false);
      expect([...failedAlerts(r.output)]).toEqual([alert]);
    });

    it.each(['critical', 'warning'])('every %s alert of the three kinds silenced at once: each one\'s firing check fails', (severity) => {
      const broken = mutated(rules, (r) => SLOS.includes(r.labels!.slo!) && r.labels!.severity === severity, (e) => `(${e.trimEnd()}) unless on () vector(1)`);
      const r = testRules(broken.text, { tests: file.tests });
      expect(r.ok).toBe(false);
      expect([...failedAlerts(r.output)].sort()).toEqual([...broken.alerts].sort());
    });
  });
});
