/** The CLI end to end, as a user runs it (node dist/cli.js, built by `npm test`). */
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, CLI, EXAMPLE, ROOT, snapshot, tempDirs } from './support/cli.js';

const tmp = tempDirs('cli');

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
});

describe('linkerd-slo generate', () => {
  it('writes the bundle, and a second run is byte-for-byte identical', () => {
    const out = join(tmp(), 'out');
    const first = cli(['generate', '--config', EXAMPLE, '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    const a = snapshot(out);
    expect(Object.keys(a).sort()).toEqual(expect.arrayContaining([
      'prometheus/linkerd-slo-prod-eu1.rules.yaml',
      'kubernetes/linkerd-slo-prod-eu1-control-plane-success-rate.prometheusrule.yaml',
      'kubernetes/kustomization.yaml',
      'grafana/linkerd-slo-prod-eu1.json',
      'schema/linkerd-slo.schema.json',
    ]));
    expect(cli(['generate', '--config', EXAMPLE, '--out', out]).status).toBe(0);
    expect(snapshot(out)).toEqual(a);
  });

  it('--check passes on fresh output and lists changed, missing and stale files otherwise, writing nothing', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    // Stale files are those an earlier bundle (another cluster) wrote and this one no longer has.
    const other = join(dir, 'other.yaml');
    writeFileSync(other, readFileSync(EXAMPLE, 'utf8').replace(/^cluster: prod-eu1$/m, 'cluster: old-cluster'));
    expect(cli(['generate', '--config', other, '--out', out]).status).toBe(0);
    const stale = cli(['generate', '--config', EXAMPLE, '--out', out, '--check']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/stale: +.*prometheus\/linkerd-slo-old-cluster\.rules\.yaml/);
    expect(stale.stderr).toMatch(/missing: +.*prometheus\/linkerd-slo-prod-eu1\.rules\.yaml/);

    expect(cli(['generate', '--config', EXAMPLE, '--out', out]).status).toBe(0);
    const ok = cli(['generate', '--config', EXAMPLE, '--out', out, '--check']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('up to date');

    writeFileSync(join(out, 'prometheus', 'linkerd-slo-prod-eu1.rules.yaml'), 'edited by hand\n');
    // A file of the user's own beside the bundle is not drift: linkerd-slo does not own it.
    writeFileSync(join(out, 'prometheus', 'my-own.rules.yaml'), 'mine\n');
    const before = snapshot(out);
    const drift = cli(['generate', '--config', EXAMPLE, '--out', out, '--check']);
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('changed: ');
    expect(drift.stderr).toContain('prometheus/linkerd-slo-prod-eu1.rules.yaml');
    expect(drift.stderr).not.toContain('my-own.rules.yaml');
    expect(snapshot(out)).toEqual(before);
  });

  it('removes the files of the previous bundle that this one no longer has, and leaves everything else alone', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const other = join(dir, 'other.yaml');
    writeFileSync(other, readFileSync(EXAMPLE, 'utf8').replace(/^cluster: prod-eu1$/m, 'cluster: old-cluster'));
    expect(cli(['generate', '--config', other, '--out', out]).status).toBe(0);
    expect(existsSync(join(out, 'prometheus', 'linkerd-slo-old-cluster.rules.yaml'))).toBe(true);
    writeFileSync(join(out, 'prometheus', 'my-own.rules.yaml'), 'mine\n');
    writeFileSync(join(out, 'README.txt'), 'mine\n');
    expect(cli(['generate', '--config', EXAMPLE, '--out', out]).status).toBe(0);
    expect(existsSync(join(out, 'prometheus', 'linkerd-slo-old-cluster.rules.yaml'))).toBe(false);
    expect(existsSync(join(out, 'prometheus', 'linkerd-slo-prod-eu1.rules.yaml'))).toBe(true);
    expect(readFileSync(join(out, 'prometheus', 'my-own.rules.yaml'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toBe('mine\n');
    expect(readdirSync(out).filter((f) => f.startsWith('.linkerd-slo-'))).toEqual(['.linkerd-slo-manifest.json']);
  });

  it('a broken config exits 2 with located errors and writes nothing', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    expect(cli(['generate', '--config', EXAMPLE, '--out', out]).status).toBe(0);
    const before = snapshot(out);
    const mtime = statSync(join(out, 'prometheus')).mtimeMs;
    const outMtime = statSync(out).mtimeMs;
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'cluster: prod-eu1\nslos:\n  controlPlaneSuccessRate:\n    objective: 150\n    perod: 30d\n');
    const r = cli(['generate', '--config', bad, '--out', out], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad.yaml:4:16: slos.controlPlaneSuccessRate.objective: ');
    expect(r.stderr).toContain('bad.yaml:5:5: slos.controlPlaneSuccessRate.perod: unknown key "perod" (did you mean "period"?)');
    expect(r.stderr).toContain('nothing was written');
    expect(snapshot(out)).toEqual(before);
    expect(statSync(join(out, 'prometheus')).mtimeMs).toBe(mtime);
    expect(statSync(out).mtimeMs).toBe(outMtime);
  });

  it('a missing config file is a clear error', () => {
    const r = cli(['generate', '--config', join(tmp(), 'nope.yaml'), '--out', join(tmp(), 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml: \(top level\): cannot read config: file not found/);
  });

  it('loads a TypeScript config through defineConfig and produces the same bundle as the YAML', () => {
    const fromYaml = join(tmp(), 'out');
    const fromTs = join(tmp(), 'out');
    expect(cli(['generate', '--config', EXAMPLE, '--out', fromYaml]).status).toBe(0);
    const r = cli(['generate', '--config', join(ROOT, 'examples', 'linkerd-slo.config.ts'), '--out', fromTs]);
    expect(r.status, r.stderr).toBe(0);
    // The manifest's hashes cover the headers that name the config file, so it differs by design.
    const strip = (s: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(s)
          .filter(([k]) => k !== '.linkerd-slo-manifest.json')
          .map(([k, v]) => [k, v.replace(/linkerd-slo\.(yaml|config\.ts)/g, 'CONFIG')]),
      );
    expect(strip(snapshot(fromTs))).toEqual(strip(snapshot(fromYaml)));
    expect(readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.mjs'))).toEqual([]);
  });
});

describe('other commands', () => {
  it('validate reports rule counts and writes nothing', () => {
    const r = cli(['validate', '--config', EXAMPLE]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok \(\d+ rule groups, \d+ rules, \d+ files\)/);
  });

  it('schema prints the JSON Schema that is also written to out/schema', () => {
    const r = cli(['schema']);
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(['cluster']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['cluster', 'linkerd', 'prometheus', 'alerting', 'slos']));
  });

  // Every command of src/cli.ts; the top-level help must list exactly these, so a new
  // command fails here until it is added.
  const COMMANDS = ['generate', 'validate', 'import-openslo', 'export-openslo', 'check', 'preview', 'backtest', 'backfill', 'report', 'schema'];

  it('--help and --version work on every command', () => {
    const top = cli(['--help']);
    expect(top.status).toBe(0);
    expect([...top.stdout.matchAll(/^ {2}linkerd-slo ([a-z-]+)/gm)].map((m) => m[1]).sort()).toEqual([...COMMANDS].sort());
    for (const command of COMMANDS) {
      const r = cli([command, '--help']);
      expect(r.status, `${command} --help`).toBe(0);
      expect(r.stdout, `${command} --help`).toContain(`linkerd-slo ${command}`);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(cli(['--version']).stdout.trim()).toBe(pkg.version);
    expect(cli(['generate', '--version']).stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command is an error', () => {
    const r = cli(['generat']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown|Did you mean/i);
  });
});
