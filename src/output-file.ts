/**
 * The single files the other commands write (export-openslo --out, import-openslo --out,
 * backtest --out, backfill --out, preview's pages and screenshots), owned the way generate owns its bundle
 * (docs/output-directory.md):
 *
 * - a command never overwrites what it reads: the config, its input files (same path, or the same
 *   file through a link) are refused;
 * - it never writes through a symlink: an output path that is a link is refused, so a link cannot
 *   send the write to a file elsewhere; a directory, FIFO, socket or device there is refused too;
 * - the file is written atomically: a temporary file in the same directory, fsynced, then renamed
 *   over the old one, so a reader or a kill sees the old file or the new one, never half of it.
 *
 * Each refusal is one line with exit code 4, before anything is written.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT, UserError } from './errors.js';
import { ioError } from './writer/durable.js';

/** A file the command reads and therefore must never replace. */
export interface InputFile {
  readonly path: string;
  /** How it is named in messages: "the config file", "the input file". */
  readonly what: string;
}

export interface OutputFile {
  readonly path: string;
  /** How the output is named in messages, e.g. `--out bt.yaml` or `--out pv (pv/index.html)`. */
  readonly label: string;
  readonly inputs: readonly InputFile[];
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  if (sa && sb && sa.dev === sb.dev && sa.ino === sb.ino) return true;
  const [ra, rb] = await Promise.all([realpath(a).catch(() => resolve(a)), realpath(b).catch(() => resolve(b))]);
  return ra === rb;
}

/** Refuses an output file that is unsafe to replace; call before any work, and again just before writing. */
export async function checkOutputFile(out: OutputFile): Promise<void> {
  const refuse = (why: string) => new UserError(`refusing ${out.label}: ${why}; nothing was written`, EXIT.output);
  const path = resolve(out.path);
  const st = await lstat(path).catch((err) => {
    if (errno(err) === 'ENOENT') return undefined;
    if (errno(err) === 'ENOTDIR') throw refuse('a parent of it is a file');
    throw ioError(err, `cannot read ${out.label}`);
  });
  if (st?.isSymbolicLink()) throw refuse('it is a symbolic link, and linkerd-slo never writes through a link (it could point anywhere): remove the link or choose another path');
  if (st?.isDirectory()) throw refuse('it is a directory, not a file');
  if (st && !st.isFile()) throw refuse('it is not a regular file (a FIFO, socket or device)');
  for (const input of out.inputs) {
    if (await sameFile(path, input.path)) throw refuse(`it is ${input.what} ${input.path}, which this command reads and never overwrites; choose another path`);
  }
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) throw refuse(`its directory ${dirname(out.path) || '.'} does not exist`);
}

/** Writes `content` (text, bytes or a stream of text) to the output file atomically after checking it (see the file comment). */
export async function writeOutputFile(out: OutputFile, content: string | Uint8Array | AsyncIterable<string>): Promise<void> {
  await checkOutputFile(out);
  const path = resolve(out.path);
  const tmp = join(dirname(path), `.${basename(path)}.linkerd-slo-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    // Keep the mode of the file being replaced (a report someone made group-readable stays so).
    const mode = await stat(path).then((s) => s.mode & 0o777, () => 0o644);
    const fh = await open(tmp, 'wx', mode);
    const release = removeOnSignal(tmp);
    try {
      // A stream (backfill's OpenMetrics, family by family) is written as it is produced; a failure
      // while producing it removes the temporary file like any other, so the old file stays.
      if (typeof content === 'string' || content instanceof Uint8Array) await fh.writeFile(content);
      else for await (const chunk of content) await fh.write(chunk);
      await fh.sync();
    } finally {
      release();
      await fh.close();
    }
    await rename(tmp, path);
    const dir = await open(dirname(path), 'r');
    await dir.sync().catch(() => undefined);
    await dir.close();
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw ioError(err, `cannot write ${out.label}`, '; nothing was written');
  }
}

/**
 * While a file is being written (backfill streams one for minutes), Ctrl-C or a SIGTERM removes the
 * temporary file before the process ends as the signal would: no `.tmp` is left behind.
 */
function removeOnSignal(tmp: string): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const release = () => {
    for (const s of signals) process.off(s, handler);
  };
  function handler(signal: NodeJS.Signals): void {
    release();
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or removed.
    }
    process.kill(process.pid, signal);
  }
  for (const s of signals) process.on(s, handler);
  return release;
}
