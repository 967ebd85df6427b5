/**
 * pint (cloudflare/pint), the linter teams run on rule files in CI, over every generated rule file:
 * plain Prometheus files, PrometheusRule objects, Thanos and Mimir files, of the example bundle, the
 * README's one-line config and the fleet example. Offline checks here (the online ones, against a
 * Prometheus 3 holding the simulated history, are pint-online.test.ts).
 *
 * Required (docs/linting.md): no problem at any severity. Where pint cannot see what makes a rule right,
 * the rule file carries "# pint disable <check>" under a one-line reason, so each exemption is checked
 * too: with the control comments taken out, pint must report exactly the exempted checks on exactly the
 * exempted rules (no stale exemption, nothing hidden besides). rule/dependency is exempted file-wide
 * (pint pairs recordings by name only); the last test does its check with labels.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cli, EXAMPLE, ROOT, tempDirs } from '../support/cli.js';
import { engineRelease, engineSkip } from '../support/engines.js';
import { crossGroupReads, describeProblems, filesOf, FORMATS, pintLint, ruleCount } from './support/pint.js';

const skip = engineSkip('pint');
if (skip) console.log(`test/engines/pint.test.ts skipped: ${skip}`);

const tmp = tempDirs('pint');

/** The bundles users get: the example, the README's one-line config, a fleet with split evaluation. */
const BUNDLES = [
  { name: 'example bundle', config: () => EXAMPLE },
  { name: "README's one-line config", config: (dir: string) => (writeFileSync(join(dir, 'linkerd-slo.yaml'), 'cluster: prod-eu1\n'), join(dir, 'linkerd-slo.yaml')) },
  { name: 'fleet (multi-cluster, split)', config: () => join(ROOT, 'examples', 'multi-cluster.yaml') },
] as const;

function generateInto(bundle: (typeof BUNDLES)[number]): string {
  const dir = tmp();
  const out = join(dir, 'out');
  const r = cli(['generate', '--config', bundle.config(dir), '--out', out]);
  if (r.status !== 0) throw new Error(`generate failed: ${r.stderr}`);
  return out;
}

/** A copy of `files` without pint's control comments (the reason lines stay: pint ignores them). */
function withoutControlComments(files: readonly string[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const copy = join(dir, basename(f));
    writeFileSync(copy, readFileSync(f, 'utf8').replace(/^ *# pint .*\n/gm, ''));
    return copy;
  });
}

/** Each rule of a file: its first line and the pint checks disabled right above it. */
function exemptedRules(file: string): Array<{ first: number; last: number; checks: string[] }> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const starts = lines.flatMap((l, i) => (/^ *- (record|alert): /.test(l) ? [i + 1] : []));
  return starts.map((first, k) => {
    const checks: string[] = [];
    for (let i = first - 2; i >= 0 && /^ *#/.test(lines[i]!); i--) {
      const m = /^ *# pint disable (\S+)$/.exec(lines[i]!);
      if (m) checks.push(m[1]!);
    }
    return { first, last: (starts[k + 1] ?? lines.length + 1) - 1, checks };
  });
}

describe.skipIf(skip)(`pint ${engineRelease('pint')} over every generated rule file`, () => {
  for (const bundle of BUNDLES) {
    describe(bundle.name, () => {
      const out = skip ? '' : generateInto(bundle);

      it('every format: pint checks every rule and reports nothing, down to Information', () => {
        const seen: string[] = [];
        for (const format of FORMATS) {
          const files = filesOf(out, format);
          if (!files.length) continue;
          const run = pintLint(tmp(), format.dir, format.parser, files, true);
          console.log(`pint --offline lint ${bundle.name} ${format.dir}/: ${files.length} files, ${run.entries} rules, ${run.ms} ms`);
          expect(describeProblems(run.problems), run.stderr).toEqual([]);
          expect(run.status, run.stderr).toBe(0);
          // Relaxed parsing finds rules anywhere: it must find every rule, not silently none.
          expect(run.entries).toBe(ruleCount(files));
          seen.push(format.dir);
        }
        expect(seen).toContain('prometheus');
        expect(seen).toContain('kubernetes');
        if (bundle.name.startsWith('fleet')) expect(seen).toEqual(['prometheus', 'kubernetes', 'thanos', 'mimir']);
      });

      it('every exemption is needed: without the control comments pint reports the exempted checks on the exempted rules, and nothing else', () => {
        const format = FORMATS[0];
        const files = filesOf(out, format);
        const bare = withoutControlComments(files, join(tmp(), 'bare'));
        const run = pintLint(tmp(), 'bare', format.parser, bare, true);
        expect(run.problems.filter((p) => p.severity === 'Bug' || p.severity === 'Fatal')).toEqual([]);
        const fileWide = new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^# pint file\/disable (\S+)$/gm)].map((m) => m[1]!)));
        expect([...fileWide]).toEqual(['rule/dependency']);
        const unexplained: string[] = [];
        const found = new Set<string>();
        for (const p of run.problems) {
          if (fileWide.has(p.reporter)) {
            found.add(`file ${p.reporter}`);
            continue;
          }
          const file = files[bare.indexOf(p.path)]!;
          // The bare copy's rules are the original's, in order, on other lines (the control comments are gone).
          const index = exemptedRules(p.path).findIndex((r) => r.first <= p.lines[0]! && p.lines[0]! <= r.last);
          const original = exemptedRules(file)[index];
          if (original?.checks.includes(p.reporter)) found.add(`${basename(file)}:${original.first} ${p.reporter}`);
          else unexplained.push(describeProblems([p])[0]!);
        }
        expect(unexplained).toEqual([]);
        // Every exemption written is one pint would otherwise report.
        const written = files.flatMap((f) => exemptedRules(f).flatMap((r) => r.checks.map((c) => `${basename(f)}:${r.first} ${c}`)));
        expect(written.filter((w) => !found.has(w))).toEqual([]);
        expect(found.has('file rule/dependency')).toBe(true);
        console.log(`${bundle.name}: pint findings without the control comments: ${run.problems.length} (${[...new Set(run.problems.map((p) => p.reporter))].join(', ')}), every one exempted with its reason`);
      });

      it('each control comment sits under its one-line reason', () => {
        for (const format of FORMATS) {
          for (const f of filesOf(out, format)) {
            const lines = readFileSync(f, 'utf8').split('\n');
            lines.forEach((l, i) => {
              const m = /^( *)# pint (?:file\/disable|disable|rule\/set) (\S+)/.exec(l);
              if (m) expect(lines[i - 1], `${f}:${i + 1}`).toMatch(new RegExp(`^${m[1]}# ${m[2]!.replace(/[/()]/g, '\\$&')}: \\S.{20,}$`));
            });
          }
        }
      });

      it("rule/dependency with labels (what pint's name-only check cannot tell): no recording reads another group's series, except a global group its own cluster group's", () => {
        const files = filesOf(out, FORMATS[0]);
        for (const f of files) expect(crossGroupReads([f]), f).toEqual([]);
        const global = files.filter((f) => f.endsWith('-global.rules.yaml'));
        for (const g of global) {
          const reads = crossGroupReads(files).filter((pair) => pair.includes('-global/'));
          expect(reads.length, g).toBeGreaterThan(0);
          // linkerd-slo-<cluster>-<group>-global reads only linkerd-slo-<cluster>-<group>.
          for (const pair of reads) {
            const [reader, producer] = pair.split(' <- ').map((s) => s.split('/')[0]!);
            expect(`${producer}-global`).toBe(reader);
          }
        }
      });
    });
  }
});
