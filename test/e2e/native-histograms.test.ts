/**
 * Latency SLI on native histograms (issue #23, linkerd.histograms: native), against Prometheus 3.
 * One simulator, two Prometheus 3 scraping it:
 *  - classic: the proxy's response_latency_ms stored as `_bucket` series, the default (classic) bundle;
 *  - NHCB: `convert_classic_histograms_to_nhcb: true`, so the same exposition is stored as one native
 *    histogram with Linkerd's bounds and no `_bucket` series; the native bundle.
 * Compressed windows (period 1h at 99%, one page 1m/10s consuming 20%: factor 12, slow ratio 0.12).
 * Asserted on both: no latency page while identity is healthy (polled over the whole 1m window), and a
 * page once identity turns slow (median 3 s over its 1 s threshold), polled to a deadline. Also that
 * the NHCB store holds no `_bucket` series (so a classic bundle there would read nothing).
 * Needs Prometheus 3 (NHCB conversion of scraped classic histograms); skipped with a message otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkerdSimulator, type RunningPrometheus } from '../../tools/sim/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { enginePath, engineRelease } from '../support/engines.js';
import { bundleFor, sleep, startStack, waitForScrapes, type Stack } from './support/harness.js';

const LATENCY_BURN = 'LinkerdControlPlaneLatencyBudgetBurn';
const HEALTHY_SECONDS = 75;
const DETECTION_DEADLINE_SECONDS = 120;

const prometheus3 = enginePath('prometheus');
const promtool3 = enginePath('promtool');
const skip = prometheus3 && promtool3 ? undefined : `Prometheus ${engineRelease('prometheus')} not built (node scripts/engines.mjs): scraped classic histograms become native ones only in Prometheus 3`;
if (skip) console.log(`native-histograms: skipped: ${skip}`);

const config = (histograms: 'classic' | 'native'): ConfigInput => {
  const off = { enabled: false };
  return {
    cluster: 'e2e',
    linkerd: { version: '2.18', histograms },
    alerting: { windows: [{ severity: 'page', long: '1m', short: '10s', budgetConsumed: 20 }], lowTraffic: { minRequests: 0 } },
    slos: {
      controlPlaneLatency: { objective: 99, period: '1h', components: ['identity'], thresholdMs: 1000, spike: off, volumeChange: off },
      controlPlaneSuccessRate: off, controlPlaneAvailability: off, proxyResources: off, certificates: off,
    },
  };
};

const pages = async (p: RunningPrometheus) => (await p.alerts()).filter((a) => a.labels.alertname === LATENCY_BURN && a.state === 'firing');

describe.skipIf(!!skip)('latency SLI on native histograms (Prometheus 3, convert_classic_histograms_to_nhcb)', () => {
  const stacks: Stack[] = [];
  const falsePages: string[][] = [[], []];
  const firedAfter: Array<number | undefined> = [undefined, undefined];
  let bucketSeriesInNhcb = -1;
  let nativeSeriesInNhcb = -1;

  beforeAll(async () => {
    const sim = new LinkerdSimulator({
      start: Date.now(), version: '2.18', namespaces: 1, workloadsPerNamespace: 1, podsPerWorkload: 2, viz: false,
      rates: { identityPerProxy: 2 }, histograms: 'identity',
    });
    const engine = { name: `Prometheus ${engineRelease('prometheus')}`, prometheus: prometheus3!, promtool: promtool3! };
    stacks.push(await startStack({ sim, rules: bundleFor(config('classic')).rules, engine }));
    stacks.push(await startStack({
      sim, rules: bundleFor(config('native')).rules, engine,
      extraConfig: { global: { scrape_interval: '1s', evaluation_interval: '1s', convert_classic_histograms_to_nhcb: true } },
    }));
    for (const s of stacks) await waitForScrapes(s, sim, 2);
    // Healthy: poll both over more than the long window; any latency page here is false.
    const healthyUntil = Date.now() + HEALTHY_SECONDS * 1000;
    while (Date.now() < healthyUntil) {
      for (const [i, s] of stacks.entries()) falsePages[i]!.push(...(await pages(s.prom)).map((a) => a.labels.component ?? '?'));
      await sleep(2000);
    }
    const nhcb = stacks[1]!.prom;
    bucketSeriesInNhcb = (await nhcb.query('count(response_latency_ms_bucket) or vector(0)'))[0]?.value?.[1] === '0' ? 0 : 1;
    nativeSeriesInNhcb = (await nhcb.query('response_latency_ms')).filter((s) => s.metric.job !== undefined).length;
    // Outage: identity slows down to a 3 s median (over its 1 s threshold).
    const onset = Date.now();
    sim.scenario.add({ kind: 'cp-latency', component: 'identity', medianMs: 3000, sigma: 0.3, from: sim.scenario.offset(onset) });
    const deadline = onset + DETECTION_DEADLINE_SECONDS * 1000;
    while (Date.now() < deadline && firedAfter.some((t) => t === undefined)) {
      for (const [i, s] of stacks.entries()) if (firedAfter[i] === undefined && (await pages(s.prom)).length) firedAfter[i] = (Date.now() - onset) / 1000;
      await sleep(1000);
    }
    const when = (t: number | undefined) => (t === undefined ? 'never' : `${t.toFixed(0)} s`);
    console.log(`native-histograms: latency page after the slowdown: classic ${when(firedAfter[0])}, native on NHCB ${when(firedAfter[1])}`);
  }, 600_000);

  afterAll(async () => {
    for (const s of stacks) await s.stop();
  });

  it('the NHCB store holds the histogram natively and no _bucket series', () => {
    expect(bucketSeriesInNhcb).toBe(0);
    expect(nativeSeriesInNhcb).toBeGreaterThan(0);
  });

  it('healthy: neither bundle pages', () => {
    expect(falsePages).toEqual([[], []]);
  });

  it('identity slows down: the native bundle pages as the classic one does', () => {
    for (const s of stacks) expect(s.prom.logs()).not.toMatch(/level=error/i);
    expect(firedAfter[0], 'classic bundle never paged').toBeDefined();
    expect(firedAfter[1], 'native bundle never paged').toBeDefined();
  });
});

if (skip) {
  describe('native histograms', () => {
    it.skip(`skipped: ${skip}`, () => undefined);
  });
}
