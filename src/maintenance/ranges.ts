/**
 * Alertmanager's time-interval vocabulary, parsed: the `times`, `weekdays`, `days_of_month`,
 * `months` and `years` of a `<time_interval>`, with the same rules and checks as Alertmanager's own
 * parser (prometheus/alertmanager, timeinterval/timeinterval.go at v0.25.0 – v0.34.0:
 * stringableRangeFromString, parseTime and the UnmarshalYAML methods). Pure: no I/O. The config
 * schema (src/config/maintenance.ts) validates with these functions and the evaluator
 * (windows.ts) reads the parsed ranges, so what the config accepts is what gets evaluated.
 */

/** An inclusive range of integers, as Alertmanager's InclusiveRange. */
export interface InclusiveRange {
  readonly begin: number;
  readonly end: number;
}

/** Minutes of a 1440-minute day, start inclusive, end exclusive (Alertmanager's TimeRange). */
export interface MinuteRange {
  readonly start: number;
  readonly end: number;
}

/** The result of parsing one element: a range, or why the text is refused. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** Alertmanager's validTime: HH:MM from 00:00 to 23:59, or 24:00 (the end of the day). */
const TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** "HH:MM" as minutes of the day. */
function parseTime(text: string): Parsed<number> {
  if (!TIME.test(text)) return fail(`"${text}" is not a time of day HH:MM between 00:00 and 24:00`);
  const [h, m] = text.split(':').map(Number) as [number, number];
  return ok(h * 60 + m);
}

/** One `times` element: start inclusive, end exclusive, start before end. */
export function parseTimeRange(range: { readonly start_time: string; readonly end_time: string }): Parsed<MinuteRange> {
  const start = parseTime(range.start_time);
  if (!start.ok) return start;
  const end = parseTime(range.end_time);
  if (!end.ok) return end;
  if (start.value >= end.value) return fail(`start_time ${range.start_time} must be before end_time ${range.end_time}`);
  return ok({ start: start.value, end: end.value });
}

/**
 * "a:b" or "a" (Alertmanager lowercases the text first, so names are case-insensitive), each
 * member read by `member`.
 */
function parseRange(text: string | number, member: (s: string) => number | undefined, what: string): Parsed<InclusiveRange> {
  const parts = String(text).toLowerCase().split(':');
  if (parts.length > 2) return fail(`"${text}" is not a ${what} or a range "first:last" of them`);
  const values = parts.map(member);
  const bad = parts.find((_, i) => values[i] === undefined);
  if (bad !== undefined) return fail(`"${bad}" is not a ${what}`);
  return ok({ begin: values[0]!, end: values[values.length - 1]! });
}

const integer = (s: string): number | undefined => (/^-?[0-9]{1,9}$/.test(s) ? Number(s) : undefined);

/** A weekday range, 0 = Sunday … 6 = Saturday; "friday:monday" is refused, as by Alertmanager. */
export function parseWeekdays(text: string): Parsed<InclusiveRange> {
  const r = parseRange(text, (s) => (WEEKDAYS.includes(s as never) ? WEEKDAYS.indexOf(s as (typeof WEEKDAYS)[number]) : undefined), 'weekday name (sunday … saturday)');
  if (r.ok && r.value.begin > r.value.end) return fail(`"${text}": the first weekday must not come after the last (weeks run sunday:saturday)`);
  return r;
}

/**
 * A days_of_month range: 1 … 31, or -31 … -1 counted from the month's end (-1 is its last day).
 * Alertmanager's checks: no 0, a negative start needs a negative end, and a range that is empty
 * in every month (judged on a 28-day month) is refused.
 */
export function parseDaysOfMonth(text: string | number): Parsed<InclusiveRange> {
  const r = parseRange(text, integer, 'day of the month (1 … 31, or -1 … -31 from the month\'s end)');
  if (!r.ok) return r;
  const { begin, end } = r.value;
  for (const d of [begin, end]) if (d === 0 || d < -31 || d > 31) return fail(`${d} is not a day of the month: use 1 … 31, or -1 … -31 from the month's end`);
  if (begin < 0 && end > 0) return fail(`"${text}": the last day must be negative when the first is`);
  const day = (d: number) => (d < 0 ? 28 + d : d);
  if (day(begin) > day(end)) return fail(`"${text}": the last day ${end} always comes before the first day ${begin}`);
  return r;
}

/** A month range by name or number, 1 = January. Stricter than Alertmanager: numbers outside 1 … 12 are refused (they could never match). */
export function parseMonths(text: string | number): Parsed<InclusiveRange> {
  const month = (s: string) => {
    if (MONTHS.includes(s as never)) return MONTHS.indexOf(s as (typeof MONTHS)[number]) + 1;
    const n = integer(s);
    return n !== undefined && n >= 1 && n <= 12 ? n : undefined;
  };
  const r = parseRange(text, month, 'month (january … december or 1 … 12)');
  if (r.ok && r.value.begin > r.value.end) return fail(`"${text}": the first month must not come after the last`);
  return r;
}

/** A year range, e.g. 2026 or "2026:2027". */
export function parseYears(text: string | number): Parsed<InclusiveRange> {
  const r = parseRange(text, (s) => (/^[0-9]{1,4}$/.test(s) && Number(s) >= 1 ? Number(s) : undefined), 'year (1 … 9999)');
  if (r.ok && r.value.begin > r.value.end) return fail(`"${text}": the first year must not come after the last`);
  return r;
}

/** The parsed form of one `<time_interval>`: absent fields match everything. */
export interface ParsedInterval {
  readonly times?: readonly MinuteRange[];
  readonly weekdays?: readonly InclusiveRange[];
  readonly daysOfMonth?: readonly InclusiveRange[];
  readonly months?: readonly InclusiveRange[];
  readonly years?: readonly InclusiveRange[];
  /** IANA time zone name; UTC when the config names none (Alertmanager's documented default). */
  readonly location: string;
}

/** One `<time_interval>` as written in the config (Alertmanager's field names). */
export interface TimeIntervalSpec {
  readonly times?: ReadonlyArray<{ readonly start_time: string; readonly end_time: string }>;
  readonly weekdays?: readonly string[];
  readonly days_of_month?: ReadonlyArray<string | number>;
  readonly months?: ReadonlyArray<string | number>;
  readonly years?: ReadonlyArray<string | number>;
  readonly location?: string;
}

function all<In, T>(items: readonly In[] | undefined, parse: (i: In) => Parsed<T>): T[] | undefined {
  if (items === undefined) return undefined;
  return items.map((i) => {
    const r = parse(i);
    if (!r.ok) throw new Error(`maintenance: unvalidated time interval (${r.error}); this is a bug in linkerd-slo`);
    return r.value;
  });
}

/**
 * A validated spec, parsed. The schema refuses empty lists: Alertmanager reads `weekdays: []` as a
 * non-nil empty slice that no time satisfies (ContainsTime tests `!= nil`), a window that never
 * opens, which is surely not what was meant.
 */
export function parseInterval(spec: TimeIntervalSpec): ParsedInterval {
  return {
    times: all(spec.times, parseTimeRange),
    weekdays: all(spec.weekdays, parseWeekdays),
    daysOfMonth: all(spec.days_of_month, parseDaysOfMonth),
    months: all(spec.months, parseMonths),
    years: all(spec.years, parseYears),
    location: spec.location ?? 'UTC',
  };
}
