/**
 * Grafana's query-time variables, computed the way Grafana does for a Prometheus data source, so the
 * preview runs the same PromQL a Grafana would:
 *  - $__interval: range / maxDataPoints rounded by Grafana's roundInterval table, never below the
 *    minimum interval (the panel's `interval`, else the data source's scrape interval);
 *    grafana/grafana `packages/grafana-data/src/datetime/rangeutil.ts` (calculateInterval, roundInterval);
 *  - the query step: $__interval, and never more than 11,000 points (Prometheus' own limit);
 *  - $__rate_interval = max($__interval + scrape interval, 4 × scrape interval),
 *    https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/#use-__rate_interval ;
 *  - $__range: the dashboard's time range in seconds;
 *  - dashboard variables: single values as they are; multi-value and All values as a regex
 *    alternation of escaped values, or the variable's allValue when set (Grafana's Prometheus data
 *    source `interpolateQueryExpr`),
 *    https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/ .
 *
 * Values come from Prometheus (label_values answers), so they are untrusted: a value is placed into a
 * query only as the content of the string literal it stands in, escaped by the PromQL builder's
 * quote(), never as syntax (Grafana splices the text in raw; for every value without a quote or a
 * control character the query text is the same).
 */
import { EXIT, UserError } from '../errors.js';
import { quote } from '../promql/ast.js';

/** Grafana's roundInterval: a raw interval in ms to the "nice" interval shown as $__interval. */
export function roundIntervalMs(ms: number): number {
  const table: ReadonlyArray<readonly [number, number]> = [
    [10, 1],
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1500, 1000],
    [3500, 2000],
    [7500, 5000],
    [12500, 10000],
    [17500, 15000],
    [25000, 20000],
    [45000, 30000],
    [90000, 60000],
    [210000, 120000],
    [450000, 300000],
    [750000, 600000],
    [1050000, 900000],
    [1500000, 1200000],
    [2700000, 1800000],
    [5400000, 3600000],
    [9000000, 7200000],
    [16200000, 10800000],
    [32400000, 21600000],
    [86400000, 43200000],
    [172800000, 86400000],
    [604800000, 86400000],
    [1814400000, 604800000],
  ];
  for (const [limit, value] of table) if (ms <= limit) return value;
  return ms < 3628800000 ? 2592000000 : 31536000000;
}

export interface IntervalInput {
  /** Dashboard time range, seconds. */
  readonly rangeSeconds: number;
  /** The panel's maxDataPoints (Grafana defaults it to the panel's width in pixels). */
  readonly maxDataPoints: number;
  /** The data source's scrape interval (Grafana's "Scrape interval" setting, 15s by default), seconds. */
  readonly scrapeIntervalSeconds: number;
  /** The panel's `interval` (minimum interval), seconds, when set. */
  readonly panelMinIntervalSeconds?: number;
}

export interface Intervals {
  /** $__interval, seconds. */
  readonly intervalSeconds: number;
  /** query_range step, seconds. */
  readonly stepSeconds: number;
  /** $__rate_interval, seconds. */
  readonly rateIntervalSeconds: number;
  /** $__range, seconds. */
  readonly rangeSeconds: number;
}

/** Prometheus refuses range queries of more than 11,000 points. */
const MAX_POINTS = 11_000;

export function intervals(i: IntervalInput): Intervals {
  const minInterval = i.panelMinIntervalSeconds ?? i.scrapeIntervalSeconds;
  const raw = (i.rangeSeconds * 1000) / Math.max(1, i.maxDataPoints);
  const intervalSeconds = Math.max(roundIntervalMs(raw) / 1000, minInterval);
  const stepSeconds = Math.max(intervalSeconds, Math.ceil(i.rangeSeconds / MAX_POINTS));
  const rateIntervalSeconds = Math.max(stepSeconds + i.scrapeIntervalSeconds, 4 * i.scrapeIntervalSeconds);
  return { intervalSeconds, stepSeconds, rateIntervalSeconds, rangeSeconds: Math.round(i.rangeSeconds) };
}

/** A duration as Grafana writes it into a query: whole units where exact (1m, 2h), else seconds or ms. */
export function durationText(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/** Regex metacharacters escaped as Grafana's Prometheus data source does (prometheusRegularEscape + specialRegexEscape). */
function regexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/'/g, "\\\\'").replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string | null;
  readonly query?: unknown;
  readonly current?: { readonly value?: unknown; readonly text?: unknown };
  readonly options?: ReadonlyArray<{ readonly value?: unknown }>;
}

/** A dashboard variable's chosen value, resolved against the values its query found. */
export interface ResolvedVariable {
  readonly name: string;
  /** What the page prints: "All", or the chosen values. */
  readonly display: string;
  /** The text Grafana substitutes into PromQL (string-literal level, Grafana's escaping). */
  readonly text: string;
  /** What the string literal holding the variable must contain once Prometheus has parsed it. */
  readonly value: string;
}

/** The regex-escaping of Grafana's prometheusSpecialRegexEscape, one level down: the pattern itself. */
function regexPattern(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\$&');
}

/**
 * Resolves a query or custom variable the way Grafana does on load: the saved current value when it
 * is among the options (or is All), else the first option. `options` are the values the variable's
 * query returned (sorted as the variable asks) or, for a custom variable, its own list.
 */
export function resolveVariable(v: DashboardVariable, options: readonly string[]): ResolvedVariable {
  const saved = v.current?.value;
  const savedList = (Array.isArray(saved) ? saved : saved === undefined || saved === null ? [] : [saved]).filter((x): x is string => typeof x === 'string');
  const all = v.includeAll === true && savedList.includes('$__all');
  const multiValued = v.multi === true || v.includeAll === true;
  if (all) {
    const text = v.allValue ? v.allValue : alternation(options);
    return { name: v.name, display: 'All', text, value: v.allValue ? v.allValue : `(${options.map(regexPattern).join('|')})` };
  }
  let chosen = savedList.filter((x) => options.includes(x));
  if (chosen.length === 0) chosen = options.slice(0, 1);
  if (!v.multi) chosen = chosen.slice(0, 1);
  if (chosen.length === 0) return { name: v.name, display: '(no value)', text: '', value: '' };
  const text = multiValued ? (chosen.length === 1 ? regexEscapeSingle(chosen[0]!) : alternation(chosen)) : chosen[0]!;
  const value = multiValued ? (chosen.length === 1 ? regexPattern(chosen[0]!) : `(${chosen.map(regexPattern).join('|')})`) : chosen[0]!;
  return { name: v.name, display: chosen.join(' + '), text, value };
}

/** One value of a multi-value variable: escaped, no parentheses (Grafana's interpolateQueryExpr). */
function regexEscapeSingle(value: string): string {
  return regexEscape(value);
}

function alternation(values: readonly string[]): string {
  return `(${values.map(regexEscape).join('|')})`;
}

/** The variable names a query of a query variable reads: label_values([selector,] label). */
export function parseLabelValues(query: string): { selector?: string; label: string } | undefined {
  const m = /^\s*label_values\(\s*(?:(.*?)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(query);
  if (!m) return undefined;
  return m[1] ? { selector: m[1], label: m[2]! } : { label: m[2]! };
}

/** A variable value that cannot be placed where its reference stands without becoming PromQL syntax. */
export class UnsafeVariableValue extends UserError {
  constructor(name: string, why: string) {
    super(`variable $${name}: ${why}`, EXIT.prometheus);
  }
}

/** A value as the content of a string literal opened by `q` (", ' or `). */
function stringContent(name: string, value: string, q: string): string {
  if (q === '`') {
    if (value.includes('`')) throw new UnsafeVariableValue(name, 'its value contains a backtick and stands in a `raw string`, which cannot hold one');
    return value;
  }
  const body = quote(value).slice(1, -1);
  // quote() escapes for "…"; in '…' PromQL accepts \' but not \".
  return q === '"' ? body : body.replace(/\\"/g, '"').replace(/'/g, "\\'");
}

/** Outside a string only plain tokens are placed: durations, numbers, names ($__rate_interval, $__range_s …). */
const PLAIN_TOKEN = /^[A-Za-z0-9_.:]*$/;

/**
 * Replaces $name, ${name}, ${name:fmt} and [[name]] in a query with `values` (what each string
 * literal must contain, ResolvedVariable.value): inside a string literal as escaped string content,
 * elsewhere only plain tokens. Unknown names stay as they are (as Grafana leaves them), so a missing
 * variable shows up in the query and its error.
 */
export function interpolate(expr: string, values: ReadonlyMap<string, string>): string {
  const reference = /\$\{(\w+)(?::[\w]+)?\}|\[\[(\w+)\]\]|\$(\w+)/y;
  let out = '';
  let open: string | undefined;
  for (let i = 0; i < expr.length; ) {
    const ch = expr[i]!;
    if (open && open !== '`' && ch === '\\') {
      out += expr.slice(i, i + 2);
      i += 2;
      continue;
    }
    if ((open && ch === open) || (!open && (ch === '"' || ch === "'" || ch === '`'))) {
      open = open ? undefined : ch;
      out += ch;
      i++;
      continue;
    }
    reference.lastIndex = i;
    const m = reference.exec(expr);
    if (!m) {
      out += ch;
      i++;
      continue;
    }
    const name = m[1] ?? m[2] ?? m[3]!;
    const value = values.get(name);
    if (value === undefined) out += m[0];
    else if (open) out += stringContent(name, value, open);
    else if (PLAIN_TOKEN.test(value)) out += value;
    else throw new UnsafeVariableValue(name, `its value ${JSON.stringify(value.slice(0, 60))} stands outside a quoted string in the query, where it would be PromQL syntax`);
    i += m[0].length;
  }
  return out;
}
