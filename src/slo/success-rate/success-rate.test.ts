/**
 * The success-rate alerts, proven by the real promtool on synthetic series shaped like the
 * control-plane proxies' response_total (labels as the standard linkerd-proxy scrape config
 * produces them: linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import type { ConfigInput } from '../../config/schema.js';
import { DEFAULT_KINDS_OFF, generated, onlyGroups, ruleFileOf } from '../../../test/support/bundle.js';
import { CONTROL_PLANE, controlPlaneServerResponses, controlResponses } from '../../../test/support/linkerd-series.js';

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

  it('a full outage at 1 request/second pages, and the 6h/30m page joins it', () => {
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
            // Both pages (no `for`): the 1h/5m pair after 52 s of errors, the 6h/30m pair after 2.2 min.
            { expr: firingBurn, eval_time: '66m', exp_samples: firing(['critical', '1h'], ['critical', '6h']) },
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
    // It fails exactly where a page would fire: 93m, one failure in the 5m window; both page pairs
    // (1h/5m and 6h/30m, neither with a `for`) see a 1,000x burn.
    expect(r.output).toMatch(/time: 1h33m,\s*exp: nil\s*got: \{\} 2E\+00/);
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

/**
 * The fast-burn page at a 30 s scrape and evaluation interval (issue #11: a full outage must page
 * within 2 minutes of onset; a 30 s blip and a 3-minute 20% burst must not page). The series are
 * the control-plane proxies' inbound response_total as a Linkerd 2.18 proxy exposes them: the
 * inbound endpoint labels of linkerd2-proxy `linkerd/app/core/src/metrics.rs` (InboundEndpointLabels:
 * tls with client_id or no_tls_reason, srv_*, route_*, authz_*), the gRPC classification labels of
 * `linkerd/app/core/src/classify.rs` (grpc_status "14" = Unavailable is a failure, error=""), and
 * the target labels the linkerd-proxy scrape job adds (namespace, pod, control_plane_component from
 * the pod label linkerd.io/control-plane-component). The policy controller runs in the destination
 * pod (linkerd/linkerd2 `charts/linkerd-control-plane/templates/destination.yaml`) on port 8090.
 */
describe('fast-burn page at a 30 s interval', () => {
  beforeAll(requirePromtool);

  interface ControlPlanePod {
    readonly component: 'destination' | 'policy' | 'identity';
    readonly pod: string;
    readonly podComponent: string;
    readonly deployment: string;
    readonly port: number;
    /** Identity is called by proxies that have no certificate yet: its inbound TLS is no_identity. */
    readonly tls: Readonly<Record<string, string>>;
  }
  const meshedClient = { tls: 'true', client_id: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local' };
  const PODS: readonly ControlPlanePod[] = [
    { component: 'destination', pod: 'linkerd-destination-7d9c8b6f4-x2kqp', podComponent: 'destination', deployment: 'linkerd-destination', port: 8086, tls: meshedClient },
    { component: 'policy', pod: 'linkerd-destination-7d9c8b6f4-x2kqp', podComponent: 'destination', deployment: 'linkerd-destination', port: 8090, tls: meshedClient },
    { component: 'identity', pod: 'linkerd-identity-5c6f9d8b7-q8wzt', podComponent: 'identity', deployment: 'linkerd-identity', port: 8080, tls: { tls: 'no_identity', no_tls_reason: 'no_tls_from_remote' } },
  ];
  // Only this SLO (server side), so promtool evaluates 7 hours at 30 s in seconds.
  const off = { enabled: false };
  const successRateOnly = rulesFor({
    slos: { controlPlaneSuccessRate: { clientSide: { enabled: false } }, certificates: off, controlPlaneLatency: off, controlPlaneAvailability: off, proxyResources: off },
  });
  const ip = (p: ControlPlanePod) => (p.podComponent === 'identity' ? '10.42.1.9' : '10.42.0.7');

  function inbound(p: ControlPlanePod, classification: 'success' | 'failure'): string {
    const labels: Record<string, string> = {
      job: 'linkerd-proxy', namespace: 'linkerd', pod: p.pod, control_plane_component: p.podComponent, deployment: p.deployment,
      direction: 'inbound', target_addr: `${ip(p)}:${p.port}`, target_ip: ip(p), target_port: String(p.port), ...p.tls,
      srv_group: '', srv_kind: 'default', srv_name: 'all-unauthenticated', srv_port: String(p.port),
      route_group: '', route_kind: 'default', route_name: 'default', authz_group: '', authz_kind: 'default', authz_name: 'all-unauthenticated',
      status_code: '200', classification, grpc_status: classification === 'success' ? '0' : '14', error: '',
    };
    return `response_total{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
  }

  /**
   * Counter values every 30 s: `healthySteps` steps at 2 requests/s, then `problem` (per 30 s step:
   * errors out of 60 requests) for its length, then healthy again until `totalSteps`.
   */
  function traffic(healthySteps: number, problem: readonly number[], totalSteps: number): { success: string; failure: string } {
    const success: number[] = [0];
    const failure: number[] = [0];
    for (let i = 1; i <= totalSteps; i++) {
      const errors = i > healthySteps && i <= healthySteps + problem.length ? problem[i - healthySteps - 1]! : 0;
      success.push(success[i - 1]! + 60 - errors);
      failure.push(failure[i - 1]! + errors);
    }
    return { success: success.join(' '), failure: failure.join(' ') };
  }

  // 6 hours of healthy history: both page windows (1h and 6h) are full when the problem starts, as
  // in a running cluster. (On 1h of history a 30 s blip is 0.8% of the "6h" window's requests.)
  const ONSET_STEP = 720;
  const at = (secondsAfterOnset: number) => `${ONSET_STEP * 30 + secondsAfterOnset}s`;
  const fastPage = (component: string) =>
    `count by (component) (ALERTS{alertname="${BURN}", alertstate="firing", severity="critical", long="1h", sli="server", component="${component}"})`;
  /** Any page of the SLI that fired at some evaluation during the last `window` (ALERTS is stored by promtool). */
  const everPaged = (window: string) =>
    `count(max_over_time(ALERTS{alertname="${BURN}", alertstate="firing", severity="critical", sli="server"}[${window}]))`;

  const scenario = (p: ControlPlanePod, problem: readonly number[], totalSteps: number, tests: unknown[]) => {
    const t = traffic(ONSET_STEP, problem, totalSteps);
    return testRules(successRateOnly, {
      evaluation_interval: '30s',
      tests: [{
        interval: '30s',
        input_series: [
          { series: inbound(p, 'success'), values: t.success },
          { series: inbound(p, 'failure'), values: t.failure },
          // The other components stay healthy (and present, so no absent alert muddles the picture).
          ...PODS.filter((o) => o.component !== p.component).flatMap((o) => {
            const h = traffic(totalSteps, [], totalSteps);
            return [{ series: inbound(o, 'success'), values: h.success }];
          }),
        ],
        promql_expr_test: tests,
      }],
    });
  };

  it.each(PODS.map((p) => [p.component, p] as const))('a full outage of %s pages within 2 minutes of onset, not before', (_name, p) => {
    const r = scenario(p, Array(40).fill(60), ONSET_STEP + 60, [
      { expr: everPaged('60m'), eval_time: at(0), exp_samples: [] },
      // 1h ratio > 14.4 × 0.1% once 52 s of the hour failed; the first evaluation past that is 60 s in.
      { expr: fastPage(p.component), eval_time: at(120), exp_samples: [{ labels: `{component="${p.component}"}`, value: 1 }] },
    ]);
    expect(r.ok, r.output).toBe(true);
  });

  it('a 30 s blip of 100% errors does not page', () => {
    const p = PODS[0]!;
    // 60 failures in an hour of 7,200 requests: 0.83% < 1.44% over 1h, though the 5m window is at 10%.
    const r = scenario(p, [60], ONSET_STEP + 80, [{ expr: everPaged('39m'), eval_time: at(39 * 60), exp_samples: [] }]);
    expect(r.ok, r.output).toBe(true);
  });

  it('a 3-minute burst of 20% errors does not page', () => {
    const p = PODS[0]!;
    // 72 failures in an hour: 1.0% < 1.44%.
    const r = scenario(p, Array(6).fill(12), ONSET_STEP + 80, [{ expr: everPaged('39m'), eval_time: at(39 * 60), exp_samples: [] }]);
    expect(r.ok, r.output).toBe(true);
  });

  it('sustained 20% errors page as the Workbook says: 1h ratio past 1.44% after 4.32 min', () => {
    const p = PODS[0]!;
    const r = scenario(p, Array(30).fill(12), ONSET_STEP + 40, [
      // 4 min in: 48 min × 0% + 4 min × 20% over the hour = 1.33%, below the threshold.
      { expr: fastPage(p.component), eval_time: at(240), exp_samples: [] },
      // 5 min in: 1.67%. The Workbook time (4.32 min) plus one interval is 4.82 min.
      { expr: fastPage(p.component), eval_time: at(300), exp_samples: [{ labels: `{component="${p.component}"}`, value: 1 }] },
    ]);
    expect(r.ok, r.output).toBe(true);
  });

  it('after a 10-minute outage the 1h/5m page clears keep_firing_for (10m) after the 5m window does', () => {
    const p = PODS[0]!;
    const r = scenario(p, Array(20).fill(60), ONSET_STEP + 60, [
      { expr: fastPage(p.component), eval_time: at(600), exp_samples: [{ labels: `{component="${p.component}"}`, value: 1 }] },
      // 5m ratio below 1.44% only once the last failing sample leaves it: 5 min after recovery (by 600 + 330 s)…
      { expr: fastPage(p.component), eval_time: at(600 + 270), exp_samples: [{ labels: `{component="${p.component}"}`, value: 1 }] },
      // …then the page fires on for keep_firing_for (10m): one notification, resolved 10 minutes later.
      { expr: fastPage(p.component), eval_time: at(600 + 330 + 510), exp_samples: [{ labels: `{component="${p.component}"}`, value: 1 }] },
      { expr: fastPage(p.component), eval_time: at(600 + 330 + 630), exp_samples: [] },
    ]);
    expect(r.ok, r.output).toBe(true);
  });
});
