/**
 * The example bundle (examples/linkerd-slo.yaml) loaded into a real Prometheus that scrapes a
 * simulated healthy mesh (tools/sim) through the standard job names and target labels:
 *  (a) every generated rule evaluates with health "ok" and no error;
 *  (b) a healthy mesh fires (and even pends) no alert, while every SLI is computed (not blind);
 *  (d) every dashboard query returns data, except an explicit list of panels that must be empty
 *      in a healthy mesh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import { parseYamlConfig } from '../../src/config/load.js';
import { requirePrometheus, simulatorFor, workloadsOf, type LinkerdSimulator } from '../../tools/sim/index.js';
import { EMPTY_WHEN_HEALTHY, QUERIES_EMPTY_WHEN_HEALTHY } from './support/empty-when-healthy.js';
import { bundleOf, dashboardQueries, hasData, sleep, startStack, waitFor, waitForScrapes, type Bundle, type Stack } from './support/harness.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'linkerd-slo.yaml');

describe('example bundle on a real Prometheus scraping a healthy simulated mesh', () => {
  let bundle: Bundle;
  let sim: LinkerdSimulator;
  let stack: Stack | undefined;
  let ruleCount = 0;
  let liveFrom = 0;
  let workloads = 0;

  beforeAll(async () => {
    requirePrometheus();
    const config = parseYamlConfig(readFileSync(EXAMPLE, 'utf8'), 'examples/linkerd-slo.yaml');
    bundle = bundleOf(config, 'examples/linkerd-slo.yaml');
    const doc = load(bundle.rules) as { groups: Array<{ rules: unknown[] }> };
    ruleCount = doc.groups.reduce((n, g) => n + g.rules.length, 0);
    workloads = workloadsOf(config).length;
    // The workloads the example's workload SLOs name, beside generated app namespaces, in a busy mesh.
    sim = simulatorFor(config);
    liveFrom = Date.now();
    stack = await startStack({ sim, rules: bundle.rules, jobNames: { proxy: config.linkerd.proxyJob, controller: config.linkerd.controllerJob } });
    await waitForScrapes(stack, sim, 3);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('(a) every generated rule is loaded and evaluates with health "ok" and no error', async () => {
    const prom = stack!.prom;
    // Wait for an evaluation of every group after data arrived.
    const since = Date.now();
    const groups = await waitFor(
      'every rule group evaluated after the first scrapes',
      async () => {
        const gs = await prom.rules();
        return gs.every((g) => Date.parse(g.lastEvaluation) > since) ? gs : undefined;
      },
      15_000,
    );
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
    expect(rules.length).toBe(ruleCount);
    const unhealthy = rules.filter((r) => r.health !== 'ok' || r.lastError);
    expect(unhealthy.map((r) => `${r.group}/${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
  });

  it('(b) a healthy mesh: every SLI is computed and no alert fires or pends', async () => {
    const prom = stack!.prom;
    // Not blind: each SLI instance has a 5m error ratio (NaN until it has seen requests), and it is 0.
    const ratios = await waitFor(
      'a finite 5m error ratio for every SLI',
      async () => {
        const r = await prom.query('linkerd_slo:sli_error:ratio_rate5m');
        return r.length >= 7 && r.every((s) => Number.isFinite(Number(s.value![1]))) ? r : undefined;
      },
      20_000,
    );
    const seen = ratios.map((s) => `${s.metric.slo}/${s.metric.sli}/${s.metric.component}`);
    for (const sli of [
      'control-plane-latency/server/identity',
      'control-plane-success-rate/client/destination',
      'control-plane-success-rate/client/identity',
      'control-plane-success-rate/client/policy',
      'control-plane-success-rate/server/destination',
      'control-plane-success-rate/server/identity',
      'control-plane-success-rate/server/policy',
    ]) {
      expect(seen).toContain(sli);
    }
    // One success-rate SLI per workload the config lists.
    expect(ratios.filter((s) => s.metric.slo === 'workload-success-rate')).toHaveLength(workloads);
    expect(ratios.filter((s) => Number(s.value![1]) !== 0).map((s) => JSON.stringify(s.metric))).toEqual([]);
    for (let i = 0; i < 4; i++) {
      const alerts = await prom.alerts();
      expect(alerts.map((a) => `${a.labels.alertname} ${a.state} ${JSON.stringify(a.labels)}`)).toEqual([]);
      await sleep(1000);
    }
  });

  it('(d) every dashboard query returns data, except panels that list problems', async () => {
    const prom = stack!.prom;
    const end = Date.now();
    const queries = await dashboardQueries(bundle.dashboards, prom, (end - liveFrom) / 1000);
    expect(queries.length).toBeGreaterThan(20);
    const empty: string[] = [];
    const allowedButFull: string[] = [];
    for (const q of queries) {
      const data = hasData(await prom.queryRange(q.expr, liveFrom, end, 1));
      const listsProblems = QUERIES_EMPTY_WHEN_HEALTHY.some((e) => e.pattern.test(q.expr));
      if (data && listsProblems) allowedButFull.push(`${q.file} "${q.panel}" has data in ${q.expr}; check QUERIES_EMPTY_WHEN_HEALTHY`);
      const allowed = q.panel in EMPTY_WHEN_HEALTHY;
      if (!data && !allowed && !listsProblems) empty.push(`${q.file} "${q.panel}": ${q.expr}`);
      if (data && allowed) allowedButFull.push(`${q.file} "${q.panel}" has data; remove it from EMPTY_WHEN_HEALTHY`);
    }
    expect(empty).toEqual([]);
    expect(allowedButFull).toEqual([]);
  });
});
