/**
 * What the commands that read a Prometheus' history (backtest, report, backfill) share: what cli.ts
 * hands them, how hard they may query, and the clusters of the config they replay.
 */
import { resolve } from 'node:path';
import { loadConfigFile } from './config/load.js';
import { generateBundle } from './generate.js';
import { printable } from './check/terminal.js';
import { durationFlag, RANGES, wholeFlag } from './cli-flags.js';
import { EXIT, UserError } from './errors.js';

/** What cli.ts hands a history command: its flag checks, its streams and the time it started. */
export interface HistoryCommandIo {
  /** `--flag` value checked non-empty (cli.ts' rule for every flag). */
  readonly nonEmpty: (name: string, value: unknown) => string;
  readonly maxResponseBytes: (mb: unknown) => number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Now, in seconds (fractions kept: report decides from it what the current period is). */
  readonly nowSeconds: number;
}

/** The flags that bound the work a history command asks of Prometheus. */
export interface QueryBudgetArgs {
  readonly timeout: string;
  readonly 'max-response-mb': number;
  readonly 'max-queries': number;
  readonly 'max-points': number;
  readonly concurrency: number;
}

/** --timeout (seconds), the response size limit, --max-queries, --max-points and --concurrency, checked. */
export function queryBudget(argv: QueryBudgetArgs, io: HistoryCommandIo) {
  return {
    timeout: durationFlag('--timeout', io.nonEmpty('timeout', argv.timeout), RANGES.timeout),
    limits: { maxResponseBytes: io.maxResponseBytes(argv['max-response-mb']) },
    maxQueries: wholeFlag('max-queries', argv['max-queries'], 1),
    maxPoints: wholeFlag('max-points', argv['max-points'], 2)!,
    concurrency: wholeFlag('concurrency', argv.concurrency, 1)!,
  };
}

/**
 * Every cluster generate writes rules for, each with its own groups (its version, objectives, cluster
 * label), or only `--cluster` (its value checked by `nonEmpty`, cli.ts' rule for every flag).
 */
export async function clustersToReplay(configPath: string, cluster: string | undefined, nonEmpty: (name: string, value: unknown) => string) {
  const loaded = await loadConfigFile(resolve(configPath));
  const gen = generateBundle(loaded, loaded.file);
  const members = gen.clusters.map((c, i) => ({ config: loaded.clusters[i]!, groups: c.groups }));
  const wanted = cluster === undefined ? undefined : nonEmpty('cluster', cluster);
  const chosen = wanted === undefined ? members : members.filter((m) => m.config.cluster === wanted);
  if (!chosen.length) throw new UserError(`--cluster: ${JSON.stringify(printable(wanted!))} is not a cluster of ${loaded.file} (its clusters: ${members.map((m) => printable(m.config.cluster)).join(', ')})`, EXIT.config);
  return { loaded, chosen };
}
