/**
 * Values that look like PromQL in every string field of the config that reaches a selector (issue #19):
 * whatever the schema accepts must generate (validate exits 0), whatever it refuses must end in a
 * located config error (exit 2); an internal error (exit 70) is a bug. Each value runs in a fresh
 * process (the real CLI, the value in every field that accepts it), and every case runs in one
 * process, in one order and in the reverse order after a clean config: validation keeps a cache of
 * expression shapes, so an earlier case must not change a later one's answer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { ConfigError } from '../src/config/errors.js';
import { generateBundle } from '../src/generate.js';

const CLI = join(resolve(import.meta.dirname, '..'), 'dist', 'cli.js');

const VALUES = [')', '[5m]', '{', '}', '"', 'or vector(1)', 'offset 1h', '@ 0', 'a)[5m]', 'x[0s]', 'x"} or vector(1) #', "a'b`c", 'a\\'];

type Raw = Record<string, any>;
/** Every string field whose value lands in a label matcher of a generated selector. */
const FIELDS: Array<[string, (c: Raw, v: string) => void]> = [
  ['prometheus.extraMatchers value', (c, v) => (c.prometheus.extraMatchers.env = v)],
  ['linkerd.namespace', (c, v) => (c.linkerd.namespace = v)],
  ['linkerd.vizNamespace', (c, v) => (c.linkerd.vizNamespace = v)],
  ['linkerd.proxyJob', (c, v) => (c.linkerd.proxyJob = v)],
  ['linkerd.controllerJob', (c, v) => (c.linkerd.controllerJob = v)],
  ['workloads.list[].namespace', (c, v) => (c.slos.workloads.list[0].namespace = v)],
  ['workloads.list[].deployment', (c, v) => (c.slos.workloads.list[0].deployment = v)],
  ['workloads.list[].statefulset', (c, v) => c.slos.workloads.list.push({ namespace: 'shop', statefulset: v })],
  ['workloads.list[].selector value', (c, v) => c.slos.workloads.list.push({ namespace: 'shop', selector: { app: v }, name: 'sel' })],
  ['workloads.routes[].routeNamespace', (c, v) => (c.slos.workloads.routes = [{ namespace: 'shop', deployment: 'web', route: 'checkout', routeNamespace: v }])],
  ['certManager.certificates[].name', (c, v) => (c.slos.certificates.certManager.certificates = [{ name: v }])],
  ['certManager.certificates[].namespace', (c, v) => (c.slos.certificates.certManager.certificates = [{ name: 'issuer', namespace: v }])],
  ['x509Exporter.trustAnchor.objects[].name', (c, v) => (c.slos.certificates.x509Exporter.trustAnchor = { objects: [{ kind: 'configmap', name: v }] })],
  ['x509Exporter.issuer.objects[].namespace', (c, v) => (c.slos.certificates.x509Exporter.issuer = { objects: [{ name: 'issuer', namespace: v }] })],
  ['nodeClock.matchers value', (c, v) => (c.slos.certificates.nodeClock.matchers = { job: v })],
  ['kubernetesMetrics.cadvisorMatchers value', (c, v) => (c.slos.proxyResources.kubernetesMetrics.cadvisorMatchers = { job: v })],
  ['kubernetesMetrics.kubeStateMetricsMatchers value', (c, v) => (c.slos.proxyResources.kubernetesMetrics.kubeStateMetricsMatchers = { job: v })],
  ['custom[].errors label value', (c, v) => (c.slos.custom[0].errors = `http_requests_total{job="api",code=${JSON.stringify(v)}}`)],
  ['clusters[].name', (c, v) => (c.clusters = [{ name: 'eu1' }, { name: v }])],
];

/** A config with every selector-bearing source on, so each field above reaches a selector. */
const base = (): Raw => ({
  cluster: 'prod',
  linkerd: {},
  prometheus: { extraMatchers: {} },
  slos: {
    certificates: { certManager: { enabled: true }, x509Exporter: { enabled: true }, nodeClock: { enabled: true } },
    controlPlaneAvailability: { replicas: { enabled: true } },
    proxyResources: { kubernetesMetrics: { enabled: true } },
    workloads: { list: [{ namespace: 'shop', deployment: 'web' }] },
    custom: [{ name: 'api', objective: 99.9, period: '30d', errors: 'http_requests_total{job="api",code=~"5.."}', total: 'http_requests_total{job="api"}' }],
  },
});

interface Case { readonly field: string; readonly value: string; readonly text: string }
const CASES: Case[] = VALUES.flatMap((value) =>
  FIELDS.map(([field, place]) => {
    const raw = base();
    place(raw, value);
    return { field, value, text: dump(raw, { lineWidth: -1 }) };
  }),
);

/** 'ok', 'config error', or the internal error (the bug). */
function inProcess(text: string): string {
  try {
    generateBundle(resolveConfig(load(text), 'values.yaml'), 'values.yaml');
    return 'ok';
  } catch (err) {
    return err instanceof ConfigError ? 'config error' : `internal error: ${(err as Error).message.split('\n')[0]}`;
  }
}

describe('PromQL-looking values in every field that reaches a selector', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-values-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${CASES.length} cases in one process, in order and reversed after a clean config: the same answer, never an internal error`, () => {
    const forward = CASES.map((c) => inProcess(c.text));
    expect(inProcess(dump(base()))).toBe('ok');
    const backward = [...CASES].reverse().map((c) => inProcess(c.text)).reverse();
    const describeCase = (c: Case, i: number) => `${c.field}=${JSON.stringify(c.value)}: ${forward[i]} / reversed ${backward[i]}`;
    expect(CASES.map(describeCase).filter((_, i) => forward[i] !== backward[i] || forward[i]!.startsWith('internal'))).toEqual([]);
    // Not vacuous: many cases are legal and reach the generator (78 of 247 when written).
    expect(forward.filter((r) => r === 'ok').length).toBeGreaterThan(CASES.length / 4);
  });

  it.each(VALUES)('a fresh process: validate with %j in every field that accepts it exits 0', (value) => {
    // The fields the schema accepts this value in (the others are refused with exit 2, checked in-process above), all at once.
    const raw = base();
    const accepted = FIELDS.filter(([, place]) => {
      const one = base();
      place(one, value);
      return inProcess(dump(one, { lineWidth: -1 })) === 'ok';
    });
    for (const [, place] of accepted) place(raw, value);
    const file = join(dir, `v${VALUES.indexOf(value)}.yaml`);
    writeFileSync(file, dump(raw, { lineWidth: -1 }));
    const r = spawnSync(process.execPath, [CLI, 'validate', '--config', file], { encoding: 'utf8' });
    expect(r.status, `${accepted.map(([f]) => f).join(', ')}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/: ok \(/);
  });

  it.each(VALUES)('a fresh process: a field that refuses %j ends in a located config error (exit 2), not exit 70', (value) => {
    const refused = FIELDS.find(([, place]) => {
      const one = base();
      place(one, value);
      return inProcess(dump(one, { lineWidth: -1 })) === 'config error';
    });
    if (!refused) return; // every field takes this value: nothing to refuse
    const raw = base();
    refused[1](raw, value);
    const file = join(dir, `r${VALUES.indexOf(value)}.yaml`);
    writeFileSync(file, dump(raw, { lineWidth: -1 }));
    const r = spawnSync(process.execPath, [CLI, 'validate', '--config', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\.yaml:\d+:\d+: /);
  });
});
