/**
 * The simulator (tools/sim) and the promtool fixtures (test/support/linkerd-series.ts) against real
 * captures, family by family: their label names must be the capture's, so neither can drift into
 * agreeing with the generator. The captures' label names are transcribed in test/support/captures.ts;
 * the last block checks that transcription against the capture file when ../shared is present.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LinkerdSimulator } from '../tools/sim/index.js';
import { KUBE_STATE_CAPTURE, PROXY_CAPTURE, PROXY_CAPTURE_ADMIN } from './support/captures.js';
import { adminInboundLabels, adminResponses, kubeStateProxyContainer } from './support/linkerd-series.js';

const T0 = 1_700_000_000_000;
const ANCHOR = resolve(import.meta.dirname, '..', '..', 'shared', 'anchors', 'linkerd-proxy-scrape', 'sampleMetrics.txt');
const anchorPresent = existsSync(ANCHOR);
if (!anchorPresent) console.log(`skipped: ${ANCHOR} not found (the anchors live in ../shared beside the project)`);

interface Line { readonly name: string; readonly labels: Record<string, string> }
function parse(text: string): Line[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]!] = p[2]!;
    return { name: m[1]!, labels };
  });
}
/** Distinct sorted label-name sets of a family, optionally only the series a predicate keeps. */
const shapes = (lines: Line[], family: string, keep: (l: Line) => boolean = () => true): string[][] => {
  const seen = new Map<string, string[]>();
  for (const l of lines.filter((x) => x.name === family && keep(x))) {
    const names = Object.keys(l.labels).sort();
    seen.set(names.join(','), names);
  }
  return [...seen.values()].sort((a, b) => (a.join() < b.join() ? -1 : 1));
};
const sortedShapes = (s: readonly (readonly string[])[]) => s.map((x) => [...x].sort()).sort((a, b) => (a.join() < b.join() ? -1 : 1));
const isAdmin = (l: Line) => l.labels.target_port === '4191';
/** Target labels the scrape adds; captures of /metrics have none. */
const TARGET = new Set(['job', 'instance', 'namespace', 'pod', 'deployment', 'statefulset', 'daemonset', 'control_plane_ns', 'control_plane_component', 'workload_ns', 'pod_template_hash', 'cluster', 'serviceaccount']);
const withoutTarget = (l: Line): Line => ({ ...l, labels: Object.fromEntries(Object.entries(l.labels).filter(([k]) => !TARGET.has(k))) });

describe('simulator against the captures (label names per family)', () => {
  // The capture is of the 2.11 line (its policy labels: srv_kind/srv_name/authz_kind/authz_name, no route_*).
  const sim = new LinkerdSimulator({ version: '2.11', start: T0, rates: { identityPerProxy: 0.1 } });
  sim.advanceTo(T0 + 60_000);
  const target = sim.targets.find((t) => t.job === 'linkerd-proxy' && !t.pod.controlPlane && !t.pod.extension)!;
  const ours = parse(sim.exposition(target)).map(withoutTarget);

  it.each(['request_total', 'response_total', 'response_latency_ms_bucket'])('%s: the proxy admin server\'s inbound series', (family) => {
    expect(shapes(ours, family, isAdmin)).toEqual(sortedShapes(PROXY_CAPTURE[family]!));
  });

  it('the admin server\'s identifying values (tls, target) are the capture\'s', () => {
    const admin = ours.find((l) => l.name === 'response_total' && isAdmin(l))!;
    for (const k of ['direction', 'target_port', 'tls', 'no_tls_reason'] as const) expect(admin.labels[k], k).toBe(PROXY_CAPTURE_ADMIN[k]);
  });

  it.each(['control_request_total', 'control_response_total'])('%s', (family) => {
    // Every shape the simulator writes is one the capture has.
    for (const s of shapes(ours, family)) expect(sortedShapes(PROXY_CAPTURE[family]!)).toContainEqual(s);
  });
});

describe('promtool fixtures against the captures', () => {
  it('adminInboundLabels/adminResponses are the capture\'s admin series (2.11, the capture\'s line)', () => {
    const labels = parse(adminResponses('2.11', {}) + ' 1')[0]!.labels;
    expect(Object.keys(labels).sort()).toEqual([...PROXY_CAPTURE.response_total![0]!].sort());
    expect(adminInboundLabels('2.11')).toEqual(PROXY_CAPTURE_ADMIN);
    // Newer versions only add labels: every value that identifies the admin server stays.
    expect(adminInboundLabels('2.20')).toMatchObject(PROXY_CAPTURE_ADMIN);
  });

  it.each([['sidecar', 'info', 'kube_pod_container_info'], ['native', 'info', 'kube_pod_init_container_info'], ['sidecar', 'limits', 'kube_pod_container_resource_limits'], ['native', 'limits', 'kube_pod_init_container_resource_limits']] as const)(
    'kube-state-metrics %s %s is %s with its label keys',
    (shape, family, metric) => {
      const [line] = parse(`${kubeStateProxyContainer(shape, family, { namespace: 'app', pod: 'web-1' })} 1`);
      expect(line!.name).toBe(metric);
      const { job: _job, ...labels } = line!.labels;
      expect(Object.keys(labels).sort()).toEqual([...KUBE_STATE_CAPTURE[metric]!].sort());
    },
  );
});

describe.skipIf(!anchorPresent)('the transcription against the capture itself (shared/anchors/linkerd-proxy-scrape)', () => {
  const real = anchorPresent ? parse(readFileSync(ANCHOR, 'utf8')) : [];
  it.each(Object.keys(PROXY_CAPTURE))('%s', (family) => {
    const keep = family.startsWith('control_') ? () => true : isAdmin;
    expect(shapes(real, family, keep)).toEqual(sortedShapes(PROXY_CAPTURE[family]!));
  });
  it('admin values', () => {
    const admin = real.find((l) => l.name === 'response_total' && isAdmin(l))!;
    expect(Object.fromEntries(Object.entries(admin.labels).filter(([k]) => k in PROXY_CAPTURE_ADMIN))).toEqual(PROXY_CAPTURE_ADMIN);
  });
});
