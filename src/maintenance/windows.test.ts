/**
 * Maintenance windows over time: Alertmanager's semantics (its own test cases, ported from
 * prometheus/alertmanager timeinterval/timeinterval_test.go at v0.34.0), daylight-saving days in
 * Europe/Berlin computed by hand, and the span computation checked minute by minute against the
 * direct wall-clock test (containsTime), two independent paths to the same answer.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { parseYamlConfig } from '../config/load.js';
import { thrown } from '../../test/support/errors.js';
import {
  budgetExcludedIntervals,
  containsTime,
  coveredMs,
  maintenanceIntervals,
  mutedIntervals,
  utcOffset,
  windowIntervals,
  type MaintenanceWindow,
  type TimeIntervalSpec,
} from './windows.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const span = (from: string, to: string) => ({ from: at(from), to: at(to) });
const win = (spec: TimeIntervalSpec, more: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({ name: 'w', time_intervals: [spec], mute: ['page', 'ticket'], excludeFromBudget: false, ...more });

describe('Alertmanager\'s own ContainsTime cases (timeinterval_test.go at v0.34.0, and #5447 from main)', () => {
  // Go's "02 Jan 06 15:04 -0700" layout, rewritten as ISO 8601 with the same offset.
  const cases: Array<{ spec: TimeIntervalSpec; valid: string[]; invalid: string[] }> = [
    { spec: {}, valid: ['2006-01-02T15:04+00:00', '2007-01-03T10:04+00:00', '2006-01-04T09:04+00:00'], invalid: [] },
    {
      spec: { times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'] },
      valid: ['2020-05-04T15:04+00:00', '2020-05-05T10:04+00:00', '2020-06-09T09:04+00:00'],
      invalid: ['2020-05-03T15:04+00:00', '2020-05-04T08:59+00:00', '2020-05-05T05:00+00:00'],
    },
    {
      spec: { days_of_month: ['4:6'], months: ['april'], years: ['2020'] },
      valid: ['2020-04-04T15:04+00:00', '2020-04-05T00:00+00:00', '2020-04-06T23:05+00:00'],
      invalid: ['2018-05-03T15:04+00:00', '2020-04-03T23:59+00:00', '2020-06-04T23:59+00:00', '2019-04-06T23:59+00:00', '2020-04-07T00:00+00:00'],
    },
    {
      spec: { days_of_month: ['-3:-1'] },
      valid: ['2020-01-31T15:04+00:00', '2020-01-30T15:04+00:00', '2020-01-29T15:04+00:00', '2020-06-30T00:00+00:00', '2020-02-29T23:05+00:00'],
      invalid: ['2018-05-03T15:04+00:00', '2020-01-27T15:04+00:00', '2020-04-03T23:59+00:00', '2020-06-04T23:59+00:00', '2019-04-06T23:59+00:00', '2020-04-07T00:00+00:00', '2020-03-01T00:00+00:00'],
    },
    {
      // Alertmanager's case builds -31:31 directly; its parser (and ours) refuses that text, so the
      // same clamping is checked with 1:31 in a 30-day month.
      spec: { months: ['6'], days_of_month: ['1:31'] },
      valid: ['2020-06-30T00:00+00:00', '2020-06-01T00:00+00:00'],
      invalid: ['2020-05-31T00:00+00:00', '2020-07-01T00:00+00:00'],
    },
    {
      spec: { times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], location: 'Australia/Sydney' },
      valid: ['2021-04-06T13:00+10:00'],
      invalid: ['2021-04-06T13:00+00:00'],
    },
    {
      spec: { times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], months: ['11'], location: 'Australia/Sydney' },
      valid: ['2021-11-01T09:00+11:00', '2021-10-31T22:00+00:00'],
      invalid: ['2021-10-31T21:00+00:00'],
    },
    {
      // #5447 (68fb2d5, on main after v0.34.0): the last day of a month with a spring-forward change is its 31st.
      spec: { days_of_month: ['-1'], location: 'America/New_York' },
      valid: ['2021-03-31T12:00-04:00'],
      invalid: ['2021-03-30T12:00-04:00'],
    },
  ];

  for (const [i, c] of cases.entries()) {
    it(`case ${i + 1}: ${JSON.stringify(c.spec)}`, () => {
      for (const t of c.valid) {
        expect(containsTime(c.spec, at(t)), t).toBe(true);
        expect(windowIntervals(win(c.spec), at(t), at(t) + 1000), t).toEqual([{ from: at(t), to: at(t) + 1000 }]);
      }
      for (const t of c.invalid) {
        expect(containsTime(c.spec, at(t)), t).toBe(false);
        expect(windowIntervals(win(c.spec), at(t), at(t) + 1000), t).toEqual([]);
      }
    });
  }
});

describe('daylight saving in Europe/Berlin (CET +01:00, CEST +02:00)', () => {
  const berlin = (spec: TimeIntervalSpec) => win({ ...spec, location: 'Europe/Berlin' });

  it('the offsets around the 2026 changes (last Sundays of March and October, 01:00 UTC)', () => {
    expect(utcOffset('Europe/Berlin', at('2026-03-29T00:59:59Z'))).toBe(HOUR);
    expect(utcOffset('Europe/Berlin', at('2026-03-29T01:00:00Z'))).toBe(2 * HOUR);
    expect(utcOffset('Europe/Berlin', at('2026-10-25T00:59:59Z'))).toBe(2 * HOUR);
    expect(utcOffset('Europe/Berlin', at('2026-10-25T01:00:00Z'))).toBe(HOUR);
  });

  it('spring forward: 01:00–04:00 on 29 March 2026 lasts two real hours (02:00–03:00 does not exist)', () => {
    const w = berlin({ times: [{ start_time: '01:00', end_time: '04:00' }], days_of_month: ['29'], months: ['march'] });
    expect(windowIntervals(w, at('2026-03-28T00:00Z'), at('2026-03-31T00:00Z'))).toEqual([span('2026-03-29T00:00Z', '2026-03-29T02:00Z')]);
    // The hour that does not exist covers nothing.
    const missing = berlin({ times: [{ start_time: '02:00', end_time: '03:00' }], days_of_month: ['29'], months: ['3'] });
    expect(windowIntervals(missing, at('2026-03-28T00:00Z'), at('2026-03-31T00:00Z'))).toEqual([]);
  });

  it('fall back: 02:00–03:00 on 25 October 2026 happens twice, and both count', () => {
    const w = berlin({ times: [{ start_time: '02:00', end_time: '03:00' }], weekdays: ['sunday'], months: ['october'], years: ['2026'] });
    const got = windowIntervals(w, at('2026-10-24T00:00Z'), at('2026-10-27T00:00Z'));
    // 02:00 CEST = 00:00 UTC until 03:00 CEST = 01:00 UTC, then again 02:00 CET = 01:00 UTC until 03:00 CET = 02:00 UTC.
    expect(got).toEqual([span('2026-10-25T00:00Z', '2026-10-25T02:00Z')]);
    expect(coveredMs(got)).toBe(2 * HOUR);
  });

  it('whole days follow the wall clock: that Sunday is 23 hours long in March and 25 in October', () => {
    const sunday = berlin({ weekdays: ['sunday'] });
    expect(windowIntervals(sunday, at('2026-03-28T00:00Z'), at('2026-03-31T00:00Z'))).toEqual([span('2026-03-28T23:00Z', '2026-03-29T22:00Z')]);
    expect(windowIntervals(sunday, at('2026-10-24T00:00Z'), at('2026-10-27T00:00Z'))).toEqual([span('2026-10-24T22:00Z', '2026-10-25T23:00Z')]);
  });

  it('the last day of March (-1) is the 31st, from 22:00 UTC on the 30th (CEST)', () => {
    const last = berlin({ days_of_month: ['-1'] });
    expect(windowIntervals(last, at('2026-03-01T00:00Z'), at('2026-04-02T00:00Z'))).toEqual([span('2026-03-30T22:00Z', '2026-03-31T22:00Z')]);
  });

  it('a window open across midnight is cut at the range, and the range is half-open', () => {
    const nights = berlin({ times: [{ start_time: '22:00', end_time: '24:00' }, { start_time: '00:00', end_time: '06:00' }] });
    // One January night: 22:00 CET on the 5th (21:00 UTC) to 06:00 CET on the 6th (05:00 UTC), one merged span.
    expect(windowIntervals(nights, at('2026-01-05T12:00Z'), at('2026-01-06T12:00Z'))).toEqual([span('2026-01-05T21:00Z', '2026-01-06T05:00Z')]);
    expect(windowIntervals(nights, at('2026-01-05T22:00Z'), at('2026-01-06T01:00Z'))).toEqual([span('2026-01-05T22:00Z', '2026-01-06T01:00Z')]);
    expect(windowIntervals(nights, at('2026-01-06T05:00Z'), at('2026-01-06T21:00Z'))).toEqual([]);
  });
});

describe('spans agree with the instant-by-instant test', () => {
  const specs: TimeIntervalSpec[] = [
    { times: [{ start_time: '01:30', end_time: '03:15' }], location: 'Europe/Berlin' },
    { times: [{ start_time: '00:00', end_time: '02:30' }, { start_time: '23:45', end_time: '24:00' }], weekdays: ['saturday', 'sunday'], location: 'America/New_York' },
    { days_of_month: ['-2:-1', '1'], location: 'Australia/Lord_Howe' }, // a half-hour DST change
    { weekdays: ['sunday'], times: [{ start_time: '02:00', end_time: '03:00' }], location: 'Europe/Berlin' },
    { months: ['march:april', 'october:november'], days_of_month: ['25:31'], location: 'Asia/Kolkata' },
  ];
  const ranges = [
    [at('2026-03-27T00:00Z'), at('2026-04-06T00:00Z')],
    [at('2026-10-22T00:07:30Z'), at('2026-11-03T00:00Z')],
  ] as const;

  for (const spec of specs) {
    it(JSON.stringify(spec), () => {
      for (const [from, to] of ranges) {
        const spans = windowIntervals(win(spec), from, to);
        const inSpans = (t: number) => spans.some((s) => t >= s.from && t < s.to);
        // Every minute and half-minute: the wall clock is read to the minute, so this meets every edge.
        for (let t = from; t < to; t += 30_000) if (inSpans(t) !== containsTime(spec, t)) expect.fail(`${new Date(t).toISOString()}: span says ${inSpans(t)}, wall clock says ${!inSpans(t)}`);
        expect(spans.length).toBeGreaterThan(0);
      }
    });
  }
});

describe('windows together', () => {
  const weekly = win({ weekdays: ['saturday'], times: [{ start_time: '02:00', end_time: '04:00' }] }, { name: 'weekly', mute: ['page', 'ticket'], excludeFromBudget: true });
  const freeze = win({ days_of_month: ['6'], months: ['12'], times: [{ start_time: '03:00', end_time: '05:00' }] }, { name: 'upgrade', mute: ['ticket'], excludeFromBudget: false });
  const from = at('2026-12-01T00:00Z');
  const to = at('2026-12-08T00:00Z');

  it('each window\'s spans are named and sorted; the budget leaves out only excludeFromBudget windows', () => {
    expect(maintenanceIntervals([weekly, freeze], from, to).map((i) => [i.name, new Date(i.from).toISOString(), new Date(i.to).toISOString()])).toEqual([
      ['weekly', '2026-12-05T02:00:00.000Z', '2026-12-05T04:00:00.000Z'],
      ['upgrade', '2026-12-06T03:00:00.000Z', '2026-12-06T05:00:00.000Z'],
    ]);
    expect(budgetExcludedIntervals([weekly, freeze], from, to)).toEqual([span('2026-12-05T02:00Z', '2026-12-05T04:00Z')]);
    expect(mutedIntervals([weekly, freeze], 'page', from, to)).toEqual([span('2026-12-05T02:00Z', '2026-12-05T04:00Z')]);
    expect(mutedIntervals([weekly, freeze], 'ticket', from, to)).toHaveLength(2);
  });

  it('an empty or reversed range covers nothing', () => {
    expect(windowIntervals(weekly, to, from)).toEqual([]);
    expect(windowIntervals(weekly, from, from)).toEqual([]);
  });
});

describe('alerting.maintenance in the config', () => {
  const config = (windows: string) => `cluster: prod\nalerting:\n  maintenance:\n${windows}`;
  const errorOf = (yaml: string) => thrown(ConfigError, () => parseYamlConfig(yaml, 'linkerd-slo.yaml')).message;

  it('accepts Alertmanager\'s vocabulary and fills in UTC, both severities and no budget exclusion', () => {
    const c = parseYamlConfig(
      config('    - name: weekly\n      time_intervals:\n        - times: [{start_time: "02:00", end_time: "24:00"}]\n          weekdays: ["Monday:Friday", saturday]\n          days_of_month: ["1:5", -1, "-3:-2"]\n          months: [january, "3:4"]\n          years: [2026, "2027:2028"]\n'),
      'linkerd-slo.yaml',
    );
    expect(c.alerting.maintenance).toEqual([
      {
        name: 'weekly',
        time_intervals: [{ times: [{ start_time: '02:00', end_time: '24:00' }], weekdays: ['Monday:Friday', 'saturday'], days_of_month: ['1:5', -1, '-3:-2'], months: ['january', '3:4'], years: [2026, '2027:2028'], location: 'UTC' }],
        mute: ['page', 'ticket'],
        excludeFromBudget: false,
      },
    ]);
  });

  it.each([
    ['weekdays: [friday:monday]', '"friday:monday": the first weekday must not come after the last'],
    ['weekdays: [mondays]', '"mondays" is not a weekday name'],
    ['days_of_month: [0]', '0 is not a day of the month'],
    ['days_of_month: ["-1:5"]', 'the last day must be negative when the first is'],
    ['days_of_month: ["10:-25"]', 'the last day -25 always comes before the first day 10'],
    ['months: ["13"]', '"13" is not a month'],
    ['times: [{start_time: "25:00", end_time: "26:00"}]', '"25:00" is not a time of day'],
    ['times: [{start_time: "04:00", end_time: "04:00"}]', 'start_time 04:00 must be before end_time 04:00'],
    ['location: Local', '"Local" (the Alertmanager host\'s zone) is not supported'],
    ['location: europe/berlin', '"europe/berlin" must be spelt "Europe/Berlin"'],
    ['location: Mars/Olympus', '"Mars/Olympus" is not a time zone of the IANA database'],
    ['weekdays: []', 'too_small'],
  ])('refuses %s, located', (field, message) => {
    const msg = errorOf(config(`    - name: w\n      time_intervals:\n        - ${field}\n`));
    expect(msg).toMatch(/^linkerd-slo\.yaml:6:\d+: alerting\.maintenance\[0\]\.time_intervals\[0\]\./);
    if (message !== 'too_small') expect(msg).toContain(message);
  });

  it('refuses a window name used twice', () => {
    const w = '    - name: w\n      time_intervals: [{weekdays: [monday]}]\n';
    expect(errorOf(config(w + w))).toContain('alerting.maintenance[1].name: window name "w" is used twice');
  });
});
