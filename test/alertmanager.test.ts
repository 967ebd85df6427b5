/**
 * The Alertmanager snippets: real amtool accepts them; the inhibit rules suppress only slower tiers;
 * and in a real Alertmanager (Debian's prometheus-alertmanager on 127.0.0.1) a maintenance window
 * mutes a page while it is open and lets it through once it closes, and mutes nothing else.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, dump } from 'js-yaml';
import { resolveConfig, validateConfig } from '../src/config/load.js';
import { generate, generateBundle } from '../src/generate.js';
import { freePort } from '../tools/sim/prometheus.js';
import { waitFor } from './support/wait.js';

const gen = generate(validateConfig({ cluster: 'am', prometheus: { extraMatchers: { cluster: 'am' } } }, 'am.yaml'), 'am.yaml');
const snippet = load(gen.files.get('alertmanager/linkerd-slo-am.inhibit-rules.yaml')!) as {
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
};

interface Maintenance {
  time_intervals: Array<{ name: string; time_intervals: Array<Record<string, unknown>> }>;
  route: { routes: Array<{ matchers: string[]; routes: Array<{ matchers: string[]; mute_time_intervals: string[] }> }> };
}

function maintenanceOf(maintenance: unknown, more: Record<string, unknown> = {}): Maintenance {
  const g = generate(validateConfig({ cluster: 'am', prometheus: { extraMatchers: { cluster: 'am' } }, alerting: { maintenance }, ...more }, 'am.yaml'), 'am.yaml');
  return load(g.files.get('alertmanager/linkerd-slo-am.maintenance.yaml')!) as Maintenance;
}

function amtoolCheck(config: Record<string, unknown>): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-am-'));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, dump(config));
  const r = spawnSync('amtool', ['check-config', file], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return r;
}

describe('alertmanager inhibit rules', () => {
  it('amtool check-config accepts an alertmanager.yml with the snippet merged in', () => {
    const r = amtoolCheck({ route: { receiver: 'null' }, receivers: [{ name: 'null' }], inhibit_rules: snippet.inhibit_rules });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${snippet.inhibit_rules.length} inhibit rules`);
  });

  it('the 1h page silences the slower tiers of the same SLI, never the other way round', () => {
    const fast = snippet.inhibit_rules.find((r) => r.source_matchers.includes('alertname="LinkerdControlPlaneErrorBudgetBurn"') && r.source_matchers.includes('long="1h"'));
    expect(fast?.target_matchers).toEqual(['alertname="LinkerdControlPlaneErrorBudgetBurn"', 'long=~"6h|1d|3d"']);
    expect(fast?.equal).toEqual(['slo', 'sli', 'component', 'cluster']);
    const slowest = snippet.inhibit_rules.filter((r) => r.source_matchers.includes('long="3d"'));
    expect(slowest).toEqual([]);
  });

  it('a page inhibits the budget-exhausted ticket of its own SLI; the ticket inhibits nothing', () => {
    const exhausted = snippet.inhibit_rules.filter((r) => r.target_matchers.includes('alertname="LinkerdControlPlaneErrorBudgetExhausted"'));
    expect(exhausted).toEqual([
      {
        source_matchers: ['alertname="LinkerdControlPlaneErrorBudgetBurn"', 'severity="critical"'],
        target_matchers: ['alertname="LinkerdControlPlaneErrorBudgetExhausted"'],
        equal: ['slo', 'sli', 'component', 'cluster'],
      },
    ]);
    expect(snippet.inhibit_rules.filter((r) => r.source_matchers.some((m) => m.includes('Exhausted')))).toEqual([]);
  });
});

describe('alertmanager maintenance windows', () => {
  const windows = [
    { name: 'weekly', time_intervals: [{ weekdays: ['Saturday'], times: [{ start_time: '02:00', end_time: '04:00' }], location: 'Europe/Berlin' }] },
    { name: 'month-end', mute: ['ticket'], time_intervals: [{ days_of_month: [-1, '1:3'], months: ['december', '1:2'], years: [2026, '2027:2028'] }, { weekdays: ['sunday'] }] },
    { name: 'budget-only', mute: [], excludeFromBudget: true, time_intervals: [{ times: [{ start_time: '00:00', end_time: '24:00' }] }] },
  ];

  it('without windows there is no maintenance file', () => {
    expect([...gen.files.keys()].filter((p) => p.includes('maintenance'))).toEqual([]);
  });

  it('amtool check-config accepts time_intervals and routes merged with the inhibit rules', () => {
    const m = maintenanceOf(windows);
    const r = amtoolCheck({
      route: { receiver: 'null', routes: m.route.routes },
      receivers: [{ name: 'null' }],
      inhibit_rules: snippet.inhibit_rules,
      time_intervals: m.time_intervals,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('pages are muted only by windows that mute pages, tickets by both; a budget-only window mutes nothing', () => {
    const m = maintenanceOf(windows);
    expect(m.time_intervals.map((t) => t.name)).toEqual(['linkerd-slo-am-weekly', 'linkerd-slo-am-month-end', 'linkerd-slo-am-budget-only']);
    // The location is always written: without it Alertmanager reads the time in UTC.
    expect(m.time_intervals[1]!.time_intervals).toEqual([
      { days_of_month: ['-1', '1:3'], months: ['december', '1:2'], years: ['2026', '2027:2028'], location: 'UTC' },
      { weekdays: ['sunday'], location: 'UTC' },
    ]);
    const [route] = m.route.routes;
    expect(route!.matchers).toContain('cluster="am"');
    expect(route!.matchers[0]).toMatch(/^alertname=~"(Linkerd[A-Za-z]+\|)+Linkerd[A-Za-z]+"$/);
    expect(route!.matchers[0]).toContain('LinkerdControlPlaneErrorBudgetBurn');
    expect(route!.routes).toEqual([
      { matchers: ['severity="critical"'], mute_time_intervals: ['linkerd-slo-am-weekly'] },
      { matchers: ['severity="warning"'], mute_time_intervals: ['linkerd-slo-am-weekly', 'linkerd-slo-am-month-end'] },
    ]);
  });

  it('a fleet gets one route per cluster with windows, matching its cluster label (a cluster override)', () => {
    const b = generateBundle(
      resolveConfig({ cluster: 'fleet', clusters: [{ name: 'eu', overrides: { alerting: { maintenance: [windows[0]] } } }, { name: 'us' }] }, 'fleet.yaml'),
      'fleet.yaml',
    );
    const m = load(b.files.get('alertmanager/linkerd-slo-fleet.maintenance.yaml')!) as Maintenance;
    expect(m.time_intervals.map((t) => t.name)).toEqual(['linkerd-slo-eu-weekly']);
    expect(m.route.routes).toHaveLength(1);
    expect(m.route.routes[0]!.matchers).toContain('cluster="eu"');
  });
});

/** A webhook receiver on 127.0.0.1 that keeps every notification's alerts. */
async function webhook(): Promise<{ server: Server; url: string; received: Array<{ at: number; labels: Record<string, string> }> }> {
  const received: Array<{ at: number; labels: Record<string, string> }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const at = Date.now();
      for (const a of (JSON.parse(body) as { alerts: Array<{ labels: Record<string, string> }> }).alerts) received.push({ at, labels: a.labels });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/`, received };
}

/** Wall-clock HH:MM and minute of day in a zone, read with Intl (not with the code under test). */
function wallClock(zone: string, t: number): { minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { minute: get('hour') * 60 + get('minute') };
}
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

describe('a maintenance window in a real Alertmanager', () => {
  const processes: ChildProcess[] = [];
  const servers: Server[] = [];
  afterAll(() => {
    for (const p of processes) p.kill('SIGTERM');
    for (const s of servers) s.close();
  });

  it('mutes a page while open and notifies it once closed; a ticket and a foreign page go through meanwhile', async () => {
    // Kolkata (+05:30) so the window is read in a location other than UTC. Not across midnight.
    const zone = 'Asia/Kolkata';
    await waitFor('a wall-clock minute that leaves the window room before midnight', async () => wallClock(zone, Date.now()).minute < 1436, 300_000, 1000);
    const now = Date.now();
    const start = wallClock(zone, now).minute;
    // The window closes at the start of the wall-clock minute two minutes on.
    const closesAt = Math.floor(now / 60_000) * 60_000 + 2 * 60_000;
    const m = maintenanceOf([{ name: 'upgrade', mute: ['page'], time_intervals: [{ times: [{ start_time: hhmm(start), end_time: hhmm(start + 2) }], location: zone }] }]);

    const hook = await webhook();
    servers.push(hook.server);
    const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-am-run-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      dump({
        route: { receiver: 'hook', group_by: ['alertname', 'cluster', 'severity'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h', routes: m.route.routes },
        receivers: [{ name: 'hook', webhook_configs: [{ url: hook.url, send_resolved: false }] }],
        inhibit_rules: snippet.inhibit_rules,
        time_intervals: m.time_intervals,
      }),
    );
    let log = '';
    const am = spawn('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=', '--log.level=debug',
    ]);
    processes.push(am);
    am.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const api = `http://127.0.0.1:${port}/api/v2`;
    await waitFor('Alertmanager ready', async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok, 30_000);

    // Label sets as Prometheus sends them for the bundle's alerts (rule labels, the series' cluster
    // label, the alert name), and a page of another team's rules that no window covers.
    const page = { alertname: 'LinkerdControlPlaneErrorBudgetBurn', severity: 'critical', slo: 'control-plane-success-rate', sli: 'server', long: '1h', cluster: 'am', team: 'platform' };
    const ticket = { alertname: 'LinkerdControlPlaneSLIMetricsAbsent', severity: 'warning', slo: 'control-plane-success-rate', sli: 'server', component: 'destination', cluster: 'am', team: 'platform' };
    const foreign = { alertname: 'KubeNodeNotReady', severity: 'critical', cluster: 'am', node: 'node-1' };
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const post = await fetch(`${api}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([page, ticket, foreign].map((labels) => ({ labels, startsAt: new Date().toISOString(), endsAt, generatorURL: 'http://prometheus.example/graph' }))),
    });
    expect(post.ok).toBe(true);

    const got = (name: string, severity: string) => hook.received.find((r) => r.labels.alertname === name && r.labels.severity === severity);
    await waitFor('the ticket and the foreign page notified', async () => got(ticket.alertname, 'warning') && got(foreign.alertname, 'critical'), 30_000);
    // Alertmanager logs the mute without the group (notify.go, TimeMuteStage); the page's route is the only muted one here.
    await waitFor('Alertmanager muting the page\'s route', async () => log.includes('msg="Notifications not sent, route is within mute time"'), 30_000);
    expect(Date.now()).toBeLessThan(closesAt);
    expect(got(page.alertname, 'critical'), 'the page was notified while its window was open').toBeUndefined();

    const notified = await waitFor('the page notified after the window closed', async () => got(page.alertname, 'critical'), closesAt - Date.now() + 60_000, 500);
    expect(notified.at).toBeGreaterThanOrEqual(closesAt);
    // Alertmanager writes its notification log and silences on shutdown: remove its directory after it exits.
    const exited = am.exitCode === null && am.signalCode === null ? new Promise((resolve) => am.once('exit', resolve)) : Promise.resolve();
    am.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }, 420_000);
});
