/**
 * Control-plane availability and hygiene alerts, proven by the real promtool on synthetic series
 * shaped like the sources' own: `up` of the controller job with `component` = container name
 * (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18), kube-state-metrics Deployment replicas, and proxy_build_info
 * (linkerd/linkerd2-proxy `linkerd/app/core/src/build_info.rs` at release/v2.294.0).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load.js';
import { generate } from '../../generate.js';
import type { ConfigInput } from '../../config/schema.js';
import { SUPPORTED_VERSIONS } from '../../linkerd/catalog.js';
import { AVAILABILITY_RULE_GROUP } from './names.js';
import { integerBelowRegex, oldProxyVersionRegex } from './version-skew.js';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { DEFAULT_KINDS_OFF, firing as firingBy, generated as generatedBundle, onlyGroups, rows, ruleFileOf, rulesOf as allRules } from '../../../test/support/bundle.js';

const DOWN = 'LinkerdControlPlaneComponentDown';
const NOT_SCRAPED = 'LinkerdControlPlaneComponentNotScraped';
const BELOW_HA = 'LinkerdControlPlaneReplicasBelowHA';
const INJECTOR = 'LinkerdProxyInjectorUnavailable';
const KSM_ABSENT = 'LinkerdControlPlaneReplicasMetricsAbsent';
const SKEW = 'LinkerdProxyVersionSkew';
const VIEW = 'LinkerdProxiesLostControlPlane';

type Availability = NonNullable<NonNullable<ConfigInput['slos']>['controlPlaneAvailability']>;
type Overrides = Omit<ConfigInput, 'cluster' | 'slos'>;

/** The other kinds off, so the bundle holds only this kind's rules. */
const generated = (version: string, availability: Availability = {}, overrides: Overrides = {}) =>
  generatedBundle({ cluster: 'test', ...overrides, linkerd: { ...overrides.linkerd, version: version as never }, slos: { ...DEFAULT_KINDS_OFF, controlPlaneAvailability: availability } });

/** Only our group, in case another kind is on by default. */
const rulesFor = (version = '2.18', availability: Availability = {}, overrides: Overrides = {}): string =>
  onlyGroups(ruleFileOf(generated(version, availability, overrides)), AVAILABILITY_RULE_GROUP);

/** Alerting rules (every rule of this kind is one), with their labels and annotations. */
const rulesOf = (text: string) => allRules(text).map((r) => ({ ...r, alert: r.alert!, labels: r.labels!, annotations: r.annotations! }));

const firing = (alertname: string, by = 'severity, component') => firingBy(alertname, by);

const up = (component: string, instance: string) => `up{job="linkerd-controller", component="${component}", instance="${instance}"}`;
const CORE = ['destination', 'sp-validator', 'policy', 'identity', 'proxy-injector'];
const VIZ = ['metrics-api', 'tap', 'tap-injector', 'web', 'prometheus'];
/** Every container of a 2.11+ install, healthy, one instance each (unless overridden). */
function healthyTargets(minutes: number, components = [...CORE, ...VIZ], overrides: Record<string, string> = {}) {
  return components.map((c, i) => ({ series: up(c, `10.0.0.${i + 1}:9990`), values: overrides[c] ?? `1x${minutes}` }));
}

describe('control-plane availability under promtool', () => {
  beforeAll(requirePromtool);

  it('this kind\'s rules (every option on, extra matchers) and the full bundle pass promtool check rules --lint-fatal', () => {
    const own = rulesFor('2.18', { replicas: { enabled: true } }, { prometheus: { extraMatchers: { cluster: 'c1' } } });
    const r = checkRules(own);
    expect(r.output).toContain('SUCCESS');
    expect(r.ok, r.output).toBe(true);
    const full = validateConfig(
      { cluster: 'test', prometheus: { extraMatchers: { cluster: 'c1' } }, slos: { controlPlaneAvailability: { replicas: { enabled: true } }, certificates: { certManager: { enabled: true } } } },
      'test.yaml',
    );
    const bundle = generate(full, 'test.yaml').files.get('prometheus/linkerd-slo-test.rules.yaml')!;
    expect(bundle).toContain(`name: ${AVAILABILITY_RULE_GROUP}`);
    expect(bundle).toContain('name: linkerd-slo-control-plane-success-rate-server-alerts');
    const rb = checkRules(bundle);
    expect(rb.ok, rb.output).toBe(true);
  });

  it('component down: partial outages ticket, a paging component fully down pages (and does not also ticket), healthy stays silent', () => {
    const text = rulesFor('2.18');
    const page = rulesOf(text).find((r) => r.alert === DOWN && r.labels.severity === 'critical')!;
    const fill = (s: string) => s.replaceAll('{{ $labels.component }}', 'identity');
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            ...healthyTargets(40, [...CORE, ...VIZ].filter((c) => c !== 'destination' && c !== 'identity' && c !== 'sp-validator')),
            // destination: one replica of three crash-loops from the start.
            { series: up('destination', '10.0.1.1:9996'), values: '1x40' },
            { series: up('destination', '10.0.1.2:9996'), values: '1x40' },
            { series: up('destination', '10.0.1.3:9996'), values: '0x40' },
            // identity: every replica down from 10m.
            { series: up('identity', '10.0.2.1:9990'), values: '1x9 0x30' },
            { series: up('identity', '10.0.2.2:9990'), values: '1x9 0x30' },
            // sp-validator (does not page): its only instance down from the start.
            { series: up('sp-validator', '10.0.3.1:9997'), values: '0x40' },
          ],
          promql_expr_test: [
            { expr: firing(DOWN), eval_time: '12m', exp_samples: [] },
            // identity page: pending from 10m, `for: 5m`.
            { expr: firing(DOWN), eval_time: '16m', exp_samples: rows('severity="critical", component="identity"', 'severity="warning", component="destination"', 'severity="warning", component="sp-validator"') },
            // 30m: identity has been fully down for 20m but never tickets (the page covers it).
            { expr: firing(DOWN), eval_time: '30m', exp_samples: rows('severity="critical", component="identity"', 'severity="warning", component="destination"', 'severity="warning", component="sp-validator"') },
            { expr: firing(NOT_SCRAPED), eval_time: '30m', exp_samples: [] },
          ],
          alert_rule_test: [
            {
              eval_time: '16m',
              alertname: DOWN,
              exp_alerts: [
                { exp_labels: { slo: 'control-plane-availability', severity: 'critical', component: 'identity' }, exp_annotations: Object.fromEntries(Object.entries(page.annotations).map(([k, v]) => [k, fill(v)])) },
                { exp_labels: { slo: 'control-plane-availability', severity: 'warning', component: 'destination' }, exp_annotations: annotationsFor(text, 'destination', '1') },
                { exp_labels: { slo: 'control-plane-availability', severity: 'warning', component: 'sp-validator' }, exp_annotations: annotationsFor(text, 'sp-validator', '1') },
              ],
            },
          ],
        },
        {
          interval: '1m',
          input_series: healthyTargets(60),
          promql_expr_test: ['10m', '30m', '60m'].flatMap((t) => [
            { expr: firing(DOWN), eval_time: t, exp_samples: [] },
            { expr: firing(NOT_SCRAPED), eval_time: t, exp_samples: [] },
          ]),
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('policy is only watched where its /metrics works: silent on 2.11–2.12 whether down (404) or not scraped, alerts from 2.13', () => {
    const policyDown = healthyTargets(40, [...CORE, ...VIZ], { policy: '0x40' });
    const policyUnscraped = healthyTargets(40, [...CORE, ...VIZ].filter((c) => c !== 'policy'));
    // 2.11 (404 or unscraped), 2.13 (/metrics on admin-http since stable-2.13.0, linkerd/linkerd2 #10645) and 2.15; the
    // generated selectors of 2.12/2.14/2.16+ are checked by the every-supported-version test below.
    // Deliberate fix: 2.13 used to be silent here (the catalogue wrongly said policy had no endpoint before 2.15).
    for (const version of ['2.11', '2.13', '2.15']) {
      const broken = version !== '2.11';
      const r = testRules(rulesFor(version), {
        tests: [
          {
            interval: '1m',
            input_series: policyDown,
            promql_expr_test: [{ expr: firing(DOWN), eval_time: '30m', exp_samples: broken ? rows('severity="warning", component="policy"') : [] }],
          },
          {
            interval: '1m',
            input_series: policyUnscraped,
            promql_expr_test: [{ expr: firing(NOT_SCRAPED), eval_time: '30m', exp_samples: broken ? rows('severity="warning", component="policy"') : [] }],
          },
        ],
      });
      expect(r.ok, `${version}: ${r.output}`).toBe(true);
    }
    // 2.10: no policy container at all, the controller's public-api is watched instead.
    const v10 = rulesFor('2.10');
    expect(v10).toContain('component="public-api"');
    expect(v10).not.toMatch(/component=~?"[^"]*policy/);
    expect(rulesFor('2.18')).not.toContain('public-api');
  });

  it('2.19: the viz chart\'s scrape keeps only viz containers, and every core container opens a not-scraped ticket', () => {
    const text = rulesFor('2.19');
    const notScraped = rulesOf(text).find((r) => r.alert === NOT_SCRAPED && r.labels.component === 'destination')!;
    expect(notScraped.expr).toBe('absent(up{job="linkerd-controller", component="destination"})');
    expect(notScraped.annotations.description).toContain('admin-http|.*admin');
    expect(rulesOf(rulesFor('2.18')).find((r) => r.alert === NOT_SCRAPED && r.labels.component === 'destination')!.annotations.description).not.toContain('2.19');
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: healthyTargets(30, VIZ),
          promql_expr_test: [
            { expr: firing(NOT_SCRAPED), eval_time: '9m', exp_samples: [] },
            { expr: firing(NOT_SCRAPED), eval_time: '12m', exp_samples: rows(...CORE.map((c) => `severity="warning", component="${c}"`)) },
            { expr: firing(DOWN), eval_time: '12m', exp_samples: [] },
          ],
        },
        {
          // The scrape fixed (admin-http|.*admin): nothing fires.
          interval: '1m',
          input_series: healthyTargets(30),
          promql_expr_test: [{ expr: firing(NOT_SCRAPED), eval_time: '12m', exp_samples: [] }],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('HA replicas (kube-state-metrics): below 3 tickets, proxy-injector at 0 pages, missing data tickets; off by default', () => {
    const ksm = (deployment: string, instance = '10.0.9.1:8080') =>
      `kube_deployment_status_replicas_available{job="kube-state-metrics", instance="${instance}", namespace="linkerd", deployment="${deployment}"}`;
    const text = rulesFor('2.18', { replicas: { enabled: true } });
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [
            // Two kube-state-metrics replicas report destination: still one alert at most.
            { series: ksm('linkerd-destination'), values: '3x40' },
            { series: ksm('linkerd-destination', '10.0.9.2:8080'), values: '3x40' },
            { series: ksm('linkerd-identity'), values: '2x40' },
            { series: ksm('linkerd-proxy-injector'), values: '3x9 0x30' },
            // Same name elsewhere: not ours.
            { series: 'kube_deployment_status_replicas_available{job="kube-state-metrics", namespace="other", deployment="linkerd-proxy-injector"}', values: '0x40' },
          ],
          promql_expr_test: [
            { expr: firing(BELOW_HA), eval_time: '13m', exp_samples: [] },
            { expr: firing(INJECTOR), eval_time: '13m', exp_samples: [] },
            { expr: firing(BELOW_HA), eval_time: '16m', exp_samples: rows('severity="warning", component="identity"') },
            { expr: firing(INJECTOR, 'severity, component, deployment'), eval_time: '16m', exp_samples: rows('severity="critical", component="proxy-injector", deployment="linkerd-proxy-injector"') },
            { expr: firing(BELOW_HA), eval_time: '26m', exp_samples: rows('severity="warning", component="identity"', 'severity="warning", component="proxy-injector"') },
            { expr: firing(KSM_ABSENT), eval_time: '26m', exp_samples: [] },
          ],
        },
        {
          interval: '1m',
          input_series: [{ series: ksm('linkerd-destination'), values: '3x30' }, { series: ksm('linkerd-identity'), values: '3x30' }],
          promql_expr_test: [
            { expr: firing(KSM_ABSENT), eval_time: '12m', exp_samples: rows('severity="warning", component="proxy-injector"') },
            { expr: firing(BELOW_HA), eval_time: '30m', exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
    // expected: 2 (no HA): two replicas are fine.
    const r2 = testRules(rulesFor('2.18', { replicas: { enabled: true, expected: 2 } }), {
      tests: [
        {
          interval: '1m',
          input_series: [{ series: ksm('linkerd-destination'), values: '2x30' }, { series: ksm('linkerd-identity'), values: '2x30' }, { series: ksm('linkerd-proxy-injector'), values: '1x30' }],
          promql_expr_test: [{ expr: firing(BELOW_HA), eval_time: '30m', exp_samples: rows('severity="warning", component="proxy-injector"') }],
        },
      ],
    });
    expect(r2.ok, r2.output).toBe(true);
    expect(rulesFor('2.18')).not.toContain('kube_deployment_status_replicas_available');
  });

  it('version skew: tickets only for proxies more than maxReleasesBehind releases behind the control plane', () => {
    const info = (namespace: string, pod: string, version: string) =>
      `proxy_build_info{job="linkerd-proxy", namespace="${namespace}", pod="${pod}", version="${version}", git_sha="x", profile="release", vendor="linkerd"}`;
    const input = [
      { series: info('app', 'current', 'v2.294.0'), values: '1x90' }, // 2.18
      { series: info('app', 'previous', 'v2.268.0'), values: '1x90' }, // 2.17: within one release
      { series: info('app', 'previous-patch', 'v2.270.3'), values: '1x90' },
      { series: info('app', 'old', 'v2.246.0'), values: '1x90' }, // 2.16
      { series: info('app', 'old-2', 'v2.246.0'), values: '1x90' },
      { series: info('app', 'just-below', 'v2.267.9'), values: '1x90' },
      { series: info('legacy', 'ancient', 'v2.99.1'), values: '1x90' },
      { series: info('app', 'dev', 'dev-abc123'), values: '1x90' },
    ];
    const skewRows = (...pairs: Array<[string, string]>) => rows(...pairs.map(([ns, v]) => `namespace="${ns}", version="${v}"`));
    const skewCount = (t: string) => ({ expr: firing(SKEW, 'namespace, version'), eval_time: t });
    const cases: Array<[number, ReturnType<typeof skewRows>]> = [
      [1, skewRows(['app', 'v2.246.0'], ['app', 'v2.267.9'], ['legacy', 'v2.99.1'])],
      [2, skewRows(['legacy', 'v2.99.1'])],
      [0, skewRows(['app', 'v2.246.0'], ['app', 'v2.267.9'], ['app', 'v2.268.0'], ['app', 'v2.270.3'], ['legacy', 'v2.99.1'])],
    ];
    for (const [maxReleasesBehind, expected] of cases) {
      const text = rulesFor('2.18', { versionSkew: { maxReleasesBehind } });
      const r = testRules(text, {
        tests: [
          {
            interval: '1m',
            input_series: input,
            promql_expr_test: [
              { ...skewCount('50m'), exp_samples: [] },
              { ...skewCount('70m'), exp_samples: expected },
            ],
            ...(maxReleasesBehind === 1
              ? {
                  alert_rule_test: [
                    {
                      eval_time: '70m',
                      alertname: SKEW,
                      exp_alerts: [
                        { exp_labels: { slo: 'control-plane-availability', severity: 'warning', namespace: 'app', version: 'v2.246.0' }, exp_annotations: skewAnnotations(text, 'app', 'v2.246.0', '2') },
                        { exp_labels: { slo: 'control-plane-availability', severity: 'warning', namespace: 'app', version: 'v2.267.9' }, exp_annotations: skewAnnotations(text, 'app', 'v2.267.9', '1') },
                        { exp_labels: { slo: 'control-plane-availability', severity: 'warning', namespace: 'legacy', version: 'v2.99.1' }, exp_annotations: skewAnnotations(text, 'legacy', 'v2.99.1', '1') },
                      ],
                    },
                  ],
                }
              : {}),
          },
        ],
      });
      expect(r.ok, `maxReleasesBehind ${maxReleasesBehind}: ${r.output}`).toBe(true);
    }
  });
});

/** The ticket's annotations with the Prometheus templates filled in for one component. */
function annotationsFor(text: string, component: string, value: string): Record<string, string> {
  const ticket = rulesOf(text).find((r) => r.alert === DOWN && r.labels.severity === 'warning')!;
  return Object.fromEntries(
    Object.entries(ticket.annotations).map(([k, v]) => [k, v.replaceAll('{{ $labels.component }}', component).replaceAll('{{ $value }}', value)]),
  );
}

function skewAnnotations(text: string, namespace: string, version: string, value: string): Record<string, string> {
  const rule = rulesOf(text).find((r) => r.alert === SKEW)!;
  return Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => [
      k,
      v.replaceAll('{{ $labels.namespace }}', namespace).replaceAll('{{ $labels.version }}', version).replaceAll('{{ $value }}', value),
    ]),
  );
}

describe('control-plane availability: regex, config, labels, dashboard and runbooks', () => {
  it('integerBelowRegex matches exactly the integers below its limit', () => {
    for (const limit of [1, 2, 9, 10, 11, 99, 100, 101, 118, 200, 268, 294, 300, 1000, 1001]) {
      const rx = new RegExp(`^(?:${integerBelowRegex(limit)})$`);
      for (let n = 0; n < 1500; n++) expect(rx.test(String(n)), `${n} vs ${limit}`).toBe(n < limit);
      expect(rx.test('007')).toBe(false);
    }
    const old = new RegExp(`^(?:${oldProxyVersionRegex(268)})$`);
    expect(['v2.267.0', 'v2.99.1', 'v2.0.0', '2.246.0'].every((v) => old.test(v))).toBe(true);
    expect(['v2.268.0', 'v2.294.0', 'v2.1000.0', 'v3.1.0', 'dev-abc', 'v2.267'].some((v) => old.test(v))).toBe(false);
  });

  it('every supported version generates (strict templates) and watches only its own containers', () => {
    for (const version of SUPPORTED_VERSIONS) {
      const gen = generated(version, { replicas: { enabled: true }, viz: { components: ['metrics-api', 'grafana'] } });
      const names = [...gen.files.keys()].filter((f) => f.startsWith('runbooks/')).sort();
      // The proxies' view of the control plane needs their 2.15+ gauges.
      const view = Number(version.split('.')[1]) >= 15 ? [VIEW] : [];
      expect(names, version).toEqual([DOWN, NOT_SCRAPED, BELOW_HA, INJECTOR, KSM_ABSENT, SKEW, ...view].map((a) => `runbooks/${a}.md`).sort());
      const text = gen.files.get('prometheus/linkerd-slo-test.rules.yaml')!;
      // Viz Grafana (2.10–2.11) is scraped by its own `grafana` job, never by the controller job (deliberate fix: it was expected there).
      expect(text.includes('component="grafana"'), version).toBe(false);
      expect(text.includes('component="public-api"'), version).toBe(version === '2.10');
      expect(text.includes('component="policy"'), version).toBe(Number(version.split('.')[1]) >= 13);
    }
  });

  it('rejects configs that cannot work', () => {
    expect(() => generated('2.18', { components: ['destination'], pageComponents: ['identity'] })).toThrow(/"identity" pages but is not watched/);
    expect(() => generated('2.10', { versionSkew: { maxReleasesBehind: 2 } })).toThrow(/older than Linkerd 2\.9/);
    expect(() => generated('2.10', { versionSkew: { maxReleasesBehind: 1 } })).not.toThrow();
    expect(() => generated('2.18', { components: [], viz: { enabled: false }, versionSkew: { enabled: false }, proxyView: { enabled: false } })).toThrow(/no component, replica, version or proxy-view check left/);
    // Only the proxies' view left is a working config.
    expect(() => generated('2.18', { components: [], pageComponents: [], viz: { enabled: false }, versionSkew: { enabled: false } })).not.toThrow();
  });

  it('every alert carries slo, severity and the rule labels, keeps extra-matcher labels in every by (…), and has its runbook', () => {
    const gen = generated('2.18', { replicas: { enabled: true } }, { prometheus: { extraMatchers: { cluster: 'c1' }, ruleLabels: { team: 'platform' } } });
    const text = gen.files.get('prometheus/linkerd-slo-test.rules.yaml')!;
    const rules = rulesOf(text).filter((r) => r.labels.slo === 'control-plane-availability');
    expect([...new Set(rules.map((r) => r.alert))].sort()).toEqual([DOWN, NOT_SCRAPED, BELOW_HA, INJECTOR, KSM_ABSENT, SKEW, VIEW].sort());
    for (const rule of rules) {
      expect(rule.labels.team).toBe('platform');
      expect(rule.labels.severity).toMatch(/^(critical|warning)$/);
      expect(rule.expr).toContain('cluster="c1"');
      for (const [, by] of rule.expr.matchAll(/\b(?:by|on) \(([^)]*)\)/g)) expect(by!.split(', '), rule.expr).toContain('cluster');
      expect(rule.annotations.runbook_url).toMatch(new RegExp(`/${rule.alert}\\.md$`));
      if (rule.alert !== SKEW && rule.alert !== DOWN) expect(rule.labels.component).toBeTruthy();
      const page = gen.files.get(`runbooks/${rule.alert}.md`);
      expect(page, rule.alert).toBeDefined();
      expect(page!.startsWith(`# ${rule.alert}\n`)).toBe(true);
      expect(page).toMatch(/## What it means[\s\S]*## Why it matters[\s\S]*## How to confirm[\s\S]*`linkerd check[\s\S]*## How to fix/);
    }
    expect(gen.files.get(`runbooks/${SKEW}.md`)).toContain('https://linkerd.io/2.18/tasks/upgrade/');
    expect(gen.files.get(`runbooks/${SKEW}.md`)).toContain('linkerd check --proxy');
    const v19 = generated('2.19').files.get(`runbooks/${NOT_SCRAPED}.md`)!;
    expect(v19).toContain('regex: admin-http|.*admin');
    expect(v19).toContain('regex: linkerd-admin');
    expect(v19).toContain('#15089');
    expect(generated('2.18').files.get(`runbooks/${NOT_SCRAPED}.md`)).not.toContain('#15089');
    // Off by default: no kube-state-metrics runbooks.
    expect(generated('2.18').files.has(`runbooks/${INJECTOR}.md`)).toBe(false);
  });

  it('dashboard rows go to the control-plane dashboard: component health, replicas, proxy versions, controller internals', () => {
    const gen = generated('2.18', { replicas: { enabled: true } });
    const rows = gen.outputs.flatMap((o) => o.dashboardRows).filter((r) => r.title === 'Control-plane availability');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dashboard).toBe('control-plane');
    expect(rows[0]!.panels.map((p) => p.title)).toEqual([
      'Instances up per component',
      'Share of instances up',
      'Available replicas',
      'Proxy versions',
      'Controller gRPC responses by code',
      'Controller memory (RSS)',
      'Controller goroutines',
      'Proxies with no ready control-plane endpoint',
    ]);
  });
});
