/**
 * promtool unit tests generated for the user's own bundle (out/tests/), so a team that edits
 * its config can prove in its own CI that the burn-rate alerts still fire on an outage and stay
 * quiet on healthy traffic. Our hand-written scenario tests (src/slo/<kind>/*.test.ts, test/) remain the real proof of the
 * maths; these are a smoke test that travels with the rules.
 */
import type { Selector } from '../promql/ast.js';
import { cleanNumber, errorBudget, parseDuration } from '../promql/number.js';
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
 * (checked against the regex, so a fixture cannot silently miss the selector), plus `more` labels
 * the selector leaves open (namespace, pod, instance…), which never override the selector's own.
 */
export function fixtureLabels(
  sel: Selector,
  regexValues: Readonly<Record<string, string>> = {},
  more: Readonly<Record<string, string>> = {},
): Record<string, string> {
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
  for (const [k, v] of Object.entries(more)) if (!(k in labels)) labels[k] = v;
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

// ---- threshold-alert scenarios (certificates, availability, proxy resources) ------------------------

/** Whole minutes (rounded up) of a duration; 0 when there is none (an alert without `for`). */
export function minutesOf(d: string | undefined): number {
  return d ? Math.ceil(parseDuration(d) / 60) : 0;
}

/** A number in promtool's series notation: no exponent, no float noise. */
function seriesNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`fixture value is not finite: ${value}`);
  const s = String(cleanNumber(value));
  return /e/i.test(s) ? value.toFixed(15).replace(/\.?0+$/, '') : s;
}

/** Sample values for minutes 0 … `minutes`, given the test's length in minutes. */
export type Values = (minutes: number) => string;

/** A gauge holding `value` throughout. */
export const gauge = (value: number): Values => (m) => `${seriesNumber(value)}x${m}`;
/** A gauge holding `first` for minutes 0 … `until`, then `then`. */
export const gaugeThen = (first: number, until: number, then: number): Values => (m) => {
  if (m <= until) throw new Error(`a two-phase fixture needs more than ${until} minutes`);
  return `${seriesNumber(first)}x${until} ${seriesNumber(then)}x${m - until - 1}`;
};
/** A counter growing by `perSecond` × 60 every minute from 0. */
export const counter = (perSecond: number): Values => (m) => `0+${seriesNumber(perSecond * 60)}x${m}`;
/** A timestamp that stays `seconds` ahead of time(): `<timestamp> - time()` is `seconds` throughout. */
export const aheadOfClock = (seconds: number): Values => (m) => `${seriesNumber(seconds)}+60x${m}`;

/** One input series of a scenario, from fixtureLabels (plus labels the selector leaves open). */
export interface ScenarioSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly values: Values;
}

/** What one alert must look like at one moment: firing label sets (repeats count up), or none. */
export interface AlertExpectation {
  readonly alert: string;
  /** Labels that pick the alerts under test (slo, certificate, source, namespace, …). */
  readonly filters?: Readonly<Record<string, string>>;
  /** Labels to count by; every row names each of them. */
  readonly by?: readonly string[];
  /** Minute of the test at which to evaluate. */
  readonly at: number;
  /** Expected firing alerts; empty: silent. */
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
}

const labelText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;

/** `count by (…) (ALERTS{alertname="…", alertstate="firing", …})`, the check every generated test uses. */
function firingAlerts(alert: string, by: readonly string[] = [], filters: Readonly<Record<string, string>> = {}): string {
  const sel = labelText({ alertname: alert, alertstate: 'firing', ...filters });
  return by.length ? `count by (${by.join(', ')}) (ALERTS${sel})` : `count(ALERTS${sel})`;
}

function expectedSamples(by: readonly string[], rows: AlertExpectation['rows']): Array<{ labels: string; value: number }> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = labelText(Object.fromEntries(by.map((k) => {
      const v = row[k];
      if (v === undefined) throw new Error(`expected row ${JSON.stringify(row)} has no ${k}`);
      return [k, v];
    })));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([labels, value]) => ({ labels, value }));
}

/**
 * A promtool test over one scenario: the series run until two minutes after the last check.
 * Series with identical labels are kept once (two config entries may select the same series).
 */
export function scenarioTest(name: string, series: readonly ScenarioSeries[], expectations: readonly AlertExpectation[]): PromtoolTest {
  if (expectations.length === 0) throw new Error(`scenario "${name}" checks nothing`);
  const length = Math.max(...expectations.map((e) => e.at)) + 2;
  const seen = new Map<string, string>();
  for (const s of series) {
    const text = seriesText(s.labels);
    if (!seen.has(text)) seen.set(text, s.values(length));
  }
  return {
    name,
    interval: '1m',
    input_series: [...seen].map(([text, values]) => ({ series: text, values })),
    promql_expr_test: expectations.map((e) => ({
      expr: firingAlerts(e.alert, e.by, e.filters),
      eval_time: `${e.at}m`,
      exp_samples: expectedSamples(e.by ?? [], e.rows),
    })),
  };
}

/** Seconds as people write them: 3h30m, 33d12h, 45s. */
export function humanDuration(seconds: number): string {
  let rest = Math.round(seconds);
  if (rest <= 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
