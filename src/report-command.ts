/**
 * The `report` command's flags and body (docs/report.md); src/cli.ts registers it and ends its
 * failures, as it does for backfill (backfill-command.ts).
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { prometheusClient } from './check/prometheus-client.js';
import { printable } from './check/terminal.js';
import { durationFlag, RANGES } from './cli-flags.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';
import { EXIT, UserError } from './errors.js';
import { clusterHasData, formatPlan, presenceQuery, replay } from './backtest/index.js';
import { checkTimeZone, choosePeriods, compliance, formatHtml, formatJson, formatMarkdown, formatText, maintenanceSpans, PERIOD_KINDS, planReport, reportNow, type ClusterCompliance, type PeriodKind } from './report/index.js';
import { clustersToReplay, queryBudget, type HistoryCommandIo, type QueryBudgetArgs } from './history-commands.js';

export const REPORT_DESCRIBE =
  'Compliance for calendar periods from your Prometheus\' history: attainment, budget spent and left, incidents and worst days per SLO and cluster (docs/report.md). Same credentials as check';

/** The report's flags after --config; `maxResponse`: cli.ts' --max-response-mb, shared with check and backtest. */
export function reportOptions<T>(y: Argv<T>, maxResponse: { readonly type: 'number'; readonly default: number; readonly describe: string }) {
  return y
    .option('prometheus-url', { type: 'string', demandOption: true, describe: 'Base URL of the Prometheus API holding the history; no user:password@ (use the environment variables)' })
    .option('period', { choices: PERIOD_KINDS, default: 'month' as const, describe: 'Calendar period: month, quarter or ISO week (Monday to Monday) in --timezone' })
    .option('periods', { type: 'number', describe: 'Report the last N periods, the current one (so far) included (default 1)' })
    .option('from', { type: 'string', describe: 'First period: 2026-03, 2026-Q1, 2026-W10, 2026-03-01 or an RFC 3339 time; a start of a --period in --timezone' })
    .option('to', { type: 'string', describe: 'End (exclusive) of the last period, a period boundary like --from (default: now, the current period so far)' })
    .option('timezone', { type: 'string', default: 'UTC', describe: 'IANA time zone of the calendar (Europe/Berlin, America/New_York)' })
    .option('step', { type: 'string', default: '30s', describe: 'Evaluation interval of the rule groups (your Prometheus evaluation_interval), for the replayed alerts' })
    .option('format', { choices: ['text', 'md', 'json', 'html'] as const, default: 'text' as const, describe: 'Report format' })
    .option('out', { alias: 'o', type: 'string', describe: 'Write the report to this file instead of stdout' })
    .option('cluster', { type: 'string', describe: 'Only this cluster of a multi-cluster config (default: every cluster)' })
    .option('timeout', { type: 'string', default: '60s', describe: 'How long Prometheus may work on each query (at most 1d), as for backtest' })
    .option('max-response-mb', maxResponse)
    .option('max-queries', { type: 'number', default: 20_000, describe: 'Refuse to start when the report needs more range queries than this' })
    .option('max-points', { type: 'number', default: 11000, describe: 'Evaluations per range query (Prometheus allows 11,000 points per series)' })
    .option('concurrency', { type: 'number', default: 2, describe: 'Range queries in flight at once' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print the periods and the query plan and send nothing' });
}

export interface ReportArgs extends QueryBudgetArgs {
  readonly config: string;
  readonly 'prometheus-url': string;
  readonly period: PeriodKind;
  readonly periods?: number;
  readonly from?: string;
  readonly to?: string;
  readonly timezone: string;
  readonly step: string;
  readonly format: 'text' | 'md' | 'json' | 'html';
  readonly out?: string;
  readonly cluster?: string;
  readonly 'dry-run': boolean;
}

export type ReportIo = HistoryCommandIo;

export async function runReport(argv: ReportArgs, io: ReportIo): Promise<void> {
  const step = durationFlag('--step', io.nonEmpty('step', argv.step), RANGES.step);
  const { timeout, limits, maxQueries, maxPoints, concurrency } = queryBudget(argv, io);
  const tz = checkTimeZone(io.nonEmpty('timezone', argv.timezone));
  const periods = choosePeriods({
    kind: argv.period, tz, now: reportNow(io.nowSeconds),
    ...(argv.periods !== undefined ? { count: argv.periods } : {}),
    ...(argv.from !== undefined ? { from: io.nonEmpty('from', argv.from) } : {}),
    ...(argv.to !== undefined ? { to: io.nonEmpty('to', argv.to) } : {}),
  });
  if (!periods.length) throw new UserError(`the current ${argv.period} started less than 5 minutes ago: nothing to report yet (use --periods 2 for the previous one too)`, EXIT.config);
  const out = argv.out === undefined ? undefined : { path: io.nonEmpty('out', argv.out), label: `--out ${argv.out}`, inputs: [{ path: resolve(argv.config), what: 'the config file' }] };
  if (out) await checkOutputFile(out);
  const client = prometheusClient(argv['prometheus-url'], process.env, timeout * 1000, limits);
  const { loaded, chosen } = await clustersToReplay(argv.config, argv.cluster, io.nonEmpty);
  const plans = chosen.map((m) => ({ ...m, plan: planReport(m.groups, periods, { step, maxPointsPerQuery: maxPoints, maxQueries }) }));
  const isFleet = loaded.config.clusters !== undefined;
  if (argv['dry-run']) {
    io.stdout(periods.map((p) => `${argv.period} ${p.label}${p.partial ? ' (so far)' : ''}: ${new Date(p.start * 1000).toISOString()} to ${new Date(p.end * 1000).toISOString()}\n`).join(''));
    io.stdout(plans.map((p) => `${isFleet ? `cluster ${printable(p.config.cluster)}: ` : ''}${formatPlan(p.plan)}`).join(''));
    return;
  }
  const planned = plans.reduce((n, p) => n + p.plan.totals.queries, 0);
  if (maxQueries !== undefined && planned > maxQueries) throw new UserError(`the report needs ${planned} range queries, more than --max-queries ${maxQueries}; report fewer periods or raise --step (see --dry-run)`, EXIT.config);
  const clusters: ClusterCompliance[] = [];
  for (const p of plans) {
    const { from, to } = p.plan;
    const hasData = await clusterHasData(client, presenceQuery(p.config.linkerd.proxyJob, p.config.prometheus.extraMatchers), from, to);
    const name = isFleet ? `cluster ${printable(p.config.cluster)}: ` : '';
    if (!hasData) io.stderr(`warning: ${name}no series of job ${printable(p.config.linkerd.proxyJob)}${isFleet ? ' with its cluster label' : ''} in the range: reported as NO DATA\n`);
    const result = await replay(p.plan, client, { concurrency });
    io.stderr(`report: ${name}${result.stats.queriesSent} range queries, ${result.stats.pointsRead} points read in ${(result.stats.wallMs / 1000).toFixed(1)} s\n`);
    const severities = p.config.alerting.severities;
    const maintenance = maintenanceSpans(p.config.alerting.maintenance, from, to);
    clusters.push({ cluster: p.config.cluster, hasData, failures: result.failures, periods: compliance(result, periods, { cluster: p.config.cluster, tz, pageSeverity: severities.page, ticketSeverity: severities.ticket, maintenance }) });
  }
  const report = { kind: argv.period, tz, clusters };
  const text = { text: formatText, md: formatMarkdown, json: formatJson, html: formatHtml }[argv.format](report);
  if (out) {
    await writeOutputFile(out, text);
    io.stdout(`wrote ${argv.out}: ${periods.length} ${argv.period}(s), ${clusters.reduce((n, c) => n + (c.periods[0]?.slos.length ?? 0), 0)} SLO(s)${isFleet ? ` over ${clusters.length} cluster(s)` : ''}\n`);
  } else io.stdout(text);
  const failures = clusters.reduce((n, c) => n + c.failures.length, 0);
  if (failures) throw new UserError(`${failures} query chunk(s) failed even when split; the report is incomplete`, EXIT.prometheus);
}
