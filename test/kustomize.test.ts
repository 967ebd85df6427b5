/**
 * kustomization.yaml: `kubectl kustomize` (kubectl's built-in kustomize; Debian's kubernetes-client)
 * builds every generated directory of manifests, and what it renders is exactly the generated
 * objects: each listed file once, every manifest of the directory listed, the namespace applied.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { generateBundle } from '../src/generate.js';
import { resolveConfig } from '../src/config/load.js';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..');

function kubectl(): string {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error('kubectl not found: install Debian\'s kubernetes-client (apt-get install -y kubernetes-client; npm test\'s ensure-promtool does) or put kubectl 1.20+ on PATH');
  return `${r.stdout}`.split('\n')[0]!;
}

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
const id = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (objects: K8sObject[]) => new Map(objects.map((o) => [id(o), o]));

function checkDirectory(dir: string): number {
  const kustomization = load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { namespace?: string; resources: string[] };
  const manifests = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  expect(kustomization.resources, dir).toEqual(manifests);
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(r.status, `kubectl kustomize ${dir}: ${r.stderr}`).toBe(0);
  const rendered = loadAll(r.stdout) as K8sObject[];
  const generated = manifests.flatMap((f) => loadAll(readFileSync(join(dir, f), 'utf8')) as K8sObject[]);
  expect(rendered.length).toBe(generated.length);
  const want = byId(generated.map((o) => ({ ...o, metadata: { ...o.metadata, ...(kustomization.namespace ? { namespace: kustomization.namespace } : {}) } })));
  const got = byId(rendered);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, o] of want) expect(got.get(k), k).toEqual(o);
  return rendered.length;
}

function writeBundle(files: ReadonlyMap<string, string>): string {
  const out = mkdtempSync(join(tmpdir(), 'linkerd-slo-kustomize-'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), text);
  }
  return out;
}

describe('kustomization.yaml builds with kubectl kustomize', () => {
  it('the committed example bundle: PrometheusRules, dashboard ConfigMaps and GrafanaDashboards', () => {
    console.log(kubectl());
    let objects = 0;
    for (const dir of ['out/kubernetes', 'out/grafana/configmap', 'out/grafana/operator', 'out/multi-cluster/kubernetes']) objects += checkDirectory(join(ROOT, dir));
    expect(objects).toBeGreaterThan(10);
  });

  it('a fleet whose clusters put their rules in different namespaces: no namespace override, each object keeps its own', () => {
    kubectl();
    const raw = parse(readFileSync(join(ROOT, 'examples', 'multi-cluster.yaml'), 'utf8')) as { clusters: Array<Record<string, unknown>> };
    raw.clusters[1] = { ...raw.clusters[1], overrides: { ...(raw.clusters[1]!.overrides as object), kubernetes: { namespace: 'observability' } } };
    const out = writeBundle(generateBundle(resolveConfig(raw, 'multi-cluster.yaml'), 'multi-cluster.yaml').files);
    try {
      const k = load(readFileSync(join(out, 'kubernetes', 'kustomization.yaml'), 'utf8')) as { namespace?: string };
      expect(k.namespace).toBeUndefined();
      checkDirectory(join(out, 'kubernetes'));
      const namespaces = new Set((loadAll(spawnSync('kubectl', ['kustomize', join(out, 'kubernetes')], { encoding: 'utf8', maxBuffer: 256 << 20 }).stdout) as K8sObject[]).map((o) => o.metadata.namespace));
      expect([...namespaces].sort()).toEqual(['monitoring', 'observability']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
