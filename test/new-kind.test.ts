/**
 * Adding an SLO kind takes its own module and one registry entry: here a kind defined in this file
 * (no config section, always on) is handed to the generator next to the registered ones, and its
 * recording, alert, dashboard row and runbook appear in the bundle, validated like every other.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseYamlConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';
import { KINDS } from '../src/slo/registry.js';
import { aggregate, eq, gt, num, range, selector } from '../src/promql/ast.js';
import type { SloKind } from '../src/slo/kind.js';

const RECORD = 'demo:queue_depth:max';
const ALERT = 'DemoQueueTooDeep';
const PANEL = 'Deepest work queue';

/** A kind that knows only the shared context: the proxy job's selector and the rule labels. */
const queueDepth: SloKind = {
  id: 'demo-queue-depth',
  title: 'Demo queue depth',
  enabled: () => true,
  check: () => [],
  build: (ctx) => {
    const recorded = selector(RECORD, [eq('slo', 'demo-queue-depth')]);
    return {
      ruleGroups: [
        {
          name: 'linkerd-slo-demo-queue-depth',
          rules: [
            { record: RECORD, expr: aggregate('max', ctx.proxySelector('work_queue_depth'), { by: ['namespace'] }), labels: { ...ctx.ruleLabels, slo: 'demo-queue-depth' } },
            {
              alert: ALERT,
              expr: gt(recorded, num(100)),
              for: '10m',
              labels: { ...ctx.ruleLabels, slo: 'demo-queue-depth', severity: ctx.config.alerting.severities.ticket },
              annotations: { summary: 'A work queue is deeper than 100', runbook_url: ctx.runbookUrl(ALERT) },
            },
          ],
        },
      ],
      dashboardRows: [{ title: 'Demo queue depth', panels: [{ title: PANEL, description: 'Deepest queue per namespace.', type: 'timeseries', unit: 'none', width: 24, queries: [{ expr: recorded }] }] }],
      runbooks: [{ alert: ALERT, markdown: `# ${ALERT}\n\nDrain the queue.` }],
    };
  },
};

const config = parseYamlConfig('cluster: demo\n', 'demo.yaml');

describe('a kind defined outside src/slo, handed to the generator', () => {
  const withKind = generate(config, 'demo.yaml', { kinds: [...KINDS, queueDepth] });
  const without = generate(config, 'demo.yaml');

  it('adds its rule group to the rule file', () => {
    const rules = parse(withKind.files.get('prometheus/linkerd-slo-demo.rules.yaml')!) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };
    const group = rules.groups.find((g) => g.name === 'linkerd-slo-demo-queue-depth');
    expect(group?.rules.map((r) => r.record ?? r.alert)).toEqual([RECORD, ALERT]);
    expect(group?.rules[0]?.expr).toBe('max by (namespace) (work_queue_depth{job="linkerd-proxy"})');
    expect(without.files.get('prometheus/linkerd-slo-demo.rules.yaml')).not.toContain(RECORD);
  });

  it('adds its row to the SLO overview dashboard', () => {
    const titles = (files: ReadonlyMap<string, string>) =>
      (JSON.parse(files.get('grafana/linkerd-slo-demo.json')!) as { panels: Array<{ title: string }> }).panels.map((p) => p.title);
    expect(titles(withKind.files)).toContain(PANEL);
    expect(titles(without.files)).not.toContain(PANEL);
  });

  it('writes its runbook and lists it on the overview', () => {
    expect(withKind.files.get(`runbooks/${ALERT}.md`)).toBe(`# ${ALERT}\n\nDrain the queue.\n`);
    expect(without.files.has(`runbooks/${ALERT}.md`)).toBe(false);
    expect(withKind.files.get('grafana/linkerd-slo-demo.json')).toContain(`${ALERT}.md`);
  });

  it('has its PromQL validated like every other kind (a range vector where an instant one belongs)', () => {
    const broken: SloKind = { ...queueDepth, build: (ctx) => ({ ...queueDepth.build(ctx), ruleGroups: [{ name: 'bad', rules: [{ record: RECORD, expr: aggregate('max', range(selector('work_queue_depth'), '5m')) }] }] }) };
    expect(() => generate(config, 'demo.yaml', { kinds: [broken] })).toThrow(/bad\/demo:queue_depth:max/);
  });
});
