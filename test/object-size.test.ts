/**
 * Every generated Kubernetes object must survive client-side `kubectl apply`, which copies the whole
 * object into the kubectl.kubernetes.io/last-applied-configuration annotation; all annotations of an
 * object together may hold 262,144 bytes (TotalAnnotationSizeLimitB, kubernetes/kubernetes
 * staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go). A large config (many request
 * classes and workloads, every optional source, six clusters) must still give objects below that
 * limit with headroom for the object's own labels and annotations.
 */
import { describe, expect, it } from 'vitest';
import { load, loadAll } from 'js-yaml';
import { generateBundle } from '../src/generate.js';
import { resolveConfig } from '../src/config/load.js';

const ANNOTATION_LIMIT = 262_144;
/** Room left for labels, annotations and kubectl's own metadata (managedFields are not in the annotation). */
const HEADROOM = 32_768;

const CLASSES = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [`TIER${i}`, { successRate: { objective: 99.5 + i * 0.03 }, latency: { objective: 99, thresholdMs: 100 + i * 50 } }]),
);
const WORKLOADS = Array.from({ length: 120 }, (_, i) => ({ namespace: `team-${i % 15}`, deployment: `service-${i}`, class: `TIER${i % 12}` }));
const ROUTES = Array.from({ length: 40 }, (_, i) => ({ namespace: `team-${i % 15}`, service: `service-${i}`, route: `route-${i}`, class: `TIER${i % 12}` }));

const LARGE = {
  cluster: 'fleet',
  multiCluster: { clusterLabel: 'cluster', split: true },
  rules: { targets: ['prometheus', 'prometheus-operator'] },
  prometheus: { ruleLabels: { team: 'platform' } },
  grafana: { formats: ['import', 'provisioning', 'configmap', 'operator'] },
  slos: {
    certificates: { certManager: { enabled: true }, x509Exporter: { enabled: true }, nodeClock: { enabled: true } },
    controlPlaneAvailability: { replicas: { enabled: true } },
    proxyResources: {
      kubernetesMetrics: { enabled: true, cadvisorMatchers: { job: 'kubelet' }, kubeStateMetricsMatchers: { job: 'kube-state-metrics' } },
      highThroughput: { defaultCpuLimitCores: 1 },
    },
    workloads: { classes: CLASSES, list: WORKLOADS, routes: ROUTES },
  },
  clusters: Array.from({ length: 6 }, (_, i) => ({ name: `cluster-${i}` })),
};

const objectsOf = (text: string) => loadAll(text).filter((d): d is { kind: string; metadata: { name: string } } => typeof d === 'object' && d !== null);

describe('Kubernetes objects stay within client-side kubectl apply\'s annotation limit', () => {
  const bundle = generateBundle(resolveConfig(LARGE, 'large.yaml'), 'large.yaml');
  const manifests = [...bundle.files].filter(([p]) => /^(kubernetes|grafana\/configmap|grafana\/operator)\/[^/]+\.yaml$/.test(p) && !p.endsWith('/kustomization.yaml'));

  it('the large config is large: its rules alone exceed the limit several times over', () => {
    const rules = [...bundle.files].filter(([p]) => p.startsWith('prometheus/')).reduce((n, [, t]) => n + Buffer.byteLength(JSON.stringify(load(t))), 0);
    console.log(`large config: ${manifests.length} Kubernetes objects, ${Math.round(rules / 1024)} KiB of rules as JSON`);
    expect(rules).toBeGreaterThan(4 * ANNOTATION_LIMIT);
    expect(manifests.filter(([p]) => p.startsWith('kubernetes/')).length).toBeGreaterThan(6);
  });

  it('every PrometheusRule, dashboard ConfigMap and GrafanaDashboard is one object whose JSON fits with headroom', () => {
    const sizes = manifests.map(([path, text]) => {
      const docs = objectsOf(text);
      expect(docs, path).toHaveLength(1);
      return { path, bytes: Buffer.byteLength(JSON.stringify(docs[0])) };
    });
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    console.log(`largest object: ${largest.path}, ${largest.bytes} bytes of JSON (limit ${ANNOTATION_LIMIT} - ${HEADROOM} headroom)`);
    expect(sizes.filter((s) => s.bytes > ANNOTATION_LIMIT - HEADROOM).map((s) => `${s.path}: ${s.bytes}`)).toEqual([]);
  });

  it('object names are unique per kind and follow the file names', () => {
    const names = manifests.map(([, text]) => {
      const o = objectsOf(text)[0]!;
      return `${o.kind}/${o.metadata.name}`;
    });
    expect(new Set(names).size).toBe(names.length);
    for (const [path, text] of manifests.filter(([p]) => p.startsWith('kubernetes/'))) expect(path).toBe(`kubernetes/${objectsOf(text)[0]!.metadata.name}.prometheusrule.yaml`);
  });

  it('the split is deterministic: the same config gives the same files', () => {
    const again = generateBundle(resolveConfig(LARGE, 'large.yaml'), 'large.yaml');
    expect([...again.files.keys()]).toEqual([...bundle.files.keys()]);
    for (const [p, t] of manifests) expect(again.files.get(p), p).toBe(t);
  });
});
