/**
 * The destination outage scenario, in one place for test/e2e/outage-scenario.test.ts (one engine at a
 * time, against the burn-rate arithmetic) and test/engines (several engines side by side): a
 * short-window bundle, a busy 2.18 mesh with healthy history, and every request to destination failing
 * for OUTAGE_SECONDS while identity slows to a 3 s median. The burn-rate arithmetic and what each test
 * expects of it stay in the tests.
 */
import { LinkerdSimulator } from '../../../tools/sim/index.js';
import type { ConfigInput } from '../../../src/config/schema.js';

export const CLUSTER = 'e2e';

/**
 * Period 1h, objective 99%, one page window pair long 1m / short 10s consuming 20% of the budget,
 * `for: 5s` (see outage-scenario.test.ts for the arithmetic), optionally with rule targets.
 */
export function fastConfig(rules?: NonNullable<ConfigInput['rules']>): ConfigInput {
  return {
    cluster: CLUSTER,
    linkerd: { version: '2.18' },
    prometheus: { extraMatchers: { cluster: CLUSTER } },
    alerting: {
      windows: [{ severity: 'page', long: '1m', short: '10s', budgetConsumed: 20, for: '5s' }],
      absentFor: '30s',
      lowTraffic: { minRequests: 100 },
    },
    slos: {
      controlPlaneSuccessRate: { objective: 99, period: '1h', clientSide: { objective: 99 } },
      controlPlaneLatency: { objective: 99, period: '1h', spike: { for: '10s' }, volumeChange: { window: '1m', baseline: '5m', for: '10s' } },
    },
    ...(rules ? { rules } : {}),
  };
}

/** A simulator whose clock starts `historySeconds` ago (that much healthy history for a backfill). */
export function outageSimulator(historySeconds: number): LinkerdSimulator {
  return new LinkerdSimulator({
    start: Date.now() - historySeconds * 1000,
    version: '2.18',
    targetLabels: { cluster: CLUSTER },
    rates: { destinationPerProxy: 0.5, policyPerProxy: 0.2, identityPerProxy: 0.2 },
    histograms: 'control-plane',
    controlLatency: true,
  });
}

/**
 * What the backfill writes: only what the alerts read (the dashboards are checked over the live range),
 * response and control-plane response counters, and identity's latency histogram.
 */
export const HISTORY = {
  historyStepSeconds: 2,
  historyFamilies: ['response_total', 'response_latency_ms', 'control_response_total'],
  historySeries: (family: string, labels: string) => family !== 'response_latency_ms' || labels.includes('target_port="8080"'),
} as const;

const OUTAGE_SECONDS = 24;

/** Starts the outage at `onset` (epoch ms, on a whole second of the scenario clock); returns the recovery time. */
export function startOutage(sim: LinkerdSimulator, onset: number): number {
  const from = sim.scenario.offset(onset);
  sim.scenario
    .add({ kind: 'cp-errors', component: 'destination', ratio: 1, from, to: from + OUTAGE_SECONDS })
    .add({ kind: 'cp-latency', component: 'identity', medianMs: 3000, sigma: 0.3, from, to: from + OUTAGE_SECONDS });
  return onset + OUTAGE_SECONDS * 1000;
}
