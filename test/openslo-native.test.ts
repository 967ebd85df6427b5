/**
 * export-openslo on native histograms (linkerd.histograms: native, issue #23). On Prometheus 3 with
 * convert_classic_histograms_to_nhcb the proxy's response_latency_ms is one native histogram and no
 * `response_latency_ms_bucket` series exist, so the classic export's latency queries (the threshold
 * bucket over le="+Inf") would select nothing; an OpenSLO ratioMetric (counter: true) is read as
 * counter selectors that a tool takes rate() of, and no counter selector counts the fast responses of
 * a native histogram. The export therefore leaves the latency SLOs out and says so in its header,
 * with the native form of their good events; every other SLO is exported as before and
 * import-openslo still reads the whole file.
 */
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load.js';
import type { ConfigInput } from '../src/config/schema.js';
import { exportOpenSlo } from '../src/openslo/export.js';
import { importOpenSlo } from '../src/openslo/import.js';

const config = (histograms: 'classic' | 'native'): ConfigInput => ({
  cluster: 'nh',
  linkerd: { version: '2.18', histograms },
  slos: {
    controlPlaneLatency: { components: ['identity', 'destination'] },
    workloads: {
      defaults: { class: 'web' },
      classes: { web: { successRate: { objective: 99.9 }, latency: { enabled: true, objective: 99, thresholdMs: 500 } } },
      list: [{ namespace: 'shop', deployment: 'cart' }],
    },
  },
});

const exported = (h: 'classic' | 'native') => exportOpenSlo(validateConfig(config(h), 'nh.yaml'), 'nh.yaml');
const names = (text: string) => (loadAll(text) as Array<{ metadata: { name: string } }>).map((d) => d.metadata.name);

describe('export-openslo with linkerd.histograms: native', () => {
  it('classic: the latency SLOs are exported by their buckets (the baseline the native export differs from)', () => {
    const text = exported('classic');
    expect(names(text)).toEqual(expect.arrayContaining(['control-plane-latency-identity', 'control-plane-latency-destination', 'workload-latency-shop-deployment-cart']));
    expect(text).toContain('response_latency_ms_bucket{');
    expect(text).not.toContain('Latency SLOs are not exported');
  });

  it('native: no latency SLO, no query on a _bucket series, and the header says why and how to measure them', () => {
    const text = exported('native');
    const got = names(text);
    expect(got.filter((n) => n.includes('latency'))).toEqual([]);
    // Everything else is still there, as in the classic export.
    expect(got).toEqual(names(exported('classic')).filter((n) => !n.includes('latency')));
    expect(got).toContain('workload-success-rate-shop-deployment-cart');
    const [header, ...documents] = text.split('\n---\n');
    expect(documents.join('\n')).not.toContain('response_latency_ms');
    expect(header!).toContain('# Latency SLOs are not exported: on native histograms (linkerd.histograms: native) response_latency_ms has no');
    expect(header!).toContain('histogram_fraction(0, <thresholdMs>, h) * histogram_count(h)');
  });

  it('native: import-openslo reads the whole export back (the success-rate SLOs as custom SLOs)', () => {
    const back = importOpenSlo([{ file: 'nh.openslo.yaml', text: exported('native') }], { cluster: 'nh' });
    expect(back.slos.map((s) => s.name)).toEqual(names(exported('native')));
  });
});
