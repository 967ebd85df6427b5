/**
 * Fuzzing the config and OpenSLO inputs with hostile strings (issue #10): every generated input
 * ends either in a ConfigError whose every issue is one located line, or in a bundle in which
 * nothing from the input acts — every rule expression parses, alert labels and annotations hold
 * only the template actions linkerd-slo writes itself, Markdown holds no tag and no non-http(s)
 * link, YAML headers are intact, and every path stays inside the output. Most cases run in-process;
 * a few go through the real CLI and `promtool check rules`. Seeded, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import { parseYamlConfig, resolveConfig } from '../src/config/load.js';
import { yamlLocator } from '../src/config/positions.js';
import { ConfigError } from '../src/config/errors.js';
import { generateBundle, OWNED_DIRS, type Bundle } from '../src/generate.js';
import { importOpenSlo } from '../src/openslo/import.js';
import { validatePromQL } from '../src/promql/validate.js';
import { prng } from '../tools/sim/mesh.js';
import { checkRules, requirePromtool } from './support/promtool.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');

/** Pieces of hostile strings by family, each family aimed at one of the destinations we write. */
const FAMILIES: Record<string, readonly string[]> = {
  template: ['{{', '}}', '{{ with query "count(up)" }}{{ . }}{{ end }}', '{{ $labels.x }}x{{', '{{end}}', 'x }} {{'],
  lineBreak: ['\r\n', '\n', '\r', '\u2028', '\u2029', '\u0085', '\t', '\n## Remediation\nrm -rf /'],
  html: ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '</textarea>', '<a href="javascript:alert(1)">x</a>', '&amp;', '&'],
  markdown: ['](javascript:x)', '[a](javascript:alert(1))', '![i](data:image/png,x)', '# ', '> ', '- ', '1. ', '|', '`', '```', '*', '_', '~', '<https://x>'],
  url: ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'https://x/"><img src=x>', 'https://x/a)(b', 'https://example.com/ok'],
  quoting: ['"', "'", '\\', '${}', '${__user.login}', '$1', '%', '%2e%2e', ':', '=', ','],
  control: ['\u001b[31m', '\u0000', '\u007f', '\u009b'],
  size: ['x'.repeat(1025), 'y'.repeat(2048), 'z'.repeat(1024)],
  name: ['__name__', '__meta_x', 'a/../b', '../../../victim', '/', '.', '..', 'UPPER', '-lead', 'trail-', 'a'.repeat(64)],
  unicode: ['ünïcødé', '日本語', '🙂', 'é', ' ', ''],
};
const NASTY = Object.values(FAMILIES).flat();
/** Ordinary pieces, so that many cases are valid and reach the generator. */
const BENIGN = ['prod', 'team', 'eu1', 'a', 'b-1', 'x_y', 'linkerd', 'Web', '9', 'https://example.com/runbooks', 'http://grafana.local:3000'];

interface Case { readonly raw: Record<string, unknown>; readonly where: string[] }

function fuzzer(seed: number) {
  const rand = prng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const piece = () => (rand() < 0.55 ? pick(NASTY) : pick(BENIGN));
  const str = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, piece).join('');
  /** PromQL string literal of any value (the selector stays parseable; the value is the payload). */
  const literal = (v: string) => JSON.stringify(v);

  const placements: Array<[string, (c: Record<string, any>, v: string) => void]> = [
    ['cluster', (c, v) => (c.cluster = v)],
    ['linkerd.namespace', (c, v) => (c.linkerd.namespace = v)],
    ['linkerd.proxyJob', (c, v) => (c.linkerd.proxyJob = v)],
    ['linkerd.controllerJob', (c, v) => (c.linkerd.controllerJob = v)],
    ['ruleLabels value', (c, v) => (c.prometheus.ruleLabels.team = v)],
    ['ruleLabels name', (c, v) => (c.prometheus.ruleLabels[v] = 'x')],
    ['extraMatchers value', (c, v) => (c.prometheus.extraMatchers.env = v)],
    ['extraMatchers name', (c, v) => (c.prometheus.extraMatchers[v] = 'x')],
    ['kubernetes.release', (c, v) => (c.kubernetes.release = v)],
    ['kubernetes.labels', (c, v) => (c.kubernetes.labels[pick(['team', v])] = v)],
    ['severities.page', (c, v) => (c.alerting.severities.page = v)],
    ['severities.ticket', (c, v) => (c.alerting.severities.ticket = v)],
    ['runbookBaseUrl', (c, v) => (c.alerting.runbookBaseUrl = rand() < 0.5 ? `https://example.com/${v}` : v)],
    ['grafanaBaseUrl', (c, v) => (c.alerting.grafanaBaseUrl = rand() < 0.5 ? `https://grafana.example/${v}` : v)],
    ['grafana.folder', (c, v) => (c.grafana.folder = v)],
    ['grafana.datasource', (c, v) => (c.grafana.datasource = v)],
    ['grafana.provisioning.path', (c, v) => (c.grafana.provisioning = { path: `/var/lib/${v}` })],
    ['mimir.namespace', (c, v) => (c.rules = { targets: ['prometheus', 'mimir'], mimir: { namespace: v } })],
    ['mimir.sourceTenants', (c, v) => (c.rules = { targets: ['mimir'], mimir: { sourceTenants: [v] } })],
    ['custom.name', (c, v) => (c.slos.custom[0].name = v)],
    ['custom.description', (c, v) => (c.slos.custom[0].description = v)],
    ['custom.errors', (c, v) => (c.slos.custom[0].errors = `http_requests_total{job="api",code=${literal(v)}}`)],
    ['custom.total', (c, v) => (c.slos.custom[0].total = `http_requests_total{job=${literal(v)}}`)],
    ['workload selector', (c, v) => (c.slos.workloads = { list: [{ namespace: 'shop', selector: { app: v }, name: 'web' }] })],
    ['workload class', (c, v) => (c.slos.workloads = { classes: { [v]: { successRate: { objective: 99 } } }, list: [{ namespace: 'shop', deployment: 'web', class: v }] })],
    ['clusters[].name', (c, v) => (c.clusters = [{ name: 'eu1' }, { name: v }])],
    ['clusterLabel', (c, v) => ((c.clusters = [{ name: 'eu1' }, { name: 'us1' }]), (c.multiCluster = { clusterLabel: v }))],
  ];

  /** One value aimed by `family`, padded with ordinary or hostile pieces. */
  const aimed = (family: string) => [rand() < 0.3 ? piece() : '', pick(FAMILIES[family]!), rand() < 0.3 ? piece() : ''].join('');

  const base = (): Record<string, any> => ({
    cluster: 'prod',
    linkerd: {},
    prometheus: { ruleLabels: {}, extraMatchers: {} },
    kubernetes: { labels: {} },
    alerting: { severities: {} },
    grafana: {},
    slos: { custom: [{ name: 'api', objective: 99.9, period: '30d', errors: 'http_requests_total{job="api",code=~"5.."}', total: 'http_requests_total{job="api"}' }] },
  });

  /**
   * First every placement with a value aimed by every family, alone (systematic coverage of the
   * grammar), then random combinations of up to three placements of arbitrary strings.
   */
  const families = Object.keys(FAMILIES);
  let i = 0;
  return (): Case => {
    const raw = base();
    const where: string[] = [];
    const place = (index: number, value: string) => {
      const [name, fn] = placements[index]!;
      fn(raw, value);
      where.push(`${name}=${JSON.stringify(value).slice(0, 60)}`);
    };
    if (i < placements.length * families.length) place(i % placements.length, aimed(families[Math.floor(i / placements.length)]!));
    else for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) place(Math.floor(rand() * placements.length), str());
    i++;
    return { raw, where };
  };
}

/** The Prometheus template actions linkerd-slo itself writes into labels and annotations. */
const OUR_ACTIONS = /^\{\{ (\$labels\.[a-zA-Z_][a-zA-Z0-9_]*|with printf `(?:(?!\{\{)[\w:{}=%", ()>*\/.])+`( \$labels\.[a-zA-Z_][a-zA-Z0-9_]*)+ \| query|\. \| first \| value \| (humanizePercentage|humanizeDuration|printf "%\.[0-9][fg]")|\$value( \| (humanize|humanize1024|humanizeDuration|humanizePercentage|printf "%\.[0-9][fg]"))?|index \$labels \$labels\.[a-zA-Z_][a-zA-Z0-9_]*|if lt \$value 0\.0|else|end|reReplaceAll "\^-" "" \(humanizeDuration \$value\)) \}\}$/;
/** A Markdown link or image whose brackets are not escaped; group 1 is its destination. */
const MARKDOWN_LINK = /(?<!\\)\]\(\s*<?([^)\s>]*)/g;
const HTML_TAG = /<\/?\s*(img|script|a|iframe|svg|textarea|style|object|embed)\b/i;

/**
 * The Markdown outside fenced code blocks and code spans (where HTML and links are shown as
 * text). Backticks escaped with "\\" open nothing; a value that broke out of its code block would
 * be left in the result and checked.
 */
function outsideCode(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/(?<![\\`])(`+)(?!`)[\s\S]*?(?<![\\`])\1(?!`)/g, '');
}

function markdownProblems(what: string, text: string): string[] {
  const problems: string[] = [];
  const markdown = outsideCode(text);
  if (HTML_TAG.test(markdown)) problems.push(`${what}: an HTML tag: ${markdown.match(HTML_TAG)![0]}`);
  for (const m of markdown.matchAll(MARKDOWN_LINK)) {
    if (!/^(https?:\/\/|\/d\/)/.test(m[1]!)) problems.push(`${what}: a link to ${JSON.stringify(m[1])}`);
  }
  if (/^#+\s*Remediation/m.test(markdown)) problems.push(`${what}: an injected heading`);
  return problems;
}

type RuleDoc = { groups?: Array<{ rules: Array<{ expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }>; spec?: RuleDoc };

/** Everything the bundle must satisfy, as a list of problems (empty: fine). */
function bundleProblems(files: Bundle, configName: string): string[] {
  const problems: string[] = [];
  for (const [path, text] of files) {
    const segments = path.split('/');
    if (isAbsolute(path) || path.includes('\\') || segments.some((s) => s === '..' || s === '.' || s === '') || !(OWNED_DIRS as readonly string[]).includes(segments[0]!) || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(path)) {
      problems.push(`path ${JSON.stringify(path)} is not inside the output`);
    }
    if (path.endsWith('.yaml')) {
      // After the header, in rule files, only pint's file-wide exemption (docs/linting.md): its reason and its control comment.
      const [what, from, ...rest] = text.split('\n');
      const next = rest.find((l) => !/^# (rule\/dependency: pint pairs recordings by name only; .*|pint file\/disable rule\/dependency)$/.test(l)) ?? '';
      if (!what!.startsWith('# ') || from !== `# Generated by linkerd-slo from ${configName}. Do not edit: change the config and run \`linkerd-slo generate\`.` || next.startsWith('#')) {
        problems.push(`${path}: broken header ${JSON.stringify([what, from, next])}`);
      }
      const doc = load(text) as RuleDoc;
      const groups = doc?.groups ?? doc?.spec?.groups ?? [];
      for (const rule of groups.flatMap((g) => g.rules)) {
        for (const p of validatePromQL(rule.expr)) problems.push(`${path}: invalid PromQL ${p.message}: ${rule.expr}`);
        for (const value of [...Object.values(rule.labels ?? {}), ...Object.values(rule.annotations ?? {})]) {
          for (const action of value.match(/\{\{.*?\}\}/g) ?? []) if (!OUR_ACTIONS.test(action)) problems.push(`${path}: template action ${action}`);
          // Once our own actions are taken out, no delimiter may be left (an unbalanced one would still reach the template parser).
          const rest = (value.match(/\{\{.*?\}\}/g) ?? []).reduce((v, a) => (OUR_ACTIONS.test(a) ? v.replace(a, '') : v), value);
          if (rest.includes('{{') || rest.includes('}}')) problems.push(`${path}: a template delimiter in ${JSON.stringify(value)}`);
        }
      }
    }
    if (path.endsWith('.md')) problems.push(...markdownProblems(path, text));
    if (path.endsWith('.json') && path.startsWith('grafana/')) {
      // Grafana renders panel descriptions and text panels as Markdown (variable and dashboard
      // descriptions are plain-text tooltips).
      type PanelJson = { description?: string; options?: { content?: string }; panels?: PanelJson[] };
      const panels = (list: PanelJson[] = []): PanelJson[] => list.flatMap((p) => [p, ...panels(p.panels)]);
      for (const panel of panels((JSON.parse(text) as PanelJson).panels)) {
        for (const [what, markdown] of [['description', panel.description], ['content', panel.options?.content]] as const) {
          if (markdown !== undefined) problems.push(...markdownProblems(`${path} panel ${what}`, markdown));
        }
      }
    }
  }
  return problems;
}

/** One located line per issue. */
function errorProblems(err: ConfigError, file: string): string[] {
  const lines = err.message.split('\n');
  const problems = lines.length === err.issues.length ? [] : [`${err.issues.length} issues in ${lines.length} lines`];
  for (const line of lines) if (!line.startsWith(`${file}:`) || !/^[^:]+:\d+:\d+: /.test(line)) problems.push(`not located: ${line.slice(0, 200)}`);
  return problems;
}

describe('fuzzing hostile configs', () => {
  const next = fuzzer(20261201);
  const CASES = 360;

  it(`${CASES} configs: a located ConfigError, or a bundle in which nothing from the input acts`, () => {
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const { raw, where } = next();
      const text = dump(raw, { lineWidth: -1 });
      let resolved;
      try {
        resolved = resolveConfig(load(text), 'fuzz.yaml', yamlLocator(text));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`case ${i} (${where.join(', ')}) crashed: ${(err as Error).stack}`);
        expect(errorProblems(err, 'fuzz.yaml'), `case ${i}: ${where.join(', ')}`).toEqual([]);
        continue;
      }
      accepted++;
      const gen = generateBundle(resolved, 'fuzz.yaml');
      expect(bundleProblems(gen.files, 'fuzz.yaml'), `case ${i}: ${where.join(', ')}`).toEqual([]);
    }
    // The grammar must reach the generator often enough to test it, and be rejected often enough to test the schema.
    expect(accepted).toBeGreaterThan(CASES / 10);
    expect(accepted).toBeLessThan(CASES * 0.9);
  });

  it('a sample through the real CLI: exit 0 with promtool-valid rules and nothing outside --out, or exit 2 with located lines', () => {
    requirePromtool();
    // The first three accepted and two rejected configs of the same sequence, classified by the schema alone.
    const again = fuzzer(20261201);
    const samples: { accepted: string[]; rejected: string[] } = { accepted: [], rejected: [] };
    while (samples.accepted.length < 3 || samples.rejected.length < 2) {
      const text = dump(again().raw, { lineWidth: -1 });
      let ok = true;
      try {
        resolveConfig(load(text), 'fuzz.yaml');
      } catch {
        ok = false;
      }
      const list = ok ? samples.accepted : samples.rejected;
      if (list.length < (ok ? 3 : 2)) list.push(text);
    }
    for (const [kind, text] of [...samples.accepted.map((t) => ['accepted', t] as const), ...samples.rejected.map((t) => ['rejected', t] as const)]) {
      const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-fuzz-'));
      writeFileSync(join(dir, 'fuzz.yaml'), text);
      const r = spawnSync(process.execPath, [CLI, 'generate', '--config', 'fuzz.yaml', '--out', 'out'], { cwd: dir, encoding: 'utf8' });
      if (kind === 'accepted') {
        expect(r.status, r.stderr).toBe(0);
        expect(readdirSync(dir).sort()).toEqual(['fuzz.yaml', 'out']);
        for (const f of readdirSync(join(dir, 'out', 'prometheus'))) {
          const check = checkRules(readFileSync(join(dir, 'out', 'prometheus', f), 'utf8'));
          expect(check.ok, check.output).toBe(true);
        }
      } else {
        expect(r.status).toBe(2);
        expect(existsSync(join(dir, 'out'))).toBe(false);
        const lines = r.stderr.trimEnd().split('\n');
        for (const line of lines) expect(line).toMatch(/^(fuzz\.yaml:\d+:\d+: |error: )/);
      }
    }
  });
});

describe('fuzzing hostile OpenSLO documents', () => {
  const rand = prng(424242);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const str = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => (rand() < 0.6 ? pick(NASTY) : pick(BENIGN))).join('');

  it('150 OpenSLO files: one located line per problem, or a config whose header only comments and whose bundle is inert', () => {
    let imported = 0;
    for (let i = 0; i < 150; i++) {
      const name = rand() < 0.5 ? str() : 'checkout';
      const slo = {
        apiVersion: 'openslo/v1',
        kind: 'SLO',
        metadata: { name, ...(rand() < 0.3 ? { displayName: str() } : {}) },
        spec: {
          ...(rand() < 0.6 ? { description: str() } : {}),
          budgetingMethod: 'Occurrences',
          timeWindow: [{ duration: '30d', isRolling: true }],
          objectives: [{ targetPercent: 99.9 }],
          ...(rand() < 0.3 ? { alertPolicies: [str()] } : {}),
          indicator: {
            spec: {
              ratioMetric: {
                counter: true,
                bad: { metricSource: { type: 'Prometheus', spec: { query: `http_requests_total{job=${JSON.stringify(rand() < 0.5 ? str() : 'api')},code=~"5.."}` } } },
                total: { metricSource: { type: 'Prometheus', spec: { query: rand() < 0.2 ? str() : 'http_requests_total{job="api"}' } } },
              },
            },
          },
        },
      };
      const policy = { apiVersion: 'openslo/v1', kind: pick(['AlertPolicy', 'Service', str()]), metadata: { name: str() }, spec: {} };
      const file = rand() < 0.2 ? `${str()}.yaml` : 'slo.yaml';
      const text = `${dump(slo, { lineWidth: -1 })}---\n${dump(policy, { lineWidth: -1 })}`;
      let result;
      try {
        result = importOpenSlo([{ file, text }], { cluster: 'prod' });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`OpenSLO case ${i} crashed: ${(err as Error).stack}`);
        expect(err.message.split('\n'), `OpenSLO case ${i}`).toHaveLength(err.issues.length);
        continue;
      }
      imported++;
      const parsed = load(result.yaml) as Record<string, unknown>;
      expect(Object.keys(parsed).sort(), `OpenSLO case ${i}`).toEqual(['cluster', 'slos']);
      const header = result.yaml.slice(0, result.yaml.indexOf('\ncluster:')).split('\n');
      expect(header.filter((l) => !l.startsWith('#')), `OpenSLO case ${i}`).toEqual([]);
      const config = parseYamlConfig(result.yaml, 'imported.yaml');
      expect(bundleProblems(generateBundle({ config, clusters: [config] }, 'imported.yaml').files, 'imported.yaml'), `OpenSLO case ${i}`).toEqual([]);
    }
    expect(imported).toBeGreaterThan(10);
  });
});
