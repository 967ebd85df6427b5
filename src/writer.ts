/**
 * Writes a bundle atomically. The whole new tree is staged inside the output directory
 * first; only when every file is written are the owned sub-directories swapped in by
 * rename, so a failed run leaves the previous output untouched. Files in owned
 * directories that the new bundle does not contain disappear with the old directory.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Bundle } from './generate.js';

async function listFiles(root: string, sub = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, sub), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out;
}

export interface Drift {
  readonly changed: string[];
  readonly missing: string[];
  readonly stale: string[];
}

/** What differs between the bundle and the output directory (for --check). */
export async function diffBundle(outDir: string, bundle: Bundle, ownedDirs: readonly string[]): Promise<Drift> {
  const drift: Drift = { changed: [], missing: [], stale: [] };
  for (const [rel, content] of bundle) {
    let current: string | undefined;
    try {
      current = await readFile(join(outDir, rel), 'utf8');
    } catch {
      drift.missing.push(rel);
      continue;
    }
    if (current !== content) drift.changed.push(rel);
  }
  for (const dir of ownedDirs) {
    for (const rel of await listFiles(outDir, dir)) if (!bundle.has(rel)) drift.stale.push(rel);
  }
  return drift;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

export async function writeBundle(outDir: string, bundle: Bundle, ownedDirs: readonly string[]): Promise<void> {
  for (const rel of bundle.keys()) {
    const top = rel.split('/')[0]!;
    if (!ownedDirs.includes(top)) throw new Error(`internal error: ${rel} is outside the owned directories`);
  }
  await mkdir(outDir, { recursive: true });
  const token = `${process.pid}-${Date.now()}`;
  const staging = join(outDir, `.linkerd-slo-staging-${token}`);
  const trash = join(outDir, `.linkerd-slo-old-${token}`);
  try {
    for (const [rel, content] of bundle) {
      const target = join(staging, rel);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await mkdir(trash);
    const moved: string[] = [];
    try {
      for (const dir of ownedDirs) {
        const current = join(outDir, dir);
        if (await exists(current)) {
          await rename(current, join(trash, dir));
          moved.push(dir);
        }
        const fresh = join(staging, dir);
        if (await exists(fresh)) await rename(fresh, current);
      }
    } catch (err) {
      // Put the previous output back rather than leave a mix of old and new.
      for (const dir of moved) {
        await rm(join(outDir, dir), { recursive: true, force: true });
        await rename(join(trash, dir), join(outDir, dir));
      }
      throw err;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(trash, { recursive: true, force: true });
  }
}
