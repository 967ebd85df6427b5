#!/usr/bin/env node
// Builds the engines the tests run — Prometheus 3 and its promtool, pint, Thanos, Mimir and mimirtool —
// from the Go module proxy, at the versions pinned in scripts/engines.json, into a cache OUTSIDE the
// repository: ${LINKERD_SLO_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/linkerd-slo-engines}/<name>-<version>/.
// A finished build is reused (its .built stamp names the module, version and flags); nothing ships Go.
//
// Prometheus', Thanos' and Mimir's go.mod carry replace/exclude directives, so `go install MOD/cmd@VER`
// is refused: download the module (`go mod download -json MOD@VER`) and `go build` inside its directory,
// with GOWORK=off (Prometheus' module has a go.work naming directories the module zip leaves out).
//
//   node scripts/engines.mjs                 build what is missing, print what was built and how long it took
//   node scripts/engines.mjs --only=pint     only these engines (comma-separated names from engines.json)
//   node scripts/engines.mjs --quick         skip the long builds (Thanos, Mimir) — refused under CI=true;
//                                            LINKERD_SLO_QUICK=1 does the same, and makes their suites skip
//   node scripts/engines.mjs --paths         print { binary: path } for what is built, build nothing
//
// A module version the proxy does not serve is skipped with its reason printed (exit 0; the suites
// needing it then fail under CI=true and say why); a failed build exits 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pinsFile = join(dirname(fileURLToPath(import.meta.url)), 'engines.json');
const pins = Object.fromEntries(Object.entries(JSON.parse(readFileSync(pinsFile, 'utf8'))).filter(([k]) => !k.startsWith('$')));

function cacheRoot() {
  if (process.env.LINKERD_SLO_ENGINES_DIR) return process.env.LINKERD_SLO_ENGINES_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'linkerd-slo-engines');
}

// Build tags are part of the directory's name: a build with other tags is another engine, not a stale one.
const engineDir = (name) => join(cacheRoot(), `${name}-${pins[name].version}${pins[name].tags ? `+${pins[name].tags.join('.')}` : ''}`);
const stampOf = (name) => JSON.stringify({ module: pins[name].module, version: pins[name].version, binaries: pins[name].binaries, ldflags: pins[name].ldflags, tags: pins[name].tags });

function isBuilt(name) {
  const dir = engineDir(name);
  const stamp = join(dir, '.built');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== stampOf(name)) return false;
  return Object.keys(pins[name].binaries).every((b) => existsSync(join(dir, b)));
}

const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const goEnv = { ...process.env, GOWORK: 'off' };

/** `go mod download -json MOD@VER` → the module's directory, or { skip: reason }. */
function download(name) {
  const { module, version } = pins[name];
  const r = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', env: goEnv, cwd: cacheRoot() });
  let info = {};
  try { info = JSON.parse(r.stdout); } catch { /* reported below */ }
  if (r.status === 0 && info.Dir) return { dir: info.Dir };
  const reason = (info.Error || r.stderr || `go exited ${r.status}`).trim().split('\n').pop();
  // The proxy answering "not available" (403/404/410) is not a build failure: the engine is not published there.
  if (/403|404|410|not available|unknown revision|invalid version/i.test(reason)) return { skip: `the Go module proxy does not serve ${module}@${version} (${reason})` };
  return { error: reason };
}

/** Builds every binary of one engine into <dir>.tmp, then renames it into place (a half build is never reused). */
function build(name, moduleDir) {
  const out = engineDir(name);
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [binary, pkg] of Object.entries(pins[name].binaries)) {
    const t0 = Date.now();
    // nice: the tests' machine is small and shared; a build must not starve running Prometheus servers.
    const args = ['-n', '10', 'go', 'build', '-o', join(tmp, binary)];
    if (pins[name].ldflags) args.push(`-ldflags=${pins[name].ldflags}`);
    if (pins[name].tags) args.push(`-tags=${pins[name].tags.join(',')}`);
    args.push(pkg);
    const r = spawnSync('nice', args, { cwd: moduleDir, stdio: ['ignore', 'inherit', 'inherit'], env: goEnv });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      return `go build ${pkg} in ${moduleDir} exited ${r.status}`;
    }
    console.log(`  ${binary}: built in ${seconds(t0)}`);
  }
  writeFileSync(join(tmp, '.built'), stampOf(name));
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return undefined;
}

function ensure(name) {
  const { module, version, release } = pins[name];
  if (isBuilt(name)) {
    console.log(`${name} ${release} (${module}@${version}): reused ${engineDir(name)}`);
    return 'reused';
  }
  console.log(`${name} ${release} (${module}@${version}): building into ${engineDir(name)}`);
  const t0 = Date.now();
  const d = download(name);
  if (d.skip) {
    console.log(`${name}: SKIPPED — ${d.skip}; the tests that need it print that they were skipped`);
    return 'skipped';
  }
  if (d.error) {
    console.error(`${name}: downloading ${module}@${version} failed: ${d.error}`);
    return 'failed';
  }
  console.log(`  downloaded in ${seconds(t0)}`);
  const err = build(name, d.dir);
  if (err) {
    console.error(`${name}: ${err}`);
    return 'failed';
  }
  console.log(`${name}: built in ${seconds(t0)} (download and build)`);
  return 'built';
}

function parseArgs(argv) {
  const opts = { only: Object.keys(pins), quick: process.env.LINKERD_SLO_QUICK === '1', paths: false };
  for (const a of argv) {
    if (a.startsWith('--only=')) opts.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--quick') opts.quick = true;
    else if (a === '--paths') opts.paths = true;
    else throw new Error(`unknown argument ${a} (use --only=NAMES, --quick, --paths)`);
  }
  const unknown = opts.only.filter((n) => !pins[n]);
  if (unknown.length) throw new Error(`unknown engine ${unknown.join(', ')} (scripts/engines.json has ${Object.keys(pins).join(', ')})`);
  return opts;
}

function main() {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`engines: ${e.message}`); process.exit(2); }
  if (opts.paths) {
    const paths = {};
    for (const n of opts.only) if (isBuilt(n)) for (const b of Object.keys(pins[n].binaries)) paths[b] = join(engineDir(n), b);
    console.log(JSON.stringify(paths, null, 2));
    return;
  }
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    console.error('engines: `go` not found; the engines are built with Go 1.26+ from the Go module proxy (apt-get install golang-go is too old; see README)');
    process.exit(1);
  }
  if (opts.quick && process.env.CI === 'true') {
    console.log('engines: --quick ignored under CI=true: CI builds every engine');
    opts.quick = false;
  }
  mkdirSync(cacheRoot(), { recursive: true });
  const t0 = Date.now();
  const results = {};
  for (const name of opts.only) {
    if (opts.quick && pins[name].long && !isBuilt(name)) {
      console.log(`${name}: skipped (--quick: a long build; the suites needing it print that they were skipped)`);
      results[name] = 'skipped';
      continue;
    }
    results[name] = ensure(name);
  }
  console.log(`engines: ${Object.entries(results).map(([n, r]) => `${n} ${r}`).join(', ')} — ${seconds(t0)} in all`);
  if (Object.values(results).includes('failed')) process.exit(1);
}

main();
