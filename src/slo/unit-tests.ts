/**
 * promtool unit tests generated for the user's own bundle (out/tests/), so a team that edits
 * its config can prove in its own CI that the burn-rate alerts still fire on an outage and stay
 * quiet on healthy traffic. Our hand-written scenario tests (test/) remain the real proof of the
 * maths; these are a smoke test that travels with the rules.
 */
import type { Selector } from '../promql/ast.js';
import { errorBudget, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import type { AlertWindow } from './burn-rate.js';

/** One raw input series: per-minute increments while healthy and during the outage. */
export interface FixtureSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly healthy: number;
  readonly outage: number;
}

/** promtool's unit-test entry (one element of `tests:`). */
export type PromtoolTest = Record<string, unknown>;

/**
 * Concrete labels for a selector: its equality matchers, plus values for its regex matchers
 * (checked against the regex, so a fixture cannot silently miss the selector).
 */
export function fixtureLabels(sel: Selector, regexValues: Readonly<Record<string, string>> = {}): Record<string, string> {
  const labels: Record<string, string> = { __name__: sel.metric ?? '' };
  for (const m of sel.matchers) {
    if (m.op === '=') labels[m.label] = m.value;
    else if (m.op === '=~') {
      const value = regexValues[m.label];
      if (value === undefined || !new RegExp(`^(?:${m.value})$`).test(value)) {
        throw new Error(`fixture for ${sel.metric}: no value for ${m.label} matching /${m.value}/`);
      }
      labels[m.label] = value;
    }
  }
  return labels;
}

function seriesText(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  return `${name}{${Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

export interface BurnRateTestSpec {
  readonly name: string;
  readonly slo: string;
  readonly sli: string;
  /** More labels that, with slo and sli, identify the SLI's alerts (SliDefinition.labels). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly objective: number;
  readonly burnAlert: string;
  readonly absentAlert: string;
  /** The window pair whose alert must fire on a full outage, and its factor. */
  readonly window: AlertWindow;
  readonly factor: number;
  /** Fixtures per component; the first component has the outage, the others stay healthy. */
  readonly components: ReadonlyArray<{ readonly component: string; readonly series: readonly FixtureSeries[] }>;
}

const minutes = (d: string) => parseDuration(d) / 60;

export function burnRateTest(config: Config, spec: BurnRateTestSpec): PromtoolTest {
  const longMin = minutes(spec.window.long);
  const forMin = spec.window.for ? minutes(spec.window.for) : 0;
  // Enough traffic for the low-traffic guard, with margin.
  const perMinute = Math.max(60, Math.ceil((config.alerting.lowTraffic.minRequests / longMin) * 2));
  const healthyMin = Math.max(60, longMin);
  // With every request failing, the long-window ratio passes factor × budget after this long.
  const detectMin = Math.ceil(spec.factor * errorBudget(spec.objective) * longMin);
  const firedAt = healthyMin + detectMin + forMin + 3;
  const outageMin = firedAt - healthyMin + 2;
  const [broken, ...healthy] = spec.components;
  if (!broken) throw new Error(`no fixture for ${spec.name}`);
  const input = (c: (typeof spec.components)[number], outage: boolean) =>
    c.series.map((s) => {
      const h = s.healthy * perMinute;
      const o = (outage ? s.outage : s.healthy) * perMinute;
      return { series: seriesText(s.labels), values: `0+${h}x${healthyMin} ${h * healthyMin + o}+${o}x${outageMin - 1}` };
    });
  const own = Object.entries(spec.labels ?? {}).map(([k, v]) => `, ${k}=${JSON.stringify(v)}`).join('');
  const sel = (alert: string, extra = '') => `ALERTS{alertname="${alert}", alertstate="firing", slo="${spec.slo}", sli="${spec.sli}"${own}${extra}}`;
  return {
    name: `${spec.name}: healthy traffic is quiet; a full outage of ${broken.component} fires the ${spec.window.long}/${spec.window.short} alert`,
    interval: '1m',
    input_series: [...input(broken, true), ...healthy.flatMap((c) => input(c, false))],
    promql_expr_test: [
      { expr: `count(${sel(spec.burnAlert)})`, eval_time: `${healthyMin - 1}m`, exp_samples: [] },
      { expr: `count(${sel(spec.absentAlert)})`, eval_time: `${healthyMin - 1}m`, exp_samples: [] },
      {
        expr: `count by (component) (${sel(spec.burnAlert, `, long="${spec.window.long}"`)})`,
        eval_time: `${firedAt}m`,
        exp_samples: [{ labels: `{component="${broken.component}"}`, value: 1 }],
      },
    ],
  };
}
