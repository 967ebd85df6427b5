/**
 * The Grafana dashboards of several bundles (the example, everything enabled, kinds disabled on an old
 * Linkerd): every panel query parses in-process and passes promtool, reads only metrics we record or
 * Linkerd (or a configured exporter) exposes on that version, every dashboard validates against
 * Grafana's published JSON Schemas (../shared/anchors/grafana-jsonschema, read at test time), and the
 * four delivery formats carry the same dashboards.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { parser } from '@prometheus-io/lezer-promql';
import { loadConfigFile, validateConfig } from '../src/config/load.js';
import type { Config, ConfigInput } from '../src/config/schema.js';
import { generate, type Generated } from '../src/generate.js';
import { validatePromQL } from '../src/promql/validate.js';
import { isKnownMetric } from '../src/linkerd/metrics.js';
import { isAlert } from '../src/rules.js';
import { parseDuration } from '../src/promql/number.js';
import { toYaml } from '../src/emit/rule-files.js';
import { checkRules, testRules } from './support/promtool.js';

const ROOT = resolve(import.meta.dirname, '..');
const BUILT_IN = ['overview', 'control-plane', 'proxies', 'certificates'] as const;
const SCHEMAS = resolve(ROOT, '..', 'shared', 'anchors', 'grafana-jsonschema');
process.chdir(ROOT);

interface Target { refId: string; expr: string; legendFormat?: string; instant?: boolean; datasource?: { uid?: string } }
interface Override { matcher: { id: string; options?: unknown }; properties: Array<{ id: string; value?: unknown }> }
interface Panel {
  type: string;
  id: number;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  options?: Record<string, unknown>;
  fieldConfig?: { defaults: { unit?: string; thresholds?: { steps: Array<{ value: number | null; color: string }> }; custom?: Record<string, unknown> }; overrides: Override[] };
  targets?: Target[];
  links?: Array<{ title: string; url: string }>;
  panels?: unknown[];
}
interface Dash {
  uid: string;
  title: string;
  tags: string[];
  panels: Panel[];
  links: Array<{ title: string; url: string }>;
  templating: { list: Array<{ name: string; type: string; query?: unknown; current?: { value: string } }> };
  annotations: { list: Array<{ expr?: string; name: string }> };
  __inputs?: Array<{ name: string; type: string; pluginId: string }>;
  __requires?: Array<{ type: string; id: string }>;
  id?: null;
}

interface Bundle { readonly name: string; readonly config: Config; readonly file: string; readonly gen: Generated }

function bundle(name: string, input: ConfigInput): Bundle {
  const config = validateConfig(input, 'test.yaml');
  return { name, config, file: 'test.yaml', gen: generate(config, 'test.yaml') };
}

const example = await loadConfigFile(join(ROOT, 'examples', 'linkerd-slo.yaml'));
const BUNDLES: Bundle[] = [
  { name: 'example', config: example.config, file: example.file, gen: generate(example.config, example.file) },
  bundle('everything, 2.20', {
    cluster: 'full',
    linkerd: { version: '2.20' },
    prometheus: { extraMatchers: { cluster: 'full', env: 'prod' } },
    slos: {
      controlPlaneLatency: { components: ['identity', 'destination', 'policy'] },
      controlPlaneAvailability: { replicas: { enabled: true } },
      certificates: { certManager: { enabled: true }, x509Exporter: { enabled: true } },
    },
    grafana: { datasource: 'Mimir', namespace: 'grafana', labels: { 'example.com/team': 'platform' } },
  }),
  bundle('kinds off, 2.14', {
    cluster: 'old',
    linkerd: { version: '2.14' },
    slos: {
      controlPlaneSuccessRate: { enabled: false },
      controlPlaneLatency: { enabled: false },
      controlPlaneAvailability: { enabled: false },
      proxyResources: { enabled: false },
    },
  }),
  bundle('2.10, certificates off', { cluster: 'ancient', linkerd: { version: '2.10' }, slos: { certificates: { enabled: false } } }),
];

function dashboardsOf(b: Pick<Bundle, 'gen'>, dir = ''): Map<string, Dash> {
  const out = new Map<string, Dash>();
  for (const [path, text] of b.gen.files) {
    const m = new RegExp(`^grafana/${dir ? `${dir}/` : ''}([^/]+)\\.json$`).exec(path);
    if (m) out.set(m[1]!, JSON.parse(text) as Dash);
  }
  return out;
}

const panelsOf = (d: Dash): Panel[] => d.panels.filter((p) => p.type !== 'row');
const targetsOf = (d: Dash): Target[] => panelsOf(d).flatMap((p) => p.targets ?? []);

/** Metric names of every vector selector in a PromQL text (lezer-promql's own tree). */
function selectorMetrics(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const id = node.node.getChild('Identifier');
      names.push(id ? expr.slice(id.from, id.to) : '<no metric name>');
    },
  });
  return names;
}

/** Every PromQL a dashboard runs: panel queries, variable queries' selectors, the alert annotation. */
function queriesOf(d: Dash): Array<{ where: string; expr: string }> {
  const out = targetsOf(d).map((t) => ({ where: `${d.uid} target ${t.refId}`, expr: t.expr }));
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const m = /^label_values\((.*), ([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(String(v.query));
    expect(m, `variable ${v.name} query ${String(v.query)}`).not.toBeNull();
    out.push({ where: `${d.uid} variable ${v.name}`, expr: m![1]! });
  }
  for (const a of d.annotations.list) if (a.expr) out.push({ where: `${d.uid} annotation ${a.name}`, expr: a.expr });
  return out;
}

describe.each(BUNDLES)('dashboards of bundle "$name"', ({ config, file, gen }) => {
  const dashboards = dashboardsOf({ gen });
  const recorded = new Set(gen.groups.flatMap((g) => g.rules.flatMap((r) => (isAlert(r) ? [] : [r.record]))));

  it('has the four dashboards (and any a kind adds) with stable, valid, distinct UIDs linking to each other', () => {
    const uids = [...dashboards.values()].map((d) => d.uid);
    // Short cluster names: the UID is the file name, the overview's without a suffix.
    expect(uids).toEqual(expect.arrayContaining(BUILT_IN.map((id) => (id === 'overview' ? `linkerd-slo-${config.cluster}` : `linkerd-slo-${config.cluster}-${id}`))));
    expect(new Set(uids).size).toBe(dashboards.size);
    for (const d of dashboards.values()) {
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(d.tags).toEqual(expect.arrayContaining(['linkerd', 'linkerd-slo']));
      const others = uids.filter((u) => u !== d.uid).map((u) => `/d/${u}`);
      expect(d.links.map((l) => l.url)).toEqual(expect.arrayContaining(others));
    }
    // A short cluster name is the overview's UID as it is: linkerd-slo-<cluster> (what alerts' dashboard_url links to).
    expect(dashboards.get(`linkerd-slo-${config.cluster}`)?.uid).toBe(`linkerd-slo-${config.cluster}`);
  });

  it('has a datasource variable, one variable per extra matcher, and an alert annotation', () => {
    for (const d of dashboards.values()) {
      const vars = d.templating.list;
      expect(vars[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'prometheus' });
      for (const [k, v] of Object.entries(config.prometheus.extraMatchers)) {
        expect(vars.find((x) => x.name === k), k).toMatchObject({ type: 'query', current: { value: v } });
      }
      if (config.grafana.datasource) expect(vars[0]!.current?.value).toBe(config.grafana.datasource);
      expect(d.annotations.list.some((a) => a.expr?.startsWith('ALERTS{alertstate="firing"'))).toBe(true);
    }
  });

  it('every panel has a description, a unit and ascending thresholds; queries use the datasource variable', () => {
    for (const d of dashboards.values()) {
      for (const p of panelsOf(d)) {
        const where = `${d.uid} / ${p.title}`;
        expect(['timeseries', 'stat', 'table', 'bargauge', 'gauge', 'text', 'heatmap'], where).toContain(p.type);
        expect(p.description?.length ?? 0, where).toBeGreaterThan(40);
        if (p.type === 'text') continue;
        expect(p.fieldConfig?.defaults.unit, where).toBeTruthy();
        expect(p.targets?.length, where).toBeGreaterThan(0);
        for (const t of p.targets ?? []) expect(t.datasource?.uid, where).toBe('${datasource}');
        const steps = p.fieldConfig?.defaults.thresholds?.steps ?? [];
        if (steps.length) {
          expect(steps[0]!.value, where).toBeNull();
          const values = steps.slice(1).map((s) => s.value!);
          expect(values, where).toEqual([...values].sort((a, b) => a - b));
        }
        expect((p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 0), where).toBeLessThanOrEqual(24);
      }
    }
  });

  it('a stat colours by thresholds only when it has its own (Grafana\'s default paints values above 80 red)', () => {
    let coloured = 0;
    let plain = 0;
    for (const d of dashboards.values()) {
      for (const p of panelsOf(d).filter((q) => q.type === 'stat')) {
        const mode = (p.options as { colorMode?: string } | undefined)?.colorMode;
        const own = (p.fieldConfig?.defaults.thresholds?.steps ?? []).length > 0;
        expect(mode, `${d.uid} / ${p.title}`).toBe(own ? 'background' : 'none');
        if (own) coloured++;
        else plain++;
      }
    }
    // Both kinds exist (e.g. "Requests through proxies" has no thresholds; burn-rate stats do).
    expect(coloured).toBeGreaterThan(0);
    expect(plain).toBeGreaterThan(0);
  });

  it('every query parses with the in-process PromQL parser', () => {
    const bad = [...dashboards.values()].flatMap(queriesOf).map((q) => ({ ...q, problems: validatePromQL(q.expr) })).filter((q) => q.problems.length);
    expect(bad).toEqual([]);
  });

  it('every query reads only our recording rules or metrics this Linkerd version (or a configured exporter) exposes', () => {
    const unknown: string[] = [];
    for (const d of dashboards.values()) {
      for (const q of queriesOf(d)) {
        for (const m of selectorMetrics(q.expr)) if (!recorded.has(m) && !isKnownMetric(m, config.linkerd.version)) unknown.push(`${q.where}: ${m}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('reads the recording rule wherever the bundle has one', () => {
    const cp = [...dashboards.values()].find((d) => d.uid === `linkerd-slo-${config.cluster}-control-plane`)!;
    const exprs = targetsOf(cp).map((t) => t.expr).join('\n');
    if (recorded.has('linkerd_slo:sli_error:ratio_rate5m')) {
      expect(exprs).toContain('linkerd_slo:sli_error:ratio_rate5m{slo="control-plane-success-rate", sli="server"');
    } else {
      expect(exprs).toContain('rate(response_total{');
    }
    if (recorded.has('linkerd_slo:response_latency_ms_bucket:rate5m')) {
      expect(exprs).toContain('histogram_quantile(0.99, linkerd_slo:response_latency_ms_bucket:rate5m{');
    }
  });

  it('the import flavour asks for the data source; the ConfigMap and GrafanaDashboard embed the same dashboard', () => {
    const plain = dashboardsOf({ gen });
    const imported = dashboardsOf({ gen }, 'import');
    expect([...imported.keys()].sort()).toEqual([...plain.keys()].sort());
    for (const [base, d] of imported) {
      expect(d.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
      const types = new Set(panelsOf(d).map((p) => p.type));
      expect(d.__requires?.map((r) => r.id).sort()).toEqual(['grafana', 'prometheus', ...types].sort());
      expect(d.id).toBeNull();
      expect(d.templating.list[0]!.current?.value).toBe('${DS_PROMETHEUS}');
      const { __inputs, __requires, id, templating, ...rest } = d;
      const { templating: t2, ...plainRest } = plain.get(base)!;
      expect(rest).toEqual(plainRest);

      const cm = load(gen.files.get(`grafana/configmap/${base}.yaml`)!) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> }; data: Record<string, string> };
      expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: config.grafana.namespace ?? config.kubernetes.namespace, labels: { grafana_dashboard: '1', ...config.grafana.labels }, annotations: { grafana_folder: config.grafana.folder } } });
      expect(JSON.parse(cm.data[`${base}.json`]!)).toEqual(plain.get(base));
      expect(Buffer.byteLength(gen.files.get(`grafana/configmap/${base}.yaml`)!)).toBeLessThan(1024 * 1024);

      const op = load(gen.files.get(`grafana/operator/${base}.yaml`)!) as { apiVersion: string; kind: string; spec: { instanceSelector: { matchLabels: Record<string, string> }; uid: string; folder: string; json: string } };
      expect(op).toMatchObject({ apiVersion: 'grafana.integreatly.org/v1beta1', kind: 'GrafanaDashboard', spec: { instanceSelector: { matchLabels: { dashboards: 'grafana' } }, folder: config.grafana.folder } });
      expect(op.spec.uid).toBe(plain.get(base)!.uid);
      expect(JSON.parse(op.spec.json)).toEqual(plain.get(base));
    }
    const provider = load(gen.files.get(`grafana/provisioning/linkerd-slo-${config.cluster}.yaml`)!) as { apiVersion: number; providers: Array<{ type: string; folder: string; options: { path: string } }> };
    expect(provider).toMatchObject({ apiVersion: 1, providers: [{ type: 'file', folder: config.grafana.folder, options: { path: config.grafana.provisioning.path } }] });
  });

  it('is deterministic', () => {
    const again = generate(config, file);
    for (const [path, text] of gen.files) if (path.startsWith('grafana/')) expect(again.files.get(path), path).toBe(text);
  });
});

describe('thresholds are the alerts\' thresholds', () => {
  const { config, gen } = BUNDLES[1]!;
  const all = [...dashboardsOf({ gen }).values()];
  const panel = (title: string) => all.flatMap(panelsOf).filter((p) => p.title === title);
  const steps = (p: Panel) => p.fieldConfig!.defaults.thresholds!.steps.map((s) => [s.value, s.color]);

  it('burn-rate stats turn orange/red at each window\'s ticket/page factor', () => {
    // The default windows over a 30-day period: SRE Workbook ch. 5 "Alerting on SLOs", Table 5-8
    // (2% of the budget in 1h = 14.4x, 5% in 6h = 6x, 10% in 1d = 3x, 10% in 3d = 1x).
    expect(config.slos.controlPlaneSuccessRate.period).toBe('30d');
    const workbook: Array<[string, number, string]> = [['1h', 14.4, 'red'], ['6h', 6, 'red'], ['1d', 3, 'orange'], ['3d', 1, 'orange']];
    expect(config.alerting.windows.map((w) => w.long)).toEqual(workbook.map(([long]) => long));
    for (const [long, factor, colour] of workbook) {
      const panels = panel(`Burn rate ${long}`);
      expect(panels.length).toBeGreaterThan(0);
      for (const p of panels) expect(steps(p)).toContainEqual([factor, colour]);
    }
  });

  it('certificate tables colour at the class\'s page/ticket thresholds, value cells only', () => {
    const x = config.slos.certificates.x509Exporter.trustAnchor;
    const [anchor] = panel('Trust anchor: every certificate');
    expect(steps(anchor!)).toEqual([[null, 'red'], [parseDuration(x.pageBelow), 'orange'], [parseDuration(x.ticketBelow), 'green']]);
    expect(anchor!.fieldConfig!.overrides[0]!.matcher).toEqual({ id: 'byNames', options: { mode: 'include', names: ['Value'] } });
    const [cm] = panel('cert-manager Certificates: time left and renewal');
    const renewal = cm!.fieldConfig!.overrides.find((o) => JSON.stringify(o.matcher.options) === JSON.stringify({ mode: 'include', names: ['Value #B'] }))!;
    expect(renewal.properties[0]!.value).toMatchObject({ steps: [{ value: null, color: 'red' }, { value: -parseDuration(config.slos.certificates.certManager.renewalGrace) }, { value: 0 }] });
  });

  it('a spent error budget reads "exhausted" in red, its name saying how many budgets were spent; one left reads as a percentage', () => {
    // Two components, one with 62% of its budget left, one that spent 159 budgets (−15,803% left),
    // evaluated by promtool's engine on the stat's own queries (the extra-matcher variables set to the config's values).
    const [p] = panel('Error budget remaining');
    const extra = Object.entries(config.prometheus.extraMatchers);
    const labels = (component: string) => [`slo="control-plane-success-rate"`, `sli="server"`, `component="${component}"`, ...extra.map(([k, v]) => `${k}="${v}"`)].join(', ');
    const series = [
      { series: `linkerd_slo:error_budget_remaining:ratio{${labels('identity')}}`, values: '0.62x5' },
      { series: `linkerd_slo:error_budget_remaining:ratio{${labels('destination')}}`, values: '-158.03x5' },
    ];
    const [a, b] = p!.targets!.map((t) => extra.reduce((e, [k, v]) => e.replaceAll(`$${k}`, v), t.expr));
    const result = testRules('groups: []\n', {
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            { expr: a, eval_time: '2m', exp_samples: [{ labels: `linkerd_slo:error_budget_remaining:ratio{${labels('identity')}}`, value: 0.62 }] },
            { expr: b, eval_time: '2m', exp_samples: [{ labels: `{component="destination", ${extra.map(([k, v]) => `${k}="${v}"`).join(', ')}, spent="159"}`, value: -1 }] },
          ],
        },
      ],
    });
    expect(result.output).toMatch(/SUCCESS/);
    // The legend carries the count; the value -1 reads "exhausted" in red; names show even for one series.
    expect(p!.targets!.map((t) => t.legendFormat)).toEqual(['{{component}}', '{{component}}: {{spent}}× its budget']);
    expect((p!.fieldConfig!.defaults as { mappings?: unknown }).mappings).toEqual([{ type: 'range', options: { from: null, to: -0.5, result: { text: 'exhausted', color: 'red', index: 0 } } }]);
    expect(p!.options!.textMode).toBe('value_and_name');
    expect(steps(p!)[0]).toEqual([null, 'red']);
    // The overview's every-SLO bar gauge reads the same way.
    const [bars] = panel('Error budget remaining, every SLO');
    const [, barsB] = bars!.targets!.map((t) => extra.reduce((e, [k, v]) => e.replaceAll(`$${k}`, v), t.expr));
    const barsResult = testRules('groups: []\n', {
      tests: [{ interval: '1m', input_series: series, promql_expr_test: [{ expr: barsB, eval_time: '2m', exp_samples: [{ labels: `{${labels('destination')}, spent="159"}`, value: -1 }] }] }],
    });
    expect(barsResult.output).toMatch(/SUCCESS/);
    expect((bars!.fieldConfig!.defaults as { mappings?: unknown }).mappings).toEqual((p!.fieldConfig!.defaults as { mappings?: unknown }).mappings);
    expect(bars!.targets![1]!.legendFormat).toMatch(/: \{\{spent\}\}× its budget$/);
  });

  it('the server-side success rate is red below the objective', () => {
    const [p] = panel('Success rate (server side)');
    expect(steps(p!)).toEqual([[null, 'red'], [expect.closeTo(config.slos.controlPlaneSuccessRate.objective / 100, 12), 'green']]);
  });
});

describe('dashboards without the kinds that feed them stay complete', () => {
  const { config, gen } = BUNDLES[2]!;
  const d = dashboardsOf({ gen });
  const titles = (id: 'proxies' | 'control-plane') => panelsOf(d.get(`linkerd-slo-${config.cluster}-${id}`)!).map((p) => p.title);

  it('proxies: raw CPU, memory, busiest proxies and versions instead of the proxy-resources rows', () => {
    expect(titles('proxies')).toEqual(expect.arrayContaining(['Heaviest proxies: CPU', 'Request rate per pod: busiest proxies', 'Proxy versions running', 'Worst file-descriptor usage']));
  });

  it('control plane: raw success rate, scrape health and internals instead of recordings and the availability rows', () => {
    expect(titles('control-plane')).toEqual(expect.arrayContaining(['Success rate (server side)', 'Scrape targets up per component', 'Controller gRPC errors by code', 'Controller goroutines']));
  });

  it('certificates: 2.14 proxies count no refresh errors, and the panel says so', () => {
    const certs = panelsOf(d.get(`linkerd-slo-${config.cluster}-certificates`)!);
    expect(certs.find((p) => p.type === 'text')?.title).toBe('No refresh-error signal before 2.15');
  });
});

it('formats come from the config; long cluster names still give short, distinct UIDs', () => {
  const only = bundle('configmap only', { cluster: 'a'.repeat(40), grafana: { formats: ['configmap'] } });
  const paths = [...only.gen.files.keys()].filter((p) => p.startsWith('grafana/'));
  expect(paths.length).toBeGreaterThanOrEqual(BUILT_IN.length);
  expect(paths.every((p) => p.startsWith('grafana/configmap/'))).toBe(true);
  // The UIDs the generated dashboards carry (import format), not what the UID function says they would be.
  const longNames = (cluster: string) => bundle(cluster, { cluster, grafana: { formats: ['import'] } });
  const uidsOf = (b: Bundle) => [...dashboardsOf(b, 'import').values()].map((d) => d.uid).sort();
  const uids = uidsOf(longNames('a'.repeat(40)));
  expect(uids.length).toBeGreaterThanOrEqual(BUILT_IN.length);
  expect(new Set(uids).size).toBe(uids.length);
  for (const u of uids) expect(u).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
  const other = uidsOf(longNames('b'.repeat(40)));
  expect(other.filter((u) => uids.includes(u))).toEqual([]);
});

it('promtool accepts every dashboard query (each wrapped in a throwaway recording rule)', () => {
  const exprs = [...new Set(BUNDLES.flatMap((b) => [...dashboardsOf(b).values()].flatMap(queriesOf).map((q) => q.expr)))];
  expect(exprs.length).toBeGreaterThan(100);
  const file = toYaml({ groups: [{ name: 'dashboard-queries', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}:check`, expr })) }] });
  const r = checkRules(file);
  expect(r.ok, r.output).toBe(true);
});

describe('Grafana JSON Schemas (../shared/anchors/grafana-jsonschema)', () => {
  if (!existsSync(SCHEMAS)) {
    console.log(`skipping JSON Schema validation: ${SCHEMAS} is absent`);
    it.skip('needs ../shared', () => {});
    return;
  }
  const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, `${name}.jsonschema.json`), 'utf8')) as Record<string, unknown>;
  // The published schemas use a vendor keyword and date-time formats; Grafana itself checks neither.
  const ajv = new Ajv({ allErrors: true, strict: true, formats: { 'date-time': true } });
  ajv.addKeyword('x-deprecation-message');
  const dashboard = ajv.compile(schema('dashboard'));
  const query = new Ajv({ allErrors: true, strict: true }).compile(schema('prometheus'));
  const part = (name: string, definition: string): ValidateFunction => new Ajv({ allErrors: true, strict: true }).compile({ ...schema(name), $ref: `#/definitions/${definition}` });
  const options: Record<string, ValidateFunction> = Object.fromEntries(['timeseries', 'stat', 'table', 'bargauge', 'gauge', 'text', 'heatmap'].map((t) => [t, part(t, 'Options')]));
  const custom: Record<string, ValidateFunction> = { timeseries: part('timeseries', 'FieldConfig'), table: part('table', 'FieldConfig'), heatmap: part('heatmap', 'FieldConfig') };
  const errors = (v: ValidateFunction, data: unknown, where: string) => (v(data) ? [] : [`${where}: ${ajv.errorsText(v.errors)}`]);

  it.each(BUNDLES)('every dashboard, panel option set and query of "$name" validates', ({ gen }) => {
    const problems: string[] = [];
    const plain = dashboardsOf({ gen });
    const imported = dashboardsOf({ gen }, 'import');
    for (const [base, d] of [...plain, ...[...imported].map(([b, x]) => [`import/${b}`, x] as const)]) {
      // __inputs/__requires are the export format's envelope, outside the dashboard model.
      const { __inputs, __requires, ...model } = d;
      problems.push(...errors(dashboard, model, base));
      for (const p of panelsOf(d)) {
        const where = `${base} / ${p.title}`;
        problems.push(...errors(options[p.type]!, p.options ?? {}, `${where} options`));
        if (custom[p.type]) problems.push(...errors(custom[p.type]!, p.fieldConfig?.defaults.custom ?? {}, `${where} custom`));
        for (const t of p.targets ?? []) problems.push(...errors(query, t, `${where} target ${t.refId}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('catches a broken dashboard (the validation is not vacuous)', () => {
    const d = [...dashboardsOf(BUNDLES[0]!).values()][0]!;
    const broken = { ...d, refresh: 5, panels: [{ ...d.panels[1]!, gridPos: { x: 0, y: 0, w: 'wide', h: 1 } }] };
    expect(dashboard(broken)).toBe(false);
    expect(options.stat!({ colorMode: 'bogus' })).toBe(false);
    expect(query({ refId: 'A', exprr: 'up' })).toBe(false);
  });
});
