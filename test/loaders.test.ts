/**
 * TypeScript/JavaScript configs through the real CLI (node dist/cli.js) in temporary directories:
 * they load from where they are (relative imports, `linkerd-slo` itself), write nothing beside the
 * user's file, and every way a config module can misbehave (throw, hang, call process.exit, bad
 * syntax) ends in one line with exit 2.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');

interface Run { status: number | null; stdout: string; stderr: string; seen: Set<string> }

/** Runs the CLI and, while it runs, records every name that ever appears in `watch`. */
function run(cliPath: string, args: string[], opts: { cwd: string; env?: Record<string, string>; watch?: string; argv0?: string[] }): Promise<Run> {
  return new Promise((ok) => {
    const command = opts.argv0 ?? [process.execPath];
    const child = spawn(command[0]!, [...command.slice(1), cliPath, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    const watch = opts.watch ?? opts.cwd;
    const seen = new Set<string>(readdirSync(watch));
    const poll = setInterval(() => readdirSync(watch).forEach((n) => seen.add(n)), 10);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      clearInterval(poll);
      readdirSync(watch).forEach((n) => seen.add(n));
      ok({ status, stdout, stderr, seen });
    });
  });
}

/** A directory holding exactly `files`. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-loaders-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** One `error: ...` line on stderr and nothing else, no stack frames. */
function oneLine(r: Run): string {
  expect(r.stderr, r.stderr).toMatch(/^error: [^\n]*\n$/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr.trimEnd();
}

const MINIMAL = `import { defineConfig } from 'linkerd-slo';\nexport default defineConfig({ cluster: 'loaders' });\n`;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build`');
});

describe('a TypeScript config loads from where it is and leaves nothing behind', () => {
  it('relative .ts and .js imports and `linkerd-slo` resolve; no file ever appears beside the config', async () => {
    const dir = project({
      'linkerd-slo.config.ts': [
        "import { defineConfig } from 'linkerd-slo';",
        "import { base } from './base.ts';",
        "import { namespace } from './helper.mjs';",
        "export default defineConfig({ ...base, linkerd: { version: '2.18', namespace } });",
        '',
      ].join('\n'),
      'base.ts': "import type { ConfigInput } from 'linkerd-slo';\nexport const base: ConfigInput = { cluster: 'loaders' };\n",
      'helper.mjs': "export const namespace = 'linkerd-prod';\n",
    });
    const before = readdirSync(dir).sort();
    const r = await run(CLI, ['validate', '--config', 'linkerd-slo.config.ts'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^linkerd-slo\.config\.ts: ok \(/);
    expect([...r.seen].sort()).toEqual(before);
    // The imported value reached the rules: the namespace from helper.mjs is in the generated bundle.
    const out = join(dir, '..', `${dir.split('/').pop()}-out`);
    const g = await run(CLI, ['generate', '--config', join(dir, 'linkerd-slo.config.ts'), '--out', out], { cwd: dir });
    expect(g.status, g.stderr).toBe(0);
    expect(spawnSync('grep', ['-rl', 'namespace="linkerd-prod"', out], { encoding: 'utf8' }).stdout).not.toBe('');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('loads in a read-only directory (a read-only bind mount in a private mount namespace)', async (ctx) => {
    const dir = project({ 'linkerd-slo.config.ts': MINIMAL });
    const mountpoint = mkdtempSync(join(tmpdir(), 'linkerd-slo-ro-'));
    const probe = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind -o ro '${dir}' '${mountpoint}' && ! touch '${mountpoint}/probe' 2>/dev/null`]);
    if (probe.status !== 0) {
      console.log('skipped: cannot make a read-only bind mount here (needs unshare -m and mount)');
      ctx.skip();
    }
    const r = await run(
      CLI,
      ['validate', '--config', join(mountpoint, 'linkerd-slo.config.ts')],
      { cwd: dir, argv0: ['unshare', '-m', 'sh', '-c', `mount --bind -o ro '${dir}' '${mountpoint}' && exec "$0" "$@"`, process.execPath] },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(': ok (');
    expect(readdirSync(dir)).toEqual(['linkerd-slo.config.ts']);
  });
});

describe('a config module that misbehaves: one line, exit 2, nothing left behind', () => {
  it('throws', async () => {
    const dir = project({ 'c.config.ts': "const n: number = 1;\nthrow new Error('boom ' + n + '\\nsecond line');\nexport default {};\n" });
    const r = await run(CLI, ['validate', '--config', 'c.config.ts'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe('error: c.config.ts: the config threw: boom 1');
    expect([...r.seen]).toEqual(['c.config.ts']);
  });

  it('never settles: the time limit ends it (not Node\'s exit 13), and no file appears meanwhile', async () => {
    const dir = project({ 'c.config.ts': 'await new Promise<void>(() => {});\nexport default {};\n' });
    const r = await run(CLI, ['validate', '--config', 'c.config.ts'], { cwd: dir, env: { LINKERD_SLO_CONFIG_TIMEOUT: '1s' } });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe('error: c.config.ts: the config did not finish loading within 1s (does it await something that never settles?); LINKERD_SLO_CONFIG_TIMEOUT sets the limit');
    expect([...r.seen]).toEqual(['c.config.ts']);
  });

  it('calls process.exit(0), even inside a try/catch', async () => {
    const dir = project({
      'a.config.ts': "process.exit(0);\nexport default { cluster: 'x' };\n",
      'b.config.mjs': "try { process.exit(0); } catch {}\nexport default { cluster: 'x' };\n",
    });
    for (const file of ['a.config.ts', 'b.config.mjs']) {
      const r = await run(CLI, ['validate', '--config', file], { cwd: dir });
      expect(r.status, file).toBe(2);
      expect(oneLine(r)).toBe(`error: ${file}: the config called process.exit(0); a config must only export its settings`);
    }
    expect(readdirSync(dir).sort()).toEqual(['a.config.ts', 'b.config.mjs']);
  });

  it('has a syntax error in a file it imports: located at that file, line and column', async () => {
    const dir = project({
      'c.config.ts': "import base from './base.ts';\nexport default base;\n",
      'base.ts': "export default {\n  cluster: 'x',,\n};\n",
    });
    const r = await run(CLI, ['validate', '--config', 'c.config.ts'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('base.ts:2:16: (top level): Property assignment expected.');
  });

  it('imports a file that does not exist', async () => {
    const dir = project({ 'c.config.ts': "import x from './nope.mjs';\nexport default x;\n" });
    const r = await run(CLI, ['validate', '--config', 'c.config.ts'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe(`error: c.config.ts: cannot load the config: Cannot find module '${join(dir, 'nope.mjs')}' imported from ${join(dir, 'c.config.ts')}`);
  });

  it('a time limit that is not a duration is named', async () => {
    const dir = project({ 'c.config.ts': MINIMAL });
    const r = await run(CLI, ['validate', '--config', 'c.config.ts'], { cwd: dir, env: { LINKERD_SLO_CONFIG_TIMEOUT: 'soon' } });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe('error: LINKERD_SLO_CONFIG_TIMEOUT: invalid duration "soon" (expected e.g. 5m, 1h, 30d)');
  });
});

describe('typescript is an optional peer dependency', () => {
  it('without it, a .ts config says what to install (one line, exit 2); YAML still works', async (ctx) => {
    // linkerd-slo as installed without typescript: its dist/ (templates included) and package.json, every dependency but typescript.
    const pkg = mkdtempSync(join(tmpdir(), 'linkerd-slo-nots-'));
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    mkdirSync(join(pkg, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== 'typescript' && name !== '.bin') symlinkSync(join(ROOT, 'node_modules', name), join(pkg, 'node_modules', name));
    }
    const dir = project({ 'c.config.ts': MINIMAL, 'c.yaml': 'cluster: loaders\n' });
    const resolvable = [join(pkg, 'dist', 'cli.js'), join(dir, 'c.config.ts')].some((from) => {
      try {
        createRequire(from).resolve('typescript');
        return true;
      } catch {
        return false;
      }
    });
    if (resolvable) {
      console.log(`skipped: typescript is resolvable from ${tmpdir()} (a node_modules above it)`);
      ctx.skip();
    }
    const r = await run(join(pkg, 'dist', 'cli.js'), ['validate', '--config', 'c.config.ts'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(oneLine(r)).toBe('error: c.config.ts: a TypeScript config needs the typescript package, which is not installed: run `npm install --save-dev typescript`, or write the config as YAML or .mjs');
    const yaml = await run(join(pkg, 'dist', 'cli.js'), ['validate', '--config', 'c.yaml'], { cwd: dir });
    expect(yaml.status, yaml.stderr).toBe(0);
  });
});
