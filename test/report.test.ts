/**
 * `linkerd-slo report` against a real Prometheus holding a simulated March 2026 (both DST changes of
 * the month: New York springs forward on the 8th, Berlin on the 29th) with two known outages. The
 * history is written here as OpenMetrics from Linkerd's real label sets (test/support/linkerd-series.ts),
 * independently of the generator, backfilled with `promtool tsdb create-blocks-from openmetrics` and
 * served by Prometheus on 127.0.0.1.
 *
 * The expectations are hand computations from the scenario alone: 20 responses/s on the destination's
 * server (plus the admin port's probes and scrapes, which are not the SLI), 50% of them failing
 * during each outage. The report's attainment, budget and worst days must equal them in
 * Europe/Berlin (March is 743 h, the second outage is already April there) and America/New_York
 * (March is 743 h too, both outages inside it, the 8th a 23-hour day).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { primary, startPrometheus, type RunningPrometheus } from '../tools/sim/index.js';
import { CONTROL_PLANE, adminResponses, controlPlaneProxy, controlPlaneServerResponses, series } from './support/linkerd-series.js';
import { cli } from './support/cli.js';
import { validateConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';
import { prometheusClient } from '../src/check/prometheus-client.js';
import { replay } from '../src/backtest/index.js';
import { chartIds, choosePeriods, compliance, formatHtml, formatText, maintenanceSpans, planReport, type PeriodCompliance } from '../src/report/index.js';

const utc = (iso: string) => Date.parse(iso) / 1000;
const SCRAPE = 60;
const HISTORY = { from: utc('2026-02-24T00:00:00Z'), to: utc('2026-04-01T06:00:00Z') };
const RPS = 20;
const ADMIN_RPS = 0.3;
// 50% of the responses fail, 2 h each.
const OUTAGES = [
  { from: utc('2026-03-08T12:00:00Z'), to: utc('2026-03-08T14:00:00Z') }, // NY 08:00 EDT on its 23-h day; Berlin 13:00 CET
  { from: utc('2026-03-31T23:00:00Z'), to: utc('2026-04-01T01:00:00Z') }, // NY 19:00 EDT March 31; Berlin 01:00 CEST April 1st
];
const VERSION = '2.18' as const;
const dest = CONTROL_PLANE.destination;

const failing = (t: number) => OUTAGES.some((o) => t >= o.from && t < o.to);

/** The history as OpenMetrics: counters integrated minute by minute from the scenario. */
function writeHistory(file: string): void {
  const fd = openSync(file, 'w');
  const om = (s: string) => s.replace(/", /g, '",');
  const write = (head: string, value: (t: number, prev: number) => number) => {
    let v = 0;
    const lines: string[] = [];
    for (let t = HISTORY.from; t <= HISTORY.to; t += SCRAPE) {
      v = value(t, v);
      lines.push(`${head} ${v} ${t}\n`);
      if (lines.length > 5000) writeSync(fd, lines.splice(0).join(''));
    }
    writeSync(fd, lines.join(''));
  };
  writeSync(fd, '# HELP response Total count of HTTP responses.\n# TYPE response counter\n');
  // The failure series exists from the start: the pod saw a failure before the history began.
  write(om(controlPlaneServerResponses(VERSION, dest, 'success')), (t, prev) => (t === HISTORY.from ? 1e6 : prev + SCRAPE * RPS * (failing(t - SCRAPE) ? 0.5 : 1)));
  write(om(controlPlaneServerResponses(VERSION, dest, 'failure')), (t, prev) => (t === HISTORY.from ? 7 : prev + SCRAPE * RPS * (failing(t - SCRAPE) ? 0.5 : 0)));
  write(om(adminResponses(VERSION, controlPlaneProxy(dest))), (t, prev) => (t === HISTORY.from ? 5e4 : prev + SCRAPE * ADMIN_RPS));
  writeSync(fd, '# HELP up The scrape succeeded.\n# TYPE up gauge\n');
  write(om(series('up', controlPlaneProxy(dest))), () => 1);
  writeSync(fd, '# EOF\n');
  closeSync(fd);
}

const CONFIG = {
  cluster: 'rep',
  linkerd: { version: VERSION },
  slos: {
    controlPlaneSuccessRate: { objective: 99.9, components: ['destination'], clientSide: { enabled: false } },
    controlPlaneLatency: { enabled: false },
    certificates: { enabled: false },
    controlPlaneAvailability: { enabled: false },
    proxyResources: { enabled: false },
  },
};

/**
 * Berlin's config adds two maintenance windows: an upgrade on March 8th 13:00–14:00 Berlin time
 * (12:00–13:00 UTC, the first hour of the first outage) left out of the budget, and a weekly Sunday
 * 03:00–04:00 patching window that is only shown.
 */
const MAINTENANCE = [
  { name: 'db-upgrade', time_intervals: [{ years: ['2026'], months: ['march'], days_of_month: ['8'], times: [{ start_time: '13:00', end_time: '14:00' }], location: 'Europe/Berlin' }], excludeFromBudget: true },
  { name: 'weekly-patching', time_intervals: [{ weekdays: ['sunday'], times: [{ start_time: '03:00', end_time: '04:00' }], location: 'Europe/Berlin' }], mute: ['ticket'] },
];
/** New York's only window: Saturdays 06:00–12:00 local, shown and counted (excludeFromBudget false). */
const NY_WINDOW = { name: 'saturday-batch', time_intervals: [{ weekdays: ['saturday'], times: [{ start_time: '06:00', end_time: '12:00' }], location: 'America/New_York' }], mute: ['ticket' as const], excludeFromBudget: false };
const EXCLUDED = { from: utc('2026-03-08T12:00:00Z'), to: utc('2026-03-08T13:00:00Z') };
const overlapOf = (a: { from: number; to: number }, from: number, to: number) => Math.max(0, Math.min(to, a.to) - Math.max(from, a.from));

/** Hand computation: requests and errors of [from, to) from the scenario, less the excluded window when asked. */
function expected(from: number, to: number, exclude = false) {
  const out = exclude ? overlapOf(EXCLUDED, from, to) : 0;
  const requests = RPS * (to - from - out);
  const errors = OUTAGES.reduce((n, o) => n + (overlapOf(o, from, to) - (exclude ? overlapOf(o, Math.max(from, EXCLUDED.from), Math.min(to, EXCLUDED.to)) : 0)) * RPS * 0.5, 0);
  return { requests, errors, attainment: 100 * (1 - errors / requests), budgetSpent: errors / (0.001 * requests) };
}

describe('report: a simulated March with two outages, in two time zones across DST', () => {
  let dir = '';
  let prom: RunningPrometheus | undefined;
  let ny: PeriodCompliance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-report-'));
    const om = join(dir, 'history.om');
    writeHistory(om);
    const data = join(dir, 'data');
    // Blocks of up to 8 days: promtool's default (2 h) would make 440 blocks of this month.
    const r = spawnSync(primary('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=192h', om, data], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`promtool backfill failed: ${r.stdout}${r.stderr}`);
    rmSync(om);
    prom = await startPrometheus({ config: { global: { evaluation_interval: `${SCRAPE}s` } }, dataDir: data, args: ['--storage.tsdb.retention.time=10y'] });
    writeFileSync(join(dir, 'rep.yaml'), dump({ ...CONFIG, alerting: { maintenance: MAINTENANCE } }));
    // New York in-process (one replay, every format); Berlin below through the CLI.
    const config = validateConfig(CONFIG, 'rep.yaml');
    const gen = generate(config, 'rep.yaml');
    const tz = 'America/New_York';
    const periods = choosePeriods({ kind: 'month', tz, now: HISTORY.to, from: '2026-03', to: '2026-04' });
    const plan = planReport(gen.groups, periods, { step: SCRAPE });
    const result = await replay(plan, prometheusClient(prom.url), { concurrency: 2 });
    expect(result.failures).toEqual([]);
    // A window that is only shown (counted in the budget): the figures must stay the hand computation's.
    const maintenance = maintenanceSpans([NY_WINDOW], plan.from, plan.to);
    ny = compliance(result, periods, { cluster: 'rep', tz, pageSeverity: config.alerting.severities.page, ticketSeverity: config.alerting.severities.ticket, maintenance })[0]!;
    writeFileSync(join(dir, 'ny.html'), formatHtml({ kind: 'month', tz, clusters: [{ cluster: 'rep', hasData: true, failures: [], periods: [ny] }] }));
    console.log(formatText({ kind: 'month', tz, clusters: [{ cluster: 'rep', hasData: true, failures: [], periods: [ny] }] }));
  }, 900_000);

  afterAll(async () => {
    await prom?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('New York: March is 743 h, both outages count, the 23-hour 8th is the worst day', () => {
    const start = utc('2026-03-01T05:00:00Z');
    const end = utc('2026-04-01T04:00:00Z');
    expect([ny.start, ny.end, ny.label]).toEqual([start, end, '2026-03']);
    const want = expected(start, end);
    expect(want.requests).toBe(RPS * 743 * 3600);
    expect(want.errors).toBe(144_000);
    expect(ny.slos).toHaveLength(1);
    const s = ny.slos[0]!;
    expect([s.name, s.component, s.cluster, s.objective]).toEqual(['control-plane-success-rate', 'destination', 'rep', 99.9]);
    expect(s.requests).toBeCloseTo(want.requests, 3);
    expect(s.errors).toBeCloseTo(want.errors, 3);
    expect(s.attainment).toBeCloseTo(want.attainment, 9);
    expect(s.budgetSpent).toBeCloseTo(want.budgetSpent, 9);
    // 23 hours of traffic on the 8th, 2 of them at 50%.
    const day8 = s.days.find((d) => d.day === '2026-03-08')!;
    expect(day8.requests).toBeCloseTo(RPS * 23 * 3600, 3);
    expect(s.worstDays.map((d) => d.day)).toEqual(['2026-03-08', '2026-03-31']);
    expect(s.worstDays[0]!.attainment).toBeCloseTo(100 * (1 - 72_000 / (RPS * 23 * 3600)), 9);
    expect(s.worstDays[1]!.attainment).toBeCloseTo(100 * (1 - 72_000 / (RPS * 24 * 3600)), 9);
    expect(s.days).toHaveLength(31);
    expect(s.excludedRequests).toBe(0);
    // March 2026's Saturdays, 06:00 EST (11:00 UTC) before the 8th, 06:00 EDT (10:00 UTC) after.
    expect(ny.maintenance.map((w) => [w.name, new Date(w.start * 1000).toISOString(), (w.end - w.start) / 3600])).toEqual(
      ['2026-03-07T11:00', '2026-03-14T10:00', '2026-03-21T10:00', '2026-03-28T10:00'].map((t) => ['saturday-batch', `${t}:00.000Z`, 6]),
    );
  });

  it('New York: each outage pages once, soon after it starts, and its incident spent budget', () => {
    const s = ny.slos[0]!;
    const pages = s.incidents.filter((i) => i.kind === 'page');
    expect(pages).toHaveLength(2);
    pages.forEach((p, i) => {
      expect(p.start).toBeGreaterThanOrEqual(OUTAGES[i]!.from);
      expect(p.start).toBeLessThan(OUTAGES[i]!.from + 15 * 60);
      expect(p.budget).toBeGreaterThan(0);
      expect(p.budget).toBeLessThanOrEqual(72_000 / (0.001 * s.requests) + 1e-9);
    });
  });

  it('Berlin through the CLI: the second outage is April there, an hour of the first is maintenance; attainment as by hand', () => {
    const r = cli(['report', '--config', join(dir, 'rep.yaml'), '--prometheus-url', prom!.url, '--from', '2026-03', '--to', '2026-04', '--timezone', 'Europe/Berlin', '--step', '1m', '--format', 'json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { periods: Array<{ label: string; start: string; end: string; hours: number }>; slos: Array<Record<string, unknown>> };
    expect(json.periods).toEqual([{ label: '2026-03', start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z', partial: false, hours: 743 }]);
    const want = expected(utc('2026-02-28T23:00:00Z'), utc('2026-03-31T22:00:00Z'), true);
    expect(want.errors).toBe(36_000);
    expect(want.requests).toBe(RPS * 742 * 3600);
    const [s] = json.slos as Array<{ name: string; cluster: string; objective: number; attainment: number; budgetSpent: number; excludedRequests: number; days: Array<{ day: string; requests: number }>; worstDays: Array<{ day: string }>; incidents: Array<{ kind: string; muted?: string }> }>;
    expect(json.slos).toHaveLength(1);
    expect([s!.name, s!.cluster, s!.objective]).toEqual(['control-plane-success-rate', 'rep', 99.9]);
    expect(s!.attainment).toBeCloseTo(want.attainment, 9);
    expect(s!.budgetSpent).toBeCloseTo(100 * want.budgetSpent, 7);
    expect(s!.days.find((d) => d.day === '2026-03-29')!.requests).toBeCloseTo(RPS * 23 * 3600, 3);
    expect(s!.worstDays.map((d) => d.day)).toEqual(['2026-03-08']);
    expect(s!.excludedRequests).toBeCloseTo(RPS * 3600, 3);
    // The page of the first outage starts inside the upgrade window, which mutes pages.
    expect(s!.incidents.filter((i) => i.kind === 'page')).toEqual([expect.objectContaining({ muted: 'db-upgrade' })]);
    // Both windows are shown: the upgrade once, the patching on each of March's five Sundays (the 29th's 03:00 exists: clocks skip 02:00–03:00).
    const windows = (JSON.parse(r.stdout) as { clusters: Array<{ maintenance: Array<{ windows: Array<{ name: string; start: string; excludeFromBudget: boolean }> }> }> }).clusters[0]!.maintenance[0]!.windows;
    expect(windows.filter((w) => w.name === 'db-upgrade').map((w) => [w.start, w.excludeFromBudget])).toEqual([['2026-03-08T12:00:00.000Z', true]]);
    expect(windows.filter((w) => w.name === 'weekly-patching').map((w) => w.start)).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-08T02:00:00.000Z', '2026-03-15T02:00:00.000Z', '2026-03-22T02:00:00.000Z', '2026-03-29T01:00:00.000Z']);
  }, 600_000);

  it('the HTML page draws a chart per SLO in headless Chromium, loading nothing', () => {
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((b) => spawnSync(b, ['--version'], { stdio: 'ignore' }).status === 0);
    if (!chromium) {
      console.log('skipped: chromium not installed (apt-get install chromium)');
      return;
    }
    const file = join(dir, 'ny.html');
    const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    const ids = chartIds({ kind: 'month', tz: 'America/New_York', clusters: [{ cluster: 'rep', hasData: true, failures: [], periods: [ny] }] });
    expect(ids).toEqual(['chart-0-0-0']);
    for (const id of ids) {
      const fig = new RegExp(`<figure class="chart" id="${id}">[\\s\\S]*?</figure>`).exec(r.stdout)?.[0] ?? '';
      // 31 day bars, two of them red (below the objective), and the budget line.
      expect(fig.match(/<rect [^>]*fill="#d9534f"/g)).toHaveLength(2);
      expect(fig.match(/<rect [^>]*fill="#5cb85c"/g)).toHaveLength(29);
      expect(fig).toMatch(/<path d="M[\d.]+,[\d.]+(L[\d.-]+,[\d.-]+){31}"/);
    }
    expect(r.stderr).not.toMatch(/Refused to load|Content Security Policy|ERR_/);
    // The README's picture: LINKERD_SLO_REPORT_PICTURE=docs/img/report.png npx vitest run test/report.test.ts
    const picture = process.env.LINKERD_SLO_REPORT_PICTURE;
    if (picture) {
      const shot = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${resolve(picture)}`, '--window-size=1000,760', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
      expect(shot.status, shot.stderr).toBe(0);
    }
  });
});
