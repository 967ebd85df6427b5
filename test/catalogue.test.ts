/**
 * The metric catalogue (src/linkerd/metrics.ts) against every rule selector, not only the dashboards:
 * on every supported version, with every kind and optional source on, each raw metric a rule reads
 * must be one the catalogue says that version (or the configured exporter) exposes.
 */
import { describe, expect, it } from 'vitest';
import { walk } from '../src/promql/ast.js';
import { isAlert, ruleName } from '../src/rules.js';
import { SUPPORTED_VERSIONS, minor, type LinkerdVersion } from '../src/linkerd/catalog.js';
import { isKnownMetric } from '../src/linkerd/metrics.js';
import { generated } from './support/bundle.js';

function everything(version: LinkerdVersion) {
  return generated({
    cluster: 'cat',
    linkerd: { version },
    slos: {
      proxyResources: { kubernetesMetrics: { enabled: true } },
      certificates: { certManager: { enabled: true }, x509Exporter: { enabled: true }, nodeClock: { enabled: true } },
      controlPlaneAvailability: { replicas: { enabled: true } },
      workloads: {
        list: [{ namespace: 'shop', deployment: 'web' }, { namespace: 'shop', selector: { app: 'cart' }, name: 'cart' }],
        ...(minor(version) >= 16 ? { routes: [{ namespace: 'shop', service: 'api', route: 'checkout' }, { namespace: 'shop', service: 'orders', route: 'get', protocol: 'grpc' as const }] } : {}),
      },
    },
  });
}

describe('every rule selector reads a catalogued metric', () => {
  it.each(SUPPORTED_VERSIONS)('Linkerd %s', (version) => {
    const gen = everything(version);
    const recorded = new Set(gen.groups.flatMap((g) => g.rules.filter((r) => !isAlert(r)).map(ruleName)));
    const unknown = new Set<string>();
    for (const g of gen.groups) {
      for (const r of g.rules) {
        walk(r.expr, (node) => {
          if (node.kind !== 'selector' || !node.metric) return;
          if (!recorded.has(node.metric) && !isKnownMetric(node.metric, version)) unknown.add(`${node.metric} (${ruleName(r)})`);
        });
      }
    }
    expect([...unknown].sort()).toEqual([]);
  });
});
