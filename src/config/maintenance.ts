/**
 * `alerting.maintenance`: named maintenance windows in Alertmanager's time-interval vocabulary
 * (https://prometheus.io/docs/alerting/latest/configuration/#time_interval-1; the field names are
 * Alertmanager's, so an interval can be copied from alertmanager.yml), plus what each window does:
 * which severities it mutes and whether its time is left out of the error budget. Every element is
 * checked by the parser the evaluator uses (src/maintenance/ranges.ts), with Alertmanager's rules.
 */
import { z } from 'zod';
import { parseDaysOfMonth, parseMonths, parseTimeRange, parseWeekdays, parseYears, type Parsed } from '../maintenance/ranges.js';

/** A refinement that reports the parser's own message. */
function parsedBy<T>(parse: (v: T) => Parsed<unknown>) {
  return (v: T, ctx: z.RefinementCtx) => {
    const r = parse(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  };
}

/** An element written as text ("1:5", "may") or, for a single number, as a YAML number. */
const rangeText = (min: number, max: number) => z.union([z.string(), z.number().int().min(min).max(max)]);

let zoneNames: Map<string, string> | undefined;

/**
 * Why a time zone name is refused; undefined when it is an IANA name Intl knows, written the way
 * the database spells it (Go's time.LoadLocation, which Alertmanager uses, reads a file by that
 * name and so is case-sensitive, where Intl is not). "Local" is refused: it means the
 * Alertmanager host's zone, which the report and backtest cannot know.
 */
function locationProblem(zone: string): string | undefined {
  if (zone === 'Local') return '"Local" (the Alertmanager host\'s zone) is not supported: name the IANA zone, e.g. Europe/Berlin or UTC';
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return `"${zone}" is not an IANA time zone name such as Europe/Berlin or UTC`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return `"${zone}" is not a time zone of the IANA database, such as Europe/Berlin or UTC`;
  }
  zoneNames ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  const canonical = zoneNames.get(zone.toLowerCase());
  if (canonical && canonical !== zone) return `"${zone}" must be spelt "${canonical}": Alertmanager loads zones by their case-sensitive name`;
  return undefined;
}

const location = z.string().superRefine((v, ctx) => {
  const problem = locationProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const timeRange = z
  .strictObject({
    start_time: z.string().describe('Start, HH:MM (inclusive).'),
    end_time: z.string().describe('End, HH:MM (exclusive); 24:00 is the end of the day.'),
  })
  .superRefine(parsedBy(parseTimeRange));

/** One Alertmanager `<time_interval>`; an absent field matches any value, an empty list is refused. */
const timeInterval = z
  .strictObject({
    times: z.array(timeRange).min(1).optional().describe('Times of day, [{start_time: "HH:MM", end_time: "HH:MM"}], start inclusive and end exclusive, on the wall clock of `location`.'),
    weekdays: z
      .array(z.string().superRefine(parsedBy(parseWeekdays)))
      .min(1)
      .optional()
      .describe('Weekdays by name or as ranges, e.g. ["monday:friday", "saturday"] (weeks run sunday:saturday).'),
    days_of_month: z
      .array(rangeText(-31, 31).superRefine(parsedBy(parseDaysOfMonth)))
      .min(1)
      .optional()
      .describe('Days of the month or ranges; negative days count from the month\'s end: ["1:5", "-3:-1"] (-1 is the last day). Days past a short month\'s end are clamped to it.'),
    months: z
      .array(rangeText(1, 12).superRefine(parsedBy(parseMonths)))
      .min(1)
      .optional()
      .describe('Months by name or number, or ranges: ["1:3", "may:august", "december"].'),
    years: z.array(rangeText(1, 9999).superRefine(parsedBy(parseYears))).min(1).optional().describe('Years or ranges: ["2026", "2027:2028"].'),
    location: location
      .default('UTC')
      .describe('IANA time zone the interval is read in (e.g. Europe/Berlin; daylight saving is followed). Default UTC, as Alertmanager\'s; always written into the snippet so the Alertmanager host\'s zone never matters.'),
  })
  .describe('An Alertmanager <time_interval>: an instant is in it when every field given matches (within a field, any element).');

/** Where a window applies. */
const MUTED_SEVERITIES = ['page', 'ticket'] as const;

const maintenanceWindow = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", starting and ending alphanumeric')
      .describe('Name of the window; the Alertmanager time interval is named linkerd-slo-<cluster>-<name>.'),
    time_intervals: z
      .array(timeInterval)
      .min(1)
      .describe('When the window is open: any of these Alertmanager time intervals (the same fields as alertmanager.yml\'s time_intervals[].time_intervals).'),
    mute: z
      .array(z.enum(MUTED_SEVERITIES))
      .default([...MUTED_SEVERITIES])
      .describe('Which of this bundle\'s alerts Alertmanager mutes while the window is open: page, ticket, both (default), or none ([]) for a window that only leaves the budget. Muted alerts still fire in Prometheus and are notified once the window closes if they still fire.'),
    excludeFromBudget: z
      .boolean()
      .default(false)
      .describe('Leave the window\'s time out of the error budget where it is computed from history (`linkerd-slo report`). Default false: users felt the errors of planned work too, so leaving them out is a decision to make explicitly (docs/budget-policy.md).'),
  })
  .describe('A named maintenance window.');

export const maintenance = z
  .array(maintenanceWindow)
  .default([])
  .superRefine((windows, ctx) => {
    const seen = new Set<string>();
    windows.forEach((w, i) => {
      if (seen.has(w.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `window name "${w.name}" is used twice` });
      seen.add(w.name);
    });
  })
  .describe('Maintenance windows: planned work during which Alertmanager mutes this bundle\'s pages and tickets (the time_intervals and routes of out/alertmanager/<name>.maintenance.yaml) and which `report` and `backtest` can leave out of the budget. docs/budget-policy.md.');
