/**
 * The output directory is the user's: the data-loss and escape cases of issue #10, through the real
 * CLI (node dist/cli.js, built by `npm test`) in temporary directories, plus the writer's
 * containment check called directly with bundles the generator must never propose.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, CLI, EXAMPLE, ROOT, snapshot, tempDirs } from './support/cli.js';

const WRITER = join(ROOT, 'dist', 'writer.js');

const tmp = tempDirs('writer');

/** One line on stderr, starting with "error: ", no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

/** The example config with another cluster name: a second, different bundle. */
function variantConfig(dir: string): string {
  const path = join(dir, 'variant.yaml');
  writeFileSync(path, readFileSync(EXAMPLE, 'utf8').replace(/^cluster: prod-eu1$/m, 'cluster: prod-us1'));
  return path;
}

type Writer = typeof import('../src/writer.js');
let writer: Writer;
/** Bundles of the example (A) and of its variant (B), generated once; tests start from copies. */
let refA: string;
let variant: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  writer = (await import(WRITER)) as Writer;
  const top = tmp();
  refA = join(top, 'a');
  variant = variantConfig(top);
  const r = cli(['generate', '--config', EXAMPLE, '--out', refA]);
  expect(r.status, r.stderr).toBe(0);
});

/** A fresh copy of the example bundle at dir/out. */
function bundleA(dir = tmp()): string {
  const out = join(dir, 'out');
  cpSync(refA, out, { recursive: true });
  return out;
}

/** The writer itself, with a small bundle: its rules do not depend on what the generator writes. */
const OWNED = ['prometheus', 'grafana'];
const small = (name: string) => new Map([[`prometheus/${name}.rules.yaml`, `${name} rules\n`], [`grafana/${name}.json`, `{"title": "${name}"}\n`]]);

describe('ownership: linkerd-slo deletes only files it wrote', () => {
  const userFiles = { 'tests/my_unit_test.py': 'def test(): pass\n', 'schema/db.sql': 'create table t (id int);\n', 'prometheus/my-own.rules.yaml': 'groups: []\n' };
  const seed = (dir: string) => {
    for (const [rel, text] of Object.entries(userFiles)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  };

  it('--out . in a directory holding the user\'s tests/, schema/ and prometheus/ files is refused, nothing written', () => {
    const dir = tmp();
    seed(dir);
    const before = snapshot(dir);
    const r = cli(['generate', '--config', EXAMPLE, '--out', '.'], dir);
    expect(r.status).toBe(4);
    expectOneLineError(r.stderr, /refusing --out \.: it holds files linkerd-slo did not record as its own .*run once with --force/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('with --force the bundle is written beside them, and later runs (another cluster) keep them', () => {
    const dir = tmp();
    seed(dir);
    const forced = cli(['generate', '--config', EXAMPLE, '--out', '.', '--force'], dir);
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(dir, 'prometheus', 'linkerd-slo-prod-eu1.rules.yaml'))).toBe(true);
    const again = cli(['generate', '--config', variant, '--out', '.'], dir);
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(join(dir, 'prometheus', 'linkerd-slo-prod-eu1.rules.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'prometheus', 'linkerd-slo-prod-us1.rules.yaml'))).toBe(true);
    const after = snapshot(dir);
    for (const [rel, text] of Object.entries(userFiles)) expect(after[rel], rel).toBe(text);
  });

  it('a file of the user at a path the bundle writes is not overwritten without --force', async () => {
    const out = join(tmp(), 'out');
    await writer.writeBundle(out, small('one'), { ownedDirs: OWNED });
    writeFileSync(join(out, 'prometheus', 'two.rules.yaml'), 'hand-written\n');
    const before = snapshot(out);
    await expect(writer.writeBundle(out, small('two'), { ownedDirs: OWNED, label: 'out' })).rejects.toThrow(
      /^out\/prometheus\/two\.rules\.yaml exists and was not written by linkerd-slo .*nothing was written$/,
    );
    expect(snapshot(out)).toEqual(before);
    await writer.writeBundle(out, small('two'), { ownedDirs: OWNED, force: true });
    expect(readFileSync(join(out, 'prometheus', 'two.rules.yaml'), 'utf8')).toBe('two rules\n');
  });

  it('prunes the files of the previous bundle and the directories that leaves empty, but keeps a file edited since', async () => {
    const out = join(tmp(), 'out');
    await writer.writeBundle(out, new Map([...small('one'), ['grafana/sub/deep.json', '{}\n']]), { ownedDirs: OWNED });
    writeFileSync(join(out, 'prometheus', 'one.rules.yaml'), 'tuned by hand\n');
    writeFileSync(join(out, 'prometheus', 'mine.yaml'), 'mine\n');
    const result = await writer.writeBundle(out, small('two'), { ownedDirs: OWNED });
    expect(result.pruned).toEqual(['grafana/one.json', 'grafana/sub/deep.json']);
    expect(result.kept).toEqual(['prometheus/one.rules.yaml']);
    expect(snapshot(out)).toEqual({
      '.linkerd-slo-manifest.json': expect.stringContaining('"path": "grafana/two.json"'),
      'grafana/two.json': '{"title": "two"}\n',
      'prometheus/mine.yaml': 'mine\n',
      'prometheus/one.rules.yaml': 'tuned by hand\n',
      'prometheus/two.rules.yaml': 'two rules\n',
    });
    expect(existsSync(join(out, 'grafana', 'sub'))).toBe(false);
  });

  it('a config inside --out is refused, even with --force, and survives', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'prometheus'));
    const config = join(dir, 'prometheus', 'linkerd-slo.yaml');
    cpSync(EXAMPLE, config);
    for (const extra of [[], ['--force']]) {
      const r = cli(['generate', '--config', 'prometheus/linkerd-slo.yaml', '--out', '.', ...extra], dir);
      expect(r.status, extra.join(' ')).toBe(4);
      expectOneLineError(r.stderr, /contains the config file prometheus\/linkerd-slo\.yaml/);
      expect(readdirSync(dir)).toEqual(['prometheus']);
      expect(readFileSync(config, 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
    }
  });

  it('--out / is refused, even with --force', () => {
    for (const extra of [[], ['--force']]) {
      const r = cli(['generate', '--config', EXAMPLE, '--out', '/', ...extra], tmp());
      expect(r.status).toBe(4);
      expectOneLineError(r.stderr, /refusing --out \/: it is the root directory/);
    }
    expect(existsSync('/prometheus/linkerd-slo-prod-eu1.rules.yaml')).toBe(false);
  });

  it('a repository root is refused without --force', () => {
    const repo = tmp();
    mkdirSync(join(repo, '.git'));
    const r = cli(['generate', '--config', EXAMPLE, '--out', repo]);
    expect(r.status).toBe(4);
    expectOneLineError(r.stderr, /root of a git repository/);
    expect(readdirSync(repo)).toEqual(['.git']);
  });

  it('--out that is a file is one line, exit 4', () => {
    const file = join(tmp(), 'out');
    writeFileSync(file, 'not a directory\n');
    const r = cli(['generate', '--config', EXAMPLE, '--out', file]);
    expect(r.status).toBe(4);
    expectOneLineError(r.stderr, /is a file, not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory\n');
  });

  it('--check on output of a linkerd-slo without the manifest reports it and says to adopt it once with --force', () => {
    const out = bundleA();
    rmSync(join(out, '.linkerd-slo-manifest.json'));
    const r = cli(['generate', '--config', EXAMPLE, '--out', out, '--check']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing: .*\.linkerd-slo-manifest\.json/);
    expect(r.stderr).toMatch(/^run: linkerd-slo generate .* --force/m);
    expect(existsSync(join(out, '.linkerd-slo-manifest.json'))).toBe(false);
  });

  it('leftover staging and swap directories of crashed runs are removed by the next run', () => {
    const out = bundleA();
    for (const name of ['.linkerd-slo-staging-123-1700000000000', '.linkerd-slo-old-123-1700000000000', '.linkerd-slo-staging-9-abcdef']) {
      mkdirSync(join(out, name, 'prometheus'), { recursive: true });
      writeFileSync(join(out, name, 'prometheus', 'x.yaml'), 'x\n');
    }
    const r = cli(['generate', '--config', EXAMPLE, '--out', out, '--check']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).filter((n) => n.startsWith('.linkerd-slo'))).toEqual(['.linkerd-slo-manifest.json']);
  });
});

describe('containment: nothing is written outside --out', () => {
  it('a Mimir namespace with ../ writes no file above --out (validate and generate fail in one line)', () => {
    const top = tmp();
    const out = join(top, 'a', 'b', 'c', 'out');
    const config = join(top, 'escape.yaml');
    writeFileSync(config, 'cluster: prod\nrules:\n  targets: [mimir]\n  mimir:\n    namespace: "x/../../../../victim"\n');
    for (const args of [['validate', '--config', config], ['generate', '--config', config, '--out', out]]) {
      const r = cli(args);
      expect([2, 70], `${args[0]}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    const everything = snapshot(top);
    expect(Object.keys(everything).filter((f) => f.includes('victim'))).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('the writer refuses a bundle path that leaves --out, whatever produced it, before writing anything', async () => {
    const { writeBundle } = writer;
    const top = tmp();
    const out = join(top, 'deep', 'out');
    const owned = ['prometheus', 'mimir'];
    const bad = ['mimir/x/../../../victim.yaml', '/etc/victim.yaml', 'mimir/../../victim.yaml', 'mimir\\..\\victim.yaml', 'mimir/./x.yaml', 'mimir//x.yaml', 'victim.yaml', '.linkerd-slo-manifest.json', 'mimir/x\0.yaml'];
    for (const path of bad) {
      await expect(writeBundle(out, new Map([['prometheus/ok.yaml', 'ok\n'], [path, 'pwned\n']]), { ownedDirs: owned }), path).rejects.toThrow(/not a plain path inside/);
    }
    expect(snapshot(top)).toEqual({});
  });

  it('does not write through a symlink in --out that leads outside it, and follows one that stays inside', async () => {
    const top = tmp();
    const out = join(top, 'out');
    const elsewhere = join(top, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'one.rules.yaml'), 'not yours\n');
    await writer.writeBundle(out, small('one'), { ownedDirs: OWNED });
    rmSync(join(out, 'prometheus'), { recursive: true });
    symlinkSync(elsewhere, join(out, 'prometheus'));
    const before = snapshot(out);
    // Neither writing the same bundle (overwrite) nor another one (prune) may touch elsewhere/.
    for (const name of ['one', 'two']) {
      await expect(writer.writeBundle(out, small(name), { ownedDirs: OWNED, label: 'out', force: true })).rejects.toThrow(/^out\/prometheus is a symlink that leads outside out\//);
    }
    expect(snapshot(elsewhere)).toEqual({ 'one.rules.yaml': 'not yours\n' });
    expect(snapshot(out)).toEqual(before);

    rmSync(join(out, 'prometheus'));
    mkdirSync(join(out, 'rules-dir'));
    symlinkSync(join(out, 'rules-dir'), join(out, 'prometheus'));
    await writer.writeBundle(out, small('one'), { ownedDirs: OWNED });
    expect(readFileSync(join(out, 'rules-dir', 'one.rules.yaml'), 'utf8')).toBe('one rules\n');
    expect(snapshot(elsewhere)).toEqual({ 'one.rules.yaml': 'not yours\n' });
  });
});

describe('I/O failures end in one line and exit 4; the previous bundle stays', () => {
  /** A mount needs root and a kernel that allows it here; otherwise the case is skipped, saying why. */
  function mount(args: string[], dir: string): boolean {
    const r = spawnSync('mount', [...args, dir], { encoding: 'utf8' });
    if (r.status !== 0) console.log(`skipped: cannot mount (${(r.stderr || r.error?.message || '').trim()}); needs root`);
    return r.status === 0;
  }
  const umount = (dir: string) => spawnSync('umount', [dir]);

  it('read-only output directory (a read-only bind mount: root ignores mode bits)', () => {
    const out = bundleA();
    const before = snapshot(out);
    if (!mount(['--bind', out], out)) return;
    try {
      if (spawnSync('mount', ['-o', 'remount,ro,bind', out]).status !== 0) {
        console.log('skipped: cannot remount read-only');
        return;
      }
      const r = cli(['generate', '--config', variant, '--out', out]);
      expect(r.status).toBe(4);
      expectOneLineError(r.stderr, /read-only file system/);
      // --check still reads a read-only directory.
      const check = cli(['generate', '--config', EXAMPLE, '--out', out, '--check']);
      expect(check.status, check.stderr).toBe(0);
    } finally {
      umount(out);
    }
    expect(snapshot(out)).toEqual(before);
  });

  it('disk full while staging (a small tmpfs): one line, old bundle intact, no staging left', () => {
    const top = tmp();
    const out = join(top, 'out');
    mkdirSync(out);
    // Room for one bundle (about 1.8 MB) but not for a second staged copy beside it.
    if (!mount(['-t', 'tmpfs', '-o', 'size=2600k', 'tmpfs'], out)) return;
    try {
      cpSync(refA, out, { recursive: true });
      const before = snapshot(out);
      const r = cli(['generate', '--config', variant, '--out', out]);
      expect(r.status).toBe(4);
      expectOneLineError(r.stderr, /no space left on device.*previous bundle is intact/);
      expect(snapshot(out)).toEqual(before);
      expect(readdirSync(out).filter((n) => n.startsWith('.linkerd-slo'))).toEqual(['.linkerd-slo-manifest.json']);
    } finally {
      umount(out);
    }
  });
});

describe('the lock', () => {
  it('a live holder makes a second run fail after --lock-timeout with exit 5, one line naming the pid', () => {
    const out = bundleA();
    // This test process is alive: its pid in the lock is a run in progress.
    writeFileSync(join(out, '.linkerd-slo.lock'), `${JSON.stringify({ pid: process.pid, host: spawnSync('hostname', { encoding: 'utf8' }).stdout.trim(), token: 'held-by-test' })}\n`);
    const r = cli(['generate', '--config', variant, '--out', out, '--lock-timeout', '0.3']);
    expect(r.status).toBe(5);
    expectOneLineError(r.stderr, new RegExp(`locked by linkerd-slo process ${process.pid}`));
    expect(existsSync(join(out, 'prometheus', 'linkerd-slo-prod-eu1.rules.yaml'))).toBe(true);
  });

  it('the lock of a process that is gone is taken over', () => {
    const out = bundleA();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const host = spawnSync('hostname', { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(out, '.linkerd-slo.lock'), `${JSON.stringify({ pid: Number(gone.stdout), host, token: 'dead' })}\n`);
    const r = cli(['generate', '--config', variant, '--out', out, '--lock-timeout', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).filter((n) => n.startsWith('.linkerd-slo'))).toEqual(['.linkerd-slo-manifest.json']);
  });
});

describe('determinism', () => {
  it('the bundle and its manifest are byte-identical under another time zone and locale', () => {
    const out = join(tmp(), 'out');
    const r = cli(['generate', '--config', EXAMPLE, '--out', out], ROOT, { ...process.env, TZ: 'Pacific/Chatham', LC_ALL: 'tr_TR.UTF-8', LANG: 'tr_TR.UTF-8' });
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(out)).toEqual(snapshot(refA));
  });
});

describe('flags and --debug', () => {
  it('bad flags are one line with exit 2', () => {
    for (const args of [['generate', '--config', EXAMPLE, '--bogus'], ['generate', '--config', EXAMPLE, '--out', ''], ['generate', '--lock-timeout', 'soon'], ['generat']]) {
      const r = cli(args, tmp());
      expect(r.status, args.join(' ')).toBe(2);
      expectOneLineError(r.stderr, /./);
    }
  });

  it('--debug adds the stack trace; without it the failure is one line', () => {
    const plain = cli(['generate', '--config', EXAMPLE, '--out', '/'], tmp());
    expectOneLineError(plain.stderr, /root directory/);
    const debug = cli(['generate', '--config', EXAMPLE, '--out', '/', '--debug'], tmp());
    expect(debug.status).toBe(4);
    expect(debug.stderr).toMatch(/^\s+at /m);
    expect(debug.stderr.trimEnd().split('\n').at(-1)).toMatch(/^error: refusing --out \/: it is the root directory/);
  });
});
