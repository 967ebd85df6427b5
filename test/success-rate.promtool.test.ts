/**
 * The success-rate alerts, proven by the real promtool on synthetic series shaped like the
 * control-plane proxies' response_total (labels as the standard linkerd-proxy scrape config
 * produces them: linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRules, requirePromtool, testRules } from './support/promtool.js';
import type { ConfigInput } from '../src/config/schema.js';
import { DEFAULT_KINDS_OFF, generated, onlyGroups, ruleFileOf } from './support/bundle.js';
import { CONTROL_PLANE, controlPlaneServerResponses, controlResponses } from './support/linkerd-series.js';

const BURN = 'LinkerdControlPlaneErrorBudgetBurn';
const ABSENT = 'LinkerdControlPlaneSLIMetricsAbsent';

const rulesFor = (overrides: Partial<ConfigInput> = {}): string => ruleFileOf(generated({ cluster: 'test', ...overrides }));

const destination = (classification: 'success' | 'failure') =>
  `response_total{job="linkerd-proxy", namespace="linkerd", pod="linkerd-destination-5d8f7-abcde", control_plane_component="destination", deployment="linkerd-destination", direction="inbound", target_addr="10.0.0.7:8086", target_ip="10.0.0.7", target_port="8086", tls="true", status_code="200", classification="${classification}"}`;

/** Which burn-rate alerts fire for destination (server side), as "severity/long" strings. */
const firingBurn = `count by (severity, long) (ALERTS{alertname="${BURN}", alertstate="firing", sli="server", component="destination"})`;

const firing = (...pairs: Array<[string, string]>) => pairs.map(([severity, long]) => ({ labels: `{severity="${severity}", long="${long}"}`, value: 1 }));

describe('control-plane success rate under promtool', () => {
  beforeAll(requirePromtool);

  it('the generated rule file passes promtool check rules --lint-fatal', () => {
    const r = checkRules(rulesFor());
    expect(r.output).toContain('SUCCESS');
    expect(r.ok, r.output).toBe(true);
  });

  it('a full outage at 1 request/second pages within minutes, and nothing fires before it', () => {
    // 60 minutes healthy at 1 rps, then every request fails.
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: destination('success'), values: '0+60x60 3600x60' },
            { series: destination('failure'), values: '0x60 60+60x59' },
          ],
          promql_expr_test: [
            { expr: firingBurn, eval_time: '59m', exp_samples: [] },
            // 1h/5m burn > 14.4 one minute into the outage, plus `for: 2m`.
            { expr: firingBurn, eval_time: '66m', exp_samples: firing(['critical', '1h']) },
            // 30 minutes in, the 6h/30m page has joined (for: 15m).
            { expr: firingBurn, eval_time: '90m', exp_samples: firing(['critical', '1h'], ['critical', '6h']) },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('a slow burn (0.5% errors, 5x) opens a ticket but never pages', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: destination('success'), values: '0+597x300' },
            { series: destination('failure'), values: '0+3x300' },
          ],
          promql_expr_test: [
            { expr: `count(ALERTS{alertname="${BURN}", alertstate="firing", severity="critical"})`, eval_time: '5h', exp_samples: [] },
            // 1d/2h at 3x fires after its `for: 1h`; 3d/6h at 1x needs `for: 3h`.
            { expr: firingBurn, eval_time: '2h', exp_samples: firing(['warning', '1d']) },
            { expr: firingBurn, eval_time: '5h', exp_samples: firing(['warning', '1d'], ['warning', '3d']) },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  // 10 requests an hour, one of which fails: a 1,000x burn on paper (SRE Workbook, low traffic).
  const lowTraffic = (minRequests: number) =>
    testRules(rulesFor({ alerting: { lowTraffic: { minRequests } } }), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: destination('success'), values: '0+0.16666x180' },
            { series: destination('failure'), values: '0x89 1x90' },
          ],
          promql_expr_test: [
            // The failure sits in the 5m window from 90m to 94m: a page would be firing at 93m.
            { expr: `count(ALERTS{alertname="${BURN}", alertstate="firing", severity="critical"})`, eval_time: '93m', exp_samples: [] },
            { expr: `count(ALERTS{alertname="${BURN}", alertstate="firing", severity="critical"})`, eval_time: '120m', exp_samples: [] },
          ],
        },
      ],
    });

  it('a single failure among ~10 requests an hour does not page', () => {
    const r = lowTraffic(100);
    expect(r.ok, r.output).toBe(true);
  });

  it('... and it is the low-traffic guard that keeps it quiet (without it, it pages)', () => {
    const r = lowTraffic(0);
    expect(r.ok).toBe(false);
    // It fails exactly where a page would fire: 93m, one failure in the 5m window.
    expect(r.output).toMatch(/time: 1h33m,\s*exp: nil\s*got: \{\} 1E\+00/);
  });

  it('healthy traffic with no failure series at all: error ratio is 0, not absent, and nothing fires', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [{ series: destination('success'), values: '0+60x240' }],
          promql_expr_test: [
            { expr: 'linkerd_slo:sli_error:ratio_rate5m{sli="server", component="destination"}', eval_time: '30m',
              exp_samples: [{ labels: 'linkerd_slo:sli_error:ratio_rate5m{slo="control-plane-success-rate", sli="server", component="destination"}', value: 0 }] },
            { expr: 'linkerd_slo:sli_error:ratio_rate1d{sli="server", component="destination"}', eval_time: '4h',
              exp_samples: [{ labels: 'linkerd_slo:sli_error:ratio_rate1d{slo="control-plane-success-rate", sli="server", component="destination"}', value: 0 }] },
            { expr: firingBurn, eval_time: '4h', exp_samples: [] },
            { expr: `count(ALERTS{alertname="${ABSENT}", alertstate="firing", sli="server", component="destination"})`, eval_time: '4h', exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('long windows are rolled up count-weighted: a busy bad hour outweighs quiet good hours', () => {
    // 1h at 100 rps with 2% errors, then 3h at 1 rps with no errors. Count-weighted, the 1d ratio
    // is 7200 / (360000 + 10800) = 1.94%; a mean of 5m ratios would say about 0.5%.
    const ratio1d = 'linkerd_slo:sli_error:ratio_rate1d{sli="server", component="destination"}';
    const ratio5m = 'linkerd_slo:sli_error:ratio_rate5m{sli="server", component="destination"}';
    const labels = '{slo="control-plane-success-rate", sli="server", component="destination"}';
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: destination('success'), values: '0+5880x60 352800+60x180' },
            { series: destination('failure'), values: '0+120x60 7200x180' },
          ],
          promql_expr_test: [
            { expr: `(${ratio1d} > bool 0.018) * (${ratio1d} < bool 0.021)`, eval_time: '4h', exp_samples: [{ labels, value: 1 }] },
            // The same data averaged as ratios lands far lower: the scenario tells the two apart.
            { expr: `avg_over_time(${ratio5m}[4h]) < bool 0.01`, eval_time: '4h', exp_samples: [{ labels, value: 1 }] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('when the SLI metrics disappear, the absent alert fires instead of silence', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [{ series: destination('success'), values: '0+60x20' }],
          promql_expr_test: [
            { expr: `count by (component) (ALERTS{alertname="${ABSENT}", alertstate="firing", sli="server", component="destination"})`, eval_time: '20m', exp_samples: [] },
            // Series end at 20m, go stale 5m later, absent() then holds for `absentFor: 10m`.
            { expr: `count by (component) (ALERTS{alertname="${ABSENT}", alertstate="firing", sli="server", component="destination"})`, eval_time: '40m',
              exp_samples: [{ labels: '{component="destination"}', value: 1 }] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });
});

describe('selectors across Linkerd versions, against what each version exposes', () => {
  // Input series come from test/support/linkerd-series.ts (each version's real label sets), not from
  // the rules: a selector on a label that version does not write (target_port on 2.10) finds nothing.
  const pageFiring = (sli: string) =>
    `count(ALERTS{alertname="${BURN}", alertstate="firing", severity="critical", long="1h", sli="${sli}", component="destination"})`;
  it.each(['2.10', '2.11', '2.12', '2.18', '2.20'] as const)('Linkerd %s: a destination outage pages on both the server and the client side', (version) => {
    const only = { ...DEFAULT_KINDS_OFF, controlPlaneSuccessRate: {} };
    const rules = onlyGroups(
      ruleFileOf(generated({ cluster: 'test', linkerd: { version }, slos: only })),
      'linkerd-slo-control-plane-success-rate-server-recordings', 'linkerd-slo-control-plane-success-rate-server-alerts',
      'linkerd-slo-control-plane-success-rate-client-recordings', 'linkerd-slo-control-plane-success-rate-client-alerts',
    );
    const dst = CONTROL_PLANE.destination;
    // 1 request/second for an hour, then every request fails.
    const healthyThenDown = '0+60x60 3600x60';
    const failingAfterAnHour = '0x60 60+60x59';
    const r = testRules(rules, {
      tests: [{
        interval: '1m',
        input_series: [
          { series: controlPlaneServerResponses(version, dst, 'success'), values: healthyThenDown },
          { series: controlPlaneServerResponses(version, dst, 'failure'), values: failingAfterAnHour },
          { series: controlResponses('destination', 'success'), values: healthyThenDown },
          { series: controlResponses('destination', 'failure'), values: failingAfterAnHour },
        ],
        promql_expr_test: [
          { expr: `count(ALERTS{alertname="${BURN}", alertstate="firing"})`, eval_time: '59m', exp_samples: [] },
          { expr: pageFiring('server'), eval_time: '90m', exp_samples: [{ labels: '{}', value: 1 }] },
          { expr: pageFiring('client'), eval_time: '90m', exp_samples: [{ labels: '{}', value: 1 }] },
        ],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });
});
