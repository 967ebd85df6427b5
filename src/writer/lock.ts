/**
 * `.linkerd-slo.lock`: created atomically (link(2) of a fully written file) and naming its process; a
 * second run waits for it, and a lock whose process is gone is taken over.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, lstat, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { errno, readRegularFile, writeDurable } from './durable.js';

export const LOCK = '.linkerd-slo.lock';
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === 'EPERM';
  }
}

async function readLock(path: string): Promise<{ owner?: LockOwner; ageMs: number } | undefined> {
  try {
    const [read, st] = await Promise.all([readRegularFile(path), lstat(path)]);
    const text = read === 'not a regular file' ? '' : read;
    let owner: LockOwner | undefined;
    try {
      const parsed = JSON.parse(text) as LockOwner;
      if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') owner = parsed;
    } catch {
      owner = undefined;
    }
    return { ...(owner ? { owner } : {}), ageMs: Date.now() - st.mtimeMs };
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** A lock is stale when its process is gone (same host), or it is unreadable and old. */
function staleLock(lock: { owner?: LockOwner; ageMs: number }): boolean {
  if (!lock.owner) return lock.ageMs > 10_000;
  return lock.owner.host === hostname() && !pidAlive(lock.owner.pid);
}

/** Create the lock with its content in one step, so no reader ever sees an empty lock. */
async function tryCreateLock(outDir: string, me: LockOwner): Promise<boolean> {
  const tmp = join(outDir, `${LOCK}.${me.token}`);
  await writeDurable(tmp, `${JSON.stringify(me)}\n`);
  try {
    await link(tmp, join(outDir, LOCK));
    return true;
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    if (['EPERM', 'ENOTSUP', 'ENOSYS'].includes(errno(err) ?? '')) {
      // No hard links here: fall back to an exclusive create (an empty lock is stale after 10 s).
      try {
        await writeDurable(join(outDir, LOCK), `${JSON.stringify(me)}\n`, 'wx');
        return true;
      } catch (err2) {
        if (errno(err2) === 'EEXIST') return false;
        throw err2;
      }
    }
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Take a dead run's lock away: rename it aside (only one contender can), then check it was that lock. */
async function breakStaleLock(outDir: string, me: LockOwner, seen: { owner?: LockOwner }): Promise<void> {
  const lockPath = join(outDir, LOCK);
  const aside = join(outDir, `${LOCK}.stale-${me.token}`);
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if (errno(err) === 'ENOENT') return;
    throw err;
  }
  const taken = await readLock(aside);
  if (taken?.owner?.token !== seen.owner?.token) {
    // Another run replaced the stale lock between our read and our rename: give it back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

export interface HeldLock {
  readonly owner: LockOwner;
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export async function acquireLock(outDir: string, label: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<HeldLock> {
  const me: LockOwner = { pid: process.pid, host: hostname(), token: `${process.pid}-${randomBytes(6).toString('hex')}` };
  const lockPath = join(outDir, LOCK);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tryCreateLock(outDir, me)) break;
    const current = await readLock(lockPath);
    if (!current) continue;
    if (staleLock(current)) {
      await breakStaleLock(outDir, me, current);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current.owner ? `linkerd-slo process ${current.owner.pid}${current.owner.host === hostname() ? '' : ` on ${current.owner.host}`}` : 'another linkerd-slo run';
      throw new UserError(
        `${label}/ is locked by ${who} (${label}/${LOCK}); waited ${Math.round(timeoutMs / 1000)} s. If no linkerd-slo is running there, delete the lock file`,
        EXIT.busy,
      );
    }
    await sleep(50 + Math.floor(Math.random() * 50));
  }
  const stillHeld = async () => (await readLock(lockPath).catch(() => undefined))?.owner?.token === me.token;
  return {
    owner: me,
    stillHeld,
    async release() {
      if (await stillHeld()) await rm(lockPath, { force: true });
    },
  };
}
