/**
 * One page per incident (issue #23): an error ratio that hovers at the 1h/5m page's threshold makes the
 * 5m window dip below it for a few minutes while the incident goes on. Without keep_firing_for the page
 * resolves and fires again (a second notification for the same incident); with the default
 * keep_firing_for of the pages it fires on through the dip. Proven by the real promtools (Prometheus 3
 * when built, and Debian's 2.42: test/support/promtool.ts runs both and fails when they disagree) on
 * destination's inbound response_total as its proxy exposes it (test/support/linkerd-series.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { counter, requirePromtool, testRules } from './support/promtool.js';
import { generated, ruleFileOf } from './support/bundle.js';
import { CONTROL_PLANE, controlPlaneServerResponses } from './support/linkerd-series.js';
import { DEFAULT_WINDOWS } from '../src/config/schema.js';

const BURN = 'LinkerdControlPlaneErrorBudgetBurn';
const destination = CONTROL_PLANE.destination;
const firingPages = `count by (long) (ALERTS{alertname="${BURN}", alertstate="firing", severity="critical", sli="server", component="destination"})`;
const only = { controlPlaneLatency: { enabled: false }, controlPlaneAvailability: { enabled: false }, proxyResources: { enabled: false }, certificates: { enabled: false } };

/** The default windows, or the same without keep_firing_for (the engine's default: resolve at once). */
const rules = (keep: boolean) =>
  ruleFileOf(generated({
    cluster: 'test',
    slos: only,
    alerting: { windows: DEFAULT_WINDOWS.map((w) => { const { keepFiringFor, ...rest } = w as typeof w & { keepFiringFor?: string }; return keep && keepFiringFor ? { ...rest, keepFiringFor } : rest; }) },
  }));

// Seven hours of one-minute samples through two promtools: minutes on a loaded machine (timeouts below).
// 1 request/s. 6 h healthy, then 3% errors (20x burn: the 1h/5m page fires ~29 min in; the 6h window stays
// below its 0.6% threshold for the whole incident, so the 1h/5m pair alone carries the page), a 7-minute
// dip without errors in the middle of the incident, then 3% again.
const PHASES: Array<readonly [minutes: number, failures: number]> = [[360, 0], [40, 1.8], [7, 0], [30, 1.8]];
const series = [
  { series: controlPlaneServerResponses('2.18', destination, 'success'), values: counter(PHASES.map(([m, f]) => [m, 60 - f] as const)) },
  { series: controlPlaneServerResponses('2.18', destination, 'failure'), values: counter(PHASES.map(([m, f]) => [m, f] as const)) },
];
const page1h = [{ labels: '{long="1h"}', value: 1 }];

describe('one page per incident: keep_firing_for on the pages', () => {
  beforeAll(requirePromtool);

  it('the default pages carry keep_firing_for', () => {
    expect(rules(true)).toMatch(/keep_firing_for: 10m/);
    // Without it on the windows, only the budget-exhausted tickets keep theirs (1h, docs/budget-policy.md).
    expect(rules(false)).not.toMatch(/keep_firing_for: 10m/);
    expect((rules(false).match(/keep_firing_for: /g) ?? []).length).toBe((rules(false).match(/alert: \w+BudgetExhausted$/gm) ?? []).length);
  });

  it('without keep_firing_for the page resolves in the dip and fires again: two notifications', () => {
    const r = testRules(rules(false), {
      tests: [{
        interval: '1m',
        input_series: series,
        promql_expr_test: [
          { expr: firingPages, eval_time: '395m', exp_samples: page1h },
          { expr: firingPages, eval_time: '406m', exp_samples: [] },
          { expr: firingPages, eval_time: '425m', exp_samples: page1h },
        ],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  }, 240_000);

  it('with the default keep_firing_for the page fires on through the dip: one notification', () => {
    const r = testRules(rules(true), {
      tests: [{
        interval: '1m',
        input_series: series,
        promql_expr_test: [
          { expr: firingPages, eval_time: '395m', exp_samples: page1h },
          ...[400, 403, 406, 409, 412, 415, 425].map((m) => ({ expr: firingPages, eval_time: `${m}m`, exp_samples: page1h })),
        ],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  }, 240_000);
});
