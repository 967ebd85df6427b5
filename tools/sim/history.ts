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
  const only = opts.families ? new Set(opts.families) : undefined;
  const groups = new Map<string, FamilyRecs>();
  const upRecs = new Map<Target, Rec>();
  const times: number[] = [];
  const from = sim.now;

  const groupOf = (f: Family | undefined, name: string, type: string, help: string): FamilyRecs => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { typeName: name, type, help, ...(f ? { family: f } : {}), recs: [] }));
    return g;
  };
  const push = (rec: Rec, step: number, v: number) => {
    const last = rec.runs[rec.runs.length - 1];
    if (last && rec.lastStep === step - 1) last.values.push(v);
    else rec.runs.push({ start: step, values: [v] });
    rec.lastStep = step;
  };
  const newRec = (g: FamilyRecs, name: string, labels: string): Rec => {
    const rec: Rec = { name, labels, runs: [], lastStep: -2 };
    g.recs.push(rec);
    return rec;
  };

  const record = (t: number) => {
    const step = times.length;
    times.push(t);
    const upGroup = groupOf(undefined, 'up', 'gauge', 'Whether the last scrape of the target succeeded (1) or failed (0).');
    for (const target of sim.allTargets) {
      const down = sim.isDown(target, t);
      let up = upRecs.get(target);
      if (!up) upRecs.set(target, (up = newRec(upGroup, 'up', target.labelText)));
      push(up, step, down ? 0 : 1);
      if (down) continue;
      const skip = sim.missing(target, t);
      for (const f of target.registry.families) {
        if (skip.has(f.name) || (only && !only.has(f.name))) continue;
        if (f.series.size === 0) continue;
        const g = groupOf(f, f.typeName, f.type, f.help);
        for (const s of f.series.values()) {
          if (!s.visible || (opts.series && !opts.series(f.name, s.labels))) continue;
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
  };

  if (!opts.skipFirst) record(sim.now);
  for (let t = sim.now + stepMs; t <= opts.until; t += stepMs) {
    sim.advanceTo(t);
    record(t);
  }

  // Write: families by name, each family's series by labels, each series' samples in time order.
  const fd = openSync(opts.file, 'w');
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
  // Series objects keep their recorders; drop them so a later history starts clean.
  for (const target of sim.allTargets)
    for (const f of target.registry.families)
      for (const s of f.series.values()) {
        if (s instanceof Hist) delete s.recs;
        else delete s.rec;
      }
  return { file: opts.file, series, samples, bytes, from, to: times[times.length - 1] ?? from };
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
