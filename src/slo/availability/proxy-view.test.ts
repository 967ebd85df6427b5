/**
 * Issue #21 item 7: the data plane's view of the control plane. The real promtool runs the generated
 * rules over series written from what a proxy exports (test/support/linkerd-series.ts: the gauges'
 * label sets at linkerd/linkerd2-proxy release/v2.221.0 and release/v2.359.0), never from the rule's
 * selectors. The noise it must ignore: an application Service without endpoints (the proxy's own
 * outbound balancer, same `endpoint_state` label), one proxy that cannot reach the controllers, and the
 * controllers' own scrape, which stays up throughout (the outage users feel while `up` is 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_VERSIONS } from '../../linkerd/catalog.js';
import { AVAILABILITY_RULE_GROUP } from './names.js';
import { requirePromtool, testRules } from '../../../test/support/promtool.js';
import { DEFAULT_KINDS_OFF, firing, generated, onlyGroups, ruleFileOf, rows, rulesOf } from '../../../test/support/bundle.js';
import {
  CONTROL_PLANE, controlBalancerEndpoints, controllerUp, outboundBalancerEndpoints, proxyTarget, type Labels,
} from '../../../test/support/linkerd-series.js';

const ALERT = 'LinkerdProxiesLostControlPlane';

const rules = (version: string): string =>
  onlyGroups(ruleFileOf(generated({ cluster: 'test', linkerd: { version: version as never }, slos: { ...DEFAULT_KINDS_OFF, controlPlaneAvailability: {} } })), AVAILABILITY_RULE_GROUP);

/** Four meshed application pods of emojivoto. */
const PODS: readonly Labels[] = [
  { pod: 'web-6b8f7c9d4-x2x9z', ip: '10.42.1.9', deployment: 'web' },
  { pod: 'emoji-5d9b8c7f6-k8m2n', ip: '10.42.1.10', deployment: 'emoji' },
  { pod: 'voting-7c6d5e4f3-p9q8r', ip: '10.42.2.11', deployment: 'voting' },
  { pod: 'vote-bot-8e7f6a5b4-s1t2u', ip: '10.42.2.12', deployment: 'vote-bot' },
].map((p) => proxyTarget({ namespace: 'emojivoto', pod: p.pod!, ip: p.ip!, owner: { deployment: p.deployment! }, extra: { pod_template_hash: p.pod!.split('-').at(-2)! } }));

type Client = 'destination' | 'policy' | 'identity';
const CLIENTS: readonly Client[] = ['destination', 'policy', 'identity'];

/** One proxy's view of one client: [ready, pending] per minute as promtool series values. */
const view = (client: Client, from: Labels, ready: string, pending: string) => [
  { series: controlBalancerEndpoints(client, 'ready', from), values: ready },
  { series: controlBalancerEndpoints(client, 'pending', from), values: pending },
];

/** Healthy for 60 minutes: every client of every proxy holds one ready endpoint. */
const healthy = (client: Client, from: Labels) => view(client, from, '1x60', '0x60');

/** Noise every scenario carries: the controllers answer their scrape, and web's backend Service has no endpoints. */
const noise = [
  ...Object.values(CONTROL_PLANE).map((c) => ({ series: controllerUp(c), values: '1x60' })),
  { series: outboundBalancerEndpoints({ namespace: 'emojivoto', name: 'voting-svc', port: 8080 }, 'ready', PODS[0]), values: '0x60' },
  { series: outboundBalancerEndpoints({ namespace: 'emojivoto', name: 'voting-svc', port: 8080 }, 'pending', PODS[0]), values: '1x60' },
];

describe('the data plane\'s view of the control plane (issue #21 item 7)', () => {
  beforeAll(requirePromtool);

  it('pages per client when most proxies lose every ready endpoint for 5m, while the controllers stay up', () => {
    // Minute 10: a NetworkPolicy blocks the destination port from three of four pods (endpoints stay
    // pending), and identity's headless Service loses its endpoints for all of them (both gauges 0).
    const series = [
      ...noise,
      ...PODS.flatMap((p, i) => (i < 3 ? view('destination', p, '1x9 0x51', '0x9 1x51') : healthy('destination', p))),
      ...PODS.flatMap((p) => view('identity', p, '1x9 0x51', '0x60')),
      ...PODS.flatMap((p) => healthy('policy', p)),
    ];
    const r = testRules(rules('2.20'), {
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            // Pending from minute 10; `for: 5m` not yet over at minute 13.
            { expr: firing(ALERT, 'severity, component'), eval_time: '13m', exp_samples: [] },
            { expr: firing(ALERT, 'severity, component'), eval_time: '16m', exp_samples: rows('severity="critical", component="destination"', 'severity="critical", component="identity"') },
            { expr: firing('LinkerdControlPlaneComponentDown', 'component'), eval_time: '16m', exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('stays quiet on a healthy mesh, with one proxy cut off and an application Service without endpoints', () => {
    const series = [
      ...noise,
      ...CLIENTS.flatMap((c) => PODS.flatMap((p, i) => (i === 3 ? view(c, p, '0x60', '1x60') : healthy(c, p)))),
    ];
    const r = testRules(rules('2.20'), {
      tests: [{ interval: '1m', input_series: series, promql_expr_test: [{ expr: firing(ALERT, 'component'), eval_time: '50m', exp_samples: [] }] }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('is generated from 2.15 only: proxies of 2.14 and older export no such gauge', () => {
    for (const version of SUPPORTED_VERSIONS) {
      const alerts = rulesOf(rules(version)).filter((rule) => rule.alert === ALERT);
      const minor = Number(version.split('.')[1]);
      expect(alerts.map((a) => a.labels?.component), version).toEqual(minor >= 15 ? CLIENTS : []);
    }
    expect(SUPPORTED_VERSIONS).toContain('2.14');
    expect(SUPPORTED_VERSIONS).toContain('2.15');
  });
});
