/**
 * Mimir's default ruler limit of 20 rules per group (src/emit/ruler-limits.ts): the Mimir files of
 * every example stay within it, keep every rule, and never put a rule in an earlier group than a
 * recording it reads (a reader in the same group comes after what it reads, as the ruler evaluates a
 * group in order).
 */
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadConfigFile, validateConfig } from '../src/config/load.js';
import { generate, generateBundle } from '../src/generate.js';

type Group = { name: string; rules: Array<{ record?: string; alert?: string; expr: string; labels?: Record<string, string> }> };
const ROOT = resolve(import.meta.dirname, '..');

/** Whether `expr` (text) selects the series `record` writes: the name followed by matchers its labels satisfy. */
function reads(expr: string, record: string, labels: Record<string, string>): boolean {
  const re = new RegExp(`${record.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\{[^}]*\\})?`, 'g');
  for (const m of expr.matchAll(re)) {
    const after = expr[m.index! + m[0].length];
    if (after !== undefined && /[\w:]/.test(after)) continue;
    const matchers = [...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)];
    if (matchers.every(([, k, v]) => labels[k!] === undefined || labels[k!] === v)) return true;
  }
  return false;
}

/** The example's bundle; the single-cluster example is written for Mimir too (it targets Prometheus only). */
async function mimirFiles(example: string): Promise<Map<string, Group[]>> {
  const path = resolve(ROOT, 'examples', example);
  let files: ReadonlyMap<string, string>;
  if (example === 'multi-cluster.yaml') {
    const loaded = await loadConfigFile(path);
    files = generateBundle(loaded, loaded.file).files;
  } else {
    const raw = load(readFileSync(path, 'utf8')) as { rules?: Record<string, unknown> };
    files = generate(validateConfig({ ...raw, rules: { ...raw.rules, targets: ['mimir'] } }, example), example).files;
  }
  const out = new Map<string, Group[]>();
  for (const [path, text] of files) if (path.includes('mimir/')) out.set(path, (load(text) as { groups: Group[] }).groups);
  return out;
}

describe('Mimir rule groups within the default ruler limit', () => {
  for (const example of ['linkerd-slo.yaml', 'multi-cluster.yaml']) {
    it(`${example}: at most 20 rules a group, and no rule before a recording it reads`, async () => {
      const files = await mimirFiles(example);
      expect(files.size).toBeGreaterThan(0);
      let split = 0;
      for (const [path, groups] of files) {
        expect(groups.filter((g) => g.rules.length > 20).map((g) => `${path} ${g.name}`)).toEqual([]);
        split += groups.filter((g) => /-\d+$/.test(g.name)).length;
        // Position of each rule: (group index, rule index) in file order.
        const rules = groups.flatMap((g, gi) => g.rules.map((r, ri) => ({ ...r, at: gi * 1000 + ri })));
        for (const reader of rules) {
          for (const written of rules) {
            if (written === reader || !written.record || !reads(reader.expr, written.record, written.labels ?? {})) continue;
            expect(written.at, `${path}: ${reader.record ?? reader.alert} is evaluated before ${written.record} it reads`).toBeLessThan(reader.at);
          }
        }
      }
      // Both examples have a group over the limit (the success-rate recordings), so splitting is exercised.
      expect(split).toBeGreaterThan(0);
    });
  }
});
