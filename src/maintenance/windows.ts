/**
 * Maintenance windows (`alerting.maintenance`) evaluated over time: which instants of a range
 * [from, to) (Unix milliseconds) each window covers, with Alertmanager's semantics
 * (prometheus/alertmanager, timeinterval/timeinterval.go, `ContainsTime`, v0.25.0 – v0.34.0):
 * an instant is in a `<time_interval>` when, read as wall-clock time in its `location`, it
 * satisfies every field given (within a field, any one element), and in a window when it is in
 * any of the window's intervals. Times of day are minutes of the local wall clock: on a day that
 * springs forward an hour, 01:00–04:00 lasts two real hours; on a day that falls back, 02:00–03:00
 * happens twice and both count, exactly as Go's `t.In(loc).Hour()` reads them.
 *
 * Pure: no I/O and no clock. Time zones come from the runtime's Intl (ICU's copy of the IANA
 * database), no dependency; Alertmanager reads the host's (or Go's embedded) copy, so a zone whose
 * rules changed recently may differ between the two until both are updated.
 */
import { parseInterval, type InclusiveRange, type ParsedInterval, type TimeIntervalSpec } from './ranges.js';

export type { TimeIntervalSpec } from './ranges.js';

/** Severities a window can mute (alerting.severities names their label values). */
export type MutedSeverity = 'page' | 'ticket';

/** One `alerting.maintenance` entry, as the validated config holds it. */
export interface MaintenanceWindow {
  readonly name: string;
  readonly time_intervals: readonly TimeIntervalSpec[];
  readonly mute: readonly MutedSeverity[];
  readonly excludeFromBudget: boolean;
}

/** A half-open span of time [from, to) in Unix milliseconds. */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** One window's covered span, for reports: which window, what it does. */
export interface WindowInterval extends Interval {
  readonly name: string;
  readonly mute: readonly MutedSeverity[];
  readonly excludeFromBudget: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far apart the offset is sampled when looking for a transition; no zone changes twice within it. */
const SCAN_STEP = 2 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's UTC offset in milliseconds at instant t (whole seconds: tzdata offsets are). */
export function utcOffset(zone: string, t: number): number {
  const second = Math.floor(t / 1000) * 1000;
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(second)) p[part.type] = part.value;
  const year = p.era === 'BC' ? 1 - Number(p.year) : Number(p.year);
  const wall = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
  wall.setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
  wall.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second), 0);
  return wall.getTime() - second;
}

/** Spans of [from, to) over which the zone's offset is constant, with that offset. */
function constantOffsetSpans(zone: string, from: number, to: number): Array<Interval & { offset: number }> {
  const spans: Array<Interval & { offset: number }> = [];
  let start = from;
  let offset = utcOffset(zone, from);
  for (let t = from; t < to; ) {
    const next = Math.min(t + SCAN_STEP, to - 1);
    const o = utcOffset(zone, next);
    if (o !== offset) {
      const change = firstChange(zone, t, next, offset);
      spans.push({ from: start, to: change, offset });
      start = change;
      offset = utcOffset(zone, change);
      t = change;
    } else {
      t = next === to - 1 ? to : next;
    }
  }
  spans.push({ from: start, to, offset });
  return spans;
}

/** The first instant in (lo, hi] whose offset differs from `offset` (offset(hi) does), to the second. */
function firstChange(zone: string, lo: number, hi: number, offset: number): number {
  let a = Math.floor(lo / 1000);
  let b = Math.ceil(hi / 1000);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (utcOffset(zone, mid * 1000) === offset) a = mid;
    else b = mid;
  }
  return Math.max(b * 1000, lo + 1);
}

function daysInMonth(year: number, month: number): number {
  // Calendar arithmetic (day 0 of the next month), as Alertmanager's main branch since #5447 (68fb2d5);
  // releases up to v0.34.0 count elapsed hours and get 30 for a March that springs forward (docs/budget-policy.md).
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Alertmanager's days_of_month test: negatives count from the month's end, out-of-month days clamp. */
function dayOfMonthMatches(r: InclusiveRange, year: number, month: number, day: number): boolean {
  const dim = daysInMonth(year, month);
  let begin = r.begin < 0 ? dim + r.begin + 1 : r.begin;
  let end = r.end < 0 ? dim + r.end + 1 : r.end;
  if (begin > dim) return false;
  begin = Math.min(Math.max(begin, -dim), dim);
  end = Math.min(Math.max(end, -dim), dim);
  return day >= begin && day <= end;
}

const within = (rs: readonly InclusiveRange[] | undefined, v: number) => !rs || rs.some((r) => v >= r.begin && v <= r.end);

/** Whether a local calendar day passes the interval's day fields (weekday 0 = Sunday). */
function dayMatches(p: ParsedInterval, year: number, month: number, day: number, weekday: number): boolean {
  if (p.daysOfMonth && !p.daysOfMonth.some((r) => dayOfMonthMatches(r, year, month, day))) return false;
  return within(p.months, month) && within(p.weekdays, weekday) && within(p.years, year);
}

/** A local wall-clock instant (ms since 1970-01-01T00:00 of the wall clock) as calendar fields. */
function calendar(wall: number): { year: number; month: number; day: number; weekday: number; minute: number } {
  const d = new Date(wall);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
}

const WHOLE_DAY = [{ start: 0, end: 1440 }] as const;

/** What one parsed interval covers of [from, to). */
function intervalSpans(p: ParsedInterval, from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const span of constantOffsetSpans(p.location, from, to)) {
    const lo = span.from + span.offset;
    const hi = span.to + span.offset;
    for (let dayStart = Math.floor(lo / DAY) * DAY; dayStart < hi; dayStart += DAY) {
      const c = calendar(dayStart);
      if (!dayMatches(p, c.year, c.month, c.day, c.weekday)) continue;
      for (const r of p.times ?? WHOLE_DAY) {
        const a = Math.max(dayStart + r.start * MINUTE, lo);
        const b = Math.min(dayStart + r.end * MINUTE, hi);
        if (a < b) out.push({ from: a - span.offset, to: b - span.offset });
      }
    }
  }
  return out;
}

/** Sorted, with overlapping and touching spans joined. */
function mergeIntervals(spans: readonly Interval[]): Interval[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Array<{ from: number; to: number }> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ from: s.from, to: s.to });
  }
  return out;
}

/** What one window covers of [from, to): its intervals' union, sorted and merged. */
export function windowIntervals(window: Pick<MaintenanceWindow, 'time_intervals'>, from: number, to: number): Interval[] {
  if (!(to > from)) return [];
  return mergeIntervals(window.time_intervals.flatMap((spec) => intervalSpans(parseInterval(spec), from, to)));
}

/** Every window's covered spans in [from, to), each named, sorted by start (then name). */
export function maintenanceIntervals(windows: readonly MaintenanceWindow[], from: number, to: number): WindowInterval[] {
  return windows
    .flatMap((w) => windowIntervals(w, from, to).map((i) => ({ ...i, name: w.name, mute: w.mute, excludeFromBudget: w.excludeFromBudget })))
    .sort((a, b) => a.from - b.from || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The spans of [from, to) the budget leaves out: the union of the windows with excludeFromBudget. */
export function budgetExcludedIntervals(windows: readonly MaintenanceWindow[], from: number, to: number): Interval[] {
  return mergeIntervals(windows.filter((w) => w.excludeFromBudget).flatMap((w) => windowIntervals(w, from, to)));
}

/** The spans of [from, to) in which alerts of a severity are muted. */
export function mutedIntervals(windows: readonly MaintenanceWindow[], severity: MutedSeverity, from: number, to: number): Interval[] {
  return mergeIntervals(windows.filter((w) => w.mute.includes(severity)).flatMap((w) => windowIntervals(w, from, to)));
}

/** Total milliseconds of merged spans. */
export function coveredMs(spans: readonly Interval[]): number {
  return mergeIntervals(spans).reduce((sum, s) => sum + (s.to - s.from), 0);
}

/**
 * Alertmanager's ContainsTime for one instant, computed directly from the wall clock (no spans):
 * a second path to the same answer, so the tests can check one against the other.
 */
export function containsTime(spec: TimeIntervalSpec, t: number): boolean {
  const p = parseInterval(spec);
  const c = calendar(t + utcOffset(p.location, t));
  if (p.times && !p.times.some((r) => c.minute >= r.start && c.minute < r.end)) return false;
  return dayMatches(p, c.year, c.month, c.day, c.weekday);
}
