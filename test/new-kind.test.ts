/**
 * Adding an SLO kind takes its own module and one registry entry: here a kind defined in this file
 * (no config section, always on) is handed to the generator next to the registered ones, and its
 * recording, alert, dashboard row and runbook appear in the bundle, validated like every other.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseYamlConfig, validateConfig } from '../src/config/load.js';
import type { ConfigSection } from '../src/config/section.js';
import { generate } from '../src/generate.js';
import { KINDS } from '../src/slo/registry.js';
import { aggregate, call, eq, gt, num, range, selector } from '../src/promql/ast.js';
import type { BuildContext, SloKind } from '../src/slo/kind.js';
import { ROW_PLACES, type DashboardRow, type PanelSpec } from '../src/dashboard-model.js';
import { DEFAULT_KINDS_OFF } from './support/bundle.js';
import { allOptionsConfig, allOptionsInput, allOptionsSlos, alertingKinds, kindsOff } from './support/kinds.js';

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

/** A panel-only kind, as a test would write one: rows on the dashboards it names, shown whatever its state. */
function panelKind(rows: (ctx: BuildContext) => DashboardRow[]): SloKind {
  return { id: 'demo-panels', title: 'Demo panels', enabled: () => false, check: () => [], build: () => ({ ruleGroups: [], dashboardRows: [], runbooks: [] }), standingRows: rows };
}

const panel = (title: string, expr: PanelSpec['queries'][number]['expr']): PanelSpec => ({ title, description: `${title}.`, type: 'timeseries', unit: 'none', width: 12, queries: [{ expr }] });

/** Row and panel titles of one dashboard of a bundle, in order; rows as "## <title>". */
function layout(files: ReadonlyMap<string, string>, dashboard: string): string[] {
  const json = JSON.parse(files.get(`grafana/linkerd-slo-demo-${dashboard}.json`)!) as { panels: Array<{ type: string; title: string }> };
  return json.panels.map((p) => (p.type === 'row' ? `## ${p.title}` : p.title));
}

/** The rows of one dashboard, each with its panels, from the layout. */
function rowsOf(titles: readonly string[]): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  let current: string[] = [];
  for (const t of titles) {
    if (t.startsWith('## ')) rows.set(t.slice(3), (current = []));
    else current.push(t);
  }
  return rows;
}

describe('panel rows of a kind defined in the test, on the dashboards they name', () => {
  // Availability off: the mesh's stand-in panels for the controller internals are on the dashboard.
  const offConfig = parseYamlConfig('cluster: demo\nslos:\n  controlPlaneAvailability:\n    enabled: false\n', 'demo.yaml');
  const queueRow = (ctx: BuildContext): DashboardRow => ({
    title: 'Demo controller queues',
    dashboard: 'control-plane',
    panels: [panel('Controller work queue depth', aggregate('max', ctx.controllerSelector('workqueue_depth'), { by: ['component'] }))],
  });

  it('puts a row on the dashboard it names, after the rows that have a place, and nowhere else', () => {
    const files = generate(offConfig, 'demo.yaml', { kinds: [...KINDS, panelKind((ctx) => [queueRow(ctx)])] }).files;
    const before = generate(offConfig, 'demo.yaml').files;
    const titles = layout(files, 'control-plane');
    expect(titles.slice(-2)).toEqual(['## Demo controller queues', 'Controller work queue depth']);
    expect(titles.slice(0, -2)).toEqual(layout(before, 'control-plane'));
    expect(files.get('grafana/linkerd-slo-demo-control-plane.json')).toContain('max by (component) (workqueue_depth{job=\\"linkerd-controller\\"})');
    for (const other of ['proxies', 'certificates']) expect(layout(files, other)).toEqual(layout(before, other));
  });

  it('joins the panels of a row at a shared place to that row, after the other kinds\' panels', () => {
    const files = generate(offConfig, 'demo.yaml', {
      kinds: [...KINDS, panelKind((ctx) => [{ ...ROW_PLACES.controlPlaneServerSide, dashboard: 'control-plane', panels: [panel('Demo handshakes', ctx.proxySelector('tls_handshake_total'))] }])],
    }).files;
    const rows = rowsOf(layout(files, 'control-plane'));
    expect(rows.get(ROW_PLACES.controlPlaneServerSide.title)).toEqual([
      'Success rate now (5m)', 'Meshed replicas per component', 'Success rate (server side)', 'Request rate (server side)',
      'Latency: destination', 'Latency: policy', 'Latency: identity',
      'Latency distribution: destination', 'Latency distribution: policy', 'Latency distribution: identity', 'Demo handshakes',
    ]);
    expect([...rows.keys()].filter((t) => t === ROW_PLACES.controlPlaneServerSide.title)).toHaveLength(1);
  });

  it('leaves out the mesh\'s stand-in panel for a metric its row declares it shows', () => {
    const internals = ROW_PLACES.controlPlaneInternals.title;
    const without = rowsOf(layout(generate(offConfig, 'demo.yaml').files, 'control-plane')).get(internals);
    expect(without).toContain('Controller goroutines');
    const showing = panelKind((ctx) => [{ ...queueRow(ctx), shows: ['go_goroutines'] }]);
    const rows = rowsOf(layout(generate(offConfig, 'demo.yaml', { kinds: [...KINDS, showing] }).files, 'control-plane'));
    expect(rows.get(internals)).toEqual(without!.filter((t) => t !== 'Controller goroutines'));
  });

  it('refuses two rows at one place with different titles', () => {
    const clash = panelKind((ctx) => [{ ...ROW_PLACES.controlPlaneMeshView, title: 'Another title', dashboard: 'control-plane', panels: [panel('Demo', ctx.proxySelector('tls_handshake_total'))] }]);
    expect(() => generate(offConfig, 'demo.yaml', { kinds: [...KINDS, clash] })).toThrow(/share place 2 of the control-plane dashboard/);
  });

  it('has its queries validated on the dashboard it names (rate of an instant vector)', () => {
    const broken = panelKind(() => [{ title: 'Demo broken', dashboard: 'proxies', panels: [panel('Broken panel', call('rate', selector('tls_handshake_total')))] }]);
    expect(() => generate(offConfig, 'demo.yaml', { kinds: [...KINDS, broken] })).toThrow(/proxies dashboard panel "Demo broken \/ Broken panel"/);
  });
});

/**
 * A kind's contract is complete in code: its config section declares the inputs the suites need
 * (ConfigSection.examples), and the suites assemble them from the registry (test/support/kinds.ts).
 * A kind defined here, with a section of its own, joins every derived list without a test being edited.
 */
const demoSection = {
  key: 'demoQueues',
  schema: z
    .strictObject({
      enabled: z.boolean().default(true),
      depth: z.number().int().positive().default(100),
      perNamespace: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
    })
    .prefault({}),
  examples: { allOptions: { perNamespace: { enabled: true } }, off: { enabled: false } },
} as const satisfies ConfigSection;

/** queueDepth with a config section: on by default, its alert's threshold read from the section. */
const configuredQueueDepth: SloKind<typeof demoSection> = {
  ...queueDepth,
  id: 'demo-configured-queues',
  config: demoSection,
  enabled: (c) => (c.slos as unknown as Record<string, z.output<typeof demoSection.schema>>)[demoSection.key]?.enabled ?? false,
};

describe('a kind with a config section joins every list the suites derive from the registry', () => {
  const withDemo = [...KINDS, configuredQueueDepth] as const;

  it('its all-options section is in the all-options config (test/docs.test.ts, test/matrix.test.ts)', () => {
    expect(allOptionsSlos(withDemo)).toEqual({ ...allOptionsSlos(), demoQueues: { perNamespace: { enabled: true } } });
    expect(allOptionsInput(withDemo).slos).toHaveProperty('demoQueues.perNamespace.enabled', true);
    // Parsed by its own schema, as the schema of a registry holding it would.
    expect(allOptionsConfig(withDemo).slos).toHaveProperty('demoQueues', { enabled: true, depth: 100, perNamespace: { enabled: true } });
  });

  it('its off section is in DEFAULT_KINDS_OFF (test/support/bundle.ts)', () => {
    expect(kindsOff(withDemo)).toEqual({ ...DEFAULT_KINDS_OFF, demoQueues: { enabled: false } });
  });

  it('it is among the kinds test/mutations.test.ts must have a case for, since it raises an alert', () => {
    expect(alertingKinds(withDemo)).toEqual([...alertingKinds(), 'demo-configured-queues']);
    // A kind that is not on with every option on raises nothing, and is not.
    const off = { ...configuredQueueDepth, id: 'demo-off', enabled: () => false };
    expect(alertingKinds([...KINDS, off])).toEqual(alertingKinds());
  });
});

describe('every registered kind declares the inputs the suites need', () => {
  const defaults = validateConfig({ cluster: 'contract' }, 'contract.yaml');
  const registered: readonly SloKind[] = KINDS;
  const sectioned = registered.filter((k) => k.config !== undefined);

  it('is read from the registry, not a list of its own', () => {
    expect(Object.keys(allOptionsSlos())).toEqual(sectioned.map((k) => k.config!.key));
    expect(Object.keys(DEFAULT_KINDS_OFF).sort()).toEqual(Object.keys(kindsOff()).sort());
  });

  it.each(sectioned.map((k) => [k.id, k] as const))('%s: its all-options section turns it on and its schema accepts it', (_, kind) => {
    expect(kind.config!.schema.safeParse(kind.config!.examples.allOptions).success).toBe(true);
    expect(kind.enabled(allOptionsConfig())).toBe(true);
  });

  it.each(registered.map((k) => [k.id, k] as const))('%s: declares an off section exactly when it is on by default, and that turns it off', (_, kind) => {
    const off = kind.config?.examples.off;
    expect(off !== undefined, `on by default: ${kind.enabled(defaults)}`).toBe(kind.enabled(defaults));
    if (off === undefined) return;
    expect(kind.config!.schema.safeParse(off).success).toBe(true);
    expect(kind.enabled(validateConfig({ cluster: 'contract', slos: { [kind.config!.key]: off } }, 'contract.yaml'))).toBe(false);
  });
});
