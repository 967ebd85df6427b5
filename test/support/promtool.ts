/**
 * Running the real promtool from tests, in a throwaway directory: every call runs on each promtool the
 * scenarios are proven on (Prometheus 3 built by scripts/engines.mjs, then Debian's 2.42) and throws
 * when they disagree, so every scenario and generated unit test holds on both.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { allEngines } from '../../tools/sim/engines.js';

export function requirePromtool(): void {
  for (const e of allEngines()) {
    if (spawnSync(e.promtool, ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error(`${e.promtool} (${e.name}) not found: run \`node scripts/ensure-promtool.mjs && node scripts/engines.mjs\` (npm test does) or apt-get install -y prometheus`);
    }
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

/**
 * Runs `promtool args` of every promtool at once (one shell, one background job each: the engines
 * share the test's wall clock instead of doubling it) and reads back each one's output and status.
 */
function runAll(promtools: readonly string[], args: string[], cwd: string): PromtoolResult[] {
  const sh = [
    ...promtools.map((p, i) => `'${p.replaceAll("'", "'\\''")}' "$@" >.promtool-out.${i} 2>&1; echo $? >.promtool-status.${i} &`),
    'wait',
  ].join('\n');
  const r = spawnSync('sh', ['-c', sh, 'sh', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`running promtool failed: ${r.stderr}`);
  return promtools.map((_, i) => {
    const status = Number(readFileSync(join(cwd, `.promtool-status.${i}`), 'utf8').trim());
    const output = readFileSync(join(cwd, `.promtool-out.${i}`), 'utf8');
    rmSync(join(cwd, `.promtool-status.${i}`));
    rmSync(join(cwd, `.promtool-out.${i}`));
    return { ok: status === 0, status, output };
  });
}

/** The primary promtool's result; throws when another engine's promtool passes where it fails or the reverse. */
function run(args: string[], cwd: string): PromtoolResult {
  requirePromtool();
  const engines = allEngines();
  const results = runAll(engines.map((e) => e.promtool), args, cwd);
  const [first, ...others] = engines.map((e, i) => ({ engine: e, result: results[i]! }));
  for (const o of others) {
    if (o.result.ok !== first!.result.ok) {
      const say = (x: typeof first) => `${x!.engine.name}: ${x!.result.ok ? 'passed' : `failed (exit ${x!.result.status})`}\n${x!.result.output}`;
      throw new Error(`promtool ${args.join(' ')} differs between engines\n${say(first)}\n${say(o)}`);
    }
  }
  return first!.result;
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
