/**
 * Custom ratio SLOs (slos.custom): selectors parsed into our typed AST, the shared burn-rate
 * engine under the real promtool, config errors located at the offending field.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseYamlConfig, validateConfig } from '../../config/load.js';
import { ConfigError } from '../../config/errors.js';
import { buildContext } from '../../generate.js';
import { KINDS } from '../../slo/registry.js';
import { custom as customKind } from '../../slo/custom/index.js';
import { prometheusRuleFile } from '../../emit/rule-files.js';
import { isAlert } from '../../rules.js';
import { parseSelector } from '../../promql/parse.js';
import { inline } from '../../promql/ast.js';
import { customFixture, seriesMatches } from '../../slo/custom/index.js';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { thrown } from '../../../test/support/errors.js';
import { firing as firingBy } from '../../../test/support/bundle.js';

const BURN = 'LinkerdCustomSLOErrorBudgetBurn';
const ABSENT = 'LinkerdCustomSLOMetricsAbsent';

const CHECKOUT = {
  name: 'checkout-availability',
  description: 'Checkout API requests succeed.',
  objective: 99.9,
  period: '30d',
  errors: 'http_requests_total{job="checkout",code=~"5.."}',
  total: 'http_requests_total{job="checkout"}',
};
const CART = {
  name: 'cart-grpc',
  objective: 99.5,
  period: '28d',
  good: 'grpc_server_handled_total{grpc_service="cart.Cart",grpc_code="OK"}',
  total: 'grpc_server_handled_total{grpc_service="cart.Cart"}',
};

/**
 * The kinds' outputs without the emitters: the dashboards and other kinds are other tests'
 * business, and these tests must not depend on them.
 */
function bundle(custom: unknown[], extra: Record<string, unknown> = {}) {
  const config = validateConfig({ cluster: 'test', slos: { custom }, ...extra }, 'test.yaml');
  const ctx = buildContext(config);
  const mine = customKind.build(ctx);
  return {
    custom: mine,
    allGroups: () => KINDS.filter((k) => k.enabled(config)).flatMap((k) => k.build(ctx).ruleGroups),
  };
}

/** Only the custom SLOs' rule groups, so promtool evaluates what is under test. */
function customRules(custom: unknown[], extra: Record<string, unknown> = {}): string {
  return prometheusRuleFile(bundle(custom, extra).custom.ruleGroups, 'test.yaml');
}

const configError = (fn: () => unknown): ConfigError => thrown(ConfigError, fn);

const checkout = (code: string) => `http_requests_total{job="checkout", instance="10.0.0.3:8080", code="${code}"}`;
const firing = (alert: string, extra = '') => firingBy(alert, 'slo, severity, long', extra);

describe('custom SLOs under promtool', () => {
  beforeAll(requirePromtool);

  it('the generated rules pass promtool check rules --lint-fatal', () => {
    const r = checkRules(customRules([CHECKOUT, CART]));
    expect(r.ok, r.output).toBe(true);
  });

  it('errors/total: healthy traffic is quiet, a full outage pages on 1h/5m within minutes', () => {
    const r = testRules(customRules([CHECKOUT]), {
      tests: [
        {
          interval: '1m',
          input_series: [
            // 60 minutes healthy at 1 rps (a few 404s are not errors), then every request fails with 503.
            { series: checkout('200'), values: '0+58x60 3480x60' },
            { series: checkout('404'), values: '0+2x120' },
            { series: checkout('503'), values: '0x60 60+60x59' },
          ],
          promql_expr_test: [
            { expr: firing(BURN), eval_time: '59m', exp_samples: [] },
            { expr: firing(ABSENT), eval_time: '59m', exp_samples: [] },
            // 1h/5m burn > 14.4 one minute into the outage (pages have no `for`; the 6h/30m page joins
            // soon after, so this looks at the 1h one); labelled with the SLO's name.
            { expr: firing(BURN, ', long="1h"'), eval_time: '62m', exp_samples: [{ labels: '{slo="checkout-availability", severity="critical", long="1h"}', value: 1 }] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('good/total: bad = total − good, also when no good series is left at all', () => {
    const cart = (code: string) => `grpc_server_handled_total{grpc_service="cart.Cart", grpc_method="Add", grpc_code="${code}"}`;
    const r = testRules(customRules([CART]), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: cart('OK'), values: '0+60x60' }, // the OK series ends: only failures remain
            { series: cart('Unavailable'), values: '0x60 60+60x59' },
          ],
          promql_expr_test: [
            { expr: firing(BURN), eval_time: '59m', exp_samples: [] },
            { expr: 'linkerd_slo:sli_error:ratio_rate5m{slo="cart-grpc"}', eval_time: '30m',
              exp_samples: [{ labels: 'linkerd_slo:sli_error:ratio_rate5m{slo="cart-grpc", sli="ratio", component="cart-grpc"}', value: 0 }] },
            { expr: firing(BURN, ', long="1h"'), eval_time: '70m', exp_samples: [{ labels: '{slo="cart-grpc", severity="critical", long="1h"}', value: 1 }] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('the bundle\'s own generated tests (out/tests/) pass: fixtures are synthesised from the selectors', () => {
    const slos = [CHECKOUT, CART, { ...CHECKOUT, name: 'other-metric', errors: 'checkout_failures_total{job="checkout"}' }];
    const tests = (bundle(slos).custom.unitTests ?? []) as Array<{ name: string }>;
    expect(tests.map((t) => t.name)).toEqual([
      'Custom SLO checkout-availability: healthy traffic is quiet; a full outage of checkout-availability fires the 1h/5m alert',
      'Custom SLO cart-grpc: healthy traffic is quiet; a full outage of cart-grpc fires the 1h/5m alert',
      'Custom SLO other-metric: healthy traffic is quiet; a full outage of other-metric fires the 1h/5m alert',
    ]);
    const r = testRules(customRules(slos), { tests });
    expect(r.ok, r.output).toBe(true);
  });
});

describe('custom SLO output', () => {
  it('one rule-group pair per SLO, unique across the whole bundle, alerts labelled slo=<name>', () => {
    const b = bundle([CHECKOUT, CART]);
    const names = b.allGroups().map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    expect(b.custom.ruleGroups.map((g) => g.name)).toEqual([
      'linkerd-slo-checkout-availability-ratio-recordings', 'linkerd-slo-checkout-availability-ratio-alerts',
      'linkerd-slo-cart-grpc-ratio-recordings', 'linkerd-slo-cart-grpc-ratio-alerts',
    ]);
    const alerts = b.custom.ruleGroups.flatMap((g) => g.rules.filter(isAlert));
    expect(alerts.filter((a) => a.alert === BURN)).toHaveLength(8); // 4 window pairs × 2 SLOs
    expect(new Set(alerts.map((a) => `${a.alert}/${a.labels.slo}/${a.labels.long ?? ''}`)).size).toBe(alerts.length);
    expect(alerts.filter((a) => a.alert === ABSENT).map((a) => a.labels.slo)).toEqual(['checkout-availability', 'cart-grpc']);
    const rules = customRules([CHECKOUT, CART]);
    expect(rules).toContain('absent(http_requests_total{job="checkout"})');
    expect(rules).toContain('runbook_url: https://github.com/linkerd-slo/linkerd-slo/blob/main/out/runbooks/LinkerdCustomSLOErrorBudgetBurn.md');
    const runbook = (alert: string) => b.custom.runbooks.find((r) => r.alert === alert)!.markdown;
    expect(runbook(BURN)).toContain('http_requests_total{job="checkout", code=~"5.."}');
    expect(runbook(BURN)).toContain('Checkout API requests succeed.');
    expect(runbook(ABSENT)).toContain('grpc_server_handled_total{grpc_service="cart.Cart"}');
    expect(b.custom.dashboardRows.map((r) => r.title)).toEqual(['Custom SLO checkout-availability', 'Custom SLO cart-grpc']);
  });

  it('extra matchers are added to the user\'s selectors', () => {
    const rules = customRules([CHECKOUT], { prometheus: { extraMatchers: { cluster: 'eu1' } } });
    expect(rules).toContain('http_requests_total{job="checkout", code=~"5..", cluster="eu1"}');
    expect(rules).toContain('sum by (cluster) (rate(http_requests_total{job="checkout", cluster="eu1"}[5m]))');
  });

  it('no custom SLOs: the kind is off', () => {
    const config = validateConfig({ cluster: 'test' }, 'test.yaml');
    expect(customKind.enabled(config)).toBe(false);
  });
});

describe('selectors are parsed, not pasted', () => {
  it('round-trips values with quotes, backslashes, raw strings and escapes through our AST', () => {
    const sel = parseSelector('x_total{a="q\\"uote", b=\'single\', c=`raw\\d`, d!="\\u00e9", e!~"a|b"}');
    expect(sel.metric).toBe('x_total');
    expect(sel.matchers).toEqual([
      { label: 'a', op: '=', value: 'q"uote' },
      { label: 'b', op: '=', value: 'single' },
      { label: 'c', op: '=', value: 'raw\\d' },
      { label: 'd', op: '!=', value: 'é' },
      { label: 'e', op: '!~', value: 'a|b' },
    ]);
    expect(parseSelector(inline(sel))).toEqual(sel);
    expect(parseSelector('{__name__="up", job="x"}')).toEqual(parseSelector('up{job="x"}'));
  });

  it('fixtures match the selectors they stand for', () => {
    const sel = { bad: parseSelector(CHECKOUT.errors), total: parseSelector(CHECKOUT.total) };
    const [good, bad] = customFixture(sel)!;
    expect(seriesMatches(good!.labels, sel.total)).toBe(true);
    expect(seriesMatches(good!.labels, sel.bad)).toBe(false);
    expect(seriesMatches(bad!.labels, sel.bad)).toBe(true);
    expect(seriesMatches(bad!.labels, sel.total)).toBe(true);
  });
});

describe('custom SLO config errors name the path', () => {
  const yaml = (errors: string) =>
    `cluster: prod\nslos:\n  custom:\n    - name: api\n      objective: 99.9\n      period: 30d\n      errors: '${errors}'\n      total: http_requests_total{job="api"}\n`;

  it.each([
    ['sum(rate(http_requests_total{job="api",code=~"5.."}[5m]))', 'found an aggregation'],
    ['rate(http_requests_total{code=~"5.."}[5m])', 'found a function call'],
    ['http_requests_total{code=~"5.."}[5m]', 'found a range selector'],
    ['http_requests_total{code=~"5.."} offset 1h', 'offsets are not supported'],
    ['http_requests_total{code="500"} / http_requests_total', 'found a binary expression'],
    ['http_requests_total{code=', 'not valid PromQL'],
    ['{code="500"}', 'names no metric'],
  ])('%s is rejected', (query, reason) => {
    const err = configError(() => parseYamlConfig(yaml(query), 'linkerd-slo.yaml'));
    expect(err.issues).toHaveLength(1);
    expect(err.message).toMatch(/^linkerd-slo\.yaml:7:15: slos\.custom\[0\]\.errors: /);
    expect(err.message).toContain(reason);
  });

  it('errors and good together, neither, duplicate names and unreachable objectives', () => {
    const both = configError(() => validateConfig({ cluster: 'p', slos: { custom: [{ ...CHECKOUT, good: CART.good }] } }, 'c.yaml'));
    expect(both.message).toContain('c.yaml: slos.custom[0].good: set either errors (bad events) or good (good events), not both');
    const neither = configError(() => validateConfig({ cluster: 'p', slos: { custom: [{ ...CHECKOUT, errors: undefined }] } }, 'c.yaml'));
    expect(neither.message).toContain('c.yaml: slos.custom[0]: needs errors');
    const dup = configError(() => validateConfig({ cluster: 'p', slos: { custom: [CHECKOUT, CHECKOUT] } }, 'c.yaml'));
    expect(dup.message).toContain('slos.custom[1].name: duplicate name "checkout-availability"');
    const low = configError(() => validateConfig({ cluster: 'p', slos: { custom: [{ ...CHECKOUT, objective: 90 }] } }, 'c.yaml'));
    expect(low.message).toContain('slos.custom[0].objective: objective 90% means the page alert for 1h/5m could never fire');
  });
});
