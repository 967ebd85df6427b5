/**
 * File-system plumbing of the writer: every failure as one line with EXIT.output, reads that a FIFO
 * cannot block, and writes that survive a power cut (fsync of the file, then of its directory).
 */
import { constants } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, UserError } from '../errors.js';

export const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

// ---------------------------------------------------------------------------------------------
// Errors: every file-system failure becomes one line with EXIT.output.

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a parent is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'it is on another file system than the output directory',
};

export function describeErrno(err: unknown): string {
  const code = errno(err);
  return (code && REASONS[code]) ?? (err as Error).message.split('\n')[0]!;
}

export function ioError(err: unknown, what: string, after = ''): UserError | unknown {
  if (err instanceof UserError || !errno(err)) return err;
  return new UserError(`${what}: ${describeErrno(err)}${after}`, EXIT.output);
}

/**
 * A regular file's text. Opened without blocking and checked before reading: a FIFO (or device)
 * someone put at one of our names would otherwise block the run for ever on open or read.
 */
export async function readRegularFile(path: string): Promise<string | 'not a regular file'> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await fh.stat()).isFile()) return 'not a regular file';
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

export async function readText(path: string, what: string, ifNotRegular?: string): Promise<string | undefined> {
  let text;
  try {
    text = await readRegularFile(path);
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw ioError(err, `cannot read ${what}`);
  }
  if (text !== 'not a regular file') return text;
  if (ifNotRegular !== undefined) return ifNotRegular;
  throw new UserError(`${what} is not a regular file (a FIFO, socket or device?): move it away; nothing was written`, EXIT.output);
}

// ---------------------------------------------------------------------------------------------
// Durable writes.

export async function writeDurable(path: string, text: string, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const fh = await open(path, flag, 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so the renames and creations in it survive a power cut. */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some file systems cannot fsync a directory; the rename order still protects the bundle.
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EBADF', 'EPERM', 'EACCES'].includes(errno(err) ?? '')) throw err;
  } finally {
    await fh?.close();
  }
}

/** Replace `path` with `text` in one step: write a temporary sibling, fsync, rename. */
export async function replaceDurably(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  await writeDurable(tmp, text);
  await rename(tmp, join(dir, name));
  await syncDir(dir);
}
