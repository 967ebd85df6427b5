/**
 * The real CLI as a user runs it (node dist/cli.js, built by `npm test`), and the temporary
 * directories and file-tree snapshots the CLI tests compare outputs with.
 */
import { afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const EXAMPLE = join(ROOT, 'examples', 'linkerd-slo.yaml');

/** Runs the CLI to completion in `cwd`. */
export function cli(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI without blocking this process, for tests that serve something in-process (a fake
 * /metrics endpoint) while the CLI runs.
 */
export function runCli(args: string[], cwd = ROOT): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => ok({ status, stdout, stderr }));
  });
}

/** Every file and symlink under dir with its content (symlinks as "-> symlink", never followed); {} if dir does not exist. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out[rel] = '-> symlink';
      else if (e.isDirectory()) walk(rel);
      else out[rel] = readFileSync(join(dir, rel), 'utf8');
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/**
 * A maker of fresh temporary directories named linkerd-slo-<name>-*, all removed after the test
 * file's last test. Call it at the top level of a test file.
 */
export function tempDirs(name: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), `linkerd-slo-${name}-`));
    made.push(d);
    return d;
  };
}
