/**
 * The `backtest` command's flags and body (docs/backtest.md); src/cli.ts registers it and ends its
 * failures, as it does for backfill and report.
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { prometheusClient } from './check/prometheus-client.js';
import { printable } from './check/terminal.js';
import { durationFlag, RANGES, wholeFlag } from './cli-flags.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';
import { EXIT, UserError } from './errors.js';
import { budgetExcludedIntervals } from './maintenance/windows.js';
import { buildReport, clusterHasData, fleetCount, formatFleet, formatPlan, parseFailOn, planBacktest, presenceQuery, replay } from './backtest/index.js';
import { clustersToReplay, queryBudget, type HistoryCommandIo, type QueryBudgetArgs } from './history-commands.js';

export const BACKTEST_DESCRIBE =
  "Replay your Prometheus' history through the generated alerts: pages, tickets, budget spent, what-if objectives (docs/backtest.md). Same credentials as check";

/** The backtest's flags after --config; `maxResponse`: cli.ts' --max-response-mb, shared with check and report. */
export function backtestOptions<T>(y: Argv<T>, maxResponse: { readonly type: 'number'; readonly default: number; readonly describe: string }) {
  return y
    .option('prometheus-url', { type: 'string', demandOption: true, describe: 'Base URL of the Prometheus API holding the history; no user:password@ (use the environment variables)' })
    .option('from', { type: 'string', default: '30d', describe: 'Start: a duration before --to (30d) or an RFC 3339 time' })
    .option('to', { type: 'string', default: 'now', describe: 'End: now or an RFC 3339 time' })
    .option('step', { type: 'string', default: '30s', describe: 'Evaluation interval of the rule groups (your Prometheus evaluation_interval)' })
    .option('format', { choices: ['text', 'md', 'json', 'html'] as const, default: 'text' as const, describe: 'Report format' })
    .option('out', { alias: 'o', type: 'string', describe: 'Write the report to this file instead of stdout' })
    .option('timeout', { type: 'string', default: '60s', describe: 'How long Prometheus may work on each query (at most 1d); one it reports timed out is retried over half the range; no answer at all ends the run (exit 3)' })
    .option('max-response-mb', maxResponse)
    .option('max-queries', { type: 'number', default: 20_000, describe: 'Refuse to start (and to plan) when the backtest needs more range queries than this' })
    .option('max-points', { type: 'number', default: 11000, describe: 'Evaluations per range query (Prometheus allows 11,000 points per series)' })
    .option('concurrency', { type: 'number', default: 2, describe: 'Range queries in flight at once' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan (queries, points, estimated samples) and send nothing' })
    .option('fail-on', { type: 'string', describe: 'Exit 1 when the alerts would have sent more than N: pages>N or tickets>N (a fleet: every cluster counted together)' })
    .option('cluster', { type: 'string', describe: 'Replay only this cluster of a multi-cluster config (default: every cluster)' })
    .option('what-if-pages', { type: 'number', describe: 'Pages the what-if table aims for (default: N of --fail-on pages>N, else 0)' });
}

export interface BacktestArgs extends QueryBudgetArgs {
  readonly config: string;
  readonly 'prometheus-url': string;
  readonly from: string;
  readonly to: string;
  readonly step: string;
  readonly format: 'text' | 'md' | 'json' | 'html';
  readonly out?: string;
  readonly 'dry-run': boolean;
  readonly 'fail-on'?: string;
  readonly cluster?: string;
  readonly 'what-if-pages'?: number;
}

export interface BacktestIo extends HistoryCommandIo {
  /** Whether stderr is a terminal (progress is drawn only there). */
  readonly stderrIsTty: boolean;
  readonly setExitCode: (code: number) => void;
}

export async function runBacktest(argv: BacktestArgs, io: BacktestIo): Promise<void> {
  const step = durationFlag('--step', io.nonEmpty('step', argv.step), RANGES.step);
  const { timeout, limits, maxQueries, maxPoints, concurrency } = queryBudget(argv, io);
  const out = argv.out === undefined ? undefined : { path: io.nonEmpty('out', argv.out), label: `--out ${argv.out}`, inputs: [{ path: resolve(argv.config), what: 'the config file' }] };
  if (out) await checkOutputFile(out);
  const failOn = argv['fail-on'] === undefined ? undefined : parseFailOn(io.nonEmpty('fail-on', argv['fail-on']));
  if (argv['fail-on'] !== undefined && !failOn) throw new UserError(`--fail-on: expected pages>N or tickets>N, not ${JSON.stringify(printable(String(argv['fail-on'])))}`, EXIT.config);
  const whatIfPages = wholeFlag('what-if-pages', argv['what-if-pages'], 0) ?? (failOn?.what === 'pages' ? failOn.max : 0);
  const time = (flag: string, text: string, now: number): number => {
    if (flag === '--to' && text === 'now') return now;
    if (/^\d{4}-\d\d-\d\dT/.test(text)) {
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new UserError(`${flag}: ${JSON.stringify(printable(text))} is not an RFC 3339 time`, EXIT.config);
      return Math.floor(ms / 1000);
    }
    if (flag === '--from') return now - durationFlag(flag, text, RANGES.history);
    throw new UserError(`${flag}: expected now or an RFC 3339 time such as 2026-11-01T00:00:00Z`, EXIT.config);
  };
  // "now" on the evaluation grid, so two runs a few seconds apart read the same evaluations.
  const to = time('--to', io.nonEmpty('to', argv.to), Math.floor(io.nowSeconds / step) * step);
  const from = time('--from', io.nonEmpty('from', argv.from), to);
  if (from >= to) throw new UserError('--from must be before --to', EXIT.config);
  const client = prometheusClient(argv['prometheus-url'], process.env, timeout * 1000, limits);
  const { loaded, chosen } = await clustersToReplay(argv.config, argv.cluster, io.nonEmpty);
  const plans = chosen.map((m) => ({ ...m, plan: planBacktest(m.groups, { from, to, step, maxPointsPerQuery: maxPoints, maxQueries }) }));
  const isFleet = loaded.config.clusters !== undefined;
  if (argv['dry-run']) {
    io.stdout(plans.map((p) => `${isFleet ? `cluster ${printable(p.config.cluster)}: ` : ''}${formatPlan(p.plan)}`).join(''));
    return;
  }
  const planned = plans.reduce((n, p) => n + p.plan.totals.queries, 0);
  if (maxQueries !== undefined && planned > maxQueries) {
    throw new UserError(`the backtest needs ${planned} range queries, more than --max-queries ${maxQueries}; shorten --from or raise --max-points (see --dry-run)`, EXIT.config);
  }
  const clusters = [];
  for (const p of plans) {
    const hasData = await clusterHasData(client, presenceQuery(p.config.linkerd.proxyJob, p.config.prometheus.extraMatchers), from, to);
    const name = isFleet ? `cluster ${printable(p.config.cluster)}: ` : '';
    if (!hasData) io.stderr(`warning: ${name}no series of job ${printable(p.config.linkerd.proxyJob)}${isFleet ? ' with its cluster label' : ''} in the range: reported as NO DATA\n`);
    const result = await replay(p.plan, client, {
      concurrency,
      ...(io.stderrIsTty ? { onProgress: (done: number, total: number) => io.stderr(`\r${name}${done}/${total} queries`) } : {}),
    });
    if (io.stderrIsTty) io.stderr('\n');
    // The wall time varies run to run, so it goes to stderr, not into the report.
    io.stderr(`backtest: ${name}${result.stats.queriesSent} range queries, ${result.stats.pointsRead} points read in ${(result.stats.wallMs / 1000).toFixed(1)} s\n`);
    // Maintenance windows with excludeFromBudget: their requests and errors stay out of the budget (docs/budget-policy.md).
    const budgetExcluded = budgetExcludedIntervals(p.config.alerting.maintenance, (p.plan.from - 300) * 1000, p.plan.to * 1000).map((i) => ({ start: i.from / 1000, end: i.to / 1000 }));
    const report = buildReport(result, { pageSeverity: p.config.alerting.severities.page, ticketSeverity: p.config.alerting.severities.ticket, whatIfMaxPages: whatIfPages, budgetExcluded });
    clusters.push({ cluster: p.config.cluster, hasData, report });
  }
  const fleet = { ...(isFleet ? { fleet: loaded.config.cluster } : {}), clusters, ...(failOn ? { failOn } : {}) };
  const text = formatFleet(fleet, argv.format);
  const pages = fleetCount(fleet, 'pages');
  const tickets = fleetCount(fleet, 'tickets');
  if (out) {
    await writeOutputFile(out, text);
    io.stdout(`wrote ${argv.out}: ${pages} page(s), ${tickets} ticket(s)${isFleet ? ` over ${clusters.length} cluster(s)` : ''}\n`);
  } else io.stdout(text);
  const failures = clusters.reduce((n, c) => n + c.report.failures.length, 0);
  if (failures) throw new UserError(`${failures} query chunk(s) failed even when split; the report is incomplete`, EXIT.prometheus);
  const seen = failOn ? (failOn.what === 'pages' ? pages : tickets) : 0;
  if (failOn && seen > failOn.max) {
    io.stderr(`backtest: ${seen} ${failOn.what} > ${failOn.max} (--fail-on ${failOn.what}>${failOn.max}${isFleet ? ', every cluster counted' : ''})\n`);
    io.setExitCode(EXIT.drift);
  }
}
