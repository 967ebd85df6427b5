/**
 * The budget-exhausted ticket under the real promtool (Debian's 2.42 and the pinned Prometheus 3):
 * an SLO on an application's own counters (a custom SLO: a checkout API's http_requests_total, as
 * a Prometheus client library exposes it) spends its whole budget in a 30-minute outage; the ticket
 * fires, stays while the outage is inside the rolling period, and resolves once it has left it.
 * And the policy text lands in the runbook inert.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { buildContext, generate } from '../generate.js';
import { custom as customKind } from '../slo/custom/index.js';
import { prometheusRuleFile } from '../emit/rule-files.js';
import { checkRules, counter, requirePromtool, testRules } from '../../test/support/promtool.js';
import { firing, rows } from '../../test/support/bundle.js';

const EXHAUSTED = 'LinkerdCustomSLOErrorBudgetExhausted';
// A 1d period keeps the scenario short; windows fit inside it (the default 1d and 3d tickets do not).
const WINDOWS = [
  { severity: 'page', long: '1h', short: '5m', budgetConsumed: 5 },
  { severity: 'ticket', long: '6h', short: '30m', budgetConsumed: 10, for: '30m' },
];
const CHECKOUT = { name: 'checkout', objective: 99, period: '1d', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' };

function rules(): string {
  const config = validateConfig({ cluster: 'test', alerting: { windows: WINDOWS }, slos: { custom: [CHECKOUT] } }, 'test.yaml');
  return prometheusRuleFile(customKind.build(buildContext(config)).ruleGroups, 'test.yaml');
}

const series = (code: string) => `http_requests_total{job="checkout", instance="10.0.0.3:8080", code="${code}"}`;
const DAY = 1440;
const at = (minutes: number) => `${minutes}m`;

describe('the budget-exhausted ticket', () => {
  beforeAll(requirePromtool);

  it('passes promtool check rules (its templates parse)', () => {
    const r = checkRules(rules());
    expect(r.ok, r.output).toBe(true);
  });

  it('fires once an outage spends the budget, stays while the outage is inside the 1d period, resolves after it leaves', () => {
    // 100 requests a minute throughout; from minute 60 to 90 every one fails (3,000 errors: the 1d
    // budget at 99% is 1% of 144,000 requests = 1,440 errors, spent twice over).
    const minutes = DAY + 240;
    const ok = counter([[60, 100], [30, 0], [minutes - 90, 100]]);
    const failed = counter([[60, 0], [30, 100], [minutes - 90, 0]]);
    const alert = firing(EXHAUSTED, 'slo, severity, period');
    const labels = 'slo="checkout", severity="warning", period="1d"';
    const r = testRules(rules(), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: series('200'), values: ok },
            { series: series('503'), values: failed },
          ],
          promql_expr_test: [
            // Healthy: nothing.
            { expr: `count(ALERTS{alertname="${EXHAUSTED}"})`, eval_time: at(59), exp_samples: [] },
            // After the outage: spent, and the ticket fires (for: 10m).
            { expr: alert, eval_time: at(100), exp_samples: rows(labels) },
            // A day later the outage is still inside the period: still firing, though nothing fails now.
            { expr: alert, eval_time: at(DAY + 55), exp_samples: rows(labels) },
            // The outage has left the 1d window (minute DAY+90) and keep_firing_for (1h) has passed.
            { expr: `count(ALERTS{alertname="${EXHAUSTED}"})`, eval_time: at(DAY + 90 + 65), exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  }, 300_000);

  it('the runbook renders each SLO\'s policy, config Markdown made inert', () => {
    const policy = { freeze: 'All *deploys* of [checkout](https://evil.example) <b>stop</b>', decides: 'The payments lead', notes: '# not a heading' };
    const gen = generate(validateConfig({ cluster: 'test', slos: { custom: [{ ...CHECKOUT, period: '30d', budgetPolicy: policy }] } }, 'test.yaml'), 'test.yaml');
    const page = gen.files.get(`runbooks/${EXHAUSTED}.md`)!;
    expect(page).toContain('- **What is frozen:** All \\*deploys\\* of \\[checkout\\]\\(https://evil.example\\) &lt;b&gt;stop&lt;/b&gt;');
    expect(page).toContain('- **Who decides:** The payments lead');
    expect(page).not.toMatch(/^# not a heading/m);
    // The default policy fills what the SLO leaves out.
    const control = gen.files.get('runbooks/LinkerdControlPlaneErrorBudgetExhausted.md')!;
    expect(control).toContain('name it here \\(alerting.budgetPolicy.decides\\)');
  });
});
