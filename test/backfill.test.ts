/**
 * `linkerd-slo backfill` against Prometheus' rule engine.
 *
 * Six hours of simulated history with known events (a full outage of the destination controller, a
 * 2% burn, metrics gone for 20 minutes) are backfilled into a real Prometheus as raw series. The truth
 * is what Prometheus' rule engine records from them: `promtool test rules` loads the generated rule
 * file and evaluates every group, rules in order, every 30 s from the start of the history (the live
 * rule manager's code, on the evaluation grid), and we read every recorded series it holds at each
 * evaluation. Then the real CLI backfills the same range from the Prometheus, promtool turns the file
 * into blocks, and a FRESH Prometheus on those blocks must hold the same series with the same values
 * at the same timestamps. Roll-ups and tiled windows that read other recordings are part of the
 * comparison. A static rule label full of OpenMetrics syntax (quotes, a backslash, `}`, `# EOF`)
 * must arrive unchanged.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEngines, backfill, freePort, startPrometheus, type Engine, type RunningPrometheus } from '../tools/sim/index.js';
import { validateConfig } from '../src/config/load.js';
import { destinationHistory, evaluateWithPromtool, hourAlignedRange, keyOf, onlyDestinationSuccessRate } from './support/rule-engine.js';
import { generate } from '../src/generate.js';
import { escapeLabelValue, formatValue, openMetricsFamily, OPENMETRICS_EOF } from '../src/backtest/backfill.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const STEP = 30;
const HOURS = 6;
const CLUSTER = 'bf';
/** A static rule label a user could write: every character OpenMetrics gives a meaning. */
const TEAM = 'a"b\\c} 1 2 # EOF';
const OUTAGE = { from: 3600, to: 4800 };
const BURN_2PCT = { from: 7200, to: 10800 };
const GONE = { from: 14400, to: 15600 };

function config() {
  return { cluster: CLUSTER, prometheus: { extraMatchers: { cluster: CLUSTER }, ruleLabels: { team: TEAM } }, slos: onlyDestinationSuccessRate(CLUSTER, 'bf.yaml') };
}

type Samples = Map<string, Map<number, number>>;

/** `{a="x", b="y\"z"}` (Go's labels.String: values quoted with strconv.Quote) → labels. */
function parseLabels(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/([\w]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, JSON.parse(`"${m[2]!}"`) as string]));
}

/** Every recorded series at every evaluation, as promtool's rule engine records them. */
function truthFromPromtool(engine: Engine, dir: string, ruleFile: string, omFile: string, start: number, evaluations: number, records: readonly string[]): Samples {
  const expr = `{__name__=~"${records.join('|')}"}`;
  const printed = evaluateWithPromtool({ promtool: engine.promtool, dir, ruleFile, omFile, start, evaluations, stepSeconds: STEP, expr });
  if (!printed.length) throw new Error('promtool test rules printed no results');
  const truth: Samples = new Map();
  for (const { t, got } of printed) {
    for (const m of got.matchAll(/\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\} ([^\s,]+)/g)) {
      const key = keyOf(parseLabels(m[1]!));
      const points = truth.get(key) ?? new Map<number, number>();
      points.set(t, Number(m[2]));
      truth.set(key, points);
    }
  }
  return truth;
}

/** Every raw sample of the recordings a Prometheus holds over a range (a range selector: no lookback, no step). */
async function storedSamples(prom: RunningPrometheus, records: readonly string[], end: number, seconds: number): Promise<Samples> {
  const out: Samples = new Map();
  for (const s of await prom.query(`{__name__=~"${records.join('|')}"}[${seconds}s]`, end * 1000)) {
    out.set(keyOf(s.metric), new Map(s.values!.map(([t, v]) => [Math.round(t), Number(v)])));
  }
  return out;
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

describe.each(allEngines())('backfill against the rule engine of $name (promtool test rules) and a fresh Prometheus on the blocks', (engine) => {
  let dir = '';
  let source: RunningPrometheus | undefined;
  let fresh: RunningPrometheus | undefined;
  let start = 0;
  let end = 0;
  let truth: Samples = new Map();
  let stored: Samples = new Map();
  let run = { status: 0 as number | null, stdout: '', stderr: '' };
  let file = '';
  const gen = generate(validateConfig(config(), 'bf.yaml'), 'bf.yaml');
  const records = [...new Set(gen.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))))];
  // The alerting rules of the rule file, counted from its text (what the command must leave out).
  const alertingRules = (gen.files.get(`prometheus/linkerd-slo-${CLUSTER}.rules.yaml`)!.match(/^\s+- alert: /gm) ?? []).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-backfill-'));
    // On the hour (as the rule engine's and the backfill's grids are), ending well over 3 h ago (the head block).
    ({ start, end } = hourAlignedRange(HOURS, 4, STEP));
    const om = destinationHistory({
      dir, start, end, stepSeconds: STEP, cluster: CLUSTER,
      events: [
        { kind: 'cp-errors', component: 'destination', ratio: 1, from: OUTAGE.from, to: OUTAGE.to },
        { kind: 'cp-errors', component: 'destination', ratio: 0.02, from: BURN_2PCT.from, to: BURN_2PCT.to },
        { kind: 'families-missing', families: ['response_total'], from: GONE.from, to: GONE.to },
      ],
    });
    const raw = join(dir, 'raw');
    backfill(om, raw, 300_000, engine.promtool);
    const ruleFile = join(dir, 'rules.yaml');
    writeFileSync(ruleFile, gen.files.get(`prometheus/linkerd-slo-${CLUSTER}.rules.yaml`)!);
    truth = truthFromPromtool(engine, dir, ruleFile, om, start, HOURS * 3600 / STEP, records);

    source = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: raw, binary: engine.prometheus });
    const configFile = join(dir, 'linkerd-slo.yaml');
    writeFileSync(configFile, dump(config()));
    file = join(dir, 'recordings.om');
    // Chunks of 240 evaluations (2 h): chunking must not change a single evaluation. No --step: the
    // Prometheus' evaluation_interval is the default.
    run = cli(['backfill', '--config', configFile, '--prometheus-url', source.url, '--from', iso(start), '--to', iso(end), '--max-points', '240', '--out', file]);
    expect(run.status, run.stderr).toBe(0);

    const blocks = join(dir, 'blocks');
    backfill(file, blocks, 300_000, engine.promtool);
    fresh = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: blocks, binary: engine.prometheus });
    stored = await storedSamples(fresh, records, end, HOURS * 3600 + 60);
  }, 600_000);

  afterAll(async () => {
    await source?.stop();
    await fresh?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the truth holds the events (the comparison is not vacuous)', () => {
    expect(truth.size).toBeGreaterThanOrEqual(records.length);
    const ratio5m = [...truth.entries()].find(([k]) => k.includes('"linkerd_slo:sli_error:ratio_rate5m"'));
    expect(ratio5m, 'the 5m error ratio is recorded').toBeDefined();
    const during = (from: number, to: number) => [...ratio5m![1].entries()].filter(([t]) => t >= start + from + 300 && t < start + to).map(([, v]) => v);
    expect(Math.min(...during(OUTAGE.from, OUTAGE.to))).toBeGreaterThan(0.99);
    expect(Math.max(...during(GONE.from + 600, GONE.to)), 'no 5m ratio while the metrics are gone').toBe(-Infinity);
    // A tiled window read from another recording (the 30d ratio) is among the compared series.
    expect([...truth.keys()].some((k) => k.includes('"linkerd_slo:sli_error:ratio_rate30d"'))).toBe(true);
  });

  it('says what it wrote and that alerting rules are not backfilled', () => {
    expect(run.stdout).toMatch(new RegExp(`^wrote .*recordings\\.om: \\d+ series, \\d+ samples, .* every 30s; ${alertingRules} alerting rules not backfilled`, 'm'));
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).not.toMatch(/ALERTS/);
  });

  it('the fresh Prometheus holds exactly the series and samples the rule engine recorded', () => {
    const missing = [...truth.keys()].filter((k) => !stored.has(k));
    const extra = [...stored.keys()].filter((k) => !truth.has(k));
    expect(missing, 'series the rule engine recorded and the blocks lack').toEqual([]);
    expect(extra, 'series in the blocks the rule engine never recorded').toEqual([]);
    let compared = 0;
    let maxDiff = 0;
    for (const [key, want] of truth) {
      const got = stored.get(key)!;
      expect([...got.keys()].sort((a, b) => a - b), `timestamps of ${key}`).toEqual([...want.keys()].sort((a, b) => a - b));
      for (const [t, v] of want) {
        const g = got.get(t)!;
        const diff = Number.isNaN(v) && Number.isNaN(g) ? 0 : Math.abs(g - v) / Math.max(1, Math.abs(v));
        maxDiff = Math.max(maxDiff, diff);
        compared++;
      }
    }
    process.stdout.write(`backfill vs the rule engine of ${engine.name}: ${truth.size} series, ${compared} samples compared, max relative difference ${maxDiff} (${/backfill: [^;]*/.exec(run.stderr)?.[0]})\n`);
    expect(maxDiff).toBeLessThan(1e-9);
  });

  it('the static label full of OpenMetrics syntax arrives unchanged', () => {
    const teams = new Set([...stored.keys()].map((k) => Object.fromEntries(JSON.parse(k) as Array<[string, string]>).team));
    expect([...teams]).toEqual([TEAM]);
  });
});

describe('OpenMetrics text', () => {
  it('escapes backslash, quote and line feed in label values, nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd} # EOF')).toBe('a\\\\b\\"c\\nd} # EOF');
  });

  it('writes the special values as OpenMetrics spells them', () => {
    expect([NaN, Infinity, -Infinity, 0.1, -2e-7].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0.1', '-2e-7']);
  });

  it('a label value with a line feed survives promtool and Prometheus', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-backfill-om-'));
    let prom: RunningPrometheus | undefined;
    try {
      const t0 = (Math.floor(Date.now() / 3_600_000) - 5) * 3600;
      const value = 'line1\nline2 "q" \\ } # EOF';
      const om = join(dir, 'x.om');
      writeFileSync(om, openMetricsFamily('linkerd_slo:test', [{ labels: { __name__: 'linkerd_slo:test', v: value }, points: new Map([[t0 + 30, 2], [t0, 1]]) }]) + OPENMETRICS_EOF);
      backfill(om, join(dir, 'data'));
      prom = await startPrometheus({ config: {}, dataDir: join(dir, 'data') });
      const got = await prom.query('linkerd_slo:test[5m]', (t0 + 60) * 1000);
      expect(got.map((s) => [s.metric.v, s.values])).toEqual([[value, [[t0, '1'], [t0 + 30, '2']]]]);
    } finally {
      await prom?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('backfill refuses what it must, in one line, before anything is sent or written', () => {
  let dir = '';
  let closed = '';
  const bf = (...args: string[]) => spawnSync(process.execPath, [CLI, 'backfill', '-c', 'bf.yaml', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  const oneLine = (r: ReturnType<typeof bf>, status: number): string => {
    expect(r.status, r.stderr).toBe(status);
    expect(r.stderr.split('\n'), r.stderr).toHaveLength(2);
    return r.stderr.split('\n')[0]!;
  };
  const ago = (hours: number) => iso((Math.floor(Date.now() / 3_600_000) - hours) * 3600);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-backfill-cli-'));
    writeFileSync(join(dir, 'bf.yaml'), dump(config()));
    closed = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--out the config: exit 4, the config unchanged', () => {
    const before = readFileSync(join(dir, 'bf.yaml'), 'utf8');
    expect(oneLine(bf('--prometheus-url', closed, '--step', '30s', '--out', 'bf.yaml'), 4)).toMatch(/^error: refusing --out bf\.yaml: it is the config file .*nothing was written$/);
    expect(readFileSync(join(dir, 'bf.yaml'), 'utf8')).toBe(before);
  });

  it('a range ending inside the last 3 hours (the head block): exit 2', () => {
    expect(oneLine(bf('--prometheus-url', closed, '--step', '30s', '--to', 'now-1h', '--out', 'x.om'), 2)).toMatch(/^error: --to .* is within the last 3h/);
    expect(oneLine(bf('--prometheus-url', closed, '--step', '30s', '--to', 'now', '--out', 'x.om'), 2)).toMatch(/within the last 3h/);
    expect(existsSync(join(dir, 'x.om'))).toBe(false);
  });

  it('--dry-run prints the plan and sends nothing; a plan over --max-queries is refused', () => {
    const r = bf('--prometheus-url', closed, '--step', '30s', '--from', ago(10), '--to', ago(4), '--out', 'x.om', '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backfill plan: .* evaluation every 30s \(721 evaluations\)\n  15 recording rules \(15 recorded names\), \d+ alerting rules not backfilled/);
    expect(oneLine(bf('--prometheus-url', closed, '--step', '1s', '--from', '30d', '--max-queries', '10', '--out', 'x.om', '--dry-run'), 2)).toMatch(/^error: the backfill needs at least \d+ range queries, more than --max-queries 10;/);
  });

  it('without --step it asks the Prometheus for its evaluation interval: unreachable is exit 3; the old --out is kept', () => {
    writeFileSync(join(dir, 'old.om'), 'old\n');
    expect(oneLine(bf('--prometheus-url', closed, '--out', 'old.om'), 3)).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/status\/config: connection refused$/);
    expect(oneLine(bf('--prometheus-url', closed, '--step', '30s', '--out', 'old.om'), 3)).toMatch(/^error: cannot reach/);
    expect(readFileSync(join(dir, 'old.om'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('killed while writing (SIGTERM), it leaves no temporary file and the old --out unchanged', async () => {
    // A Prometheus with proxy targets that never answers a recording's range query: the file is then open.
    const stalled: ServerResponse[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? new URL(req.url!, 'http://x').searchParams.get('query') ?? '';
        res.setHeader('Content-Type', 'application/json');
        if (req.url!.startsWith('/api/v1/query_range') && query.startsWith('count(up')) {
          res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '2']] }] } }));
        } else if (req.url!.startsWith('/api/v1/query_range')) stalled.push(res);
        else res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      writeFileSync(join(dir, 'kept.om'), 'old\n');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const child = spawn(process.execPath, [CLI, 'backfill', '-c', 'bf.yaml', '--prometheus-url', url, '--step', '30s', '--from', ago(6), '--to', ago(4), '--out', 'kept.om'], { cwd: dir });
      const exited = new Promise<NodeJS.Signals | null>((ok) => child.on('exit', (_code, signal) => ok(signal)));
      const temporary = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
      for (let i = 0; i < 300 && (!stalled.length || !temporary().length); i++) await new Promise((r) => setTimeout(r, 100));
      expect(temporary(), 'the file is being written').toHaveLength(1);
      child.kill('SIGTERM');
      expect(await exited).toBe('SIGTERM');
      expect(temporary()).toEqual([]);
      expect(readFileSync(join(dir, 'kept.om'), 'utf8')).toBe('old\n');
    } finally {
      for (const res of stalled) res.destroy();
      server.close();
    }
  }, 60_000);

  it('a bad --cluster names the config\'s clusters', () => {
    expect(oneLine(bf('--prometheus-url', closed, '--step', '30s', '--cluster', 'nope', '--out', 'x.om'), 2)).toMatch(/^error: --cluster: "nope" is not a cluster of .*bf\.yaml \(its clusters: bf\)$/);
  });
});
