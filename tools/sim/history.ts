/**
 * History output: the simulator stepped through a time range and written as OpenMetrics for
 * `promtool tsdb create-blocks-from openmetrics <file> <datadir>` (backfill). promtool wants
 * timestamps in seconds, every family's samples together, and a final `# EOF`; each series' samples
 * are written in time order, series after series. Every target also gets its `up` series, 0 while
 * the scenario takes it down (its other series then have a gap, as after failed scrapes).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { primary } from './engines.js';
import { Hist, LE_TEXT, formatValue, histValues, type Family, type Rec } from './registry.js';
import type { LinkerdSimulator } from './simulator.js';
import type { Target } from './target.js';

interface FamilyRecs {
  readonly typeName: string;
  readonly type: string;
  readonly help: string;
  readonly family?: Family;
  readonly recs: Rec[];
}

export interface HistoryOptions {
  /** Epoch ms to simulate up to (inclusive). */
  readonly until: number;
  readonly stepSeconds: number;
  /** Output file (OpenMetrics text). */
  readonly file: string;
  /** Only these families (and up) are written; all when omitted. */
  readonly families?: readonly string[];
  /** Finer filter: keep a series of a family only if this returns true (labels: the series' own labels). */
  readonly series?: (family: string, labels: string) => boolean;
  /** Skip the sample at the simulator's current time (when continuing an earlier history). */
  readonly skipFirst?: boolean;
}

export interface HistoryResult {
  readonly file: string;
  readonly series: number;
  readonly samples: number;
  readonly bytes: number;
  readonly from: number;
  readonly to: number;
}

/** Simulates from the simulator's current time to `until`, recording a sample every step, and writes the OpenMetrics file. */
export function writeOpenMetricsHistory(sim: LinkerdSimulator, opts: HistoryOptions): HistoryResult {
  const stepMs = Math.round(opts.stepSeconds * 1000);
  if (stepMs <= 0) throw new Error('stepSeconds must be positive');
  const from = sim.now;
  const recorder = new HistoryRecorder(sim, opts);
  if (!opts.skipFirst) recorder.record(sim.now);
  for (let t = sim.now + stepMs; t <= opts.until; t += stepMs) {
    sim.advanceTo(t);
    recorder.record(t);
  }
  const written = writeFamilies(opts.file, recorder.groups, recorder.times);
  dropRecorders(sim);
  return { file: opts.file, ...written, from, to: recorder.times[recorder.times.length - 1] ?? from };
}

/** Every sample of every visible series at each recorded time, in runs of consecutive steps (a gap while a target is down or a series evicted). */
class HistoryRecorder {
  readonly groups = new Map<string, FamilyRecs>();
  readonly times: number[] = [];
  private readonly upRecs = new Map<Target, Rec>();
  private readonly only: ReadonlySet<string> | undefined;

  constructor(private readonly sim: LinkerdSimulator, private readonly opts: HistoryOptions) {
    this.only = opts.families ? new Set(opts.families) : undefined;
  }

  record(t: number): void {
    const step = this.times.length;
    this.times.push(t);
    const upGroup = this.groupOf(undefined, 'up', 'gauge', 'Whether the last scrape of the target succeeded (1) or failed (0).');
    for (const target of this.sim.allTargets) {
      const down = this.sim.isDown(target, t);
      let up = this.upRecs.get(target);
      if (!up) this.upRecs.set(target, (up = newRec(upGroup, 'up', target.labelText)));
      push(up, step, down ? 0 : 1);
      if (!down) this.recordTarget(target, t, step);
    }
  }

  private recordTarget(target: Target, t: number, step: number): void {
    const skip = this.sim.missing(target, t);
    for (const f of target.registry.families) {
      if (skip.has(f.name) || (this.only && !this.only.has(f.name))) continue;
      if (f.series.size === 0) continue;
      const g = this.groupOf(f, f.typeName, f.type, f.help);
      for (const s of f.series.values()) {
        if (!s.visible || (this.opts.series && !this.opts.series(f.name, s.labels))) continue;
        const labels = s.labels === '' ? target.labelText : `${target.labelText},${s.labels}`;
        if (s instanceof Hist) {
          const recs = (s.recs ??= [
            ...LE_TEXT.map((le) => newRec(g, `${f.name}_bucket`, `${labels},le="${le}"`)),
            newRec(g, `${f.name}_count`, labels),
            newRec(g, `${f.name}_sum`, labels),
          ]);
          const h = histValues(s);
          h.buckets.forEach((v, i) => push(recs[i]!, step, v));
          push(recs[LE_TEXT.length]!, step, h.count);
          push(recs[LE_TEXT.length + 1]!, step, h.sum);
        } else {
          push((s.rec ??= newRec(g, f.name, labels)), step, s.value);
        }
      }
    }
  }

  private groupOf(f: Family | undefined, name: string, type: string, help: string): FamilyRecs {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { typeName: name, type, help, ...(f ? { family: f } : {}), recs: [] }));
    return g;
  }
}

function push(rec: Rec, step: number, v: number): void {
  const last = rec.runs[rec.runs.length - 1];
  if (last && rec.lastStep === step - 1) last.values.push(v);
  else rec.runs.push({ start: step, values: [v] });
  rec.lastStep = step;
}

function newRec(g: FamilyRecs, name: string, labels: string): Rec {
  const rec: Rec = { name, labels, runs: [], lastStep: -2 };
  g.recs.push(rec);
  return rec;
}

/** Writes families by name, each family's series by labels, each series' samples in time order. */
function writeFamilies(file: string, groups: ReadonlyMap<string, FamilyRecs>, times: readonly number[]): { series: number; samples: number; bytes: number } {
  const fd = openSync(file, 'w');
  let buf: string[] = [];
  let bufLen = 0;
  let bytes = 0;
  let samples = 0;
  let series = 0;
  const flush = () => {
    if (bufLen === 0) return;
    const text = buf.join('');
    bytes += Buffer.byteLength(text);
    writeSync(fd, text);
    buf = [];
    bufLen = 0;
  };
  const write = (s: string) => {
    buf.push(s);
    bufLen += s.length;
    if (bufLen > 1 << 20) flush();
  };
  const ts = times.map((t) => String(t / 1000));
  try {
    for (const name of [...groups.keys()].sort()) {
      const g = groups.get(name)!;
      if (g.recs.length === 0) continue;
      write(`# HELP ${g.typeName} ${g.help}\n# TYPE ${g.typeName} ${g.type}\n`);
      const recs = [...g.recs].sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const rec of recs) {
        series++;
        const head = `${rec.name}{${rec.labels}} `;
        for (const run of rec.runs) {
          for (let i = 0; i < run.values.length; i++) {
            const v = run.values[i]!;
            write(`${head}${g.family ? formatValue(g.family, v) : String(v)} ${ts[run.start + i]}\n`);
            samples++;
          }
        }
      }
    }
    write('# EOF\n');
    flush();
  } finally {
    closeSync(fd);
  }
  return { series, samples, bytes };
}

/** Series objects keep their recorders; drop them so a later history starts clean. */
function dropRecorders(sim: LinkerdSimulator): void {
  for (const target of sim.allTargets)
    for (const f of target.registry.families)
      for (const s of f.series.values()) {
        if (s instanceof Hist) delete s.recs;
        else delete s.rec;
      }
}

/** `promtool tsdb create-blocks-from openmetrics <file> <dataDir>`; throws with promtool's output on failure. */
export function backfill(file: string, dataDir: string, timeoutMs = 300_000, promtool = primary('promtool')): { durationMs: number; output: string } {
  const t0 = Date.now();
  const r = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error) throw new Error(`promtool backfill failed: ${r.error.message}\n${output}`);
  if (r.status !== 0) throw new Error(`promtool backfill exited with ${r.status}:\n${output.slice(-4000)}`);
  return { durationMs: Date.now() - t0, output };
}
