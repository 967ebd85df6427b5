/**
 * Mutation checks: for every SLO kind, an independent promtool scenario (input series from
 * test/support/linkerd-series.ts, i.e. what Linkerd exposes, not the rules' own selectors) passes
 * against the generated rules, and fails once the rules are broken the ways a generator bug breaks
 * them: a wrong metric name, a wrong selector label, a wrong threshold, a wrong window. A mutation
 * that no test notices would mean the kind's tests cannot fail for that kind of bug.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/config/schema.js';
import { DEFAULT_KINDS_OFF, firing, generated, ruleFileOf, type Slos } from './support/bundle.js';
import { alertingKinds } from './support/kinds.js';
import {
  APP_POD,
  CONTROL_PLANE,
  PROXY_LATENCY_BUCKETS_MS,
  appProxy,
  certExpiryMetric,
  controlBalancerEndpoints,
  controlPlaneServerLatencyBucket,
  controlPlaneServerResponses,
  controllerUp,
  controlResponses,
  httpOutcome,
  inboundLabels,
  processCpu,
  proxyTarget,
  series,
  type Version,
} from './support/linkerd-series.js';
import { counter, requirePromtool, testRules, type UnitTestFile } from './support/promtool.js';

const VERSION = '2.18' satisfies Version;

/** 1 request/second for an hour, every request bad for 15 minutes, then good again until 2h. */
const BLIP: ReadonlyArray<readonly [number, number]> = [[60, 60], [15, 0], [45, 60]];
const BLIP_BAD: ReadonlyArray<readonly [number, number]> = [[60, 0], [15, 60], [45, 0]];

/**
 * The burn-rate checks shared by the ratio kinds on the BLIP traffic: quiet before, the 1h page
 * during the outage, and the 1h page gone 17 minutes after recovery: its short window empties within
 * 5-6 minutes (SRE Workbook ch. 5 "Alerting on SLOs", multiwindow alerts and reset time), then it fires
 * on for the pages' keep_firing_for (10m).
 */
function blipChecks(alert: string, matchers: string) {
  const page = firing(alert, 'severity, long', `, severity="critical", long="1h"${matchers}`);
  return [
    { expr: firing(alert, 'alertname', matchers), eval_time: '59m', exp_samples: [] },
    { expr: page, eval_time: '74m', exp_samples: [{ labels: '{severity="critical", long="1h"}', value: 1 }] },
    { expr: page, eval_time: '92m', exp_samples: [] },
  ];
}

interface Mutation { readonly name: string; readonly from: RegExp | string; readonly to: string }
interface KindCase {
  readonly kind: string;
  /** The registered kind (SloKind.id) whose rules the case breaks. */
  readonly id: string;
  readonly config: ConfigInput;
  readonly scenario: UnitTestFile;
  readonly mutations: readonly Mutation[];
}

/** Only the kind under test on: every kind on by default is turned off (derived from the registry). */
const only = (slos: Slos): Slos => ({ ...DEFAULT_KINDS_OFF, ...slos });
const scenario = (input_series: Array<{ series: string; values: string }>, promql_expr_test: unknown[]): UnitTestFile => ({
  tests: [{ interval: '1m', input_series, promql_expr_test }],
});

const dst = CONTROL_PLANE.destination;
const identity = CONTROL_PLANE.identity;
const web = { namespace: APP_POD.namespace, pod: APP_POD.pod, ip: APP_POD.ip, owner: { deployment: APP_POD.deployment } };
const webClient = { serviceAccount: 'vote-bot', namespace: APP_POD.namespace };

/** Identity's inbound latency histogram: requests at 20 ms, at 3 s during the blip. */
function identityLatency() {
  const bounds: Array<number | '+Inf'> = [...PROXY_LATENCY_BUCKETS_MS, '+Inf'];
  const within = (le: number | '+Inf', ms: number) => le === '+Inf' || ms <= le;
  return bounds.map((le) => ({
    series: controlPlaneServerLatencyBucket(VERSION, identity, le),
    values: counter([[60, within(le, 20) ? 60 : 0], [15, within(le, 3000) ? 60 : 0], [45, within(le, 20) ? 60 : 0]]),
  }));
}

const CASES: KindCase[] = [
  {
    kind: 'control-plane success rate',
    id: 'control-plane-success-rate',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ controlPlaneSuccessRate: {} }) },
    scenario: scenario(
      [
        { series: controlPlaneServerResponses(VERSION, dst, 'success'), values: counter(BLIP) },
        { series: controlPlaneServerResponses(VERSION, dst, 'failure'), values: counter(BLIP_BAD) },
        { series: controlResponses('destination', 'success'), values: counter(BLIP) },
        { series: controlResponses('destination', 'failure'), values: counter(BLIP_BAD) },
      ],
      [...blipChecks('LinkerdControlPlaneErrorBudgetBurn', ', sli="server", component="destination"'), ...blipChecks('LinkerdControlPlaneErrorBudgetBurn', ', sli="client", component="destination"')],
    ),
    mutations: [
      { name: 'metric name', from: /\bresponse_total\{/g, to: 'responses_total{' },
      { name: 'selector label', from: 'direction="inbound"', to: 'direction="outbound"' },
      { name: 'server port', from: 'target_port="8086"', to: 'target_port="9996"' },
      { name: 'threshold', from: / > 14\.4\b/g, to: ' > 14400' }, // above any burn rate a 99.9% objective allows (1000x)
      { name: 'window', from: /\[5m\]/g, to: '[30m]' },
    ],
  },
  {
    kind: 'control-plane latency',
    id: 'control-plane-latency',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ controlPlaneLatency: { components: ['identity'] } }) },
    scenario: scenario(identityLatency(), blipChecks('LinkerdControlPlaneLatencyBudgetBurn', ', sli="server", component="identity"')),
    mutations: [
      { name: 'metric name', from: /\bresponse_latency_ms_bucket\b/g, to: 'response_latency_seconds_bucket' },
      { name: 'selector label', from: 'control_plane_component="identity"', to: 'control_plane_component="destination"' },
      { name: 'threshold (bucket bound)', from: /le=~"1000\(/g, to: 'le=~"5000(' },
      { name: 'window', from: /\[5m\]/g, to: '[30m]' },
    ],
  },
  {
    kind: 'certificates',
    id: 'certificates',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ certificates: {} }) },
    // Two proxies: one certificate with 3h left (below the 6h ticket threshold), one fresh (24h).
    scenario: scenario(
      [
        { series: series(certExpiryMetric(VERSION), appProxy()), values: '10800x40' },
        { series: series(certExpiryMetric(VERSION), proxyTarget({ namespace: 'emojivoto', pod: 'voting-5c6d7e8f9-p4q5r', ip: '10.42.1.10', owner: { deployment: 'voting' } })), values: '86400x40' },
      ],
      [
        { expr: firing('LinkerdProxyCertificateExpiringSoon', 'pod'), eval_time: '5m', exp_samples: [] },
        { expr: firing('LinkerdProxyCertificateExpiringSoon', 'pod'), eval_time: '30m', exp_samples: [{ labels: `{pod="${APP_POD.pod}"}`, value: 1 }] },
      ],
    ),
    mutations: [
      { name: 'metric name', from: /\bcontrol_identity_cert_expiration_timestamp_seconds\b/g, to: 'identity_cert_expiration_timestamp_seconds' },
      { name: 'selector label', from: 'job="linkerd-proxy"', to: 'job="linkerd-controller"' },
      { name: 'threshold', from: /\b21600\b/g, to: '3600' },
    ],
  },
  {
    kind: 'control-plane availability',
    id: 'control-plane-availability',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ controlPlaneAvailability: {} }) },
    // destination's only replica stops answering its scrape; identity and the injector stay up.
    scenario: scenario(
      [
        { series: controllerUp(dst), values: '1x10 0x30' },
        { series: controllerUp(identity), values: '1x40' },
        { series: controllerUp(CONTROL_PLANE['proxy-injector']), values: '1x40' },
      ],
      [
        { expr: firing('LinkerdControlPlaneComponentDown', 'component', ', severity="critical"'), eval_time: '10m', exp_samples: [] },
        { expr: firing('LinkerdControlPlaneComponentDown', 'component', ', severity="critical"'), eval_time: '30m', exp_samples: [{ labels: '{component="destination"}', value: 1 }] },
      ],
    ),
    mutations: [
      { name: 'selector label', from: 'job="linkerd-controller"', to: 'job="linkerd-proxy"' },
      { name: 'metric name', from: /\bup\{/g, to: 'scrape_up{' },
      { name: 'threshold', from: /\) == 0\b/g, to: ') == -1' },
    ],
  },
  {
    kind: 'control-plane availability, the proxies\' view',
    id: 'control-plane-availability',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ controlPlaneAvailability: {} }) },
    // From minute 10, three of four proxies hold only pending destination endpoints (cut off by a NetworkPolicy); the fourth keeps one ready.
    scenario: (() => {
      const proxies = ['web-6b8f7c9d4-x2x9z', 'emoji-5d9b8c7f6-k8m2n', 'voting-7c6d5e4f3-p9q8r', 'vote-bot-8e7f6a5b4-s1t2u'].map((pod, i) =>
        proxyTarget({ namespace: 'emojivoto', pod, ip: `10.42.1.${10 + i}`, owner: { deployment: pod.split('-').slice(0, -2).join('-') } }));
      return scenario(
        proxies.flatMap((p, i) => [
          { series: controlBalancerEndpoints('destination', 'ready', p), values: i < 3 ? '1x9 0x31' : '1x40' },
          { series: controlBalancerEndpoints('destination', 'pending', p), values: i < 3 ? '0x9 1x31' : '0x40' },
        ]),
        [
          { expr: firing('LinkerdProxiesLostControlPlane', 'component'), eval_time: '10m', exp_samples: [] },
          { expr: firing('LinkerdProxiesLostControlPlane', 'component'), eval_time: '20m', exp_samples: [{ labels: '{component="destination"}', value: 1 }] },
        ],
      );
    })(),
    mutations: [
      { name: 'metric name', from: /\bcontrol_destination_balancer_endpoints\b/g, to: 'control_destination_balancer_endpoint' },
      { name: 'selector label', from: /endpoint_state="ready"/g, to: 'endpoint_state="pending"' },
      { name: 'threshold', from: /\) > 0\.5\b/g, to: ') > 0.9' },
    ],
  },
  {
    kind: 'proxy resources',
    id: 'proxy-resources',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ proxyResources: {} }) },
    // One proxy burns half a core at 1 request/second (budget 0.1 + 0.25 per 1,000 rps), another 0.02.
    scenario: (() => {
      const idle = proxyTarget({ namespace: 'emojivoto', pod: 'voting-5c6d7e8f9-p4q5r', ip: '10.42.1.10', owner: { deployment: 'voting' } });
      const requests = (target: ReturnType<typeof appProxy>) =>
        series('request_total', { ...target, ...inboundLabels(VERSION, { ip: target.instance!.split(':')[0]!, port: 8080 }, webClient) });
      return scenario(
        [
          { series: processCpu(appProxy()), values: counter([[130, 30]]) },
          { series: requests(appProxy()), values: counter([[130, 60]]) },
          { series: processCpu(idle), values: counter([[130, 1.2]]) },
          { series: requests(idle), values: counter([[130, 60]]) },
        ],
        [
          { expr: firing('LinkerdProxyOverResourceBudget', 'pod', ', resource="cpu"'), eval_time: '30m', exp_samples: [] },
          { expr: firing('LinkerdProxyOverResourceBudget', 'pod', ', resource="cpu"'), eval_time: '120m', exp_samples: [{ labels: `{pod="${APP_POD.pod}"}`, value: 1 }] },
        ],
      );
    })(),
    mutations: [
      { name: 'metric name', from: /\bprocess_cpu_seconds_total\b/g, to: 'process_cpu_seconds' },
      { name: 'selector label', from: /job="linkerd-proxy"/g, to: 'job="linkerd-controller"' },
      { name: 'threshold', from: /\(0\.1 \+ /g, to: '(10 + ' },
    ],
  },
  {
    kind: 'workloads',
    id: 'workloads',
    config: { cluster: 'test', linkerd: { version: VERSION }, slos: only({ workloads: { list: [{ namespace: APP_POD.namespace, deployment: APP_POD.deployment }] } }) },
    scenario: scenario(
      [
        { series: series('response_total', { ...appProxy(), ...inboundLabels(VERSION, { ip: web.ip, port: 8080 }, webClient), ...httpOutcome('success') }), values: counter(BLIP) },
        { series: series('response_total', { ...appProxy(), ...inboundLabels(VERSION, { ip: web.ip, port: 8080 }, webClient), ...httpOutcome('failure') }), values: counter(BLIP_BAD) },
        { series: series('process_start_time_seconds', appProxy()), values: '1700000000x120' },
      ],
      blipChecks('LinkerdWorkloadErrorBudgetBurn', `, namespace="${APP_POD.namespace}", deployment="${APP_POD.deployment}"`),
    ),
    mutations: [
      { name: 'metric name', from: /\bresponse_total\{/g, to: 'responses_total{' },
      { name: 'selector label', from: /direction="inbound"/g, to: 'direction="outbound"' },
      { name: 'threshold', from: / > 14\.4\b/g, to: ' > 14400' }, // above any burn rate a 99.9% objective allows (1000x)
      { name: 'window', from: /\[5m\]/g, to: '[30m]' },
    ],
  },
  {
    kind: 'custom',
    id: 'custom',
    config: {
      cluster: 'test',
      slos: only({
        custom: [{ name: 'checkout-availability', objective: 99.9, period: '30d', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' }],
      }),
    },
    // The application's own counter (client_golang's promhttp labels), not a Linkerd family.
    scenario: scenario(
      [
        { series: 'http_requests_total{job="checkout", instance="10.42.2.3:8080", code="200", method="get"}', values: counter(BLIP) },
        { series: 'http_requests_total{job="checkout", instance="10.42.2.3:8080", code="503", method="get"}', values: counter(BLIP_BAD) },
      ],
      blipChecks('LinkerdCustomSLOErrorBudgetBurn', ', slo="checkout-availability"'),
    ),
    mutations: [
      { name: 'metric name', from: /\bhttp_requests_total\{/g, to: 'http_request_total{' },
      { name: 'selector label', from: /code=~"5\.\."/g, to: 'code=~"4.."' },
      { name: 'threshold', from: / > 14\.4\b/g, to: ' > 14400' }, // above any burn rate a 99.9% objective allows (1000x)
      { name: 'window', from: /\[5m\]/g, to: '[30m]' },
    ],
  },
];

function mutate(text: string, m: Mutation): string {
  const next = typeof m.from === 'string' ? text.replaceAll(m.from, m.to) : text.replace(m.from, m.to);
  if (next === text) throw new Error(`mutation "${m.name}" (${String(m.from)}) changes nothing in the rules: update it to the rules' current shape`);
  return next;
}

describe('every kind\'s independent scenario catches a broken rule', () => {
  beforeAll(requirePromtool);

  // The kinds come from the registry (test/support/kinds.ts): a kind whose rules raise an alert with
  // every option on needs a case here, written from what Linkerd exposes, not from its rules.
  it('has a case for every registered kind that raises an alert', () => {
    const kinds = alertingKinds();
    expect(kinds.length).toBeGreaterThanOrEqual(7);
    expect(kinds.filter((id) => !CASES.some((c) => c.id === id)), 'kinds without a mutation case').toEqual([]);
  });

  describe.each(CASES)('$kind', ({ config, scenario: tests, mutations }) => {
    const rules = ruleFileOf(generated(config));

    it('the scenario passes against the generated rules', () => {
      const r = testRules(rules, tests);
      expect(r.ok, r.output).toBe(true);
    });

    it.each(mutations.map((m) => [m.name, m] as const))('fails with a broken %s', (_, m) => {
      const r = testRules(mutate(rules, m), tests);
      expect(r.ok, `promtool still passes with ${m.name} mutated (${String(m.from)} → ${m.to})`).toBe(false);
      // It fails on an expectation, not because the mutated file no longer loads.
      expect(r.output).toMatch(/expr: "/);
    });
  });
});
