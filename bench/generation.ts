/**
 * Generation cost of the CLI (`node dist/cli.js generate`) for configs of increasing size: wall
 * time and peak resident memory (GNU time's "Maximum resident set size"), median of a few runs.
 * Size grows with workload SLOs (slos.workloads.list), the part of a config that scales with a mesh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { ROOT, dirBytes, median, parseRuleFile, ruleCount, rm, tempDir } from './common.js';

export interface GenerationRow {
  readonly config: string;
  readonly configBytes: number;
  readonly rules?: number;
  readonly outputBytes?: number;
  readonly files?: number;
  readonly wallMs?: number;
  readonly wallMsMin?: number;
  readonly maxRssKiB?: number;
  readonly error?: string;
}

/** The example config plus N more workload SLOs (default class HIGH_FAST: success rate and latency each). */
function exampleWith(example: string, workloads: number): string {
  const doc = load(example) as { slos?: Record<string, unknown> };
  const list = Array.from({ length: workloads }, (_, i) => ({ namespace: `team-${Math.floor(i / 20)}`, deployment: `service-${i}` }));
  const slos = doc.slos ?? {};
  const existing = (slos.workloads ?? {}) as { list?: unknown[] };
  doc.slos = { ...slos, workloads: { ...existing, list: [...(existing.list ?? []), ...list] } };
  return dump(doc, { lineWidth: -1 });
}

function countFiles(dir: string): number {
  const r = spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).length;
}

export function benchGeneration(opts: { runs?: number; workloadSizes?: readonly number[] } = {}): GenerationRow[] {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run build (npm run bench does)');
  const hasTime = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' }).status === 0;
  const runs = opts.runs ?? 3;
  const dir = tempDir('gen');
  const rows: GenerationRow[] = [];
  try {
    const example = readFileSync(join(ROOT, 'examples', 'linkerd-slo.yaml'), 'utf8');
    const configs: Array<[string, string]> = [
      ['minimal (cluster only)', 'cluster: bench\n'],
      ['examples/linkerd-slo.yaml', example],
    ];
    for (const n of opts.workloadSizes ?? [10, 100, 1000]) configs.push([`example + ${n} more workload SLOs (re-serialised, no comments)`, exampleWith(example, n)]);
    for (const [name, text] of configs) {
      const file = join(dir, 'config.yaml');
      writeFileSync(file, text);
      const walls: number[] = [];
      const rss: number[] = [];
      let error: string | undefined;
      let out = '';
      for (let i = 0; i < runs; i++) {
        out = join(dir, `out-${i}`);
        const args = ['generate', '--config', file, '--out', out];
        const t0 = process.hrtime.bigint();
        const r = hasTime
          ? spawnSync('/usr/bin/time', ['-v', process.execPath, cli, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 })
          : spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
        walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (r.status !== 0) {
          error = `exit ${r.status}: ${(r.stderr ?? '').split('\n').filter((l) => l && !/^\s+(Command|User|System|Percent|Elapsed|Average|Maximum|Major|Minor|Voluntary|Involuntary|Swaps|File|Socket|Signals|Page|Exit)/.test(l)).slice(0, 3).join(' ')}`;
          break;
        }
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
        if (m) rss.push(Number(m[1]));
      }
      if (error) {
        rows.push({ config: name, configBytes: Buffer.byteLength(text), error });
        continue;
      }
      const rulesFile = spawnSync('sh', ['-c', `ls ${out}/prometheus/*.rules.yaml`], { encoding: 'utf8' }).stdout.trim();
      const counts = rulesFile ? ruleCount(parseRuleFile(readFileSync(rulesFile, 'utf8'))) : { recording: 0, alerting: 0 };
      rows.push({
        config: name,
        configBytes: Buffer.byteLength(text),
        rules: counts.recording + counts.alerting,
        outputBytes: dirBytes(out),
        files: countFiles(out),
        wallMs: median(walls),
        wallMsMin: Math.min(...walls),
        ...(rss.length ? { maxRssKiB: Math.max(...rss) } : {}),
      });
      for (let i = 0; i < runs; i++) rm(join(dir, `out-${i}`));
    }
  } finally {
    rm(dir);
  }
  return rows;
}

