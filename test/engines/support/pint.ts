/**
 * Running pint (cloudflare/pint, built by scripts/engines.mjs) over a generated bundle, the way
 * docs/linting.md tells users to: one run per rule-file format, each with the parser that format needs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';
import { enginePath } from '../../support/engines.js';

/**
 * The parser block per format (pint docs/configuration.md, "Parser"): strict Prometheus schema for
 * plain files, the Thanos schema (partial_response_strategy) for Thanos files, and relaxed parsing for
 * the formats that wrap the groups (a PrometheusRule's spec, a Mimir namespace file's `namespace:`).
 */
export const FORMATS = [
  { dir: 'prometheus', suffix: '.rules.yaml', parser: 'parser {\n  schema = "prometheus"\n}\n' },
  { dir: 'kubernetes', suffix: '.prometheusrule.yaml', parser: 'parser {\n  relaxed = [".*"]\n}\n' },
  { dir: 'thanos', suffix: '.rules.yaml', parser: 'parser {\n  schema = "thanos"\n}\n' },
  { dir: 'mimir', suffix: '.yaml', parser: 'parser {\n  relaxed = [".*"]\n}\n' },
] as const;

export type Format = (typeof FORMATS)[number];

/** The bundle's files of one format (absolute paths, sorted); [] when the bundle has none. */
export function filesOf(bundleDir: string, format: Format): string[] {
  const dir = join(bundleDir, format.dir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(format.suffix)).sort().map((f) => join(dir, f));
}

export interface PintProblem {
  readonly path: string;
  readonly reporter: string;
  readonly problem: string;
  readonly details?: string;
  readonly severity: string;
  readonly lines: readonly number[];
}

export interface PintRun {
  readonly status: number | null;
  readonly problems: readonly PintProblem[];
  /** The number of rules pint says it checked ("Checking Prometheus rules" entries=N). */
  readonly entries: number;
  readonly stderr: string;
  readonly ms: number;
}

/** `pint lint` over `files`, every problem down to Information reported as JSON. */
export function pintLint(workDir: string, name: string, config: string, files: readonly string[], offline: boolean): PintRun {
  const pint = enginePath('pint');
  if (!pint) throw new Error('pint is not built');
  const configFile = join(workDir, `${name}.pint.hcl`);
  const report = join(workDir, `${name}.report.json`);
  writeFileSync(configFile, config);
  const args = ['--no-color', '--config', configFile, '--show-duplicates', ...(offline ? ['--offline'] : []), 'lint', '--min-severity=info', '--json', report, ...files];
  const t0 = Date.now();
  // pint also prints every problem as text: a bundle without its control comments prints megabytes.
  const r = spawnSync(pint, args, { encoding: 'utf8', cwd: workDir, timeout: 600_000, maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) throw r.error;
  const ms = Date.now() - t0;
  const entries = Number(/Checking Prometheus rules" entries=(\d+)/.exec(r.stderr)?.[1] ?? -1);
  const problems = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as PintProblem[]) : [];
  return { status: r.status, problems, entries, stderr: r.stderr, ms };
}

/** One line per problem: severity, check, file:line, summary. */
export const describeProblems = (problems: readonly PintProblem[]): string[] =>
  problems.map((p) => `${p.severity} ${p.reporter} ${p.path.split('/').slice(-2).join('/')}:${p.lines[0]} ${p.problem}`);

interface YamlRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}
export interface YamlGroup {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly rules: readonly YamlRule[];
}

/** The groups of a rule file of any format, read with the `yaml` library (not the generator's code). */
function groupsOf(file: string): YamlGroup[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups?: YamlGroup[]; spec?: { groups: YamlGroup[] } };
  return doc.groups ?? doc.spec?.groups ?? [];
}

export const ruleCount = (files: readonly string[]): number => files.reduce((n, f) => n + groupsOf(f).reduce((m, g) => m + g.rules.length, 0), 0);

interface SelectorRead {
  readonly name: string;
  readonly equal: ReadonlyMap<string, string>;
}

/** Every vector selector of a PromQL expression with its name and its equality matchers (Prometheus' own lezer grammar). */
function selectorsOf(expr: string): SelectorRead[] {
  const out: SelectorRead[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.name !== 'VectorSelector') return;
      const id = n.node.getChild('Identifier');
      const equal = new Map<string, string>();
      for (const m of n.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const [label, op, value] = [m.getChild('LabelName'), m.getChild('MatchOp'), m.getChild('StringLiteral')];
        if (label && op && value && expr.slice(op.from, op.to) === '=') equal.set(expr.slice(label.from, label.to), JSON.parse(expr.slice(value.from, value.to)) as string);
      }
      out.push({ name: id ? expr.slice(id.from, id.to) : '', equal });
    },
  });
  return out;
}

/**
 * What pint's rule/dependency looks for, labels included: recording rules that read a series another
 * group of `files` records with labels its selector does not exclude. "reader <- producer" per pair.
 */
export function crossGroupReads(files: readonly string[]): string[] {
  const rules = files.flatMap((f) => groupsOf(f).flatMap((g) => g.rules.map((r) => ({ file: f, group: g.name, labels: { ...g.labels, ...r.labels }, ...r }))));
  const pairs = new Set<string>();
  for (const reader of rules.filter((r) => r.record)) {
    for (const s of selectorsOf(reader.expr)) {
      for (const p of rules) {
        if (p.record !== s.name || (p.group === reader.group && p.file === reader.file)) continue;
        const compatible = [...s.equal].every(([k, v]) => !(k in p.labels) || p.labels[k] === v);
        if (compatible) pairs.add(`${reader.group}/${reader.record} <- ${p.group}/${p.record}`);
      }
    }
  }
  return [...pairs].sort();
}

/** pint's text report (stderr), one entry per problem: severity, check and its messages on one line. */
export function textProblems(stderr: string): Array<{ severity: string; check: string; text: string }> {
  const blocks = stderr.split(/^(?=(?:Fatal|Bug|Warning|Information): )/m).filter((b) => /^(?:Fatal|Bug|Warning|Information): /.test(b));
  return blocks.map((b) => {
    const head = /^(\w+): .*\(([^)]+)\)$/m.exec(b);
    const text = b.split('\n').filter((l) => !/^level=/.test(l)).join(' ').replace(/\s+/g, ' ');
    return { severity: head?.[1] ?? '', check: head?.[2] ?? '', text };
  });
}
