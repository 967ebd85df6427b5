/**
 * The `backfill` command's flags and body (docs/backfill.md); src/cli.ts registers it and ends its
 * failures. Kept apart from cli.ts so the command is one `.command(...)` there.
 */
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import type { Argv } from 'yargs';
import { authHeaders, prometheusBaseUrl, prometheusClient, type PromClient } from './check/prometheus-client.js';
import { printable } from './check/terminal.js';
import { durationFlag, RANGES } from './cli-flags.js';
import { clustersToReplay, queryBudget, type HistoryCommandIo, type QueryBudgetArgs } from './history-commands.js';
import { checkOutputFile, writeOutputFile, type OutputFile } from './output-file.js';
import { EXIT, UserError } from './errors.js';
import { formatDuration, parseDuration } from './promql/number.js';
import { aggregate, inline, oneOf, selector } from './promql/ast.js';
import { clusterHasData, presenceQuery, replay } from './backtest/index.js';
import { BackfillTooLarge, familyPlan, openMetricsFamily, OPENMETRICS_EOF, planBackfill, recordedSeries, type BackfillPlan } from './backtest/backfill.js';

export const BACKFILL_DESCRIBE =
  "Write the recording rules' history over a range as OpenMetrics for promtool tsdb create-blocks-from openmetrics (docs/backfill.md). Same credentials as check";

/**
 * Prometheus' head block spans up to 3 h and is still being written; its documentation says blocks for
 * that range are not safe to add (https://prometheus.io/docs/prometheus/latest/storage/#backfilling-from-openmetrics).
 */
const HEAD_SECONDS = 3 * 3600;

export function backfillOptions<T>(y: Argv<T>) {
  return y
    .option('prometheus-url', { type: 'string', demandOption: true, describe: 'Base URL of the Prometheus API holding the raw history; no user:password@ (use the environment variables)' })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'The OpenMetrics file to write (atomically; never the config, a link or a directory)' })
    .option('from', { type: 'string', default: '30d', describe: 'Start: a duration before --to (30d) or an RFC 3339 time' })
    .option('to', { type: 'string', default: 'now-3h', describe: 'End: now-<duration> (at least 3h: the live head block) or an RFC 3339 time' })
    .option('step', { type: 'string', describe: "Evaluation interval of groups without their own interval (default: the Prometheus' global evaluation_interval, read from /api/v1/status/config)" })
    .option('timeout', { type: 'string', default: '60s', describe: 'How long Prometheus may work on each query (at most 1d); one it reports timed out is retried over half the range' })
    .option('max-queries', { type: 'number', default: 20_000, describe: 'Refuse to start (and to plan) when the backfill needs more range queries than this' })
    .option('max-points', { type: 'number', default: 11000, describe: 'Evaluations per range query (Prometheus allows 11,000 points per series)' })
    .option('concurrency', { type: 'number', default: 2, describe: 'Range queries in flight at once' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan (queries, points, estimated samples) and send nothing' })
    .option('cluster', { type: 'string', describe: 'Backfill only this cluster of a multi-cluster config (default: every cluster)' });
}

export interface BackfillArgs extends QueryBudgetArgs {
  readonly config: string;
  readonly 'prometheus-url': string;
  readonly out: string;
  readonly from: string;
  readonly to: string;
  readonly step?: string;
  readonly 'dry-run': boolean;
  readonly cluster?: string;
}

export type BackfillIo = HistoryCommandIo;

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** --from/--to: now, now-<duration>, an RFC 3339 time, or (--from) a duration before --to. */
function timeFlag(flag: string, text: string, now: number, base: number): number {
  if (text === 'now') return now;
  if (/^\d{4}-\d\d-\d\dT/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new UserError(`${flag}: ${JSON.stringify(printable(text))} is not an RFC 3339 time`, EXIT.config);
    return Math.floor(ms / 1000);
  }
  if (text.startsWith('now-')) return now - durationFlag(flag, text.slice(4), RANGES.history);
  if (flag === '--from') return base - durationFlag(flag, text, RANGES.history);
  throw new UserError(`${flag}: expected now-<duration> or an RFC 3339 time such as 2026-11-01T00:00:00Z, not ${JSON.stringify(printable(text).slice(0, 40))}`, EXIT.config);
}

/**
 * The global evaluation_interval of the Prometheus the rules run on (its /api/v1/status/config; 1m
 * when the config leaves it out, Prometheus' default). Thanos Query and Mimir have no such endpoint:
 * then --step must be given.
 */
async function evaluationInterval(url: string, timeoutMs: number): Promise<number> {
  const endpoint = `${prometheusBaseUrl(url)}/api/v1/status/config`;
  const refuse = (why: string) => new UserError(`cannot read the evaluation interval from ${endpoint} (${why}); give --step (your rule groups' evaluation interval)`, EXIT.config);
  let text: string;
  try {
    const res = await fetch(endpoint, { headers: { Accept: 'application/json', ...authHeaders(process.env) }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw refuse(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s (--timeout)` : e.cause?.code === 'ECONNREFUSED' ? 'connection refused' : printable(e.cause?.code ?? e.message).slice(0, 120);
    throw new UserError(`cannot reach ${endpoint}: ${why}`, EXIT.prometheus);
  }
  try {
    const body = JSON.parse(text) as { data?: { yaml?: unknown } };
    if (typeof body.data?.yaml !== 'string') throw new Error('no data.yaml');
    const config = load(body.data.yaml) as { global?: { evaluation_interval?: unknown } } | null;
    const value = config?.global?.evaluation_interval;
    return typeof value === 'string' ? parseDuration(value) : 60;
  } catch {
    throw refuse('not the Prometheus status API');
  }
}

function formatBackfillPlan(cluster: string, bp: BackfillPlan): string {
  const p = bp.plan;
  const lines = [
    `backfill plan${cluster}: ${iso(p.from)} → ${iso(p.to)}, evaluation every ${formatDuration(p.step)} (${p.evaluations} evaluations)`,
    `  ${bp.plan.queries.length} recording rules (${bp.families.length} recorded names), ${bp.alertingRulesSkipped} alerting rules not backfilled`,
    `  ${p.totals.queries} range queries, ${p.totals.points} points per series, about ${p.totals.samplesPerSeries} raw samples read per series of the selectors`,
    ...p.queries.map((q) => `  ${q.purpose}: ${q.chunks.length} × query_range step ${formatDuration(q.step)}, ${q.points} points`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Every family across the clusters, replayed one family at a time (memory holds one family), as OpenMetrics text. */
async function* openMetrics(plans: ReadonlyArray<{ bp: BackfillPlan }>, client: PromClient, concurrency: number, totals: { series: number; samples: number; queries: number }): AsyncGenerator<string> {
  const families = [...new Set(plans.flatMap((p) => p.bp.families))].sort();
  for (const family of families) {
    const rules = [];
    const results = [];
    for (const { bp } of plans) {
      const part = familyPlan(bp, family);
      if (!part.plan.queries.length) continue;
      const r = await replay(part.plan, client, { concurrency });
      totals.queries += r.stats.queriesSent;
      if (r.failures.length) {
        const f = r.failures[0]!;
        throw new UserError(`${f.purpose} from ${iso(f.start)} to ${iso(f.end)} still failed when split (${printable(f.message).slice(0, 200)}); lower --max-points or raise --timeout; nothing was written`, EXIT.prometheus);
      }
      rules.push(...part.rules);
      results.push(...r.results);
    }
    const series = recordedSeries(rules, results);
    if (!series.length) continue;
    totals.series += series.length;
    totals.samples += series.reduce((n, s) => n + s.points.size, 0);
    yield openMetricsFamily(family, series);
  }
  yield OPENMETRICS_EOF;
}

export async function runBackfill(argv: BackfillArgs, io: BackfillIo): Promise<void> {
  const { timeout, limits, maxQueries, maxPoints, concurrency } = queryBudget(argv, io);
  const flagStep = argv.step === undefined ? undefined : durationFlag('--step', io.nonEmpty('step', argv.step), RANGES.step);
  const out: OutputFile = { path: io.nonEmpty('out', argv.out), label: `--out ${argv.out}`, inputs: [{ path: resolve(argv.config), what: 'the config file' }] };
  await checkOutputFile(out);
  let to = timeFlag('--to', io.nonEmpty('to', argv.to), io.nowSeconds, io.nowSeconds);
  // Checked now (a bad --from fails before anything is sent), computed again once --to is on the grid.
  timeFlag('--from', io.nonEmpty('from', argv.from), io.nowSeconds, to);
  if (to > io.nowSeconds - HEAD_SECONDS) {
    throw new UserError(`--to ${iso(to)} is within the last 3h, the live Prometheus' head block, which blocks must not overlap (docs/backfill.md); end the range at now-3h or earlier`, EXIT.config);
  }
  const client = prometheusClient(argv['prometheus-url'], process.env, timeout * 1000, limits);
  const { loaded, chosen } = await clustersToReplay(argv.config, argv.cluster, io.nonEmpty);
  const step = flagStep ?? (await evaluationInterval(argv['prometheus-url'], timeout * 1000));
  // The range on the evaluation grid, so two runs read the same evaluations.
  to = Math.floor(to / step) * step;
  const from = timeFlag('--from', argv.from, io.nowSeconds, to);
  if (from >= to) throw new UserError('--from must be before --to', EXIT.config);
  const isFleet = loaded.config.clusters !== undefined;
  const plans = chosen.map((m) => {
    const bp = planBackfill(m.groups, { from, to, step, maxPointsPerQuery: maxPoints, ...(maxQueries !== undefined ? { maxQueries } : {}) });
    return { ...m, bp, name: isFleet ? ` of cluster ${printable(m.config.cluster)}` : '' };
  });
  // Each cluster's plan was refused while counted; a fleet's clusters together are checked here.
  const planned = plans.reduce((n, p) => n + p.bp.plan.totals.queries, 0);
  if (maxQueries !== undefined && planned > maxQueries) throw new BackfillTooLarge(planned, maxQueries);
  if (argv['dry-run']) {
    io.stdout(plans.map((p) => formatBackfillPlan(p.name, p.bp)).join(''));
    return;
  }
  for (const p of plans) {
    if (await clusterHasData(client, presenceQuery(p.config.linkerd.proxyJob, p.config.prometheus.extraMatchers), from, to)) continue;
    io.stderr(`warning: ${isFleet ? `cluster ${printable(p.config.cluster)}: ` : ''}no series of job ${printable(p.config.linkerd.proxyJob)} in the range: its recordings will be missing\n`);
  }
  await warnLiveOverlap(client, plans.map((p) => p.bp), to, io);
  const totals = { series: 0, samples: 0, queries: 0 };
  const started = Date.now();
  await writeOutputFile(out, openMetrics(plans, client, concurrency, totals));
  const skipped = plans.reduce((n, p) => n + p.bp.alertingRulesSkipped, 0);
  // The wall time varies run to run, so it goes to stderr with the next step.
  io.stderr(`backfill: ${totals.queries} range queries in ${((Date.now() - started) / 1000).toFixed(1)} s; next: promtool tsdb create-blocks-from openmetrics ${argv.out} <dir> (docs/backfill.md)\n`);
  io.stdout(`wrote ${argv.out}: ${totals.series} series, ${totals.samples} samples, ${iso(Math.ceil(from / step) * step)} → ${iso(to)} every ${formatDuration(step)}${isFleet ? ` over ${plans.length} cluster(s)` : ''}; ${skipped} alerting rules not backfilled (docs/backfill.md)\n`);
}

/**
 * Samples of these recordings already stored at --to mean the rules were live then: blocks for that
 * range would interleave a second copy with the live one (at other timestamps). Said, not refused:
 * the output may be meant for another Prometheus.
 */
async function warnLiveOverlap(client: PromClient, plans: readonly BackfillPlan[], to: number, io: BackfillIo): Promise<void> {
  const names = [...new Set(plans.flatMap((p) => p.families))];
  if (!names.length) return;
  const live = await client.queryAt(inline(aggregate('count', selector(undefined, [oneOf('__name__', names)]), { by: ['__name__'] })), to);
  if (!live.length) return;
  io.stderr(`warning: ${live.length} of these recordings already have samples at --to ${iso(to)} (the rules were live): the blocks would overlap them; end the range before the rules were first loaded (docs/backfill.md#overlap)\n`);
}
