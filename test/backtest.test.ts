/**
 * `linkerd-slo backtest` against a real Prometheus holding nine hours of simulated history with known
 * events (a full outage, a 2% burn, a 30 s blip, metrics gone for 20 minutes).
 *
 * The truth comes from Prometheus' own rule engine, not from our code: `promtool test rules` loads the
 * generated rule file, evaluates every group (recordings, then alerts with their `for`) every 30 s over
 * the same samples, and we read the ALERTS series it writes at each evaluation (`promtool tsdb
 * create-blocks-from rules` ignores alerting rules, so it cannot be the oracle). The backtest reads the
 * same samples from a real Prometheus (backfilled with promtool), with recordings inlined. Pending and
 * firing intervals per alert and label set must agree within one evaluation step.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, freePort, primary, startPrometheus, type RunningPrometheus } from '../tools/sim/index.js';
import { validateConfig } from '../src/config/load.js';
import { destinationHistory, evaluateWithPromtool, hourAlignedRange, keyOf, onlyDestinationSuccessRate } from './support/rule-engine.js';
import { generate } from '../src/generate.js';
import { parseDuration } from '../src/promql/number.js';
import { prometheusClient } from '../src/check/prometheus-client.js';
import { buildReport, chartIds, formatHtml, formatJson, formatMarkdown, formatText, planBacktest, replay, type BacktestReport, type ReplayResult } from '../src/backtest/index.js';
import type { Config } from '../src/config/schema.js';

const STEP = 30;
/**
 * The backtest starts LEAD after the history: it evaluates each alert from its `for` (up to 3h here)
 * before --from, and the rule engine's history has nothing before its start.
 */
const LEAD = 3 * 3600;
const HOURS = 9;
const CLUSTER = 'bt';
// Known events, seconds after the start of the history.
const OUTAGE = { from: LEAD + 3600, to: LEAD + 4800 }; // destination answers 100% errors for 20 minutes
const BURN_2PCT = { from: LEAD + 7200, to: LEAD + 10800 }; // 2% errors for an hour: 20x the 99.9% budget
const BLIP = { from: LEAD + 12600, to: LEAD + 12630 }; // 30 s of errors: must not page
const GONE = { from: LEAD + 14400, to: LEAD + 15600 }; // response_total vanishes for 20 minutes

/** Only the destination's control-plane success rate (server side): the one SLI the history holds. */
function configSlos(objective?: number): Record<string, unknown> {
  return onlyDestinationSuccessRate(CLUSTER, 'bt.yaml', objective !== undefined ? { objective } : {});
}

function configFor(objective?: number): Config {
  return validateConfig({ cluster: CLUSTER, prometheus: { extraMatchers: { cluster: CLUSTER } }, slos: configSlos(objective) }, 'bt.yaml');
}

/** ALERTS at every evaluation, as Prometheus' rule engine (promtool test rules) computes them. */
function truthFromPromtool(dir: string, ruleFile: string, omFile: string, start: number, evaluations: number): Map<string, { pending: Set<number>; firing: Set<number> }> {
  const truth = new Map<string, { pending: Set<number>; firing: Set<number> }>();
  for (const { t, got } of evaluateWithPromtool({ promtool: primary('promtool'), dir, ruleFile, omFile, start, evaluations, stepSeconds: STEP, expr: 'ALERTS' })) {
    for (const m of got.matchAll(/\{([^}]*)\} \S+/g)) {
      const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      const { __name__: _n, alertstate, ...rest } = labels;
      const key = keyOf(rest);
      const entry = truth.get(key) ?? { pending: new Set<number>(), firing: new Set<number>() };
      (alertstate === 'firing' ? entry.firing : entry.pending).add(t);
      truth.set(key, entry);
    }
  }
  return truth;
}

/** Runs of consecutive evaluation times as [start, end) intervals. */
function runs(times: ReadonlySet<number>): Array<[number, number]> {
  const sorted = [...times].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === t) last[1] = t + STEP;
    else out.push([t, t + STEP]);
  }
  return out;
}

function sameWithinStep(actual: ReadonlyArray<readonly [number, number]>, expected: ReadonlyArray<readonly [number, number]>, what: string): void {
  expect(actual.length, `${what}: ${JSON.stringify(actual)} vs truth ${JSON.stringify(expected)}`).toBe(expected.length);
  actual.forEach(([s, e], i) => {
    expect(Math.abs(s - expected[i]![0]), `${what} interval ${i} start`).toBeLessThanOrEqual(STEP);
    expect(Math.abs(e - expected[i]![1]), `${what} interval ${i} end`).toBeLessThanOrEqual(STEP);
  });
}

describe('backtest against a real Prometheus and the rule engine of promtool', () => {
  let dir: string;
  let prom: RunningPrometheus | undefined;
  let start: number;
  let from: number;
  let end: number;
  let truth: Map<string, { pending: Set<number>; firing: Set<number> }>;
  let result: ReplayResult;
  let report: BacktestReport;
  let queriesSeen = 0;
  const pointsPerQuery: number[] = [];
  const config = configFor();
  const gen = generate(config, 'bt.yaml');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-backtest-'));
    // Aligned to the hour (as a ruler's 30 s evaluations and the 5m subquery steps are), well in the past.
    ({ start, end } = hourAlignedRange(HOURS, 2, STEP));
    const om = destinationHistory({
      dir, start, end, stepSeconds: STEP, cluster: CLUSTER,
      events: [
        { kind: 'cp-errors', component: 'destination', ratio: 1, ...OUTAGE },
        { kind: 'cp-errors', component: 'destination', ratio: 0.02, ...BURN_2PCT },
        { kind: 'cp-errors', component: 'destination', ratio: 1, ...BLIP },
        { kind: 'families-missing', families: ['response_total'], ...GONE },
      ],
    });
    const data = join(dir, 'data');
    backfill(om, data);
    const ruleFile = join(dir, 'rules.yaml');
    writeFileSync(ruleFile, gen.files.get(`prometheus/linkerd-slo-${CLUSTER}.rules.yaml`)!);
    truth = truthFromPromtool(dir, ruleFile, om, start, HOURS * 3600 / STEP);

    prom = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: data });
    const client = prometheusClient(prom.url);
    const counting = {
      queryRange: async (expr: string, s: number, e: number, step: number) => {
        queriesSeen++;
        const res = await client.queryRange(expr, s, e, step);
        pointsPerQuery.push(Math.max(0, ...res.map((x) => x.values.length)));
        return res;
      },
    };
    from = start + LEAD;
    expect(Math.max(...gen.groups.flatMap((g) => g.rules.map((r) => ('alert' in r && r.for ? parseDuration(r.for) : 0))))).toBeLessThanOrEqual(LEAD);
    // Chunks of 240 evaluations (2 h): the chunking must not change a single evaluation.
    const plan = planBacktest(gen.groups, { from, to: end, step: STEP, maxPointsPerQuery: 240 });
    result = await replay(plan, counting, { concurrency: 2 });
    report = buildReport(result, { pageSeverity: config.alerting.severities.page, ticketSeverity: config.alerting.severities.ticket, whatIfMaxPages: 0 });
  }, 240_000);

  afterAll(async () => {
    await prom?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sees the known events in the truth at all (the scenario is not vacuous)', () => {
    const firing = [...truth.entries()].filter(([, v]) => v.firing.size > 0).map(([k]) => JSON.parse(k) as Array<[string, string]>);
    const names = new Set(firing.map((labels) => Object.fromEntries(labels).alertname));
    expect(names).toContain('LinkerdControlPlaneErrorBudgetBurn');
    expect([...names].some((n) => /Absent/.test(n!)), `an absent alert fires while response_total is gone: ${[...names].join(', ')}`).toBe(true);
  });

  it('pending and firing intervals equal what the rule engine reports, per alert and label set, within one step', () => {
    const mine = new Map(report.outcomes.map((o) => [keyOf(o.labels), o]));
    // The truth from the backtest's first evaluation on, cut there as the backtest cuts its own.
    const clip = (list: Array<[number, number]>) => list.filter(([, e]) => e > from).map(([s, e]): [number, number] => [Math.max(s, from), e]);
    const keys = new Set([...[...truth.entries()].filter(([, v]) => clip(runs(v.firing)).length + clip(runs(v.pending)).length > 0).map(([k]) => k), ...mine.keys()]);
    expect(keys.size).toBeGreaterThan(0);
    console.log(`compared ${keys.size} alert label sets: ${[...truth.values()].reduce((n, v) => n + runs(v.firing).length, 0)} firing and ${[...truth.values()].reduce((n, v) => n + runs(v.pending).length, 0)} pending intervals in the truth`);
    for (const key of keys) {
      const t = truth.get(key) ?? { pending: new Set(), firing: new Set() };
      const o = mine.get(key) ?? { pending: [], firing: [] };
      sameWithinStep(o.firing, clip(runs(t.firing)), `firing ${key}`);
      sameWithinStep(o.pending, clip(runs(t.pending)), `pending ${key}`);
    }
  });

  it('pages on the outage and the 2% burn, not on the blip', () => {
    const pageStarts = report.pages.map((p) => p.start - start);
    expect(pageStarts.some((s) => s >= OUTAGE.from && s < OUTAGE.to + 600)).toBe(true);
    expect(pageStarts.some((s) => s >= BURN_2PCT.from && s < BURN_2PCT.to)).toBe(true);
    expect(pageStarts.some((s) => s >= BLIP.from && s < GONE.from)).toBe(false);
    for (const p of report.pages) expect(p.peakBurnRate).toBeGreaterThan(0);
    // Two events deserve a page; during the outage the 1h/5m and 6h/30m pages overlap and count once
    // (the burn's 1 rps of traffic makes its 5m ratio dip below the threshold now and then: more episodes).
    expect(report.pageIncidents).toBeGreaterThanOrEqual(2);
    expect(report.pageIncidents).toBeLessThan(report.pages.length);
  });

  it('a maintenance window with excludeFromBudget leaves its requests and errors out of the budget', () => {
    // The window covers the outage's 20 minutes but its first and last 5: every request in it failed.
    const window = { start: start + OUTAGE.from + 300, end: start + OUTAGE.to - 300 };
    const excluded = buildReport(result, { pageSeverity: config.alerting.severities.page, ticketSeverity: config.alerting.severities.ticket, whatIfMaxPages: 0, budgetExcluded: [window] });
    const server = (r: BacktestReport) => r.budgets.find((b) => b.sli === 'server' && b.component === 'destination')!;
    const [before, after] = [server(report), server(excluded)];
    expect(before.excludedRequests).toBe(0);
    expect(after.excludedRequests).toBeGreaterThan(0);
    // 100% errors inside the window: the errors removed are the requests removed (5m-rate edges aside).
    expect(Math.abs(before.errors - after.errors - after.excludedRequests) / after.excludedRequests).toBeLessThan(0.05);
    expect(after.requests).toBeCloseTo(before.requests - after.excludedRequests, -1);
    expect(after.consumed).toBeLessThan(before.consumed);
    expect(formatText(excluded)).toContain(`left ${excluded.budgets.reduce((n, b) => n + b.excludedRequests, 0)} requests`);
  });

  it('stays within the plan: queries and points per query', () => {
    expect(result.failures).toEqual([]);
    expect(queriesSeen).toBe(result.plan.totals.queries);
    expect(result.stats.queriesSent).toBe(result.plan.totals.queries);
    expect(Math.max(...pointsPerQuery)).toBeLessThanOrEqual(240);
    const planned = result.plan.queries.flatMap((q) => q.chunks.map((c) => Math.floor((c[1] - c[0]) / q.step) + 1));
    expect(planned.length).toBe(queriesSeen);
  });

  it('a chunk Prometheus times out on is retried in halves; one that keeps failing is reported, not dropped', async () => {
    // In front of the real Prometheus: answers like Prometheus' query timeout (503, errorType "timeout")
    // for ranges over 120 evaluations, and always for the budget's `requests` query.
    const requestsExpr = result.plan.queries.find((q) => q.purpose === 'requests')!.expr;
    let refused = 0;
    const proxy = createServer(async (req, res) => {
      // Range queries arrive as POST form bodies (long inlined expressions), instant ones as GET.
      let body = '';
      for await (const chunk of req) body += chunk;
      const url = new URL(req.url!, 'http://x');
      if (body) url.search = body;
      const points = (Number(url.searchParams.get('end')) - Number(url.searchParams.get('start'))) / Number(url.searchParams.get('step')) + 1;
      if (url.pathname.endsWith('/query_range') && (points > 120 || url.searchParams.get('query') === requestsExpr)) {
        refused++;
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }));
        return;
      }
      void fetch(`${prom!.url}${url.pathname}${url.search}`).then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()));
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    try {
      const { port } = proxy.address() as AddressInfo;
      const again = await replay(result.plan, prometheusClient(`http://127.0.0.1:${port}`), { concurrency: 2 });
      expect(refused).toBeGreaterThan(0);
      // Every 240-point chunk was answered in two halves, with the same series and points.
      result.plan.queries.forEach((q, i) => {
        if (q.purpose === 'requests') return;
        const points = (list: typeof again.results[number]) => list.map((x) => [x.labels, [...x.points].sort((a, b) => a[0] - b[0])]);
        expect(points(again.results[i]!), q.purpose).toEqual(points(result.results[i]!));
      });
      const failed = again.failures.map((f) => f.purpose);
      expect(new Set(failed)).toEqual(new Set(['requests']));
      expect(again.failures[0]!.message).toMatch(/timeout: query timed out in expression evaluation/);
      expect(again.stats.queriesSent).toBeGreaterThan(result.plan.totals.queries);
    } finally {
      await new Promise((ok) => proxy.close(ok));
    }
  }, 60_000);

  it('renders text, Markdown and JSON with the same counts', () => {
    expect(formatText(report)).toContain(`${report.pages.length} page(s), ${report.tickets.length} ticket(s)`);
    expect(formatMarkdown(report)).toMatch(/^## linkerd-slo backtest/);
    const json = JSON.parse(formatJson(report)) as { pages: unknown[] };
    expect(json.pages.length).toBe(report.pages.length);
  });

  it('what-if: backtesting the suggested objective gives the pages the table claims', async () => {
    const row = report.whatIf[0]!;
    expect(row).toBeDefined();
    // A candidate the generator accepts, other than the configured one, with a claim to check.
    const candidate = row.pages.find((p) => p.objective !== row.configured && p.objective >= 99 && p.pages < row.pages.find((x) => x.objective === row.configured)!.pages) ?? row.pages.find((p) => p.objective !== row.configured && p.objective >= 99)!;
    console.log(`what-if ${row.slo}/${row.sli}: ${row.pages.map((p) => `${p.objective}%: ${p.pages}`).join(', ')}; re-checking ${candidate.objective}%`);
    const other = configFor(candidate.objective);
    const otherGen = generate(other, 'bt.yaml');
    const client = prometheusClient(prom!.url);
    const plan = planBacktest(otherGen.groups, { from, to: end, step: STEP });
    const again = buildReport(await replay(plan, client), { pageSeverity: other.alerting.severities.page, ticketSeverity: other.alerting.severities.ticket, whatIfMaxPages: 0 });
    const burnPages = again.pages.filter((p) => p.alert.startsWith('LinkerdControlPlaneErrorBudgetBurn')).length;
    expect(burnPages, `what-if claimed ${candidate.pages} pages at ${candidate.objective}%`).toBe(candidate.pages);
  }, 120_000);

  describe('the command line (node dist/cli.js, built by npm test)', () => {
    const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'backtest', ...args], { encoding: 'utf8', timeout: 120_000 });
    let configFile: string;
    /** A port nothing listens on. */
    let deadUrl: string;
    const range = () => ['--from', new Date(from * 1000).toISOString(), '--to', new Date(end * 1000).toISOString()];
    beforeAll(async () => {
      deadUrl = `http://127.0.0.1:${await freePort()}`;
      configFile = join(dir, 'linkerd-slo.yaml');
      writeFileSync(configFile, dump({ cluster: CLUSTER, prometheus: { extraMatchers: { cluster: CLUSTER } }, slos: configSlos() }));
    });

    it('--dry-run prints the plan and sends nothing (nothing listens at the URL)', () => {
      const r = run(['--config', configFile, '--prometheus-url', deadUrl, ...range(), '--max-points', '240', '--dry-run']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`${result.plan.totals.queries} range queries, ${result.plan.totals.points} points per series`);
    });

    it('--fail-on pages>N exits 1 when the history would have paged more, 0 otherwise', () => {
      const over = run(['--config', configFile, '--prometheus-url', prom!.url, ...range(), '--max-points', '240', '--fail-on', `pages>${report.pages.length - 1}`, '--format', 'json']);
      expect(over.status, over.stderr).toBe(1);
      expect(over.stderr).toMatch(new RegExp(`^backtest: ${result.plan.totals.queries} range queries, \\d+ points read in [\\d.]+ s\\n`));
      expect(over.stderr.endsWith(`backtest: ${report.pages.length} pages > ${report.pages.length - 1} (--fail-on pages>${report.pages.length - 1})\n`)).toBe(true);
      expect((JSON.parse(over.stdout) as { pages: unknown[] }).pages.length).toBe(report.pages.length);
      const within = run(['--config', configFile, '--prometheus-url', prom!.url, ...range(), '--fail-on', `pages>${report.pages.length}`]);
      expect(within.status, within.stderr).toBe(0);
    }, 60_000);

    it('refuses bad flags and an over-budget plan in one line, exit 2, before any query', () => {
      for (const args of [['--fail-on', 'pages=3', ...range()], ['--max-queries', '1', ...range()], ['--from', 'yesterday'], ['--step', '0s', ...range()], ['--from', '2026-13-45T00:00:00Z']]) {
        const r = run(['--config', configFile, '--prometheus-url', deadUrl, ...args]);
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/^error: [^\n]+\n$/);
      }
    });

    it('an unreachable Prometheus is one line, exit 3', () => {
      const r = run(['--config', configFile, '--prometheus-url', deadUrl, ...range()]);
      expect(r.status).toBe(3);
      expect(r.stderr).toBe(`error: cannot reach ${deadUrl}: connection refused (ECONNREFUSED)\n`);
    });
  });

  it('the HTML report opens in headless Chromium without errors and draws every chart', () => {
    const html = formatHtml(report);
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((b) => spawnSync(b, ['--version'], { stdio: 'ignore' }).status === 0);
    if (!chromium) {
      console.log('skipped: chromium not installed (apt-get install chromium)');
      return;
    }
    const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    const dom = r.stdout;
    expect(r.stderr).not.toMatch(/Uncaught|Refused to|ERR_/);
    for (const id of chartIds(report)) {
      const figure = new RegExp(`<figure class="chart" id="${id}">.*?</figure>`, 's').exec(dom)?.[0];
      expect(figure, `chart ${id}`).toBeDefined();
      expect(figure!).toMatch(id === 'timeline' ? /<rect [^>]*fill="#d9534f"/ : /<path d="M[\d.]+,[\d.]+L/);
    }
  }, 90_000);
});
