/**
 * Crash safety and concurrency of `generate`, with the real CLI (node dist/cli.js, built by
 * `npm test`): SIGKILL at random points (seeded, so a failure can be replayed with
 * LINKERD_SLO_KILL_SEED) while the output alternates between two different bundles, and two runs
 * into one directory at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../tools/sim/mesh.js';
import { CLI, EXAMPLE, ROOT, snapshot, tempDirs } from './support/cli.js';

const ITERATIONS = Number(process.env.LINKERD_SLO_KILL_ITERATIONS ?? 16);
const SEED = Number(process.env.LINKERD_SLO_KILL_SEED ?? 0x5eed);

/** The user's own files, placed in the output directory before the first kill; they must survive every one. */
const USER_FILES: Record<string, string> = {
  'README.md': '# our monitoring repo\n',
  'prometheus/my-own.rules.yaml': 'groups: []\n',
  'tests/my_unit_test.py': 'def test_nothing(): pass\n',
};

/** The tree without the user's files and without the writer's transient entries (lock, staging, commit record). */
function bundleIn(dir: string): Record<string, string> {
  const all = snapshot(dir);
  return Object.fromEntries(
    Object.entries(all).filter(([rel]) => !(rel in USER_FILES) && (!rel.startsWith('.linkerd-slo') || rel === '.linkerd-slo-manifest.json')),
  );
}

function sameTree(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/** Expect `tree` to be exactly bundle A or exactly bundle B, with a readable diff against the closer one. */
function expectOldOrNew(tree: Record<string, string>, A: Record<string, string>, B: Record<string, string>, when: string) {
  if (sameTree(tree, A) || sameTree(tree, B)) return;
  const differing = (ref: Record<string, string>) => new Set([...Object.keys(ref), ...Object.keys(tree)].filter((k) => ref[k] !== tree[k]));
  const [dA, dB] = [differing(A), differing(B)];
  const closer = dA.size <= dB.size ? 'A' : 'B';
  expect([...(closer === 'A' ? dA : dB)].sort(), `${when}: the output is neither bundle A nor bundle B (files differing from ${closer})`).toEqual([]);
}

const tmp = tempDirs('kill');

let refA: string;
let A: Record<string, string>;
let B: Record<string, string>;
let variant: string;
type Writer = typeof import('../src/writer.js');
let writer: Writer;
let ownedDirs: readonly string[];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  writer = (await import(join(ROOT, 'dist', 'writer.js'))) as Writer;
  ({ OWNED_DIRS: ownedDirs } = (await import(join(ROOT, 'dist', 'generate.js'))) as typeof import('../src/generate.js'));
  const top = tmp();
  variant = join(top, 'variant.yaml');
  // Bundle B: another cluster name, so B has files A has not (pruning) and shared files differ.
  writeFileSync(variant, readFileSync(EXAMPLE, 'utf8').replace(/^cluster: prod-eu1$/m, 'cluster: prod-us1'));
  refA = join(top, 'a');
  const refB = join(top, 'b');
  for (const [config, out] of [[EXAMPLE, refA], [variant, refB]] as const) {
    const r = spawnSync(process.execPath, [CLI, 'generate', '--config', config, '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }
  A = snapshot(refA);
  B = snapshot(refB);
  expect(sameTree(A, B)).toBe(false);
  expect(Object.keys(B).filter((k) => !(k in A)).length).toBeGreaterThan(0);
});

function withUserFiles(): string {
  const out = join(tmp(), 'out');
  cpSync(refA, out, { recursive: true });
  for (const [rel, text] of Object.entries(USER_FILES)) {
    mkdirSync(join(out, rel, '..'), { recursive: true });
    writeFileSync(join(out, rel), text);
  }
  return out;
}

/** Start `generate`; SIGKILL it `delayMs` after `trigger` (an entry of that prefix appearing in out/, or the start). */
function generateAndKill(config: string, out: string, trigger: string | undefined, delayMs: number): Promise<{ killed: boolean; status: number | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'generate', '--config', config, '--out', out], { cwd: ROOT, stdio: 'ignore' });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    const watcher = trigger
      ? watch(out, (_event, name) => {
          if (name?.startsWith(trigger)) arm();
        })
      : undefined;
    if (!trigger) arm();
    // 'exit' fires once the child is reaped, so its pid is gone when the next run looks at the lock.
    child.on('exit', (status, signal) => {
      watcher?.close();
      clearTimeout(timer);
      done({ killed: signal === 'SIGKILL', status });
    });
  });
}

describe('SIGKILL at any instant leaves the old bundle or the new one', () => {
  it(`${ITERATIONS} kills (seed ${SEED}): after the next run the bundle is exactly A or B, user files survive, nothing is left over`, async () => {
    const random = prng(SEED);
    const out = withUserFiles();
    const outcomes = { beforePublish: 0, duringStaging: 0, duringCommit: 0, completed: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const config = i % 2 === 0 ? variant : EXAMPLE;
      // Aim most kills at the publish window (staging written, then the commit); some anywhere.
      const roll = random();
      const trigger = roll < 0.4 ? '.linkerd-slo-staging-' : roll < 0.85 ? '.linkerd-slo-commit.json' : undefined;
      const delay = trigger ? Math.floor(random() * 25) : Math.floor(random() * 1500);
      const run = await generateAndKill(config, out, trigger, delay);
      const when = `iteration ${i} (${trigger ?? 'start'} + ${delay} ms)`;
      if (!run.killed) expect(run.status, when).toBe(0);

      // Before any recovery: without a commit record, a reader already sees exactly A or B.
      const leftovers = readdirSync(out).filter((n) => n.startsWith('.linkerd-slo') && n !== '.linkerd-slo-manifest.json');
      const midCommit = leftovers.includes('.linkerd-slo-commit.json');
      if (!midCommit) expectOldOrNew(bundleIn(out), A, B, `${when}, before recovery`);
      if (!run.killed) outcomes.completed++;
      else if (midCommit) outcomes.duringCommit++;
      else if (leftovers.some((n) => n.startsWith('.linkerd-slo-staging-'))) outcomes.duringStaging++;
      else outcomes.beforePublish++;

      // The next run starts by taking the lock (the killed run's pid is dead) and finishing or discarding.
      if (i % 4 === 3) {
        const check = spawnSync(process.execPath, [CLI, 'generate', '--config', EXAMPLE, '--out', out, '--check'], { cwd: ROOT, encoding: 'utf8' });
        expect([0, 1], `${when}: ${check.stderr}`).toContain(check.status);
        expect(check.stderr).not.toMatch(/ENOENT|ENOTEMPTY|^\s+at /m);
      } else {
        const lock = await writer.acquireLock(out, 'out', 10_000);
        try {
          await writer.recover(out, ownedDirs, 'out');
        } finally {
          await lock.release();
        }
      }
      expectOldOrNew(bundleIn(out), A, B, `${when}, after recovery`);
      for (const [rel, text] of Object.entries(USER_FILES)) expect(readFileSync(join(out, rel), 'utf8'), `${when}: ${rel}`).toBe(text);
      expect(readdirSync(out).filter((n) => n.startsWith('.linkerd-slo')), when).toEqual(['.linkerd-slo-manifest.json']);
    }
    console.log(`kill test (seed ${SEED}): ${JSON.stringify(outcomes)}`);
    // A final uninterrupted run publishes normally on top of whatever the kills left.
    const last = spawnSync(process.execPath, [CLI, 'generate', '--config', EXAMPLE, '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(last.status, last.stderr).toBe(0);
    expect(bundleIn(out)).toEqual(A);
  }, 180_000); // 16 real CLI runs and their recoveries: minutes on a loaded two-core machine
});

describe('two runs into one output directory', () => {
  it('both succeed (the second waits for the lock), never ENOENT/ENOTEMPTY, and the result is one whole bundle', async () => {
    const out = withUserFiles();
    const run = (config: string) =>
      new Promise<{ status: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [CLI, 'generate', '--config', config, '--out', out], { cwd: ROOT });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => done({ status, stderr }));
      });
    const results = await Promise.all([run(variant), run(EXAMPLE)]);
    for (const r of results) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/ENOENT|ENOTEMPTY/);
    }
    expectOldOrNew(bundleIn(out), A, B, 'after two concurrent runs');
    for (const [rel, text] of Object.entries(USER_FILES)) expect(readFileSync(join(out, rel), 'utf8')).toBe(text);
    expect(readdirSync(out).filter((n) => n.startsWith('.linkerd-slo'))).toEqual(['.linkerd-slo-manifest.json']);
  });
});
