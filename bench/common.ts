/** Shared helpers of the benchmarks: environment facts, timing, temp dirs, rule-file plumbing. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { prometheusVersion } from '../tools/sim/index.js';

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

export interface Environment {
  readonly date: string;
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly prometheus: string;
  readonly promtool: string;
}

export function environment(): Environment {
  let cpuModel = 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    // not Linux
  }
  const promtool = /version (\S+)/.exec(spawnSync('promtool', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'not found';
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    prometheus: prometheusVersion() ?? 'not found',
    promtool,
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `linkerd-slo-bench-${prefix}-`));
}

export function rm(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

export const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString('en-US');
  return String(Number(n.toPrecision(digits)));
}

export function mib(bytes: number): string {
  return `${fmt(bytes / 2 ** 20)} MiB`;
}

export interface RuleYaml {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels?: Record<string, string>;
}
export interface GroupYaml {
  readonly name: string;
  readonly interval?: string;
  readonly rules: RuleYaml[];
}

export function parseRuleFile(text: string): GroupYaml[] {
  const doc = load(text) as { groups?: GroupYaml[] } | undefined;
  return doc?.groups ?? [];
}

export function ruleCount(groups: readonly GroupYaml[]): { recording: number; alerting: number } {
  let recording = 0;
  let alerting = 0;
  for (const g of groups) for (const r of g.rules) r.record ? recording++ : alerting++;
  return { recording, alerting };
}

/** Names of the recorded metrics of a rule file. */
export function recordNames(groups: readonly GroupYaml[]): string[] {
  return [...new Set(groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))))];
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${fmt(s / 60, 3)} min`;
  return `${fmt(s / 3600, 3)} h`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Recording rules (of the given groups) the expressions read, transitively, grouped by dependency level. */
export function recordingLevels(groups: readonly GroupYaml[], exprs: readonly string[]): GroupYaml[][] {
  const recs = groups.flatMap((g) => g.rules.filter((r) => r.record).map((r) => ({ group: g.name, rule: r })));
  const names = new Set(recs.map((r) => r.rule.record!));
  const uses = (expr: string) => [...names].filter((n) => new RegExp(`(^|[^\\w:])${escapeRegex(n)}($|[^\\w:])`).test(expr));
  const needed = new Set<string>();
  const queue = exprs.flatMap(uses);
  while (queue.length) {
    const n = queue.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    for (const r of recs) if (r.rule.record === n) queue.push(...uses(r.rule.expr));
  }
  const level = new Map<string, number>();
  const levelOf = (name: string, depth = 0): number => {
    if (level.has(name)) return level.get(name)!;
    if (depth > 20) throw new Error(`recording cycle at ${name}`);
    const deps = recs.filter((r) => r.rule.record === name).flatMap((r) => uses(r.rule.expr).filter((d) => d !== name));
    const l = deps.length ? 1 + Math.max(...deps.map((d) => levelOf(d, depth + 1))) : 0;
    level.set(name, l);
    return l;
  };
  const out: GroupYaml[][] = [];
  for (const r of recs) {
    if (!needed.has(r.rule.record!)) continue;
    const groupsAt = (out[levelOf(r.rule.record!)] ??= []);
    let g = groupsAt.find((x) => x.name === r.group);
    if (!g) groupsAt.push((g = { name: r.group, rules: [] }));
    g.rules.push({ record: r.rule.record, expr: r.rule.expr, ...(r.rule.labels ? { labels: r.rule.labels } : {}) });
  }
  return out.filter(Boolean);
}
