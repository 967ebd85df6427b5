/**
 * Publishes a bundle into the output directory, owning only what it wrote.
 *
 * The output directory is shared with the user's own files (a GitOps repository), so the writer
 * never owns or renames the directory itself. Instead (docs/output-directory.md):
 *
 * - Ownership: `.linkerd-slo-manifest.json` lists every file linkerd-slo wrote (path and sha256).
 *   Only files listed there are ever deleted, and only while they still hold what was written.
 * - Containment: every bundle path is a plain relative path under one of the generator's
 *   directories, and no existing parent of it is a symlink leading outside the output directory.
 * - Crash safety: the whole bundle is staged in `.linkerd-slo-staging-<token>/` and fsynced; then a
 *   commit record `.linkerd-slo-commit.json` (written to a temporary name and renamed, the one atomic
 *   step) names the staging directory, the new manifest and the files to prune. Files are then
 *   renamed into place, old files pruned, the manifest written and the record deleted. Every run
 *   first rolls a recorded commit forward, or discards staging that was never committed, so after
 *   a kill at any instant the next run sees exactly the old bundle or the new one.
 * - Concurrency: `.linkerd-slo.lock` is created atomically (link(2) of a fully written file) and names
 *   its process; a second run waits for it, and a lock whose process is gone is taken over (writer/lock.ts).
 * File-system plumbing (errors as one line, FIFO-safe reads, fsynced writes): writer/durable.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { lstat, mkdir, readFile, readdir, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { EXIT, UserError } from './errors.js';
import type { Bundle } from './generate.js';
import { errno, ioError, readText, replaceDurably, syncDir, writeDurable } from './writer/durable.js';
import { acquireLock, LOCK, pidAlive, type HeldLock } from './writer/lock.js';
/** @public test/kill.test.ts holds the lock of the compiled module to race a run. */
export { acquireLock } from './writer/lock.js';


export const MANIFEST = '.linkerd-slo-manifest.json';
const COMMIT_RECORD = '.linkerd-slo-commit.json';
const STAGING_PREFIX = '.linkerd-slo-staging-';
/** Left behind by linkerd-slo versions before the manifest (they swapped whole directories). */
const LEGACY_OLD_PREFIX = '.linkerd-slo-old-';
/** Every name the writer keeps at the top of the output directory starts with this. */
const OWN_PREFIX = '.linkerd-slo';
const MANIFEST_VERSION = 1;

interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
}

interface Manifest {
  readonly generator: 'linkerd-slo';
  readonly manifestVersion: number;
  readonly files: readonly ManifestEntry[];
}

interface CommitRecord {
  readonly staging: string;
  readonly manifest: Manifest;
  /** Files of the previous manifest that the new bundle no longer contains. */
  readonly prune: readonly ManifestEntry[];
}

export interface WriteOptions {
  /** The generator's top-level directories; a bundle path outside them is a bug. */
  readonly ownedDirs: readonly string[];
  /** How the output directory is named in messages (what the user typed). */
  readonly label?: string;
  /** The config file: an output directory that contains it is refused. */
  readonly configFile?: string;
  /** Adopt a directory without a manifest, the home directory or a repository root; overwrite files in the way. */
  readonly force?: boolean;
  /** How long to wait for another run's lock. */
  readonly lockTimeoutMs?: number;
}

export interface WriteResult {
  readonly written: number;
  readonly pruned: readonly string[];
  /** Files the old bundle owned that were edited since; left in place. */
  readonly kept: readonly string[];
  /** An interrupted earlier run was finished (or its uncommitted staging discarded) first. */
  readonly recovered: boolean;
}

export interface Drift {
  readonly changed: string[];
  readonly missing: string[];
  readonly stale: string[];
  readonly recovered: boolean;
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// Containment.

/** A bundle path must be a plain relative path below one of the generator's directories. */
export function assertBundlePath(rel: string, ownedDirs: readonly string[]): void {
  const segments = rel.split('/');
  const plain =
    rel.length > 0 &&
    !rel.startsWith('/') &&
    !/[\\\0]/.test(rel) &&
    segments.length >= 2 &&
    segments.every((s) => s !== '' && s !== '.' && s !== '..') &&
    ownedDirs.includes(segments[0]!);
  if (!plain) {
    // A bug, not a user error: the config schema must not let any value reach a path like this.
    throw new Error(`the bundle names the file ${JSON.stringify(rel)}, which is not a plain path inside one of ${ownedDirs.join(', ')}; nothing was written`);
  }
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Checks the parents of `rel` that exist: each must be a directory, and a symlink among them must
 * lead to a directory inside the output directory. Parents that do not exist yet are created later.
 */
async function checkParents(outDir: string, realOut: string, rel: string, label: string): Promise<void> {
  const segments = rel.split('/');
  for (let i = 1; i < segments.length; i++) {
    const sub = segments.slice(0, i).join('/');
    const p = join(outDir, sub);
    let st;
    try {
      st = await lstat(p);
    } catch (err) {
      if (errno(err) === 'ENOENT') return;
      throw ioError(err, `cannot read ${label}/${sub}`);
    }
    if (st.isSymbolicLink()) {
      const target = await realpath(p).catch(() => undefined);
      if (!target || !inside(realOut, target)) {
        throw new UserError(`${label}/${sub} is a symlink that leads outside ${label}/ (${target ?? 'dangling'}); linkerd-slo does not write through it: replace it with a directory`, EXIT.output);
      }
      const targetStat = await stat(target);
      if (!targetStat.isDirectory()) throw new UserError(`${label}/${sub} is a symlink to a file where linkerd-slo needs a directory: move it away`, EXIT.output);
    } else if (!st.isDirectory()) {
      throw new UserError(`${label}/${sub} is a file where linkerd-slo needs a directory: move it away`, EXIT.output);
    }
  }
}

/** The absolute target of a bundle path, after the path and its parents have been checked. */
async function containedTarget(outDir: string, realOut: string, rel: string, ownedDirs: readonly string[], label: string): Promise<string> {
  assertBundlePath(rel, ownedDirs);
  const target = resolve(outDir, rel);
  if (!inside(outDir, target) || target === outDir) throw new Error(`the bundle path ${JSON.stringify(rel)} resolves outside the output directory; nothing was written`);
  await checkParents(outDir, realOut, rel, label);
  return target;
}

// ---------------------------------------------------------------------------------------------
// The manifest.

/** The manifest of a bundle: sorted, hashes only, no timestamps, so it is byte-identical on every run. */
function manifestOf(bundle: Bundle): Manifest {
  const files = [...bundle].map(([path, text]) => ({ path, sha256: sha256(text) })).sort(byPath);
  return { generator: 'linkerd-slo', manifestVersion: MANIFEST_VERSION, files };
}

const manifestText = (m: Manifest) => `${JSON.stringify(m, null, 2)}\n`;

function parseManifest(text: string, what: string, ownedDirs: readonly string[]): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new UserError(`${what} is damaged (not JSON); restore it from version control or delete it and run once with --force`, EXIT.output);
  }
  const ok =
    m &&
    m.generator === 'linkerd-slo' &&
    Array.isArray(m.files) &&
    m.files.every((f) => f && typeof f.path === 'string' && typeof f.sha256 === 'string');
  if (!ok) throw new UserError(`${what} is damaged (not a linkerd-slo manifest); restore it from version control or delete it and run once with --force`, EXIT.output);
  if (m.manifestVersion !== MANIFEST_VERSION) throw new UserError(`${what} has manifestVersion ${String(m.manifestVersion)}, this linkerd-slo reads ${MANIFEST_VERSION}: use the linkerd-slo that wrote it, or delete it and run once with --force`, EXIT.output);
  for (const f of m.files) {
    try {
      assertBundlePath(f.path, ownedDirs);
    } catch {
      throw new UserError(`${what} lists ${JSON.stringify(f.path)}, which is not a path linkerd-slo writes; restore the manifest from version control`, EXIT.output);
    }
  }
  return m;
}

async function readManifest(outDir: string, label: string, ownedDirs: readonly string[]): Promise<Manifest | undefined> {
  const text = await readText(join(outDir, MANIFEST), `${label}/${MANIFEST}`);
  return text === undefined ? undefined : parseManifest(text, `${label}/${MANIFEST}`, ownedDirs);
}

// ---------------------------------------------------------------------------------------------
// The output directory: refusals before anything is written.

async function realpathOrResolve(p: string): Promise<string> {
  // The nearest existing ancestor's real path, plus the parts that do not exist yet.
  let existing = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...rest);
    } catch (err) {
      if (errno(err) !== 'ENOENT' && errno(err) !== 'ENOTDIR') throw err;
      const parent = dirname(existing);
      if (parent === existing) return p;
      rest.unshift(existing.slice(parent.length).replace(/^[/\\]/, ''));
      existing = parent;
    }
  }
}

export interface OutputDir {
  readonly outDir: string;
  readonly realOut: string;
  readonly exists: boolean;
}

/** Refuse an output directory that is unsafe to write into, before anything is written. */
export async function checkOutputDir(outDir: string, opts: Pick<WriteOptions, 'label' | 'configFile' | 'force'>): Promise<OutputDir> {
  const label = opts.label ?? outDir;
  const refuse = (why: string) => new UserError(`refusing --out ${label}: ${why}; nothing was written`, EXIT.output);
  let st;
  try {
    st = await stat(outDir);
  } catch (err) {
    if (errno(err) === 'ENOTDIR') throw refuse('a parent of it is a file');
    if (errno(err) !== 'ENOENT') throw ioError(err, `cannot read --out ${label}`);
  }
  if (st && !st.isDirectory()) throw refuse('it is a file, not a directory');
  const realOut = await realpathOrResolve(outDir);
  const home = await realpathOrResolve(homedir());
  if (realOut === '/' || realOut === sep || (inside(realOut, home) && realOut !== home)) {
    throw refuse(`it is ${realOut === '/' ? 'the root directory' : `${realOut}, which holds home directories`}; use a directory of its own such as ./out`);
  }
  if (opts.configFile) {
    const config = await realpathOrResolve(resolve(opts.configFile));
    if (inside(realOut, config)) {
      throw refuse(`it contains the config file ${opts.configFile}, which linkerd-slo must never overwrite or delete; keep the config outside the output directory (--force does not change this)`);
    }
  }
  if (!opts.force) {
    if (realOut === home) throw refuse('it is your home directory; use a directory of its own such as ./out, or --force');
    if (st && (await stat(join(realOut, '.git')).then(() => true, () => false))) {
      throw refuse('it is the root of a git repository; use a directory of its own such as ./out, or --force');
    }
  }
  return { outDir, realOut, exists: !!st };
}

/** Names in the output directory that are neither ours nor hidden by us. */
async function foreignEntries(outDir: string): Promise<string[]> {
  const names = await readdir(outDir).catch((err) => {
    if (errno(err) === 'ENOENT') return [] as string[];
    throw err;
  });
  return names.filter((n) => !n.startsWith(OWN_PREFIX)).sort();
}

// ---------------------------------------------------------------------------------------------
// Recovery and commit.

/**
 * Roll a recorded commit forward, then remove staging and temporary files of interrupted runs.
 * @public test/kill.test.ts calls it on the compiled module after killing a run.
 */
export async function recover(outDir: string, ownedDirs: readonly string[], label = outDir): Promise<{ recovered: boolean; pruned: string[]; kept: string[] }> {
  let recovered = false;
  let pruned: string[] = [];
  let kept: string[] = [];
  const recordText = await readText(join(outDir, COMMIT_RECORD), `${label}/${COMMIT_RECORD}`);
  if (recordText !== undefined) {
    const record = parseCommitRecord(recordText, `${label}/${COMMIT_RECORD}`, ownedDirs);
    ({ pruned, kept } = await applyCommit(outDir, await realpath(outDir), record, ownedDirs, label));
    recovered = true;
  }
  let entries: string[] = [];
  try {
    entries = await readdir(outDir);
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  for (const name of entries.sort()) {
    const leftover =
      name.startsWith(STAGING_PREFIX) ||
      name.startsWith(LEGACY_OLD_PREFIX) ||
      name === `${MANIFEST}.tmp` ||
      name === `${COMMIT_RECORD}.tmp` ||
      name.startsWith(`${LOCK}.stale-`) ||
      deadLockTemp(name);
    if (leftover) {
      await rm(join(outDir, name), { recursive: true, force: true });
      recovered = true;
    }
  }
  return { recovered, pruned, kept };
}

/** The temporary file of a lock attempt whose process died before it could remove it. */
function deadLockTemp(name: string): boolean {
  const m = /^\.linkerd-slo\.lock\.(\d+)-[0-9a-f]+$/.exec(name);
  return !!m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
}

function parseCommitRecord(text: string, what: string, ownedDirs: readonly string[]): CommitRecord {
  let r: CommitRecord;
  try {
    r = JSON.parse(text) as CommitRecord;
  } catch {
    throw new UserError(`${what} is damaged (not JSON); an interrupted run cannot be finished: delete it and run linkerd-slo generate again`, EXIT.output);
  }
  if (!r || typeof r.staging !== 'string' || !/^\.linkerd-slo-staging-[A-Za-z0-9-]+$/.test(r.staging) || !Array.isArray(r.prune)) {
    throw new UserError(`${what} is damaged; delete it and run linkerd-slo generate again`, EXIT.output);
  }
  parseManifest(JSON.stringify(r.manifest), what, ownedDirs);
  for (const f of r.prune) assertBundlePath(f.path, ownedDirs);
  return r;
}

/** Everything after the commit record is durable. Idempotent: a kill anywhere here is finished by the next run. */
async function applyCommit(outDir: string, realOut: string, record: CommitRecord, ownedDirs: readonly string[], label: string) {
  const staging = join(outDir, record.staging);
  const touchedDirs = new Set<string>();
  for (const f of record.manifest.files) {
    const target = await containedTarget(outDir, realOut, f.path, ownedDirs, label);
    const staged = join(staging, f.path);
    if (!(await lstat(staged).then(() => true, () => false))) continue; // moved by the interrupted run
    await mkdir(dirname(target), { recursive: true });
    await rename(staged, target);
    touchedDirs.add(dirname(target));
  }
  for (const d of [...touchedDirs].sort()) await syncDir(d);
  const pruned: string[] = [];
  const kept: string[] = [];
  for (const f of record.prune) {
    const outcome = await pruneOne(outDir, realOut, f, ownedDirs, label);
    if (outcome === 'pruned') pruned.push(f.path);
    if (outcome === 'kept') kept.push(f.path);
  }
  await replaceDurably(outDir, MANIFEST, manifestText(record.manifest));
  await rm(staging, { recursive: true, force: true });
  await rm(join(outDir, COMMIT_RECORD), { force: true });
  await syncDir(outDir);
  return { pruned, kept };
}

/** Delete a file of the previous bundle if it still holds what linkerd-slo wrote; then its emptied parents. */
async function pruneOne(outDir: string, realOut: string, f: ManifestEntry, ownedDirs: readonly string[], label: string): Promise<'pruned' | 'kept' | 'gone'> {
  let target;
  try {
    target = await containedTarget(outDir, realOut, f.path, ownedDirs, label);
  } catch (err) {
    if (err instanceof UserError) return 'kept'; // behind a symlink leading out: not ours to touch
    throw err;
  }
  const st = await lstat(target).catch(() => undefined);
  if (!st) return 'gone';
  if (!st.isFile() || sha256(await readFile(target)) !== f.sha256) return 'kept';
  await unlink(target);
  // Remove the directories this leaves empty, up to (not including) the output directory.
  for (let dir = dirname(target); dir !== outDir && inside(outDir, dir); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      break;
    }
  }
  return 'pruned';
}

// ---------------------------------------------------------------------------------------------
// The two entry points.

/** Publish `bundle` into `outDir` (see the file comment); throws UserError for anything the user can fix. */
export async function writeBundle(outDir: string, bundle: Bundle, opts: WriteOptions): Promise<WriteResult> {
  const label = opts.label ?? outDir;
  const { ownedDirs } = opts;
  // A path that could leave the output directory is a bug; refuse before touching anything.
  for (const rel of bundle.keys()) {
    assertBundlePath(rel, ownedDirs);
    if (!inside(outDir, resolve(outDir, rel))) throw new Error(`the bundle path ${JSON.stringify(rel)} resolves outside the output directory; nothing was written`);
  }
  const dir = await checkOutputDir(outDir, opts);
  if (dir.exists && !opts.force) await refuseForeign(outDir, label);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw ioError(err, `cannot create --out ${label}`);
  }
  let lock: HeldLock;
  try {
    lock = await acquireLock(outDir, label, opts.lockTimeoutMs);
  } catch (err) {
    throw ioError(err, `cannot write to ${label}/`);
  }
  try {
    return await publish(outDir, dir.realOut, bundle, opts, lock);
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** A directory with other files and no manifest was not written by this linkerd-slo: adopt only with --force. */
async function refuseForeign(outDir: string, label: string): Promise<void> {
  const names = await foreignEntries(outDir).catch((err) => {
    throw ioError(err, `cannot read --out ${label}`);
  });
  if (names.length === 0) return;
  const own = new Set([MANIFEST, COMMIT_RECORD]);
  const ours = await readdir(outDir).then((all) => all.some((n) => own.has(n)));
  if (ours) return;
  throw new UserError(
    `refusing --out ${label}: it holds files linkerd-slo did not record as its own (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}) and no ${MANIFEST}: ` +
      'it was written by an older linkerd-slo or holds other files; run once with --force to adopt it (linkerd-slo then deletes only files it wrote itself), or choose an empty directory; nothing was written',
    EXIT.output,
  );
}

async function publish(outDir: string, realOut: string, bundle: Bundle, opts: WriteOptions, lock: HeldLock): Promise<WriteResult> {
  const label = opts.label ?? outDir;
  const { ownedDirs } = opts;
  let recovered;
  try {
    recovered = (await recover(outDir, ownedDirs, label)).recovered;
  } catch (err) {
    throw ioError(err, `cannot finish an interrupted run in ${label}/`);
  }
  // Authoritative now that we hold the lock and no earlier run is half done.
  if (!opts.force) await refuseForeign(outDir, label);
  const old = await readManifest(outDir, label, ownedDirs);
  const owned = new Map((old?.files ?? []).map((f) => [f.path, f]));
  for (const rel of bundle.keys()) {
    const target = await containedTarget(outDir, realOut, rel, ownedDirs, label);
    const st = await lstat(target).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) throw new UserError(`${label}/${rel} is a directory where linkerd-slo writes a file: move it away; nothing was written`, EXIT.output);
    if (!owned.has(rel) && !opts.force) {
      throw new UserError(`${label}/${rel} exists and was not written by linkerd-slo (not in ${MANIFEST}): move it away, or run with --force to overwrite it; nothing was written`, EXIT.output);
    }
  }
  const manifest = manifestOf(bundle);
  const fresh = new Set(bundle.keys());
  const prune = (old?.files ?? []).filter((f) => !fresh.has(f.path));

  const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const stagingName = `${STAGING_PREFIX}${token}`;
  const staging = join(outDir, stagingName);
  try {
    await mkdir(staging);
    const dirs = new Set<string>([staging]);
    for (const [rel, content] of bundle) {
      const target = join(staging, rel);
      await mkdir(dirname(target), { recursive: true });
      dirs.add(dirname(target));
      await writeDurable(target, content, 'wx');
    }
    for (const d of [...dirs].sort().reverse()) await syncDir(d);
    if (!(await lock.stillHeld())) throw new UserError(`${label}/${LOCK} was taken over by another run while this one was writing; nothing was changed: run again`, EXIT.busy);
    // The commit point: once this rename is durable, the new bundle is the published one.
    await replaceDurably(outDir, COMMIT_RECORD, `${JSON.stringify({ staging: stagingName, manifest, prune } satisfies CommitRecord)}\n`);
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await rm(join(outDir, `${COMMIT_RECORD}.tmp`), { force: true }).catch(() => undefined);
    throw ioError(err, `cannot write the bundle into ${label}/`, `; nothing was changed, the previous bundle is intact`);
  }
  try {
    const { pruned, kept } = await applyCommit(outDir, realOut, { staging: stagingName, manifest, prune }, ownedDirs, label);
    return { written: bundle.size, pruned, kept, recovered };
  } catch (err) {
    throw ioError(err, `publishing into ${label}/ was interrupted`, `; the next linkerd-slo generate finishes it (${COMMIT_RECORD} records it)`);
  }
}

/**
 * What differs between the bundle and the output directory (for --check). Takes the lock and
 * finishes an interrupted run first when the directory is writable; a read-only directory is read as is.
 */
export async function diffBundle(outDir: string, bundle: Bundle, opts: WriteOptions): Promise<Drift> {
  const label = opts.label ?? outDir;
  const { ownedDirs } = opts;
  await checkOutputDir(outDir, { ...opts, force: true });
  let recovered = false;
  let lock: HeldLock | undefined;
  const exists = await stat(outDir).then(() => true, () => false);
  if (exists) {
    try {
      lock = await acquireLock(outDir, label, opts.lockTimeoutMs);
    } catch (err) {
      if (!['EROFS', 'EACCES', 'EPERM'].includes(errno(err) ?? '')) throw ioError(err, `cannot lock ${label}/`);
      if (await stat(join(outDir, COMMIT_RECORD)).then(() => true, () => false)) {
        throw new UserError(`${label}/ holds an interrupted run (${COMMIT_RECORD}) and is not writable, so it cannot be finished: run linkerd-slo generate where it is writable`, EXIT.output);
      }
    }
  }
  try {
    if (lock) recovered = (await recover(outDir, ownedDirs, label)).recovered;
    const drift: Drift = { changed: [], missing: [], stale: [], recovered };
    const compare = async (rel: string, expected: string) => {
      // Something other than a file where a bundle file belongs is drift, not a reason to block.
      const current = await readText(join(outDir, rel), `${label}/${rel}`, '\u0000not a regular file');
      if (current === undefined) drift.missing.push(rel);
      else if (current !== expected) drift.changed.push(rel);
    };
    for (const [rel, content] of bundle) {
      assertBundlePath(rel, ownedDirs);
      await compare(rel, content);
    }
    await compare(MANIFEST, manifestText(manifestOf(bundle)));
    const old = exists ? await readManifest(outDir, label, ownedDirs).catch(() => undefined) : undefined;
    for (const f of old?.files ?? []) {
      if (!bundle.has(f.path) && (await lstat(join(outDir, f.path)).then(() => true, () => false))) drift.stale.push(f.path);
    }
    return drift;
  } catch (err) {
    throw ioError(err, `cannot read ${label}/`);
  } finally {
    await lock?.release().catch(() => undefined);
  }
}
