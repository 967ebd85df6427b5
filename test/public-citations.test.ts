/**
 * Comments in the product cite public sources (a Linkerd docs page, a source path at a tag), never a
 * file outside the repository: a user's clone has no `../shared`. Tests and benchmarks may read
 * `../shared/anchors` (and say they skipped when it is absent); src/ may not even name it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

describe('public citations', () => {
  it('no file under src/ cites shared/reference or shared/anchors', () => {
    const files = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(files.length).toBeGreaterThan(50);
    const citing = files.filter((f) => /\bshared\/(reference|anchors)\b/.test(readFileSync(resolve(ROOT, f), 'utf8')));
    expect(citing).toEqual([]);
  });
});
