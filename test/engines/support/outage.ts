/**
 * The destination outage of test/e2e/support/outage.ts (short-window bundle, every request to
 * destination failing for 24 s, identity slowed to a 3 s median) driven live, with the alerts of
 * several rule engines watched side by side: each engine's firing episodes per alert, so two
 * engines can be compared episode for episode.
 */
import { expect } from 'vitest';
import type { ActiveAlert, LinkerdSimulator } from '../../../tools/sim/index.js';
import { startOutage } from '../../e2e/support/outage.js';
import { sleep } from '../../support/wait.js';

export { CLUSTER, HISTORY, fastConfig, outageSimulator } from '../../e2e/support/outage.js';

/** After recovery the long window (1m) alone would clear every page by then; the short window does it sooner. */
const AFTER_RECOVERY_SECONDS = 53;

export interface AlertSource {
  readonly name: string;
  alerts(): Promise<readonly ActiveAlert[]>;
}

/** alertname/sli/component: the identity of an alert in this scenario. */
const alertKey = (a: ActiveAlert): string => `${a.labels.alertname}/${a.labels.sli ?? ''}/${a.labels.component ?? ''}`;

/** Firing episodes per alert key: [start, end) in ms since onset, end undefined while still firing. */
type Episodes = Map<string, Array<[number, number | undefined]>>;

export interface Watched {
  readonly onset: number;
  readonly recovery: number;
  /** Firing before the outage, per source (a healthy history must fire nothing). */
  readonly firingBeforeOnset: ReadonlyMap<string, readonly string[]>;
  readonly episodes: ReadonlyMap<string, Episodes>;
  /**
   * The longest time between two consecutive looks at any source, in ms: a change is seen up to this
   * late. Nominally the 250 ms poll, longer on a loaded machine (each look is an HTTP call).
   */
  readonly maxPollGapMs: number;
}

async function firing(source: AlertSource): Promise<string[]> {
  return (await source.alerts()).filter((a) => a.state === 'firing').map(alertKey);
}

/**
 * Starts the outage 2 s from now and polls every source every 250 ms until each has no firing alert
 * after recovery, or the long-window deadline has passed.
 */
export async function watchOutage(sim: LinkerdSimulator, sources: readonly AlertSource[]): Promise<Watched> {
  const firingBeforeOnset = new Map<string, string[]>();
  for (const s of sources) firingBeforeOnset.set(s.name, await firing(s));
  const onset = Math.ceil((Date.now() + 2000) / 1000) * 1000;
  const recovery = startOutage(sim, onset);
  const episodes = new Map<string, Episodes>(sources.map((s) => [s.name, new Map()]));
  const deadline = recovery + AFTER_RECOVERY_SECONDS * 1000;
  const lastLook = new Map<string, number>();
  let maxPollGapMs = 0;
  while (Date.now() < deadline) {
    let quiet = Date.now() >= recovery;
    for (const s of sources) {
      const current = new Set(await firing(s));
      const seen = Date.now();
      const now = seen - onset;
      const previous = lastLook.get(s.name);
      if (previous !== undefined) maxPollGapMs = Math.max(maxPollGapMs, seen - previous);
      lastLook.set(s.name, seen);
      const mine = episodes.get(s.name)!;
      for (const k of current) {
        const list = mine.get(k) ?? [];
        const last = list[list.length - 1];
        if (!last || last[1] !== undefined) list.push([now, undefined]);
        mine.set(k, list);
      }
      for (const [k, list] of mine) {
        const last = list[list.length - 1]!;
        if (last[1] === undefined && !current.has(k)) last[1] = now;
      }
      if (current.size > 0 || mine.size === 0) quiet = false;
    }
    if (quiet) break;
    await sleep(250);
  }
  return { onset, recovery, firingBeforeOnset, episodes, maxPollGapMs };
}

/** "key: n episode(s) [start–end s] ..." for messages and logs. */
function describeEpisodes(e: Episodes): string {
  const s = (ms: number | undefined) => (ms === undefined ? '…' : (ms / 1000).toFixed(1));
  return [...e].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, list]) => `${k}: ${list.map(([a, b]) => `${s(a)}–${s(b)} s`).join(', ')}`).join('\n');
}

/** The alert keys and the number of firing episodes of each: what two engines must agree on. */
const episodeCounts = (e: Episodes): Record<string, number> => Object.fromEntries([...e].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, l]) => [k, l.length]));

/** The only alert that may still fire when the watch ends: the latency-spike ticket reads a 5m window, which holds the 24 s of slowness for 5 minutes. */
const OUTLIVES_WATCH = ['LinkerdControlPlaneLatencySpike/server/identity'];

/** The longest poll gap a comparison accepts: beyond it the watch is too slow to tell engines apart, and the test fails instead of widening. */
const MAX_POLL_GAP_MS = 2_000;

/**
 * Another engine's episodes against Prometheus': the same alerts, as many episodes of each, every
 * start and end within the engine's own tolerance plus the watch's longest poll gap (at most
 * MAX_POLL_GAP_MS) of Prometheus' (or still firing on both when the watch ends); every page cleared
 * on both, only OUTLIVES_WATCH still firing.
 */
export function expectSameEpisodes(watched: Watched, engine: string, name: string, engineToleranceMs: number): void {
  expect(watched.maxPollGapMs, `the watch looked at each engine at least every ${MAX_POLL_GAP_MS} ms`).toBeLessThanOrEqual(MAX_POLL_GAP_MS);
  const toleranceMs = engineToleranceMs + watched.maxPollGapMs;
  const prom = watched.episodes.get('prometheus')!;
  const other = watched.episodes.get(engine)!;
  console.log(`Prometheus:\n${describeEpisodes(prom)}\n${name}:\n${describeEpisodes(other)}\ntolerance: ${toleranceMs} ms`);
  expect(Object.keys(episodeCounts(prom))).toContain('LinkerdControlPlaneErrorBudgetBurn/server/destination');
  expect(episodeCounts(other)).toEqual(episodeCounts(prom));
  for (const [k, list] of prom) {
    list.forEach(([start, end], i) => {
      const [oStart, oEnd] = other.get(k)![i]!;
      expect(Math.abs(oStart - start), `${k} episode ${i + 1} starts ${oStart - start} ms apart`).toBeLessThanOrEqual(toleranceMs);
      expect(oEnd === undefined, `${k} episode ${i + 1} ended on one engine only`).toBe(end === undefined);
      if (end !== undefined && oEnd !== undefined) expect(Math.abs(oEnd - end), `${k} episode ${i + 1} ends ${oEnd - end} ms apart`).toBeLessThanOrEqual(toleranceMs);
    });
  }
  const stillFiring = (e: Episodes) => [...e].filter(([, l]) => l[l.length - 1]![1] === undefined).map(([k]) => k).sort();
  expect(stillFiring(prom)).toEqual(OUTLIVES_WATCH);
}
