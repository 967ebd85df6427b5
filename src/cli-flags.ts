/** Command-line values checked before a command runs: each mistake is one line with exit code 2. */
import { printable } from './check/terminal.js';
import { EXIT, UserError } from './errors.js';
import { formatDuration, parseDuration } from './promql/number.js';

/** Flags that take a value (long names; short aliases map to them). */
const VALUE_FLAGS = new Set([
  'config', 'out', 'cluster', 'prometheus-url', 'format', 'lookback', 'timeout', 'from', 'to', 'scrape-interval', 'step',
  'max-queries', 'max-points', 'concurrency', 'fail-on', 'what-if-pages', 'lock-timeout', 'max-response-mb', 'period', 'periods', 'timezone',
]);
const SHORT: Record<string, string> = { c: 'config', o: 'out' };

/**
 * yargs reads `-o` followed by nothing (or by another flag) as "not given" and falls back to the
 * default, so `preview -o` would silently write to ./preview. A flag that takes a value must have one.
 */
export function refuseValuelessFlags(args: readonly string[]): void {
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === '--') return;
    const long = /^--([a-z-]+)$/.exec(token)?.[1];
    const short = /^-([a-z])$/.exec(token)?.[1];
    const name = long ?? (short ? SHORT[short] : undefined);
    if (!name || !VALUE_FLAGS.has(name)) continue;
    const next = args[i + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
      throw new UserError(`${token} needs a value`, EXIT.config);
    }
  }
}

export interface DurationRange {
  /** Seconds. */
  readonly min?: number;
  readonly max: number;
}

/**
 * A duration flag in seconds, within its range, or one line naming the flag (exit 2). The ranges keep
 * values where they mean something: Node's timers hold at most 2^31-1 ms (about 24.8 days; a longer
 * --timeout silently became 1 ms), and dates beyond ±275,000 years are not dates at all.
 */
export function durationFlag(flag: string, text: string, range: DurationRange): number {
  let seconds: number;
  try {
    seconds = parseDuration(text);
  } catch (err) {
    throw new UserError(`${flag}: ${printable((err as Error).message)}`, EXIT.config);
  }
  if (range.min !== undefined && seconds < range.min) throw new UserError(`${flag} ${printable(text)}: must be at least ${formatDuration(range.min)}`, EXIT.config);
  if (seconds > range.max) throw new UserError(`${flag} ${printable(text)}: must be at most ${formatDuration(range.max)}`, EXIT.config);
  return seconds;
}

const DAY = 86_400;
/** The ranges of the duration flags. */
export const RANGES = {
  /** One answer of Prometheus: a day is far beyond any query that should run. */
  timeout: { min: 0.001, max: DAY },
  /** How far back in time: a century covers any retention (Thanos, Mimir). */
  history: { max: 100 * 365 * DAY },
  step: { min: 1, max: 7 * DAY },
  scrapeInterval: { min: 0.001, max: DAY },
} as const satisfies Record<string, DurationRange>;

/** The cap on one Prometheus answer, from --max-response-mb (bytes). */
export function responseCap(mb: unknown): number {
  if (typeof mb !== 'number' || !Number.isFinite(mb) || mb <= 0 || mb > 16_384) {
    throw new UserError('--max-response-mb needs a number of megabytes, more than 0 and at most 16384', EXIT.config);
  }
  return Math.round(mb * 1024 * 1024);
}

/** A whole-number flag (--max-queries, --concurrency …): undefined when not given, else at least `min`. */
export function wholeFlag(flag: string, v: number | undefined, min: number): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new UserError(`--${flag} needs a whole number of at least ${min}`, EXIT.config);
  return v;
}
