/**
 * Thanos Ruler for real: `thanos rule` (built by scripts/engines.mjs) loads the generated Thanos rule
 * file and evaluates it over the outage scenario, as Thanos deploys it: the ruler queries a Thanos
 * Querier, which reads a Prometheus 3 (through a Thanos sidecar) holding the simulated history and
 * scraping the simulator live, and reads the ruler's own recordings from the ruler's StoreAPI. Beside
 * it a second Prometheus 3 with the same history, scraping the same simulator, evaluates the plain
 * rule file: both must fire the same alerts, episode for episode (each start and end within a few
 * evaluations), nothing during the healthy history, and the ruler's rules API must report each
 * group's partial_response_strategy as the config sets it.
 *
 * A long build: LINKERD_SLO_QUICK=1 skips this suite locally (never under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enginePath, engineRelease, engineSkip, freePort, primaryEngine, writeOpenMetricsHistory } from '../../tools/sim/index.js';
import type { ActiveAlert } from '../../tools/sim/index.js';
import { validateConfig } from '../../src/config/load.js';
import { generate } from '../../src/generate.js';
import { startStack, waitForScrapes, type Stack } from '../e2e/support/harness.js';
import { waitFor } from '../support/wait.js';
import { startThanosQuery, startThanosRule, startThanosSidecar, type ThanosServer } from './support/servers.js';
import { CLUSTER, HISTORY, expectSameEpisodes, fastConfig, outageSimulator, watchOutage, type Watched } from './support/outage.js';

const skip = engineSkip('thanos');
if (skip) console.log(`test/engines/thanos.test.ts skipped: ${skip}`);

// Not the defaults (abort / warn): the ruler must show what the config says, not what the code assumes.
const STRATEGY = { alerts: 'warn', recordings: 'abort' } as const;
/**
 * How far apart an episode may start or end on the two engines, in ms. Both evaluate every second,
 * but each Prometheus scrapes the simulator at its own phase within the second (the scrape offset is
 * a hash of the target and the instance's external labels), so a ratio crosses its threshold up to
 * one scrape apart; the ruler then reads through the querier: one evaluation and one scrape. The
 * test adds the longest gap between two looks of the watch (250 ms nominally, more on a loaded
 * machine: each look is an HTTP call).
 */
const ENGINE_TOLERANCE_MS = 2_000;

interface ThanosGroup {
  readonly name: string;
  readonly partialResponseStrategy?: string;
  readonly rules: ReadonlyArray<{ readonly type: string; readonly health: string; readonly lastError?: string; readonly name: string }>;
}

describe.skipIf(skip)(`Thanos Ruler ${engineRelease('thanos')} over the outage scenario, beside ${primaryEngine().name}`, () => {
  let reference: Stack | undefined;
  let store: Stack | undefined;
  const thanos: ThanosServer[] = [];
  let ruler: ThanosServer | undefined;
  let watched: Watched;
  let groups: ThanosGroup[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-thanos-test-'));
  const config = validateConfig(fastConfig({ targets: ['prometheus', 'thanos'], thanos: STRATEGY }), 'e2e.yaml');
  const files = generate(config, 'e2e.yaml').files;
  const thanosRules = files.get(`thanos/linkerd-slo-${CLUSTER}.rules.yaml`)!;

  const thanosApi = async <T>(url: string, path: string): Promise<T> => {
    const r = (await (await fetch(`${url}/api/v1/${path}`, { signal: AbortSignal.timeout(10_000) })).json()) as { status: string; data: T; error?: string };
    if (r.status !== 'success') throw new Error(`thanos ${path}: ${r.error}`);
    return r.data;
  };

  beforeAll(async () => {
    const binary = enginePath('thanos')!;
    const sim = outageSimulator(100);
    // One history for both Prometheus: a simulator's history can be written only once.
    const history = writeOpenMetricsHistory(sim, {
      until: Date.now(),
      stepSeconds: HISTORY.historyStepSeconds,
      file: join(dir, 'history.om'),
      families: HISTORY.historyFamilies,
      series: HISTORY.historySeries,
    }).file;
    // The reference evaluates the plain rule file; the store has no rules and serves the querier.
    reference = await startStack({ sim, rules: files.get(`prometheus/linkerd-slo-${CLUSTER}.rules.yaml`)!, historyFile: history });
    store = await startStack({ sim, rules: undefined, historyFile: history, externalLabels: { prometheus: 'store' } });
    const sidecar = await startThanosSidecar(binary, store.prom.url);
    thanos.push(sidecar);
    // The ruler's StoreAPI port is known before it starts: the querier must read from it.
    const rulerGrpc = await freePort();
    // Both external labels are replica labels: the querier drops them, so the rules see the labels Prometheus would.
    const query = await startThanosQuery(binary, [sidecar.grpc, `127.0.0.1:${rulerGrpc}`], ['prometheus', 'ruler']);
    thanos.push(query);
    ruler = await startThanosRule({ binary, rules: thanosRules, query: query.url.replace('http://', ''), grpcPort: rulerGrpc });
    thanos.push(ruler);
    await waitForScrapes(reference, sim, 2);
    await waitForScrapes(store, sim, 2);
    // Every group evaluated, nothing in error, and the ruler's recordings read back through the querier.
    groups = await waitFor('the ruler evaluated every group', async () => {
      const g = (await thanosApi<{ groups: ThanosGroup[] }>(ruler!.url, 'rules')).groups;
      const bad = g.flatMap((x) => x.rules).find((r) => r.health !== 'ok');
      if (bad) throw new Error(`${bad.name}: ${bad.health} ${bad.lastError ?? ''}`);
      return g.length > 0 ? g : undefined;
    }, 60_000);
    await waitFor('the ruler\'s recordings through the querier', async () =>
      (await thanosApi<{ result: unknown[] }>(query.url, 'query?query=linkerd_slo:sli_requests:rate1m')).result.length > 0, 60_000);
    const sources = [
      { name: 'prometheus', alerts: () => reference!.prom.alerts() },
      {
        name: 'thanos',
        // Thanos Ruler 0.42 answers {"Alerts": null} while nothing is active (capitalised, and null for none).
        alerts: async () => {
          const d = await thanosApi<{ alerts?: ActiveAlert[] | null; Alerts?: ActiveAlert[] | null }>(ruler!.url, 'alerts');
          return d.alerts ?? d.Alerts ?? [];
        },
      },
    ];
    watched = await watchOutage(sim, sources);
  }, 300_000);

  afterAll(async () => {
    for (const s of thanos.reverse()) await s.stop();
    await store?.stop();
    await reference?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads every group of the Thanos file with the partial_response_strategy the config sets', () => {
    const expected = [...thanosRules.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]);
    expect(groups.map((g) => g.name).sort()).toEqual([...expected].sort());
    for (const g of groups) {
      const hasAlert = g.rules.some((r) => r.type === 'alerting');
      expect(g.partialResponseStrategy?.toLowerCase(), g.name).toBe(hasAlert ? STRATEGY.alerts : STRATEGY.recordings);
    }
  });

  it('fires nothing during the healthy history, like Prometheus', () => {
    expect(watched.firingBeforeOnset.get('thanos')).toEqual([]);
    expect(watched.firingBeforeOnset.get('prometheus')).toEqual([]);
  });

  it('fires the same alerts as Prometheus, episode for episode, each start and end within one evaluation (and scrape) of Prometheus\'s', () => {
    expectSameEpisodes(watched, 'thanos', 'Thanos Ruler', ENGINE_TOLERANCE_MS);
  });
});
