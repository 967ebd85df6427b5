/**
 * The proxy's admin server (port 4191: kubelet probes, Prometheus scrapes) is metered as inbound
 * traffic of the pod (linkerd/linkerd2-proxy `linkerd/app/admin/src/stack.rs`; a real scrape,
 * linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`). Counted in a workload's SLI it
 * dilutes real failures below every page threshold. These scenarios run the real promtool on the
 * label sets of test/support/linkerd-series.ts (the real scrape's admin series beside real traffic).
 *
 * The example: 3 replicas, ~210 real requests an hour of which 1 in 7 fail, and 18 admin
 * requests a minute per pod. Filtered: 14% errors, far above the 1.44% a 99.9% page needs. Counted
 * with the admin traffic: 0.5 / (3.5 + 54) ≈ 0.87% per minute, under it: no page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import {
  ADMIN_REQUESTS_PER_MINUTE, adminInboundLabels, adminResponses, httpOutcome, inboundLabels, proxyTarget, series, type Labels, type Version,
} from '../../../test/support/linkerd-series.js';
import { counter, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { DEFAULT_KINDS_OFF, generated, ruleFileOf } from '../../../test/support/bundle.js';

const BURN = 'LinkerdWorkloadErrorBudgetBurn';
const LATENCY_BURN = 'LinkerdWorkloadLatencyBudgetBurn';
const REPLICAS = ['web-6b8f7c9d4-x2x9z', 'web-6b8f7c9d4-p7k4m', 'web-6b8f7c9d4-t9q2w'];
const target = (pod: string, i: number): Labels =>
  proxyTarget({ namespace: 'emojivoto', pod, ip: `10.42.1.${10 + i}`, owner: { deployment: 'web' }, extra: { pod_template_hash: '6b8f7c9d4' } });
const client = { serviceAccount: 'vote-bot', namespace: 'emojivoto' };

function rules(version: Version, sli: 'successRate' | 'latency', linkerd: Partial<NonNullable<ConfigInput['linkerd']>> = {}): string {
  const off = sli === 'successRate' ? { latency: { enabled: false } } : { successRate: { enabled: false } };
  return ruleFileOf(generated({
    cluster: 'test',
    linkerd: { version: version as NonNullable<ConfigInput['linkerd']>['version'], ...linkerd },
    slos: { ...DEFAULT_KINDS_OFF, workloads: { list: [{ namespace: 'emojivoto', deployment: 'web' }], classes: { HIGH_FAST: off } } },
  }, 't.yaml'));
}

/** Per pod, per minute: 1 real success, 1/6 of a real failure (3.5 requests a minute in all, 1 in 7 failing), and the admin server's probes and scrapes. */
function traffic(version: Version, adminPort = 4191) {
  const minutes = 80;
  return REPLICAS.flatMap((pod, i) => {
    const t = target(pod, i);
    const app = inboundLabels(version, { ip: `10.42.1.${10 + i}`, port: 8080 }, client);
    return [
      { series: series('response_total', { ...t, ...app, ...httpOutcome('success') }), values: counter([[minutes, 1]]) },
      { series: series('response_total', { ...t, ...app, ...httpOutcome('failure') }), values: counter([[minutes, 1 / 6]]) },
      { series: adminResponses(version, t, adminPort), values: counter([[minutes, ADMIN_REQUESTS_PER_MINUTE]]) },
      // Latency: the real requests take 300 ms, above the 200 ms of HIGH_FAST; probes answer within 1 ms.
      ...(['1', '200', '300', '+Inf'] as const).map((le) => ({
        series: series('response_latency_ms_bucket', { ...t, ...app, status_code: '200', le }),
        values: counter([[minutes, le === '300' || le === '+Inf' ? 7 / 6 : 0]]),
      })),
      ...(['1', '200', '300', '+Inf'] as const).map((le) => ({
        series: series('response_latency_ms_bucket', { ...t, ...adminInboundLabels(version, adminPort), status_code: '200', le }),
        values: counter([[minutes, ADMIN_REQUESTS_PER_MINUTE]]),
      })),
      { series: series('process_start_time_seconds', t), values: `1700000000+0x${minutes}` },
    ];
  });
}

const page = (alert: string) =>
  `count by (alertname, namespace, deployment) (ALERTS{alertname="${alert}", alertstate="firing", severity="critical", long="1h"})`;

function scenario(ruleText: string, version: Version, alert: string, adminPort = 4191) {
  return testRules(ruleText, {
    tests: [{
      interval: '1m',
      input_series: traffic(version, adminPort),
      promql_expr_test: [{ expr: page(alert), eval_time: '75m', exp_samples: [{ labels: `{alertname="${alert}", namespace="emojivoto", deployment="web"}`, value: 1 }] }],
    }],
  });
}

describe('workload SLIs leave out the proxy admin server (probes, scrapes)', () => {
  beforeAll(requirePromtool);

  for (const version of ['2.20', '2.10'] as const) {
    it(`${version}: 1 in 7 real requests failing pages; counting the admin traffic (port set elsewhere) it would not`, () => {
      const filtered = scenario(rules(version, 'successRate'), version, BURN);
      expect(filtered.ok, filtered.output).toBe(true);
      // The same data read by an SLI that does not leave out port 4191 (it leaves out 9999 instead).
      const unfiltered = scenario(rules(version, 'successRate', { proxyAdminPort: 9999 }), version, BURN);
      expect(unfiltered.ok).toBe(false);
      expect(unfiltered.output).toMatch(/exp: \{alertname="LinkerdWorkloadErrorBudgetBurn"[^}]*\} 1E\+00\s*got: nil/);
    });
  }

  it('latency: every real request slower than the threshold pages although the probes are fast', () => {
    const filtered = scenario(rules('2.20', 'latency'), '2.20', LATENCY_BURN);
    expect(filtered.ok, filtered.output).toBe(true);
    const unfiltered = scenario(rules('2.20', 'latency', { proxyAdminPort: 9999 }), '2.20', LATENCY_BURN);
    expect(unfiltered.ok).toBe(false);
  });

  it('a configured admin port (config.linkerd.io/admin-port) is the one left out', () => {
    const r = scenario(rules('2.20', 'successRate', { proxyAdminPort: 4291 }), '2.20', BURN, 4291);
    expect(r.ok, r.output).toBe(true);
  });
});
