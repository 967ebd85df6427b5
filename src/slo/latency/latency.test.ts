/**
 * The control-plane latency SLO, proven by the real promtool on synthetic series shaped like the
 * identity pod's proxy: response_latency_ms_bucket (ms, linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0) with the labels the
 * standard linkerd-proxy scrape config produces (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18), in Linkerd's integer `le` rendering and in
 * Prometheus 3's float one (pyrra-dev/pyrra `slo/prometheus3.go`; https://prometheus.io/docs/prometheus/latest/migration/).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import type { ConfigInput } from '../../config/schema.js';
import { nearestBounds } from '../../linkerd/latency-buckets.js';
import { PROXY_LATENCY_BUCKETS_MS } from '../../../test/support/linkerd-series.js';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { thrown } from '../../../test/support/errors.js';
import { firing as firingBy, generated as generatedBundle, ruleFileOf } from '../../../test/support/bundle.js';

const BURN = 'LinkerdControlPlaneLatencyBudgetBurn';
const SPIKE = 'LinkerdControlPlaneLatencySpike';
const VOLUME = 'LinkerdControlPlaneRequestVolumeChange';
const ABSENT = 'LinkerdControlPlaneLatencyMetricsAbsent';

type Latency = ConfigInput extends { slos?: infer S } ? (S extends { controlPlaneLatency?: infer L } ? L : never) : never;

const generated = (overrides: Partial<ConfigInput> = {}) => generatedBundle({ cluster: 'test', ...overrides });

/** The rule file, with only the latency SLO (the success-rate rules read other series). */
const rulesFor = (latency: Latency = {}, overrides: Partial<ConfigInput> = {}): string =>
  ruleFileOf(generated({ ...overrides, slos: { controlPlaneSuccessRate: { enabled: false }, controlPlaneLatency: latency } }));

/** One stretch of traffic: requests per minute at each latency (ms), or evicted series (`gone`). */
type Phase = { minutes: number; perMinute: Record<number, number> } | { minutes: number; gone: true };

const identityLabels = (port: string) =>
  `job="linkerd-proxy", namespace="linkerd", pod="linkerd-identity-6b8f7c9d4-x2x9z", control_plane_component="identity", ` +
  `deployment="linkerd-identity", direction="inbound", target_addr="10.0.0.9:${port}", target_ip="10.0.0.9", target_port="${port}", ` +
  `tls="true", client_id="default.linkerd-test.serviceaccount.identity.linkerd.cluster.local", srv_kind="default", srv_name="all-unauthenticated", status_code="200"`;

/**
 * Every bucket of the identity proxy's inbound histogram on one port, in promtool series notation,
 * one sample a minute. `float` renders `le` the Prometheus 3 way ("1000.0").
 */
function histogram(phases: Phase[], opts: { float?: boolean; port?: string } = {}) {
  // The proxy's own bounds (independent of the generator's copy): a rule on a bound it lacks finds nothing.
  const bounds: Array<number | '+Inf'> = [...PROXY_LATENCY_BUCKETS_MS, '+Inf'];
  return bounds.map((le) => {
    const leText = le === '+Inf' ? '+Inf' : opts.float ? `${le}.0` : String(le);
    let value = 0;
    let first = true;
    const parts: string[] = [];
    for (const phase of phases) {
      if ('gone' in phase) {
        parts.push(`_x${phase.minutes}`);
        value = 0; // an evicted series comes back from zero
        continue;
      }
      const inc = Object.entries(phase.perMinute).reduce((acc, [ms, n]) => (le === '+Inf' || Number(ms) <= le ? acc + n : acc), 0);
      if (first) {
        parts.push(`${value}+${inc}x${phase.minutes}`);
        value += inc * phase.minutes;
        first = false;
      } else {
        parts.push(`${value + inc}+${inc}x${phase.minutes - 1}`);
        value += inc * phase.minutes;
      }
    }
    return { series: `response_latency_ms_bucket{${identityLabels(opts.port ?? '8080')}, le="${leText}"}`, values: parts.join(' ') };
  });
}

/** Kubelet probes on the identity admin port (9990): keep the pod's inbound series alive. */
const probes = (minutes: number) => histogram([{ minutes, perMinute: { 1: 6 } }], { port: '9990' });

const firing = (alertname: string) => firingBy(alertname, 'alertname, severity, component');
const fired = (alertname: string, severity: string, ...extra: string[]) =>
  [{ labels: `{alertname="${alertname}", component="identity", severity="${severity}"${extra.map((e) => `, ${e}`).join('')}}`, value: 1 }];
const burnFiring = `count by (severity, long) (ALERTS{alertstate="firing", alertname="${BURN}", component="identity"})`;
const pages = (...longs: string[]) => longs.map((long) => ({ labels: `{severity="critical", long="${long}"}`, value: 1 }));
const anyLatencyAlert = 'count by (alertname) (ALERTS{alertstate="firing", slo="control-plane-latency"})';

const healthy = { 5: 300, 20: 250, 100: 45, 500: 5 }; // 600/min, p99 ~ 100 ms, nothing over 1000 ms
const halfSlow = { 20: 300, 2000: 300 }; // half the requests take 2 s

describe('control-plane latency under promtool', () => {
  beforeAll(requirePromtool);

  it('the generated rules pass promtool check rules --lint-fatal, default and with every component', () => {
    for (const rules of [
      rulesFor(),
      rulesFor(
        { components: ['identity', 'destination', 'policy'], componentThresholdMs: { destination: 2000 } },
        { prometheus: { extraMatchers: { cluster: 'prod' }, ruleLabels: { team: 'platform' } } },
      ),
      generated().files.get('prometheus/linkerd-slo-test.rules.yaml')!,
    ]) {
      const r = checkRules(rules);
      expect(r.output).toContain('SUCCESS');
      expect(r.ok, r.output).toBe(true);
    }
  });

  it('slow responses (half over 1000 ms at 10 rps) burn the budget and page; nothing fires before', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [...histogram([{ minutes: 60, perMinute: healthy }, { minutes: 60, perMinute: halfSlow }]), ...probes(120)],
          promql_expr_test: [
            { expr: anyLatencyAlert, eval_time: '60m', exp_samples: [] },
            { expr: 'linkerd_slo:sli_error:ratio_rate5m{slo="control-plane-latency", component="identity"}', eval_time: '59m', exp_samples: [{ labels: '{__name__="linkerd_slo:sli_error:ratio_rate5m", slo="control-plane-latency", sli="server", component="identity"}', value: 0 }] },
            { expr: 'linkerd_slo:sli_error:ratio_rate5m{slo="control-plane-latency", component="identity"}', eval_time: '80m', exp_samples: [{ labels: '{__name__="linkerd_slo:sli_error:ratio_rate5m", slo="control-plane-latency", sli="server", component="identity"}', value: 0.5 }] },
            // Nothing 8 minutes into the slowness. Prometheus 3 (left-open ranges: the roll-up window
            // holds one sample fewer) crosses the 6h threshold one evaluation earlier than 2.42: 70m, not 71m.
            { expr: burnFiring, eval_time: '68m', exp_samples: [] },
            // The 6h/30m pair first: with only ~75 minutes of history its 6h ratio passes 6 × 1% about
            // 10–11 minutes in (the 5m rates it is rolled up from ramp up over their first 5 minutes).
            // Pages have no `for`.
            { expr: burnFiring, eval_time: '75m', exp_samples: pages('6h') },
            // The 1h window passes 14.4 × 1% after 0.144 / 0.5 × 60 = 17.3 minutes at 50% slow.
            { expr: burnFiring, eval_time: '90m', exp_samples: pages('1h', '6h') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('Prometheus 3 float le labels ("1000.0") work the same: the page fires and healthy traffic is silent', () => {
    const slow = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [...histogram([{ minutes: 60, perMinute: healthy }, { minutes: 60, perMinute: halfSlow }], { float: true }), ...probes(120)],
          promql_expr_test: [
            { expr: burnFiring, eval_time: '90m', exp_samples: pages('1h', '6h') },
            {
              expr: 'round(histogram_quantile(0.5, linkerd_slo:response_latency_ms_bucket:rate5m{component="identity"}))',
              eval_time: '30m',
              exp_samples: [{ labels: '{slo="control-plane-latency", sli="server", component="identity"}', value: 5 }],
            },
          ],
        },
      ],
    });
    expect(slow.ok, slow.output).toBe(true);
    const calm = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [...histogram([{ minutes: 180, perMinute: healthy }], { float: true }), ...probes(180)],
          promql_expr_test: [60, 120, 180].map((m) => ({ expr: anyLatencyAlert, eval_time: `${m}m`, exp_samples: [] })),
        },
      ],
    });
    expect(calm.ok, calm.output).toBe(true);
  });

  it('healthy traffic with a few slow stragglers stays silent: no burn, spike, volume or absent alert', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [...histogram([{ minutes: 240, perMinute: { ...healthy, 2000: 2 } }]), ...probes(240)],
          promql_expr_test: [30, 90, 150, 240].map((m) => ({ expr: anyLatencyAlert, eval_time: `${m}m`, exp_samples: [] })),
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  // 2% of requests at 5 s: p99 ~4.5 s, above 3 × 1000 ms, but a 2x burn pages nobody.
  const spike = (perMinuteFast: number, perMinuteSlow: number, minRequests?: number) =>
    testRules(rulesFor({}, minRequests === undefined ? {} : { alerting: { lowTraffic: { minRequests } } }), {
      tests: [
        {
          interval: '1m',
          input_series: [
            ...histogram([{ minutes: 60, perMinute: { 20: perMinuteFast + perMinuteSlow } }, { minutes: 40, perMinute: { 20: perMinuteFast, 5000: perMinuteSlow } }]),
            ...probes(100),
          ],
          promql_expr_test: [
            { expr: firing(SPIKE), eval_time: '65m', exp_samples: [] },
            // p99 above 3000 ms from ~62m, plus `for: 10m`.
            { expr: firing(SPIKE), eval_time: '80m', exp_samples: fired(SPIKE, 'warning') },
            { expr: firing(BURN), eval_time: '100m', exp_samples: [] },
          ],
        },
      ],
    });

  it('a p99 spike opens a ticket (not a page)', () => {
    const r = spike(588, 12);
    expect(r.ok, r.output).toBe(true);
  });

  it('the spike ticket respects the low-traffic guard (11 requests a minute), and it is the guard that keeps it quiet', () => {
    const guarded = spike(10, 1);
    expect(guarded.ok).toBe(false);
    expect(guarded.output).toMatch(/time: 1h20m,\s*exp: \{alertname="LinkerdControlPlaneLatencySpike"[^}]*\} 1E\+00\s*got: nil/);
    const unguarded = spike(10, 1, 0);
    expect(unguarded.ok, unguarded.output).toBe(true);
  });

  it('a drop in request volume (10 rps → 0, series evicted) opens a ticket once the 1h rate falls under 20% of the baseline', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [
            ...histogram([{ minutes: 240, perMinute: healthy }, { minutes: 10, perMinute: {} }, { minutes: 110, gone: true }]),
            ...probes(360),
          ],
          promql_expr_test: [
            { expr: firing(VOLUME), eval_time: '240m', exp_samples: [] },
            { expr: firing(VOLUME), eval_time: '285m', exp_samples: [] },
            // The 1h rate is under 20% of the ~10 rps baseline from ~288m; `for: 15m`.
            { expr: firing(VOLUME), eval_time: '310m', exp_samples: fired(VOLUME, 'warning') },
            // Evicted series: the current rate is 0 (pod still scraped), not absent.
            {
              expr: 'linkerd_slo:request_volume:rate1h{component="identity"}',
              eval_time: '355m',
              exp_samples: [{ labels: '{__name__="linkerd_slo:request_volume:rate1h", slo="control-plane-latency", sli="server", component="identity"}', value: 0 }],
            },
            { expr: firing(VOLUME), eval_time: '355m', exp_samples: fired(VOLUME, 'warning') },
            { expr: firing(ABSENT), eval_time: '355m', exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('a surge in request volume (1 rps → 20 rps) opens a ticket', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [...histogram([{ minutes: 240, perMinute: { 20: 60 } }, { minutes: 90, perMinute: { 20: 1200 } }]), ...probes(330)],
          promql_expr_test: [
            { expr: firing(VOLUME), eval_time: '240m', exp_samples: [] },
            { expr: firing(VOLUME), eval_time: '300m', exp_samples: fired(VOLUME, 'warning') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  // ~70 requests an hour that stop altogether: a 100% drop, but too little traffic to mean anything.
  const quietDrop = (minRequests?: number) =>
    testRules(rulesFor({}, minRequests === undefined ? {} : { alerting: { lowTraffic: { minRequests } } }), {
      tests: [
        {
          interval: '1m',
          input_series: [...histogram([{ minutes: 240, perMinute: { 20: 1.2 } }, { minutes: 120, perMinute: {} }]), ...probes(360)],
          promql_expr_test: [{ expr: firing(VOLUME), eval_time: '340m', exp_samples: [] }],
        },
      ],
    });

  it('the volume ticket respects the low-traffic guard, and it is the guard that keeps it quiet', () => {
    const guarded = quietDrop();
    expect(guarded.ok, guarded.output).toBe(true);
    const unguarded = quietDrop(0);
    expect(unguarded.ok).toBe(false);
    expect(unguarded.output).toMatch(/time: 5h40m,\s*exp: nil\s*got: \{alertname="LinkerdControlPlaneRequestVolumeChange"/);
  });

  it('no latency series at all from the identity pod: the absent ticket fires', () => {
    const r = testRules(rulesFor(), {
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'up{job="linkerd-proxy"}', values: '1x30' }],
          promql_expr_test: [{ expr: firing(ABSENT), eval_time: '15m', exp_samples: fired(ABSENT, 'warning') }],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });
});

describe('control-plane latency config and output', () => {
  const errorOf = (latency: Latency, overrides: Partial<ConfigInput> = {}): ConfigError => thrown(ConfigError, () => rulesFor(latency, overrides));

  it('a threshold that is not a bucket bound is an error naming the nearest bounds', () => {
    const err = errorOf({ thresholdMs: 150 });
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toEqual(['slos', 'controlPlaneLatency', 'thresholdMs']);
    expect(err.message).toContain('test.yaml: slos.controlPlaneLatency.thresholdMs: 150 ms is not a bucket bound');
    expect(err.message).toContain('the nearest bounds are 100 and 200 ms');
  });

  it('per-component thresholds are checked too, and values outside the range name the one bound beside them', () => {
    const err = errorOf({ componentThresholdMs: { destination: 7, identity: 60000 }, spike: { enabled: false } });
    expect(err.issues.map((i) => i.path.join('.'))).toEqual([
      'slos.controlPlaneLatency.componentThresholdMs.destination',
      'slos.controlPlaneLatency.componentThresholdMs.identity',
    ]);
    expect(err.issues[0]!.message).toContain('the nearest bounds are 5 and 10 ms');
    expect(err.issues[1]!.message).toContain('the nearest bound is 50000 ms');
    expect(nearestBounds(0.5)).toEqual([1]);
  });

  it('every bucket bound is accepted (with the spike ticket off for the bounds it could never fire above)', () => {
    for (const thresholdMs of PROXY_LATENCY_BUCKETS_MS) {
      expect(() => rulesFor({ thresholdMs, spike: { enabled: thresholdMs * 3 < 50000 } })).not.toThrow();
    }
  });

  it('a spike limit beyond the largest finite bucket, an objective no alert can fire for and a baseline shorter than its window are errors', () => {
    const err = errorOf({ thresholdMs: 20000, objective: 90, volumeChange: { window: '2h', baseline: '1h' } });
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path.join('.'), i.message]));
    expect(byPath['slos.controlPlaneLatency.spike.factor']).toContain('60000 ms: the spike alert could never fire');
    expect(byPath['slos.controlPlaneLatency.objective']).toContain('could never fire');
    expect(byPath['slos.controlPlaneLatency.volumeChange.baseline']).toContain('must be longer than window 2h');
  });

  it('proxy-injector is not a latency component (its webhook port is opaque)', () => {
    expect(() => rulesFor({ components: ['proxy-injector' as 'identity'] })).toThrow(/components\[0\]: expected one of "destination", "policy", "identity"/);
  });

  it('matches both le renderings, one threshold per component, and writes one runbook per alert and a latency panel', () => {
    const gen = generated({ slos: { controlPlaneLatency: { components: ['identity', 'destination'], componentThresholdMs: { destination: 2000 } } } });
    const rules = gen.files.get('prometheus/linkerd-slo-test.rules.yaml')!;
    expect(rules).toContain('control_plane_component="identity", direction="inbound", target_port="8080", le=~"1000(\\\\.0)?"');
    expect(rules).toContain('control_plane_component="destination", direction="inbound", target_port="8086", le=~"2000(\\\\.0)?"');
    for (const alert of [BURN, SPIKE, VOLUME, ABSENT]) expect(gen.files.get(`runbooks/${alert}.md`), alert).toContain(`# ${alert}`);
    expect(gen.files.get(`runbooks/${BURN}.md`)).toContain('| destination | 8086 | 2000 ms | Get and GetProfile watch streams');
    expect(gen.files.get('runbooks/LinkerdControlPlaneErrorBudgetBurn.md')).toBeDefined();
    const dashboard = gen.files.get('grafana/linkerd-slo-test.json')!;
    expect(dashboard).toContain('Latency percentiles: identity');
    expect(dashboard).toContain('Latency percentiles: destination');
  });

  it('disabled, it generates nothing and checks nothing', () => {
    const rules = rulesFor({ enabled: false, thresholdMs: 150 });
    expect(rules).not.toContain('control-plane-latency');
  });
});
