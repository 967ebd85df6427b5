/** Running the real promtool from tests, in a throwaway directory. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';

export function requirePromtool(): void {
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('promtool not found: run `node scripts/ensure-promtool.mjs` (npm test does) or apt-get install -y prometheus');
  }
}

export interface PromtoolResult { readonly ok: boolean; readonly output: string; readonly status: number | null }

function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-promtool-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[], cwd: string): PromtoolResult {
  requirePromtool();
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `promtool check rules --lint-fatal` on a rule file's text. */
export function checkRules(ruleFileText: string): PromtoolResult {
  return inTempDir((dir) => {
    writeFileSync(join(dir, 'rules.yaml'), ruleFileText);
    return run(['check', 'rules', '--lint-fatal', 'rules.yaml'], dir);
  });
}

export interface UnitTestFile {
  readonly evaluation_interval?: string;
  readonly tests: readonly unknown[];
}

/** `promtool test rules` with the given rule file text and unit-test document. */
export function testRules(ruleFileText: string, tests: UnitTestFile): PromtoolResult {
  return inTempDir((dir) => {
    writeFileSync(join(dir, 'rules.yaml'), ruleFileText);
    writeFileSync(join(dir, 'tests.yaml'), dump({ rule_files: ['rules.yaml'], evaluation_interval: '1m', ...tests }, { lineWidth: -1, noRefs: true }));
    return run(['test', 'rules', 'tests.yaml'], dir);
  });
}

/** A counter that grows by `perMinute` for `minutes` minutes from `start`, in promtool's series notation. */
export function ramp(start: number, perMinute: number, minutes: number): string {
  return `${start}+${perMinute}x${minutes}`;
}

/**
 * A counter over phases of [minutes, increase per minute], one sample a minute from 0, in promtool's
 * series notation: each phase continues from where the previous one ended.
 */
export function counter(phases: ReadonlyArray<readonly [minutes: number, perMinute: number]>): string {
  let value = 0;
  return phases
    .map(([minutes, inc], i) => {
      const part = i === 0 ? `0+${inc}x${minutes}` : `${value + inc}+${inc}x${minutes - 1}`;
      value += inc * minutes;
      return part;
    })
    .join(' ');
}
