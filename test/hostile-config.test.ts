/**
 * The config side of issue #20: what a user can write in a config must never run unbounded, escape
 * a limit by its key's name, break out of where it lands, or end in "internal error" (exit 70).
 * Each case runs through the real CLI (node dist/cli.js, built by `npm test`) where the user would
 * meet it; a case that used to hang is bounded by a generous process timeout, never by a timed
 * assertion.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import MarkdownIt from 'markdown-it';
import { join } from 'node:path';
import { CLI, tempDirs } from './support/cli.js';
import { parseSelector } from '../src/promql/parse.js';
import { validateConfig } from '../src/config/load.js';
import { ConfigError, formatPath } from '../src/config/errors.js';
import { solveLabels } from '../src/slo/custom/index.js';
import { escapeHtml, markdownCode } from '../src/text.js';
import { requirePromtool, testRules } from './support/promtool.js';

const tmp = tempDirs('hostile');
/** Far above what any of these runs takes on a loaded machine; only a hang reaches it. */
const HANG = 120_000;

function run(args: string[], cwd: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: HANG, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A config with one custom SLO whose total selector is `total`. */
function customConfig(total: string, errors = 'foo_total{code="500"}'): string {
  return ['cluster: prod', 'slos:', '  custom:', '    - name: api', '      objective: 99.9', '      period: 30d', `      errors: ${JSON.stringify(errors)}`, `      total: ${JSON.stringify(total)}`, ''].join('\n');
}

// 36 a's and a "!": JavaScript's backtracking RegExp tries 2^36 ways to split the a's between the
// two + before it gives up on ^(?:(a+)+)$; RE2 (Prometheus' engine) answers in one pass.
const PATHOLOGICAL = `foo_total{x="${'a'.repeat(36)}!", x=~"(a+)+"}`;

describe('regexes in selectors run in linear time (RE2, as in Prometheus)', () => {
  it('validate and generate finish on a selector whose regex backtracks exponentially in JavaScript', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), customConfig(PATHOLOGICAL));
    const v = run(['validate', '-c', 'c.yaml'], dir);
    expect(v.signal, 'validate hung').toBeNull();
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^c\.yaml: ok/);
    const g = run(['generate', '-c', 'c.yaml', '--out', 'out'], dir);
    expect(g.signal, 'generate hung').toBeNull();
    expect(g.status, g.stderr).toBe(0);
  });

  it('solves fixture labels with the same regex: none when the value cannot match, one that matches otherwise', () => {
    // The equality matcher's value has a "!", so no series can satisfy both matchers.
    expect(solveLabels([parseSelector(PATHOLOGICAL)])).toBeUndefined();
    const labels = solveLabels([parseSelector('foo_total{x=~"(a+)+", y=~"\\\\pL+"}')]);
    expect(labels?.x).toMatch(/^a+$/);
    // \pL is RE2 syntax JavaScript only knows with the u flag: a Unicode letter.
    expect(labels?.y).toMatch(/^\p{L}+$/u);
  });

  it('refuses, in one located line, a regex Prometheus (RE2) would refuse', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), customConfig('foo_total{x=~"(?=a)b"}'));
    const v = run(['validate', '-c', 'c.yaml'], dir);
    expect(v.status).toBe(2);
    expect(v.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^c\.yaml:8:\d+: slos\.custom\[0\]\.total: the regular expression of x=~ is not one Prometheus accepts \(RE2 syntax\)/),
      'error: invalid configuration; nothing was written',
    ]);
  });

  it('import-openslo of such a selector writes a config that then validates', () => {
    const dir = tmp();
    const slo = [
      'apiVersion: openslo/v1',
      'kind: SLO',
      'metadata: {name: api}',
      'spec:',
      '  budgetingMethod: Occurrences',
      '  timeWindow: [{duration: 30d, isRolling: true}]',
      '  objectives: [{targetPercent: 99.9}]',
      '  indicator:',
      '    spec:',
      '      ratioMetric:',
      '        counter: true',
      `        bad: {metricSource: {type: Prometheus, spec: {query: ${JSON.stringify('foo_total{code="500"}')}}}}`,
      `        total: {metricSource: {type: Prometheus, spec: {query: ${JSON.stringify(PATHOLOGICAL)}}}}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'slo.yaml'), slo);
    const i = run(['import-openslo', 'slo.yaml', '--cluster', 'prod', '--out', 'imported.yaml'], dir);
    expect(i.status, i.stderr).toBe(0);
    expect(readFileSync(join(dir, 'imported.yaml'), 'utf8')).toContain('(a+)+');
    const v = run(['validate', '-c', 'imported.yaml'], dir);
    expect(v.signal, 'validate hung').toBeNull();
    expect(v.status, v.stderr).toBe(0);
  });
});

describe('one rule for every string, whatever its key', () => {
  /** Every label map of the config, with a key named "description" set to `value`. */
  const MAPS: Array<[string, (v: string) => Record<string, unknown>]> = [
    ['prometheus.ruleLabels.description', (v) => ({ prometheus: { ruleLabels: { description: v } } })],
    ['prometheus.extraMatchers.description', (v) => ({ prometheus: { extraMatchers: { description: v } } })],
    ['slos.certificates.nodeClock.matchers.description', (v) => ({ slos: { certificates: { nodeClock: { enabled: true, matchers: { description: v } } } } })],
    ['slos.proxyResources.kubernetesMetrics.cadvisorMatchers.description', (v) => ({ slos: { proxyResources: { kubernetesMetrics: { enabled: true, cadvisorMatchers: { description: v } } } } })],
    ['slos.proxyResources.kubernetesMetrics.kubeStateMetricsMatchers.description', (v) => ({ slos: { proxyResources: { kubernetesMetrics: { enabled: true, kubeStateMetricsMatchers: { description: v } } } } })],
    ['slos.workloads.list[0].selector.description', (v) => ({ slos: { workloads: { list: [{ namespace: 'shop', name: 'web', selector: { description: v } }] } } })],
    ['clusters[0].overrides.prometheus.ruleLabels.description', (v) => ({ clusters: [{ name: 'eu1', overrides: { prometheus: { ruleLabels: { description: v } } } }] })],
  ];
  const problems = (raw: Record<string, unknown>): string[] => {
    try {
      validateConfig({ cluster: 'prod', ...raw }, 'c.yaml');
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    }
  };

  it.each(MAPS)('%s is held to the control-character and the 1 KiB limits like any other value', (path, at) => {
    expect(problems(at('line1\nline2'))).toEqual([expect.stringMatching(new RegExp(`^${escapeRe(path)}: contains the control character U\\+000A`))]);
    expect(problems(at('x'.repeat(100_000)))).toEqual([expect.stringMatching(new RegExp(`^${escapeRe(path)}: is 100000 characters long; at most 1024 are allowed`))]);
  });

  it('a custom SLO\'s description stays free text (newlines, up to 1050 characters)', () => {
    const slo = { name: 'api', objective: 99.9, period: '30d', errors: 'foo_total{code="500"}', total: 'foo_total', description: 'line1\nline2 ' + 'x'.repeat(1030) };
    expect(problems({ slos: { custom: [slo] } })).toEqual([]);
  });

  it('a 100 KB rule label named description is refused by the CLI in one located line, writing nothing', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), `cluster: prod\nprometheus:\n  ruleLabels:\n    description: ${'x'.repeat(100_000)}\n`);
    const g = run(['generate', '-c', 'c.yaml', '--out', 'out'], dir);
    expect(g.status).toBe(2);
    expect(g.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^c\.yaml:4:18: prometheus\.ruleLabels\.description: is 100000 characters long; at most 1024 are allowed, found string "x+… \(100000 characters\)$/), 'error: invalid configuration; nothing was written']);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('values shown as Markdown code cannot close their code span', () => {
  // A real CommonMark + GFM renderer, with raw HTML allowed as GitHub allows some.
  const md = new MarkdownIt({ html: true });
  const HOSTILE = ['x` <img src=x onerror=alert(1)> `y', '`', '``', '```', 'a ``` b ` c ```` d', '` leading', 'trailing `', ' spaced ', 'pipe | in <b>cell</b>', '\\`', '<script>alert(1)</script>'];

  it.each(HOSTILE)('%j shows as itself, in prose and in a table cell', (text) => {
    expect(md.render(`see ${markdownCode(text)} here`)).toBe(`<p>see <code>${escapeHtml(text)}</code> here</p>\n`);
    const table = md.render(`| a | b |\n|---|---|\n| ${markdownCode(text, true)} | z |\n`);
    expect(table).toContain(`<tr>\n<td><code>${escapeHtml(text)}</code></td>\n<td>z</td>\n</tr>`);
  });

  it('a node-clock matcher value with backticks and HTML stays code in every runbook', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), ['cluster: prod', 'slos:', '  certificates:', '    nodeClock:', '      enabled: true', '      matchers:', `        job: ${JSON.stringify('x` <img src=x onerror=alert(1)> `y')}`, ''].join('\n'));
    const g = run(['generate', '-c', 'c.yaml', '--out', 'out'], dir);
    expect(g.status, g.stderr).toBe(0);
    const runbooks = readdirSync(join(dir, 'out', 'runbooks'));
    let shown = 0;
    for (const f of runbooks) {
      const html = md.render(readFileSync(join(dir, 'out', 'runbooks', f), 'utf8'));
      expect(html, f).not.toMatch(/<img/);
      if (html.includes('onerror')) shown++;
    }
    // The value is shown (escaped) in the node-clock runbooks and the certificate-source table.
    expect(shown).toBeGreaterThanOrEqual(3);
  });
});

describe('matcher values reach Grafana panel queries without becoming Grafana variables', () => {
  /**
   * Grafana's variable syntax as its template service matches it before a query is sent
   * (public/app/features/variables/utils.ts, variableRegex): $var, [[var]] / [[var:fmt]] and
   * ${var}, ${var.field}, ${var:fmt}.
   */
  const GRAFANA_VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
  const HOSTILE = { email: '${__user.email}', login: '[[__user.login]]', org: '$__org', plain: 'a$1b' };
  const config = [
    'cluster: prod',
    'prometheus:',
    '  extraMatchers: {env: prod}',
    'slos:',
    '  certificates:',
    '    nodeClock:',
    '      enabled: true',
    `      matchers: {job: ${JSON.stringify(HOSTILE.email)}, instance: ${JSON.stringify(HOSTILE.login)}}`,
    '  custom:',
    '    - name: api',
    '      objective: 99.9',
    '      period: 30d',
    `      errors: ${JSON.stringify(`foo_total{code=${JSON.stringify(HOSTILE.org)}}`)}`,
    `      total: ${JSON.stringify(`foo_total{x=~${JSON.stringify(`${HOSTILE.plain}|${HOSTILE.email}`)}}`)}`,
    '',
  ].join('\n');

  type Dashboard = { panels: Array<{ targets?: Array<{ expr: string }>; panels?: unknown[] }>; templating: { list: Array<{ name: string }> }; annotations: { list: Array<{ expr?: string }> } };
  function queries(dir: string): Array<{ file: string; expr: string; variables: string[] }> {
    const out: Array<{ file: string; expr: string; variables: string[] }> = [];
    for (const file of readdirSync(join(dir, 'out', 'grafana')).filter((f) => f.endsWith('.json'))) {
      const d = JSON.parse(readFileSync(join(dir, 'out', 'grafana', file), 'utf8')) as Dashboard;
      const variables = d.templating.list.map((v) => v.name);
      for (const p of d.panels) for (const t of p.targets ?? []) out.push({ file, expr: t.expr, variables });
      for (const a of d.annotations.list) if (a.expr) out.push({ file, expr: a.expr, variables });
    }
    return out;
  }

  it('every $-reference left in a panel query is a variable the dashboard defines; the values are still selected', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), config);
    const g = run(['generate', '-c', 'c.yaml', '--out', 'out'], dir);
    expect(g.status, g.stderr).toBe(0);
    const all = queries(dir);
    const foreign = all.flatMap((q) => [...q.expr.matchAll(GRAFANA_VARIABLE)].map((m) => m[1] ?? m[2] ?? m[4] ?? '').filter((name) => !q.variables.includes(name) && !/^\d/.test(name)).map((name) => `${q.file}: ${name} in ${q.expr}`));
    expect(foreign).toEqual([]);
    // The panel that shows the offset itself: its whole query is the selector.
    const clock = all.filter((q) => /^node_timex_offset_seconds\{.*\}$/.test(q.expr));
    expect(clock.length).toBeGreaterThan(0);
    // The extra matcher still becomes the dashboard's own variable.
    expect(all.some((q) => q.expr.includes('env="$env"'))).toBe(true);

    // Prometheus reads the escaped literal back as the configured value: the panel's selector,
    // evaluated by promtool, selects the series whose job is literally ${__user.email}.
    requirePromtool();
    const selector = clock[0]!.expr;
    const rules = `groups:\n  - name: g\n    rules:\n      - record: picked\n        expr: ${JSON.stringify(selector.replace('env="$env"', 'env="prod"'))}\n`;
    const series = `node_timex_offset_seconds{job=${JSON.stringify(HOSTILE.email)}, instance=${JSON.stringify(HOSTILE.login)}, env="prod"}`;
    const r = testRules(rules, {
      tests: [{
        interval: '1m',
        input_series: [{ series, values: '3x5' }, { series: 'node_timex_offset_seconds{job="other", instance="x", env="prod"}', values: '4x5' }],
        promql_expr_test: [{ expr: 'picked', eval_time: '2m', exp_samples: [{ labels: series.replace('node_timex_offset_seconds', 'picked'), value: 3 }] }],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });
});
