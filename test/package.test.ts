/**
 * What `npm publish` would ship, from a checkout without dist/: `npm pack --dry-run --json` runs
 * the real npm with its lifecycle scripts, so `prepack` must build (a publish from a clean checkout
 * used to ship no dist/), and the tarball must hold the generator only — no simulator, Prometheus
 * launcher or benchmark code (those live in tools/ and bench/ for test/ and bench/).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface PackEntry { readonly path: string }
interface PackResult { readonly files: readonly PackEntry[]; readonly name: string }

describe('npm pack from a checkout without dist/', () => {
  let dir = '';
  let paths: string[] = [];
  let packageJson: Record<string, unknown> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-pack-'));
    // What a fresh clone holds (minus tests and docs, which `files` leaves out anyway): no dist/.
    for (const entry of ['package.json', 'tsconfig.json', 'README.md', 'src', 'scripts', 'tools', 'bench']) {
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // npm would otherwise write its logs and cache under the user's home; keep them in the sandbox.
    writeFileSync(join(dir, '.npmrc'), `cache=${join(dir, '.npm-cache')}\nlogs-dir=${join(dir, '.npm-logs')}\n`);
    const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`npm pack --dry-run failed (${r.status}):\n${r.stderr}`);
    // Lifecycle scripts write to stdout too; the JSON report is the last top-level array.
    const json = r.stdout.slice(r.stdout.lastIndexOf('\n[') + 1);
    const [result] = JSON.parse(json) as PackResult[];
    paths = result!.files.map((f) => f.path).sort();
    packageJson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  }, 150_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prepack builds dist/: the entry points and their declarations are in the tarball', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'dist/generate.js', 'package.json']) {
      expect(paths, f).toContain(f);
    }
  });

  it('the build leaves dist/cli.js executable: run directly (npx linkerd-slo in a clone), it answers', () => {
    const cli = join(dir, 'dist', 'cli.js');
    expect(statSync(cli).mode & 0o111, 'dist/cli.js has no execute bit').not.toBe(0);
    const r = spawnSync(cli, ['--version'], { encoding: 'utf8' });
    expect(r.error, String(r.error)).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(packageJson.version);
  });

  it('holds the handlebars templates of every kind folder, copied into dist/ by the build', () => {
    expect(paths.filter((p) => /^dist\/slo\/[a-z-]+\/templates\/.*\.hbs$/.test(p)).length).toBeGreaterThan(10);
  });

  it('holds no simulator, Prometheus launcher, benchmark or test code', () => {
    const outside = paths.filter((p) => !/^dist\//.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p));
    expect(outside).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(sim|tools|bench|test)\//.test(p))).toEqual([]);
    // The simulator's and launcher's own exports must not have slipped into dist/ under another name.
    for (const p of paths.filter((q) => q.endsWith('.js'))) {
      const text = readFileSync(join(dir, p), 'utf8');
      expect(text, p).not.toMatch(/class LinkerdSimulator|function startPrometheus|writeOpenMetricsHistory/);
    }
  });

  it('the packed library entry generates a multi-cluster bundle: every cluster\'s rules and the global ruler\'s', async () => {
    const lib = (await import(pathToFileURL(join(dir, 'dist', 'index.js')).href)) as typeof import('../src/index.js');
    expect(typeof lib.generate).toBe('function');
    const yaml = 'cluster: fleet\nmultiCluster: { split: true }\nclusters:\n  - name: eu1\n  - name: us1\n    overrides: { linkerd: { version: "2.14" } }\n';
    const resolved = lib.resolveConfig(load(yaml), 'fleet.yaml');
    const bundle = lib.generateBundle(resolved, 'fleet.yaml');
    const rules = [...bundle.files.keys()].filter((p) => p.startsWith('prometheus/')).sort();
    expect(rules).toEqual(['prometheus/linkerd-slo-eu1.rules.yaml', 'prometheus/linkerd-slo-fleet-global.rules.yaml', 'prometheus/linkerd-slo-us1.rules.yaml']);
    expect(bundle.clusters).toHaveLength(2);
    // Each cluster's rules are its own version's: 2.16 renamed the workload-certificate gauge (linkerd/linkerd2-proxy#2887).
    expect(bundle.files.get('prometheus/linkerd-slo-eu1.rules.yaml')).toContain('control_identity_cert_expiration_timestamp_seconds{');
    expect(bundle.files.get('prometheus/linkerd-slo-us1.rules.yaml')).not.toContain('control_identity_cert_expiration_timestamp_seconds');
    expect(bundle.files.get('prometheus/linkerd-slo-us1.rules.yaml')).toContain('identity_cert_expiration_timestamp_seconds{');
  });

  it('holds no test file and no test fixture, though each kind keeps its tests in its src/ folder', () => {
    expect(paths.filter((p) => /\.test\.|(^|\/)(fixtures|support)\//.test(p))).toEqual([]);
    // Only compiled modules, their declarations and the kinds' templates: no stray source or data file.
    expect(paths.filter((p) => p.startsWith('dist/') && !/\.(js|d\.ts|hbs)$/.test(p))).toEqual([]);
  });

  it('package.json points bin, main, types and exports at files that are packed', () => {
    const bin = packageJson.bin as Record<string, string>;
    const exportsField = packageJson.exports as Record<string, Record<string, string>>;
    const declared = [
      ...Object.values(bin),
      packageJson.main as string,
      packageJson.types as string,
      ...Object.values(exportsField['.']!),
    ].map((p) => p.replace(/^\.\//, ''));
    expect(declared.length).toBe(5);
    for (const p of declared) expect(paths, p).toContain(p);
    expect(Object.keys(exportsField)).toEqual(['.']);
    expect(packageJson.files).toEqual(['dist']);
  });
});
