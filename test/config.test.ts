import { describe, expect, it } from 'vitest';
import { parseYamlConfig, validateConfig } from '../src/config/load.js';
import { ConfigError, closest } from '../src/config/errors.js';
import { burnRateFactor, minimumObjective } from '../src/slo/burn-rate.js';
import { DEFAULT_WINDOWS } from '../src/config/schema.js';
import { generate } from '../src/generate.js';
import { thrown } from './support/errors.js';

const errorOf = (yaml: string): ConfigError => thrown(ConfigError, () => parseYamlConfig(yaml, 'linkerd-slo.yaml'));

describe('config errors name file, path and line:column', () => {
  it('unknown key, with a did-you-mean', () => {
    const err = errorOf('cluster: prod\nslos:\n  controlPlaneSuccessRate:\n    objectiv: 99.9\n');
    expect(err.issues).toHaveLength(1);
    expect(err.message).toBe(
      'linkerd-slo.yaml:4:5: slos.controlPlaneSuccessRate.objectiv: unknown key "objectiv" (did you mean "objective"?)',
    );
  });

  it('unknown key far from any known one lists what is allowed', () => {
    const err = errorOf('cluster: prod\nlinkerd:\n  flavour: edge\n');
    expect(err.message).toMatch(/^linkerd-slo\.yaml:3:3: linkerd\.flavour: unknown key "flavour" \(expected one of: version, namespace, /);
  });

  it('wrong type says what was expected and what was found', () => {
    const err = errorOf('cluster: prod\nslos:\n  controlPlaneSuccessRate:\n    objective: "high"\n');
    expect(err.message).toBe('linkerd-slo.yaml:4:16: slos.controlPlaneSuccessRate.objective: expected number, found string "high"');
  });

  it('an objective for which an alert could never fire is rejected with the lowest usable objective', () => {
    const err = errorOf('cluster: prod\nslos:\n  controlPlaneSuccessRate:\n    objective: 90\n');
    expect(err.issues[0]!.line).toBe(4);
    expect(err.message).toContain('objective 90% means the page alert for 1h/5m could never fire');
    expect(err.message).toContain('14.4 × 0.1 = 1.44');
    expect(err.message).toContain('Use an objective above 93.06%');
  });

  it('invalid YAML points at the broken line', () => {
    const err = errorOf('cluster: prod\nlinkerd:\n  version: "2.18\n  namespace: linkerd\n');
    expect(err.issues).toHaveLength(1);
    expect(err.message).toMatch(/^linkerd-slo\.yaml:\d+:\d+: \(top level\): invalid YAML: /);
  });

  it('a missing cluster and an unsupported version are both reported', () => {
    const err = errorOf('linkerd:\n  version: "2.9"\n');
    expect(err.issues.map((i) => i.path.join('.'))).toEqual(['cluster', 'linkerd.version']);
    expect(err.message).toContain('cluster: expected string, found nothing (the key is missing)');
    expect(err.message).toMatch(/linkerd-slo\.yaml:2:12: linkerd\.version: expected one of "2\.10", .*"2\.20", found string "2\.9"/);
  });

  it('list items are located too', () => {
    const err = errorOf('cluster: prod\nalerting:\n  windows:\n    - { severity: page, long: 1h, short: 5m, budgetConsumed: 2 }\n    - { severity: pager, long: 6h, short: 30m, budgetConsumed: 5 }\n');
    expect(err.message).toMatch(/^linkerd-slo\.yaml:5:19: alerting\.windows\[1\]\.severity: expected one of "page", "ticket", found string "pager"/);
  });

  it('reserved rule labels are refused', () => {
    const err = errorOf('cluster: prod\nprometheus:\n  ruleLabels:\n    severity: high\n');
    expect(err.message).toBe('linkerd-slo.yaml:4:5: prometheus.ruleLabels.severity: label "severity" is set by linkerd-slo itself; choose another name');
  });

  it('did-you-mean only suggests close words', () => {
    expect(closest('namespce', ['namespace', 'version'])).toBe('namespace');
    expect(closest('zzz', ['namespace', 'version'])).toBeUndefined();
  });
});

describe('defaults', () => {
  it('a config naming only the cluster yields the full recommended bundle', () => {
    const config = validateConfig({ cluster: 'prod' }, 'x.yaml');
    expect(config.linkerd).toMatchObject({ version: '2.20', namespace: 'linkerd', vizNamespace: 'linkerd-viz', proxyJob: 'linkerd-proxy', proxyAdminPort: 4191, controllerJob: 'linkerd-controller' });
    expect(config.slos.controlPlaneSuccessRate).toMatchObject({ enabled: true, objective: 99.9, period: '30d' });
    const gen = generate(config, 'x.yaml');
    // Components with an SLI (an error-ratio recording), per SLO.
    const sloComponents = (slo: string) =>
      [...new Set(gen.groups.flatMap((g) => g.rules.filter((r) => r.labels?.slo === slo && 'record' in r && r.record === 'linkerd_slo:sli_error:ratio_rate5m').map((r) => r.labels?.component)))].sort();
    expect(sloComponents('control-plane-success-rate')).toEqual(['destination', 'identity', 'policy']);
    expect(sloComponents('control-plane-latency')).toEqual(['identity']);
    const groups = gen.groups.map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining([
      'linkerd-slo-control-plane-success-rate-server-alerts',
      'linkerd-slo-control-plane-success-rate-client-alerts',
      'linkerd-slo-certificates',
    ]));
    for (const slo of ['control-plane-availability', 'proxy-resources']) {
      expect(gen.groups.some((g) => g.rules.some((r) => r.labels?.slo === slo)), slo).toBe(true);
    }
    expect(groups.some((g) => g.startsWith('linkerd-slo-control-plane-latency'))).toBe(true);
  });
});

describe('burn-rate factors come from the period and budget shares', () => {
  const [page1h, page6h, ticket1d, ticket3d] = DEFAULT_WINDOWS.map((w) => ({ ...w }));
  it('30d gives the SRE Workbook factors', () => {
    expect([page1h, page6h, ticket1d, ticket3d].map((w) => burnRateFactor(w!, '30d'))).toEqual([14.4, 6, 3, 1]);
  });
  it('28d gives clean, rounded factors', () => {
    expect([page1h, page6h, ticket1d, ticket3d].map((w) => burnRateFactor(w!, '28d'))).toEqual([13.44, 5.6, 2.8, 0.9333]);
  });
  it('the lowest objective that can still page on 1h/5m is 1 - 1/14.4', () => {
    expect(minimumObjective(page1h!, '30d')).toBeCloseTo(93.0556, 3);
  });
});

it('page and ticket severities must differ (they tell the two versions of an alert apart)', () => {
  const err = errorOf('cluster: prod\nalerting:\n  severities: { page: warning, ticket: warning }\n');
  expect(err.message).toMatch(/^linkerd-slo\.yaml:3:\d+: alerting\.severities\.ticket: page and ticket severities are both "warning"/);
});
