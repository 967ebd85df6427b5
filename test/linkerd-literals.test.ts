/**
 * One home per Linkerd fact: proxy and controller metric names live in src/linkerd/; kinds and their
 * templates receive them (as the workloads kind and the identity-certificate rename do). This test
 * fails when a kind's code (a quoted name) or template (the bare name) spells a Linkerd metric that
 * is not in KNOWN_DEBT below. KNOWN_DEBT is what is left to move, file by file: it must only shrink,
 * and the test fails too when an entry is no longer true (so a fixed file leaves the list).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { METRIC_CATALOGUE } from '../src/linkerd/metrics.js';
import { METRIC_NAMES } from '../src/linkerd/metric-names.js';
import { PROXY_CONTAINER } from '../src/linkerd/proxy-container.js';
import { PROXY_ADMIN_PORT } from '../src/linkerd/proxy-admin.js';
import { CONTROL_PLANE_CLIENT_ADDR } from '../src/linkerd/catalog.js';

const ROOT = resolve(import.meta.dirname, '..');
const LINKERD_METRICS = Object.entries(METRIC_CATALOGUE)
  .filter(([, facts]) => facts.some((f) => f.source === 'proxy' || f.source === 'controller'))
  .map(([name]) => name);

/** Literal uses left to move into src/linkerd/: none since 2026-12-06; a new entry needs a reason. */
const KNOWN_DEBT: Readonly<Record<string, readonly string[]>> = {
};

/**
 * Other Linkerd facts kinds receive: the proxy's container name (the injector's `linkerd-proxy`; the
 * job of the same default name and the PodMonitor's `linkerd/linkerd-proxy` are configuration, not
 * this fact), the proxy admin port, and the control-plane services' ports. None left (2026-12-06).
 */
const KNOWN_FACT_DEBT: Readonly<Record<string, readonly string[]>> = {
};

function sourceFiles(): string[] {
  return execFileSync('git', ['ls-files', 'src/slo'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((f) => !f.endsWith('.test.ts') && (f.endsWith('.ts') || f.endsWith('.hbs')));
}

/** A file's text without comment lines (comments cite facts; code and templates may not spell them). */
function codeOf(file: string): string {
  const raw = readFileSync(resolve(ROOT, file), 'utf8');
  return file.endsWith('.ts') ? raw.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n') : raw;
}

const FACT_PATTERNS: Readonly<Record<string, RegExp>> = {
  // Not `linkerd-proxy-injector`, not the PodMonitor job `linkerd/linkerd-proxy`, not "the linkerd-proxy job / scrape".
  'proxy container': new RegExp(`(?<![/\\w-])${PROXY_CONTAINER}(?![\\w-])(?! (job|scrape))`),
  'admin port': new RegExp(`\\b${PROXY_ADMIN_PORT}\\b`),
  ...Object.fromEntries(Object.entries(CONTROL_PLANE_CLIENT_ADDR).map(([c, { port }]) => [`${c} port`, new RegExp(`\\b${port}\\b`)])),
};

function factUses(): Record<string, string[]> {
  const uses: Record<string, string[]> = {};
  for (const file of sourceFiles()) {
    const text = codeOf(file);
    const found = Object.entries(FACT_PATTERNS).filter(([, re]) => re.test(text)).map(([fact]) => fact);
    if (found.length) uses[file] = found.sort();
  }
  return uses;
}

function literalUses(): Record<string, string[]> {
  const files = execFileSync('git', ['ls-files', 'src/slo'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((f) => !f.endsWith('.test.ts') && (f.endsWith('.ts') || f.endsWith('.hbs')));
  const uses: Record<string, string[]> = {};
  for (const file of files) {
    const raw = readFileSync(resolve(ROOT, file), 'utf8');
    // Comments may name a metric (they cite what the code reads); code may not.
    const text = file.endsWith('.ts') ? raw.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n') : raw;
    // Code: a quoted name ('x', "x", `x` or `x{`); templates: the name as a word.
    const found = LINKERD_METRICS.filter((name) => (file.endsWith('.ts') ? new RegExp(`['"\`]${name}['"\`{]`) : new RegExp(`\\b${name}\\b`)).test(text));
    if (found.length) uses[file] = found.sort();
  }
  return uses;
}

describe('Linkerd metric names live in src/linkerd/', () => {
  it('no kind or template spells a Linkerd metric beyond the known debt, and the debt list holds only what is still true', () => {
    expect(LINKERD_METRICS).toContain('response_total');
    expect(literalUses()).toEqual(KNOWN_DEBT);
  });

  it('no kind or template spells the proxy container, its admin port or a control-plane port beyond the known debt', () => {
    // The patterns do find the facts they look for (else the comparison below proves nothing).
    expect(FACT_PATTERNS['proxy container']!.test('`kubectl logs <pod> -c linkerd-proxy`')).toBe(true);
    expect(FACT_PATTERNS['proxy container']!.test('linkerd-proxy-injector, linkerd/linkerd-proxy, the linkerd-proxy job')).toBe(false);
    expect(FACT_PATTERNS['admin port']!.test("instance: `${pod}:4191`")).toBe(true);
    expect(factUses()).toEqual(KNOWN_FACT_DEBT);
  });

  it('every name the kinds receive from src/linkerd/metric-names.ts is a catalogued Linkerd metric', () => {
    const uncatalogued = Object.entries(METRIC_NAMES).filter(([, name]) => !LINKERD_METRICS.includes(name));
    expect(uncatalogued).toEqual([]);
    expect(Object.keys(METRIC_NAMES).length).toBeGreaterThan(10);
  });
});
