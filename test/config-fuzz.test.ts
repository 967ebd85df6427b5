/**
 * Exit 70 only for bugs (issue #20): over every duration and every number field of the schema (as
 * the example config, with every section filled in, holds them), malformed durations and extreme
 * numbers end in a located ConfigError, or in a config that generates; and config modules that
 * misbehave in every way we know end, through the real CLI, in one clear line and exit 2 with
 * nothing written.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { resolveConfig } from '../src/config/load.js';
import { ConfigError, formatPath } from '../src/config/errors.js';
import { generateBundle } from '../src/generate.js';
import { isDuration } from '../src/promql/number.js';
import { prng } from '../tools/sim/mesh.js';
import { CLI, EXAMPLE, tempDirs } from './support/cli.js';

const tmp = tempDirs('config-fuzz');
type Path = Array<string | number>;

/** The example config with every default filled in: one value at every field the schema has there. */
const BASE = (() => {
  const raw = load(readFileSync(EXAMPLE, 'utf8')) as { slos: Record<string, unknown> };
  // The example has no custom SLO; one with its own period, so that field is fuzzed too.
  raw.slos.custom = [{ name: 'api', objective: 99.9, period: '28d', errors: 'http_requests_total{job="api",code=~"5.."}', total: 'http_requests_total{job="api"}' }];
  return resolveConfig(raw, 'fuzz.yaml').config as unknown as Record<string, unknown>;
})();

function leaves(v: unknown, path: Path = [], out: Array<[Path, unknown]> = []): Array<[Path, unknown]> {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  else out.push([path, v]);
  return out;
}

function withValue(path: Path, value: unknown): Record<string, unknown> {
  const c = structuredClone(BASE);
  let o = c as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
  return c;
}

const ALL = leaves(BASE);
const DURATIONS = ALL.filter(([, v]) => typeof v === 'string' && isDuration(v)).map(([p]) => p);
const NUMBERS = ALL.filter(([, v]) => typeof v === 'number').map(([p]) => p);

/** What a user can mistype as a duration. */
const BAD_DURATIONS = ['5M', '1ms', '0s', '1.5h', '', '1y2w3d4h5m6s7ms', '-5m', '5', '5 m', '1h5m1h', '11y', '99999999999999999999y'];
/** Numbers at and far beyond every sensible range, and the non-numbers YAML and TS can give. */
const EXTREME_NUMBERS = [1e308, -1e308, 1e-308, 5e-324, 2 ** 53 + 2, -0, 1e9, 1e-6, -1, 0, Infinity, -Infinity, NaN];

type Outcome = { kind: 'rejected'; lines: string[] } | { kind: 'accepted'; raw: Record<string, unknown> };

/** Validates; anything but a ConfigError escaping is the bug this file looks for. */
function outcome(raw: Record<string, unknown>, where: string): Outcome {
  try {
    resolveConfig(raw, 'fuzz.yaml');
    return { kind: 'accepted', raw };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`${where}: not a config error: ${(err as Error).stack}`);
    return { kind: 'rejected', lines: err.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
  }
}

describe('every duration and number field', () => {
  it(`has ${DURATIONS.length} duration and ${NUMBERS.length} number fields in the example (the fuzz reaches every section)`, () => {
    expect(DURATIONS.length).toBeGreaterThan(40);
    expect(NUMBERS.length).toBeGreaterThan(30);
    for (const section of ['alerting', 'slos.certificates', 'slos.proxyResources', 'slos.workloads', 'slos.custom', 'slos.controlPlaneLatency']) {
      expect(DURATIONS.some((p) => formatPath(p).startsWith(section)) || NUMBERS.some((p) => formatPath(p).startsWith(section)), section).toBe(true);
    }
  });

  it('refuses a malformed duration at its own path, in every duration field', () => {
    const accepted: string[] = [];
    for (const path of DURATIONS) {
      for (const bad of BAD_DURATIONS) {
        const where = `${formatPath(path)}=${JSON.stringify(bad)}`;
        const o = outcome(withValue(path, bad), where);
        if (o.kind === 'accepted') accepted.push(where);
        else expect(o.lines.some((l) => l.startsWith(`${formatPath(path)}: `)), `${where}: ${o.lines.join(' | ')}`).toBe(true);
      }
    }
    // Only the clock offsets are compared below a second; nothing else takes milliseconds. Those generate.
    // multiCluster.queryOffset "0s" is the documented "no offset" (Prometheus' own default).
    expect(accepted.every((w) => /nodeClock\.(ticketAbove|pageAbove)="[^"]*ms"$/.test(w) || w === 'multiCluster.queryOffset="0s"'), accepted.join('\n')).toBe(true);
    for (const where of accepted) {
      const [path, value] = where.split('=') as [string, string];
      const at = DURATIONS.find((p) => formatPath(p) === path)!;
      const raw = withValue(at, JSON.parse(value));
      (raw as { slos: { certificates: { nodeClock: { enabled: boolean } } } }).slos.certificates.nodeClock.enabled = true;
      try {
        generateBundle(resolveConfig(raw, 'fuzz.yaml'), 'fuzz.yaml');
      } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`${where}: generate failed: ${(err as Error).stack}`);
      }
    }
  });

  it('refuses an extreme number with a located error, or generates from it; a sample of the accepted ones is generated', () => {
    const rand = prng(20261206);
    const accepted: Array<{ where: string; raw: Record<string, unknown> }> = [];
    for (const path of NUMBERS) {
      for (const x of EXTREME_NUMBERS) {
        const where = `${formatPath(path)}=${x}`;
        const o = outcome(withValue(path, x), where);
        if (o.kind === 'accepted') accepted.push({ where, raw: o.raw });
        else expect(o.lines.length, where).toBeGreaterThan(0);
        if (o.kind === 'accepted') expect(Math.abs(x), `${where} was accepted`).toBeLessThanOrEqual(1e9);
      }
    }
    // Generating is the slow part: a seeded sample, always including the extremes of the range.
    const sample = accepted.filter((a, i) => /=(1000000000|0\.000001)$/.test(a.where) ? rand() < 0.5 : i % 7 === 0).slice(0, 24);
    expect(sample.length).toBeGreaterThan(5);
    for (const { where, raw } of sample) {
      try {
        generateBundle(resolveConfig(raw, 'fuzz.yaml'), 'fuzz.yaml');
      } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`${where}: generate failed: ${(err as Error).stack}`);
      }
    }
  });
});

describe('config modules that misbehave, through the CLI: one clear line, exit 2, nothing written', () => {
  const MODULES: Record<string, string> = {
    'throws an object whose toString throws': "throw { toString() { throw new Error('gotcha'); } };\n",
    'throws a Proxy whose traps throw': "throw new Proxy({}, { getPrototypeOf() { throw new Error('p'); }, get() { throw new Error('g'); } });\n",
    'exports a Proxy whose traps throw': "export default new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('keys'); } });\n",
    'exports a cyclic object': "const c = { cluster: 'prod', prometheus: { ruleLabels: {} } };\nc.prometheus.ruleLabels.self = c;\nexport default c;\n",
    'exports a getter that throws an unprintable value': "export default { get cluster() { throw { toString() { throw new Error('x'); } }; } };\n",
    'exports a function': "export default { cluster: 'prod', alerting: () => 1 };\n",
    'nests absurdly deep': "let v = {}; for (let i = 0; i < 10000; i++) v = { v };\nexport default { cluster: 'prod', prometheus: { ruleLabels: v } };\n",
    'leaves a rejected promise behind': "Promise.reject(new Error('late'));\nexport default { cluster: 'prod' };\n",
    'leaves a rejected non-Error behind': "Promise.reject('nope');\nexport default { cluster: 'prod' };\n",
    'schedules process.exit(0) with setTimeout': "setTimeout(() => process.exit(0), 50);\nexport default { cluster: 'prod' };\n",
    'leaves an interval running': "setInterval(() => {}, 1000);\nexport default { cluster: 'prod' };\n",
    'exits later through node:timers': "import { setTimeout as later } from 'node:timers';\nlater(() => process.exit(0), 200);\nexport default { cluster: 'prod' };\n",
    'throws later through node:timers': "import { setTimeout as later } from 'node:timers';\nlater(() => { throw { toString() { throw new Error('x'); } }; }, 200);\nexport default { cluster: 'prod' };\n",
    'exports NaN and Infinity': "export default { cluster: 'prod', alerting: { lowTraffic: { minRequests: NaN }, windows: [{ severity: 'page', long: '1h', short: '5m', budgetConsumed: Infinity }] } };\n",
  };

  it.each(Object.entries(MODULES))('%s', (_, source) => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.config.mjs'), source);
    // `generate` runs longest after loading, so a late exit or throw lands while it works.
    // A module that keeps the process alive (an interval) must not hang the test: a generous kill.
    const r = spawnSync(process.execPath, [CLI, 'generate', '--config', 'c.config.mjs', '--out', 'out'], { cwd: dir, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
    expect(r.signal, 'the run hung').toBeNull();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toContain('internal error');
    const lines = r.stderr.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^(error: c\.config\.mjs: |c\.config\.mjs: |error: invalid configuration; nothing was written$)/);
    expect(lines.filter((l) => l.startsWith('error: ')).length).toBe(1);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(r.stdout).toBe('');
  });
});
