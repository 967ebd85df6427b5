/**
 * The schema v2 dashboards (grafana.formats: v2, v2-operator):
 *  - every resource type-checks against @grafana/schema's dashboard.grafana.app/v2 types, compiled
 *    strictly (tsc with strict and exactOptionalPropertyTypes, the JSON as an object literal, so an
 *    unknown property, a wrong kind or a missing required field fails). Grafana publishes no v2 JSON
 *    Schema on the npm registry (the generated ones live in the grafana-foundation-sdk repository,
 *    not its npm package), so the types are the schema here; a broken resource is shown to fail;
 *  - they show what the classic dashboards show: the same panels with the same queries, options,
 *    field config and variables (read back through the preview's v2 reader, the way preview reads
 *    them);
 *  - the layout: a tab per SLO kind, a kind's rows on its tab, the rows of a kind that is off shown
 *    only while they have data, the rows of enabled kinds always;
 *  - the GrafanaManifest flavour carries the same resource, as the Grafana Operator's CRD requires.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import ts from 'typescript';
import { loadConfigFile, validateConfig } from '../src/config/load.js';
import type { Config, ConfigInput } from '../src/config/schema.js';
import { generate, generateBundle } from '../src/generate.js';
import { dashboardFromV2, type V2DashboardJson } from '../src/preview/v2.js';
import { visiblePanels, type DashboardJson } from '../src/preview/data.js';

const ROOT = resolve(import.meta.dirname, '..');
const FORMATS = ['provisioning', 'v2', 'v2-operator'] as const;

function filesOf(input: ConfigInput): ReadonlyMap<string, string> {
  return generate(validateConfig(input, 'test.yaml'), 'test.yaml').files;
}

const example = await loadConfigFile(resolve(ROOT, 'examples', 'linkerd-slo.yaml'));
const multi = await loadConfigFile(resolve(ROOT, 'examples', 'multi-cluster.yaml'));
const v2Formats = (c: Config): Config => ({ ...c, grafana: { ...c.grafana, formats: [...FORMATS] } });
const withFormats = (c: object): ConfigInput => ({ ...(c as ConfigInput), grafana: { ...(c as { grafana?: object }).grafana, formats: [...FORMATS] } });
const BUNDLES: Array<[string, ReadonlyMap<string, string>]> = [
  ['example', filesOf(withFormats(example.config))],
  ['kinds off', filesOf({ cluster: 'old', linkerd: { version: '2.14' }, slos: { controlPlaneLatency: { enabled: false }, certificates: { enabled: false }, proxyResources: { enabled: false } }, grafana: { formats: [...FORMATS] } })],
  ['multi-cluster', generateBundle({ config: v2Formats(multi.config), clusters: multi.clusters.map(v2Formats) }, multi.file).files],
];

/** Strict type check of TypeScript sources held in memory (named under test/, to resolve node_modules). */
function typeErrors(sources: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const files = new Map(Object.entries(sources).map(([name, text]) => [resolve(ROOT, 'test', name), text]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName.replace(/.*\//, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** The resource as a typed TypeScript module: the envelope Kubernetes defines, the spec @grafana/schema's. */
const asTypeScript = (json: string): string =>
  "import type { Spec } from '@grafana/schema/apis/dashboard.grafana.app/v2';\n" +
  `export const resource: { apiVersion: 'dashboard.grafana.app/v2'; kind: 'Dashboard'; metadata: { name: string }; spec: Spec } = ${json.trim()};\n`;

const v2Of = (files: ReadonlyMap<string, string>) => [...files].filter(([k]) => /^grafana\/v2\/[^/]+\.json$/.test(k));

describe('schema v2 dashboards', () => {
  it('every bundle writes the four dashboards in v2 and as GrafanaManifests', () => {
    for (const [name, files] of BUNDLES) {
      const v2 = v2Of(files).map(([k]) => k.replace(/^grafana\/v2\//, ''));
      const classic = [...files.keys()].filter((k) => /^grafana\/[^/]+\.json$/.test(k)).map((k) => k.replace(/^grafana\//, ''));
      expect(v2.length, name).toBe(4);
      expect(v2.sort(), name).toEqual(classic.sort());
      expect([...files.keys()].filter((k) => k.startsWith('grafana/v2-operator/')).length, name).toBe(4);
    }
  });

  it("type-checks against @grafana/schema's v2 types, strictly; a broken resource does not", () => {
    const sources: Record<string, string> = {};
    for (const [name, files] of BUNDLES) for (const [k, text] of v2Of(files)) sources[`v2-${name.replace(/\W+/g, '-')}-${k.replace(/\W+/g, '-')}.ts`] = asTypeScript(text);
    expect(Object.keys(sources).length).toBe(12);
    expect(typeErrors(sources)).toEqual([]);
    // The check can fail: a panel kind misspelt, an unknown property, a layout item without its element.
    const good = JSON.parse(v2Of(BUNDLES[0]![1])[0]![1]) as V2DashboardJson & { spec: { elements: Record<string, { kind: string; spec: Record<string, unknown> }> } };
    const first = Object.keys(good.spec.elements)[0]!;
    const broken = (mutate: (d: typeof good) => void) => {
      const d = structuredClone(good);
      mutate(d);
      return typeErrors({ 'v2-broken.ts': asTypeScript(JSON.stringify(d)) });
    };
    expect(broken((d) => void (d.spec.elements[first]!.kind = 'Pannel')).length).toBeGreaterThan(0);
    expect(broken((d) => void (d.spec.elements[first]!.spec.gridPos = { x: 0 })).length).toBeGreaterThan(0);
    expect(broken((d) => void delete (d.spec as { timeSettings?: unknown }).timeSettings).length).toBeGreaterThan(0);
    expect(broken((d) => void ((d.spec as unknown as { cursorSync: string }).cursorSync = 'crosshair')).length).toBeGreaterThan(0);
  }, 60_000);

  it('shows the panels, queries and variables of the classic dashboard, read back as preview reads them', () => {
    for (const [name, files] of BUNDLES) {
      for (const [k, text] of v2Of(files)) {
        const classic = JSON.parse(files.get(k.replace('/v2/', '/'))!) as DashboardJson;
        const v2 = dashboardFromV2(JSON.parse(text) as V2DashboardJson);
        const shape = (d: DashboardJson) =>
          visiblePanels(d).map((p) => ({
            title: p.title,
            type: p.type,
            size: [p.gridPos.w, p.gridPos.h],
            options: p.options,
            fieldConfig: p.fieldConfig,
            links: (p.links ?? []).map((l) => [l.title, l.url]),
            targets: (p.targets ?? []).map((t) => [t.refId, t.expr, t.legendFormat, t.instant, t.format]),
          }));
        expect(shape(v2), `${name} ${k}`).toEqual(shape(classic));
        expect(v2.uid).toBe(classic.uid);
        const vars = (d: DashboardJson) => (d.templating?.list ?? []).map((v) => ({ name: v.name, type: v.type, query: v.query, multi: v.multi ?? false, includeAll: v.includeAll ?? false, allValue: v.allValue ?? undefined }));
        expect(vars(v2), `${name} ${k}`).toEqual(vars(classic));
      }
    }
  });

  it('puts each kind on a tab of its own and shows the rows of a kind that is off only while they have data', () => {
    type Row = { spec: { title: string; conditionalRendering?: { spec: { items: Array<{ kind: string; spec: { value: boolean } }> } } } };
    type Tab = { spec: { title: string; layout: { spec: { rows: Row[] } } } };
    const layoutOf = (files: ReadonlyMap<string, string>, base: string) => (JSON.parse(files.get(`grafana/v2/${base}.json`)!) as { spec: { layout: { kind: string; spec: { tabs?: Tab[]; rows?: Row[] } } } }).spec.layout;
    const example = BUNDLES[0]![1];
    const overview = layoutOf(example, 'linkerd-slo-prod-eu1');
    expect(overview.kind).toBe('TabsLayout');
    // The titles of the SLO kinds (src/slo/<kind>/), not of their rows: the overview's first row, then one tab per kind.
    expect(overview.spec.tabs!.map((t) => t.spec.title)).toEqual(['At a glance', 'Control-plane success rate', 'Control-plane latency', 'Workload SLOs']);
    expect(overview.spec.tabs![1]!.spec.layout.spec.rows.map((r) => r.spec.title)).toEqual(['Control-plane success rate (server side)', 'Control-plane success rate (client side)']);
    const allRows = (l: ReturnType<typeof layoutOf>): Row[] => [...(l.spec.rows ?? []), ...(l.spec.tabs ?? []).flatMap((t) => t.spec.layout.spec.rows)];
    // Every kind on in the example: no row is conditional.
    for (const base of ['linkerd-slo-prod-eu1', 'linkerd-slo-prod-eu1-control-plane', 'linkerd-slo-prod-eu1-proxies', 'linkerd-slo-prod-eu1-certificates']) {
      expect(allRows(layoutOf(example, base)).filter((r) => r.spec.conditionalRendering).map((r) => r.spec.title), base).toEqual([]);
    }
    // Latency, certificates and proxy resources off: their standing rows (raw signals) show while they have data.
    const off = BUNDLES[1]![1];
    const conditional = (base: string) => allRows(layoutOf(off, base)).filter((r) => r.spec.conditionalRendering).map((r) => r.spec.title);
    expect(conditional('linkerd-slo-old-proxies')).toEqual(['Proxy resources (raw; enable slos.proxyResources for budgets)']);
    expect(conditional('linkerd-slo-old-certificates')).toEqual(['Certificate expiry']);
    for (const r of allRows(layoutOf(off, 'linkerd-slo-old-certificates')).filter((x) => x.spec.conditionalRendering)) {
      expect(r.spec.conditionalRendering!.spec.items).toEqual([{ kind: 'ConditionalRenderingData', spec: { value: true } }]);
    }
    // The success-rate kind is on: its rows always show.
    expect(allRows(layoutOf(off, 'linkerd-slo-old')).filter((r) => /success rate/i.test(r.spec.title) && r.spec.conditionalRendering)).toEqual([]);
  });

  it('the GrafanaManifest carries the same resource, with what the operator requires', () => {
    for (const [name, files] of BUNDLES) {
      for (const [k, text] of v2Of(files)) {
        const manifest = load(files.get(k.replace('/v2/', '/v2-operator/').replace(/\.json$/, '.yaml'))!) as {
          apiVersion: string;
          kind: string;
          metadata: { name: string; namespace: string };
          spec: { instanceSelector: { matchLabels: Record<string, string> }; template: unknown };
        };
        expect(manifest.apiVersion, name).toBe('grafana.integreatly.org/v1beta1');
        expect(manifest.kind).toBe('GrafanaManifest');
        expect(manifest.metadata.namespace).toMatch(/^[a-z0-9-]+$/);
        expect(Object.keys(manifest.spec.instanceSelector.matchLabels).length).toBeGreaterThan(0);
        expect(manifest.spec.template).toEqual(JSON.parse(text));
      }
    }
  });
});
