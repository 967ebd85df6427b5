/**
 * Late data (issue #23): a global ruler reads samples that arrive late (remote write, sidecar uploads).
 * Here every sample reaches Prometheus 1 minute after its timestamp: the simulator is served with
 * explicit timestamps 60 s in the past (honor_timestamps), so at wall time t the newest data is t − 60 s.
 * The fleet's global rule file (central evaluation of every rule) carries query_offset 1m, the default of
 * multiCluster.queryOffset, because prometheus.minVersion is 3.0; Prometheus 3 evaluates it.
 *
 * Compressed windows so the test runs in minutes: one page pair long 1m / short 10s, 20% of a 1h budget
 * at 99% (factor 12, threshold 0.12), no `for`. Asserted, on the same late data:
 *  - with query_offset 1m: no page while traffic is healthy (no false page), a page once the outage's
 *    data is in (no missed page), polled to a deadline;
 *  - without it (queryOffset 0s, the same rules otherwise) the 10s window holds no sample at all when it
 *    is evaluated, so the same outage never pages: what the offset is for.
 * Needs Prometheus 3 (query_offset: Prometheus ≥ 2.53); skipped with a message when it is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LinkerdSimulator, Scenario, startPrometheus, type RunningPrometheus } from '../../tools/sim/index.js';
import { resolveConfig } from '../../src/config/load.js';
import { generateBundle } from '../../src/generate.js';
import { enginePath, engineRelease } from '../support/engines.js';
import { sleep } from './support/harness.js';

const LATE_SECONDS = 60;
const BURN = 'LinkerdControlPlaneErrorBudgetBurn';
/** Sim-time seconds after the simulator's start: healthy before, every destination request fails during. */
const OUTAGE = { from: 150, to: 240 };
/** The simulator starts this long before the test (its counters then have history). */
const LEAD_SECONDS = 90;

const prometheus3 = enginePath('prometheus');
const skip = prometheus3 ? undefined : `Prometheus ${engineRelease('prometheus')} not built (node scripts/engines.mjs): query_offset needs Prometheus ≥ 2.53`;
if (skip) console.log(`late-data: skipped: ${skip}`);

function globalRules(queryOffset: string): string {
  const off = { enabled: false };
  const resolved = resolveConfig({
    cluster: 'fleet',
    prometheus: { minVersion: '3.0' },
    multiCluster: { split: false, queryOffset },
    clusters: [{ name: 'late' }],
    alerting: { windows: [{ severity: 'page', long: '1m', short: '10s', budgetConsumed: 20 }], lowTraffic: { minRequests: 0 } },
    slos: {
      controlPlaneSuccessRate: { objective: 99, period: '1h', components: ['destination'], clientSide: { enabled: false } },
      controlPlaneLatency: off, controlPlaneAvailability: off, proxyResources: off, certificates: off,
    },
  }, 'late.yaml');
  return generateBundle(resolved, 'late.yaml').files.get('prometheus/linkerd-slo-fleet-global.rules.yaml')!;
}

/** The simulator's aggregate exposition, every sample stamped 60 s before the wall clock (and as of then). */
async function serveLate(sim: LinkerdSimulator): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    const stamp = Date.now() - LATE_SECONDS * 1000;
    sim.advanceTo(stamp);
    const body = sim.aggregateExposition(undefined, new Set(['response_total']))
      .split('\n')
      .map((line) => (line === '' || line.startsWith('#') ? line : `${line} ${stamp}`))
      .join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const firing = async (p: RunningPrometheus) => (await p.alerts()).some((a) => a.labels.alertname === BURN && a.state === 'firing');

describe.skipIf(!prometheus3)('late data: samples 1 min late, query_offset 1m on the global rules (Prometheus 3)', () => {
  let server: Server | undefined;
  const proms: RunningPrometheus[] = [];
  let start = 0;
  /** Wall-clock ms of the first firing burn alert seen, per Prometheus; undefined: never. */
  const firstFiring: Array<number | undefined> = [undefined, undefined];

  beforeAll(async () => {
    start = Date.now() - LEAD_SECONDS * 1000;
    const sim = new LinkerdSimulator({
      start, namespaces: 1, workloadsPerNamespace: 1, podsPerWorkload: 2, viz: false, histograms: 'none',
      targetLabels: { cluster: 'late' }, rates: { destinationPerProxy: 5 },
      scenario: new Scenario(start, [{ kind: 'cp-errors', component: 'destination', ratio: 1, from: OUTAGE.from, to: OUTAGE.to }]),
    });
    const late = await serveLate(sim);
    server = late.server;
    for (const offset of ['1m', '0s']) {
      proms.push(await startPrometheus({
        binary: prometheus3!,
        config: {
          global: { scrape_interval: '2s', evaluation_interval: '2s' },
          rule_files: ['rules.yaml'],
          scrape_configs: [{ job_name: 'late', honor_labels: true, honor_timestamps: true, static_configs: [{ targets: [late.url] }] }],
        },
        files: { 'rules.yaml': globalRules(offset) },
      }));
    }
    // Poll both until the outage's data has been in for long enough, noting when each first pages.
    const outageVisible = start + (OUTAGE.from + LATE_SECONDS) * 1000;
    const deadline = outageVisible + 120_000;
    while (Date.now() < deadline && firstFiring[0] === undefined) {
      for (const [i, p] of proms.entries()) if (firstFiring[i] === undefined && (await firing(p))) firstFiring[i] = Date.now();
      await sleep(1000);
    }
    // Give the one without the offset as long again after the other paged.
    const extra = Date.now() + 30_000;
    while (Date.now() < extra && firstFiring[1] === undefined) {
      if (await firing(proms[1]!)) firstFiring[1] = Date.now();
      await sleep(1000);
    }
    const since = (t: number | undefined) => (t === undefined ? 'never' : `${((t - outageVisible) / 1000).toFixed(0)} s after the outage's data arrived`);
    console.log(`late-data: query_offset 1m paged ${since(firstFiring[0])}; without query_offset: ${since(firstFiring[1])}`);
  }, 600_000);

  afterAll(async () => {
    for (const p of proms) await p.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('with query_offset 1m: no page before the outage is visible (no false page), a page after it (no missed page)', () => {
    expect(proms[0]!.logs()).not.toMatch(/level=error/i);
    expect(firstFiring[0], 'the page never fired').toBeDefined();
    // Data of the outage exists in Prometheus from its sim time + 60 s on: a page before that is false.
    expect(firstFiring[0]!).toBeGreaterThanOrEqual(start + (OUTAGE.from + LATE_SECONDS) * 1000);
  });

  it('without query_offset the same outage on the same late data never pages', () => {
    expect(firstFiring[1]).toBeUndefined();
  });
});

if (skip) {
  describe('late data', () => {
    it.skip(`skipped: ${skip}`, () => undefined);
  });
}
