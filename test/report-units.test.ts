/**
 * The report's calendar: months, quarters and ISO weeks in IANA time zones, DST days of 23 and 25
 * hours. Expectations are written out by hand from the zones' published rules (EU: last Sunday of
 * March and October at 01:00 UTC; US: second Sunday of March and first Sunday of November at 02:00
 * local; India: +05:30 without DST; Chile: America/Santiago springs forward at local midnight in September).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDirs } from './support/cli.js';
import { checkTimeZone, choosePeriods, dayStart, formatLocal, localDays, parseBoundary } from '../src/report/calendar.js';
import { chartIds, formatHtml, formatJson, formatMarkdown, formatText } from '../src/report/render.js';

const utc = (iso: string) => Date.parse(iso) / 1000;
const NOW = utc('2026-04-10T12:00:00Z');

describe('calendar periods', () => {
  it('March 2026 in Berlin and New York: local month boundaries, one hour short, the DST day 23 h', () => {
    const berlin = choosePeriods({ kind: 'month', tz: 'Europe/Berlin', now: NOW, from: '2026-03', to: '2026-04' });
    expect(berlin).toEqual([{ label: '2026-03', start: utc('2026-02-28T23:00:00Z'), end: utc('2026-03-31T22:00:00Z'), partial: false }]);
    const ny = choosePeriods({ kind: 'month', tz: 'America/New_York', now: NOW, from: '2026-03-01', to: '2026-04-01' });
    expect(ny).toEqual([{ label: '2026-03', start: utc('2026-03-01T05:00:00Z'), end: utc('2026-04-01T04:00:00Z'), partial: false }]);
    const short = (p: { start: number; end: number }, tz: string) => localDays(p.start, p.end, tz).filter((d) => d.end - d.start !== 86_400).map((d) => [d.day, (d.end - d.start) / 3600]);
    expect(short(berlin[0]!, 'Europe/Berlin')).toEqual([['2026-03-29', 23]]);
    expect(short(ny[0]!, 'America/New_York')).toEqual([['2026-03-08', 23]]);
    expect(localDays(berlin[0]!.start, berlin[0]!.end, 'Europe/Berlin')).toHaveLength(31);
    const oct = choosePeriods({ kind: 'month', tz: 'Europe/Berlin', now: utc('2026-12-01T00:00:00Z'), from: '2026-10', to: '2026-11' })[0]!;
    expect(short(oct, 'Europe/Berlin')).toEqual([['2026-10-25', 25]]);
    expect((oct.end - oct.start) / 3600).toBe(31 * 24 + 1);
  });

  it('a zone with a half-hour offset and one that springs forward at midnight', () => {
    expect(dayStart(2026, 3, 1, 'Asia/Kolkata')).toBe(utc('2026-02-28T18:30:00Z'));
    // Chile, 2026-09-06: 00:00 -04 does not exist, the day starts at 01:00 -03 (= 04:00 UTC).
    expect(dayStart(2026, 9, 6, 'America/Santiago')).toBe(utc('2026-09-06T04:00:00Z'));
    expect(formatLocal(utc('2026-09-06T04:00:00Z'), 'America/Santiago')).toBe('2026-09-06 01:00 -03:00');
  });

  it('the current period so far, the last N, quarters and ISO weeks', () => {
    expect(choosePeriods({ kind: 'month', tz: 'UTC', now: NOW })).toEqual([{ label: '2026-04', start: utc('2026-04-01T00:00:00Z'), end: NOW, partial: true }]);
    expect(choosePeriods({ kind: 'quarter', tz: 'UTC', now: NOW, count: 2 }).map((p) => [p.label, p.start, p.end])).toEqual([
      ['2026-Q1', utc('2026-01-01T00:00:00Z'), utc('2026-04-01T00:00:00Z')],
      ['2026-Q2', utc('2026-04-01T00:00:00Z'), NOW],
    ]);
    // 2026-04-10 is a Friday: its ISO week 15 starts Monday 2026-04-06.
    expect(choosePeriods({ kind: 'week', tz: 'UTC', now: NOW, count: 2 }).map((p) => [p.label, p.start])).toEqual([
      ['2026-W14', utc('2026-03-30T00:00:00Z')],
      ['2026-W15', utc('2026-04-06T00:00:00Z')],
    ]);
    // ISO week 1 of 2021 starts 2021-01-04 (2021-01-01 was a Friday, in 2020-W53).
    expect(parseBoundary('--from', '2021-W01', 'week', 'UTC')).toBe(utc('2021-01-04T00:00:00Z'));
    expect(choosePeriods({ kind: 'week', tz: 'UTC', now: utc('2021-01-05T00:00:00Z'), from: '2020-12-28' })[0]!.label).toBe('2020-W53');
  });

  it('refuses, in one line, boundaries that are not period starts, unknown zones and mixed flags', () => {
    expect(() => parseBoundary('--from', '2026-03-05', 'month', 'Europe/Berlin')).toThrow(/--from 2026-03-05 is not the start of a month in Europe\/Berlin: that month starts 2026-03-01 00:00 \+01:00/);
    expect(() => parseBoundary('--from', '2026-03-01T00:00:00Z', 'month', 'Europe/Berlin')).toThrow(/not the start of a month/);
    expect(parseBoundary('--from', '2026-02-28T23:00:00Z', 'month', 'Europe/Berlin')).toBe(utc('2026-02-28T23:00:00Z'));
    expect(() => parseBoundary('--to', 'March', 'month', 'UTC')).toThrow(/expected a month/);
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/not an IANA time zone/);
    expect(() => choosePeriods({ kind: 'month', tz: 'UTC', now: NOW, count: 2, from: '2026-01' })).toThrow(/alternatives/);
    expect(() => choosePeriods({ kind: 'month', tz: 'UTC', now: NOW, from: '2027-01' })).toThrow(/future/);
    expect(() => choosePeriods({ kind: 'month', tz: 'UTC', now: NOW, from: '2000-01' })).toThrow(/more than 120/);
    // Years below 100 are years, not 19xx (Date.UTC's legacy mapping), and before any Prometheus history.
    expect(() => choosePeriods({ kind: 'month', tz: 'UTC', now: NOW, from: '0050-01', to: '0050-03' })).toThrow(/--from 0050-01 is before 1970/);
  });
});

describe('report on the command line: mistakes end in one line before anything is sent', () => {
  const dir = tempDirs('report-cli')();
  const config = join(dir, 'cfg.yaml');
  writeFileSync(config, 'cluster: prod-eu1\n');
  // Nothing listens there: a run that sent a query would fail with exit 3, not with the codes below.
  const closed = 'http://127.0.0.1:9';
  const run = (...args: string[]) => cli(['report', '-c', config, '--prometheus-url', closed, ...args], dir);
  const oneLine = (r: { status: number | null; stderr: string }, code: number) => {
    expect(r.status, r.stderr).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r.stderr.trim();
  };

  it('bad periods and zones: exit 2', () => {
    expect(oneLine(run('--timezone', 'Mars/Olympus'), 2)).toMatch(/^error: --timezone: "Mars\/Olympus" is not an IANA time zone/);
    expect(oneLine(run('--period', 'month', '--from', '2026-03-05', '--timezone', 'Europe/Berlin'), 2)).toBe('error: --from 2026-03-05 is not the start of a month in Europe/Berlin: that month starts 2026-03-01 00:00 +01:00, the next 2026-04-01 00:00 +02:00');
    expect(oneLine(run('--period', 'fortnight'), 2)).toMatch(/^error: Invalid values/);
    expect(oneLine(run('--periods', '0'), 2)).toBe('error: --periods needs a whole number from 1 to 120');
    expect(oneLine(run('--periods', '2', '--from', '2026-01'), 2)).toBe('error: --periods and --from are alternatives: give one');
    expect(oneLine(run('--timezone'), 2)).toBe('error: --timezone needs a value');
  });

  it('--out the config is refused (exit 4) before any query', () => {
    expect(oneLine(run('--out', config), 4)).toMatch(/^error: refusing --out .*cfg\.yaml: it is the config file/);
    expect(readFileSync(config, 'utf8')).toBe('cluster: prod-eu1\n');
  });

  it('--dry-run prints the periods and the plan and sends nothing', () => {
    const r = run('--dry-run', '--period', 'quarter', '--from', '2026-01-01', '--to', '2026-07-01', '--timezone', 'Asia/Kolkata');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^quarter 2026-Q1: 2025-12-31T18:30:00.000Z to 2026-03-31T18:30:00.000Z\nquarter 2026-Q2: 2026-03-31T18:30:00.000Z to 2026-06-30T18:30:00.000Z\nbacktest plan: /);
  });
});

describe('report rendering', () => {
  const day = (d: string, requests: number, errors: number) => ({ day: d, requests, errors, budget: errors / 100, ...(requests ? { attainment: 100 * (1 - errors / requests) } : {}) });
  const start = utc('2026-03-01T00:00:00Z');
  const end = utc('2026-03-03T00:00:00Z');
  const slo = {
    name: 'custom', sli: 'custom', component: '\u001b[31mred', labels: { namespace: 'shop', deployment: 'web|<b>x</b>' }, cluster: 'prod', period: '2026-03',
    objective: 99.9, attainment: 99.8996, requests: 100_000, errors: 100.4, budgetSpent: 1.004, budgetLeft: -0.004, excludedRequests: 0,
    incidents: [{ kind: 'page' as const, start: start + 3600, end: start + 7200, alerts: ['Burn 1h/5m'], budget: 0.5, muted: 'db-upgrade' }],
    worstDays: [day('2026-03-01', 50_000, 100.4)], days: [day('2026-03-01', 50_000, 100.4), day('2026-03-02', 50_000, 0)],
    burnDown: [[start, 1], [start + 86_400, -0.004], [end, -0.004]] as Array<[number, number]>,
  };
  const maintenance = [
    { name: 'db-upgrade', start: start + 3600, end: start + 7200, excludeFromBudget: true, mute: ['page', 'ticket'] },
    { name: 'patching', start: start + 10_800, end: start + 12_600, excludeFromBudget: false, mute: [] },
  ];
  const report = { kind: 'month' as const, tz: 'UTC', clusters: [{ cluster: 'prod', hasData: true, failures: [], periods: [{ label: '2026-03', start, end, partial: true, slos: [slo], maintenance }] }] };

  it('text: attainment rounded down, maintenance summed per window, muted incidents marked, label values made printable', () => {
    const text = formatText(report);
    expect(text).toContain('Maintenance: db-upgrade: 1 time(s), 1h in all, excluded from the budget, mutes pages and tickets; patching: 1 time(s), 30m in all, counted in the budget.');
    expect(text).toMatch(/custom \(red\) shop\/web\|<b>x<\/b>\s+99\.9%\s+99\.899%\s+100\.4%\s+-0\.4%\s+100,000\s+100\s+1\s+0/);
    expect(text).toMatch(/page \(muted: db-upgrade\)\s+2026-03-01 01:00 \+00:00\s+1h\s+50%\s+Burn 1h\/5m/);
    expect(text).toContain('month 2026-03 (so far)');
    expect(text).not.toContain('\u001b');
  });

  it('Markdown and HTML keep label values inert; JSON has the flat slos list in percent', () => {
    expect(formatMarkdown(report)).toContain('shop/web\\|&lt;b&gt;x&lt;/b&gt;');
    const html = formatHtml(report);
    expect(html).toContain('web|&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(chartIds(report)).toEqual(['chart-0-0-0']);
    const json = JSON.parse(formatJson(report)) as { slos: Array<Record<string, unknown>> };
    expect(json.slos).toEqual([expect.objectContaining({ name: 'custom', cluster: 'prod', objective: 99.9, attainment: 99.8996, budgetSpent: 100.4 })]);
    expect((json.slos[0]!.worstDays as Array<{ budget: number }>)[0]!.budget).toBeCloseTo(100.4, 9);
  });

  it('a fleet: a section per cluster, one without data said so, chart ids unique across clusters', () => {
    const period = report.clusters[0]!.periods[0]!;
    const fleet = { ...report, clusters: [report.clusters[0]!, { cluster: 'staging', hasData: false, failures: [], periods: [{ ...period, slos: [{ ...slo, cluster: 'staging' }], maintenance: [] }] }] };
    const text = formatText(fleet);
    expect(text.match(/^Cluster (prod|staging)$/gm)).toEqual(['Cluster prod', 'Cluster staging']);
    expect(text).toMatch(/Cluster staging\n-+\nNO DATA: the history holds no series of this cluster/);
    expect(formatMarkdown(fleet).match(/^### Cluster \w+$/gm)).toEqual(['### Cluster prod', '### Cluster staging']);
    expect(chartIds(fleet)).toEqual(['chart-0-0-0', 'chart-0-1-0']);
    const html = formatHtml(fleet);
    for (const id of chartIds(fleet)) expect(html).toContain(`<figure class="chart" id="${id}">`);
    expect((JSON.parse(formatJson(fleet)) as { slos: Array<{ cluster: string }> }).slos.map((x) => x.cluster)).toEqual(['prod', 'staging']);
  });
});
