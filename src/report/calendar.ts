/**
 * Calendar periods in an IANA time zone for `linkerd-slo report` (docs/report.md): months, quarters
 * and ISO weeks as the people reading the report count them. A month is not 30 days and a day is
 * not always 24 hours: every boundary is the first instant of a local day, found through the
 * runtime's time-zone database (Intl), so a DST day lasts 23 or 25 hours and March is 743 hours long
 * in Berlin. Times are epoch seconds, periods half-open [start, end).
 */
import { printable } from '../check/terminal.js';
import { EXIT, UserError } from '../errors.js';

export const PERIOD_KINDS = ['month', 'quarter', 'week'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  /** `2026-03`, `2026-Q1`, `2026-W10`. */
  readonly label: string;
  readonly start: number;
  readonly end: number;
  /** The current period, reported up to now. */
  readonly partial: boolean;
}

interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** Seconds east of UTC at that instant. */
  readonly offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An IANA zone name the runtime knows, or one line with exit 2. */
export function checkTimeZone(tz: string): string {
  try {
    formatter(tz);
    return tz;
  } catch {
    throw new UserError(`--timezone: ${JSON.stringify(printable(tz).slice(0, 60))} is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`, EXIT.config);
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

function localTime(t: number, tz: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(t * 1000))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  return { year, month, day, hour, minute, offset: asUtc - Math.floor(t) };
}

/**
 * The first instant of the local day year-month-day (month and day may overflow: month 13 is next
 * January). Midnight can occur twice (the earlier counts) or not at all where a zone springs forward
 * at midnight: then the day starts at the transition.
 */
export function dayStart(year: number, month: number, day: number, tz: string): number {
  const wall = civil(year, month, day) / 1000;
  const offsets = new Set([wall - 86_400, wall, wall + 86_400].map((t) => localTime(t, tz).offset));
  const candidates = [...offsets].map((o) => wall - o).sort((a, b) => a - b);
  const exact = candidates.find((t) => localTime(t, tz).offset === wall - t);
  if (exact !== undefined) return exact;
  const d = new Date(wall * 1000);
  return candidates.find((t) => {
    const l = localTime(t, tz);
    return l.year === d.getUTCFullYear() && l.month === d.getUTCMonth() + 1 && l.day === d.getUTCDate();
  }) ?? candidates[candidates.length - 1]!;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Date.UTC without its mapping of years 0–99 to 1900–1999. */
function civil(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

/** ISO weekday, Monday 1 … Sunday 7, of a civil date. */
const weekday = (y: number, m: number, d: number) => ((new Date(civil(y, m, d)).getUTCDay() + 6) % 7) + 1;

/** The start of the period of `kind` holding instant t. */
function periodStart(kind: PeriodKind, t: number, tz: string): number {
  const l = localTime(t, tz);
  if (kind === 'month') return dayStart(l.year, l.month, 1, tz);
  if (kind === 'quarter') return dayStart(l.year, l.month - ((l.month - 1) % 3), 1, tz);
  return dayStart(l.year, l.month, l.day - weekday(l.year, l.month, l.day) + 1, tz);
}

/** The start of the period after the one starting at `start`. */
function nextPeriodStart(kind: PeriodKind, start: number, tz: string): number {
  const l = localTime(start, tz);
  if (kind === 'week') return dayStart(l.year, l.month, l.day + 7, tz);
  return dayStart(l.year, l.month + (kind === 'month' ? 1 : 3), 1, tz);
}

function periodLabel(kind: PeriodKind, start: number, tz: string): string {
  const l = localTime(start, tz);
  if (kind === 'month') return `${l.year}-${pad(l.month)}`;
  if (kind === 'quarter') return `${l.year}-Q${Math.floor((l.month - 1) / 3) + 1}`;
  // ISO 8601: the week belongs to the year of its Thursday.
  const thursday = new Date(civil(l.year, l.month, l.day + 3));
  const y = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - civil(y, 1, 1)) / 86_400_000 / 7) + 1;
  return `${y}-W${pad(week)}`;
}

/** The local days [start, end) that make up [from, to), each named YYYY-MM-DD. */
export function localDays(from: number, to: number, tz: string): Array<{ day: string; start: number; end: number }> {
  const out: Array<{ day: string; start: number; end: number }> = [];
  let l = localTime(from, tz);
  let start = dayStart(l.year, l.month, l.day, tz);
  while (start < to) {
    l = localTime(start, tz);
    const end = dayStart(l.year, l.month, l.day + 1, tz);
    out.push({ day: `${l.year}-${pad(l.month)}-${pad(l.day)}`, start: Math.max(start, from), end: Math.min(end, to) });
    start = end;
  }
  return out;
}

/** `2026-03-08 13:02 +01:00`: an instant as the reader's clock showed it. */
export function formatLocal(t: number, tz: string, withOffset = true): string {
  const l = localTime(t, tz);
  const o = Math.abs(l.offset);
  const offset = `${l.offset < 0 ? '-' : '+'}${pad(Math.floor(o / 3600))}:${pad(Math.floor((o % 3600) / 60))}`;
  return `${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}${withOffset ? ` ${offset}` : ''}`;
}

/**
 * A --from/--to value: `2026-03` (a month), `2026-Q1`, `2026-W10` (ISO week), `2026-03-01` (a local
 * day) or an RFC 3339 time. Each names an instant that must be a boundary of the period kind.
 */
export function parseBoundary(flag: string, text: string, kind: PeriodKind, tz: string): number {
  let t: number | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d\d)$/.exec(text)) && Number(m[2]) >= 1 && Number(m[2]) <= 12) t = dayStart(Number(m[1]), Number(m[2]), 1, tz);
  else if ((m = /^(\d{4})-Q([1-4])$/.exec(text))) t = dayStart(Number(m[1]), 3 * Number(m[2]) - 2, 1, tz);
  else if ((m = /^(\d{4})-W(\d\d)$/.exec(text)) && Number(m[2]) >= 1 && Number(m[2]) <= 53) {
    // Week 1 holds January 4th; its Monday is the start.
    const y = Number(m[1]);
    t = dayStart(y, 1, 4 - weekday(y, 1, 4) + 1 + 7 * (Number(m[2]) - 1), tz);
  } else if ((m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text)) && !Number.isNaN(Date.parse(text))) t = dayStart(Number(m[1]), Number(m[2]), Number(m[3]), tz);
  else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text))) t = Date.parse(text) / 1000;
  if (t === undefined || !Number.isFinite(t)) {
    throw new UserError(`${flag}: expected a month (2026-03), quarter (2026-Q1), ISO week (2026-W10), day (2026-03-01) or RFC 3339 time, not ${JSON.stringify(printable(text).slice(0, 40))}`, EXIT.config);
  }
  // Prometheus keeps no samples before 1970 (its timestamps are milliseconds since the epoch).
  if (t < 0) throw new UserError(`${flag} ${printable(text)} is before 1970: no Prometheus history is that old`, EXIT.config);
  const start = periodStart(kind, t, tz);
  if (start !== t) {
    throw new UserError(`${flag} ${printable(text)} is not the start of a ${kind} in ${tz}: that ${kind} starts ${formatLocal(start, tz)}, the next ${formatLocal(nextPeriodStart(kind, start, tz), tz)}`, EXIT.config);
  }
  return t;
}

export interface PeriodChoice {
  readonly kind: PeriodKind;
  readonly tz: string;
  /** Epoch seconds; the current period is reported up to here. */
  readonly now: number;
  /** The last N periods, the current one (so far) included. */
  readonly count?: number;
  readonly from?: string;
  readonly to?: string;
}

/** At most this many periods in one report (10 years of months). */
const MAX_PERIODS = 120;

/** The periods a report covers: the current one, the last N, or every one in [--from, --to). */
export function choosePeriods(c: PeriodChoice): Period[] {
  if (c.count !== undefined && c.from !== undefined) throw new UserError('--periods and --from are alternatives: give one', EXIT.config);
  if (c.count !== undefined && (!Number.isInteger(c.count) || c.count < 1 || c.count > MAX_PERIODS)) throw new UserError(`--periods needs a whole number from 1 to ${MAX_PERIODS}`, EXIT.config);
  if (c.to !== undefined && c.from === undefined) throw new UserError('--to needs --from', EXIT.config);
  const current = periodStart(c.kind, c.now, c.tz);
  let first = current;
  let last = nextPeriodStart(c.kind, current, c.tz);
  if (c.from !== undefined) {
    first = parseBoundary('--from', c.from, c.kind, c.tz);
    if (first >= c.now) throw new UserError(`--from ${printable(c.from)} is in the future: there is no history to report yet`, EXIT.config);
    if (c.to !== undefined) last = parseBoundary('--to', c.to, c.kind, c.tz);
    if (last <= first) throw new UserError('--from must be before --to', EXIT.config);
  } else {
    for (let i = 1; i < (c.count ?? 1); i++) first = periodStart(c.kind, first - 1, c.tz);
  }
  const out: Period[] = [];
  for (let s = first; s < last && s < c.now; s = nextPeriodStart(c.kind, s, c.tz)) {
    if (out.length >= MAX_PERIODS) throw new UserError(`the range holds more than ${MAX_PERIODS} ${c.kind}s; report fewer at once`, EXIT.config);
    const e = nextPeriodStart(c.kind, s, c.tz);
    out.push({ label: periodLabel(c.kind, s, c.tz), start: s, end: Math.min(e, c.now), partial: e > c.now });
  }
  return out;
}
