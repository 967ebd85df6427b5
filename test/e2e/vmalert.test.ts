/**
 * The example bundle's rule file on a second engine: vmalert over VictoriaMetrics (MetricsQL),
 * compared with Prometheus (PromQL) on the same simulated history.
 *
 * One simulated mesh, three hours of history at a 1-minute step, holding these scenarios in turn:
 *   healthy        the first 90 minutes: nothing may page;
 *   full outage    destination answers every request with an error for 30 minutes (the burn-rate pages);
 *   metrics gone   response_latency_ms disappears from every proxy for the last 30 minutes;
 *   certificate    the identity issuer expires 5 days after the end (the issuer alerts, throughout).
 * The history goes into both engines (promtool backfill for Prometheus, /api/v1/import/prometheus
 * for VictoriaMetrics). Both are then driven identically by `vmalert -replay`, level by level of
 * recording dependencies: against Prometheus (datasource Prometheus, results remote-written back
 * into it through --web.enable-remote-write-receiver) and against VictoriaMetrics. The only
 * difference between the two runs is the query engine and its storage. Compared:
 *   - every rule evaluates without error on both (replay stops on a query error; live vmalert reports lastError);
 *   - the same alerts fire (ALERTS{alertstate="firing"}), for about as long;
 *   - the recorded error ratios agree within the tolerances below.
 * Then vmalert evaluates live, restoring its alert state through -remoteRead.url.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseYamlConfig } from '../../src/config/load.js';
import { backfill, simulatorFor, requirePrometheus, startPrometheus, writeOpenMetricsHistory, type RunningPrometheus, type Sample } from '../../tools/sim/index.js';
import { bundleOf, waitFor } from './support/harness.js';
import { queryApi, replay, requireVictoriaMetrics, ruleLevels, startVictoriaMetrics, startVmalert, type QueryApi, type VictoriaMetrics } from './support/victoria.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'linkerd-slo.yaml');
const MINUTE = 60_000;
const HISTORY_MINUTES = 180;
const OUTAGE = { from: 95, to: 125 }; // minutes after the start
const METRICS_GONE_FROM = 150;
/** Minutes of simulated data after the replayed range, for the live evaluation. */
const LIVE_MINUTES = 4;
/** Replay starts once the 5m windows hold data. */
const REPLAY_FROM = 10;

/**
 * Where the engines differ, and the tolerances that follow (measured; see docs/loading.md):
 *  - range boundaries: Prometheus 2.x selects [t − w, t], MetricsQL (and Prometheus 3) (t − w, t]. The
 *    recordings are 1 minute apart, so `sum_over_time(x[w])` holds one sample more on Prometheus;
 *    where x changes inside the window (an outage starting or ending) the ratio moves by up to one
 *    sample's weight, 1 minute / w (w counted from the start of the replay when that is shorter);
 *  - counter birth: a failure series that appears with the outage counts from 0 on MetricsQL, while
 *    Prometheus' rate() needs two samples and misses the first minute of errors: the 5m ratio
 *    differs by up to a minute's share of the window in the first minutes of an outage;
 *  - no extrapolation in MetricsQL's rate(); with steady traffic it changes nothing measurable here.
 * Ratios away from such transitions agree within STEADY; at a transition within TRANSITION.
 */
const STEADY = { absolute: 0.001, relative: 0.01 };
const TRANSITION_SAMPLES = 1.5; // sample weights (1 minute / window) allowed at a transition
/**
 * The 30m and 1h windows add up whole 5m tiles (`rate5m + rate5m offset 5m + …`): each tile is a
 * separate rate(), so the engines' two differences above (the first interval of a new error series,
 * extrapolation to the tile's edges) enter once per tile the transition touches, not once per
 * window. Measured on this scenario: at most 2.8 samples' weight on the 1h window during the outage;
 * steady state is unchanged. The alerts themselves agree (the test above).
 */
const TILED_TRANSITION_SAMPLES = 3;
const TILED_WINDOWS: ReadonlySet<string> = new Set(['linkerd_slo:sli_error:ratio_rate30m', 'linkerd_slo:sli_error:ratio_rate1h']);
/**
 * Alert episodes start and end where a ratio crosses its threshold; the differences above move a
 * slowly decaying 30m or 6h ratio's crossing by a few evaluations (measured: at most 6 of a 52-minute
 * episode of the 6h/30m page).
 */
const FIRING_MINUTES_TOLERANCE = 8;
/** Moments where the simulated mesh changes (minutes after the start). */
const TRANSITIONS = [OUTAGE.from, OUTAGE.to, METRICS_GONE_FROM];

const key = (m: Record<string, string>) =>
  Object.entries(m)
    .filter(([k]) => k !== '__name__' && k !== 'alertstate' && k !== 'alertgroup')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** alert key → the evaluation times (ms) at which it was firing. */
async function firing(engine: QueryApi, from: number, to: number, states = 'firing'): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  for (const s of await engine.queryRange(`ALERTS{alertstate=~"${states}"}`, from, to, 60)) {
    const k = key(s.metric);
    const set = out.get(k) ?? new Set<number>();
    for (const [t, v] of s.values ?? []) if (Number(v) === 1) set.add(Math.round(t) * 1000);
    out.set(k, set);
  }
  return out;
}

describe('vmalert over VictoriaMetrics agrees with Prometheus on the example bundle', () => {
  let prom: RunningPrometheus | undefined;
  let vm: VictoriaMetrics | undefined;
  let dir = '';
  let rules = '';
  let start = 0;
  let end = 0;
  let levels: string[] = [];
  const timings: string[] = [];

  beforeAll(async () => {
    requirePrometheus();
    console.log(`victoria-metrics ${requireVictoriaMetrics()}`);
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-vmalert-e2e-'));
    const config = parseYamlConfig(readFileSync(EXAMPLE, 'utf8'), 'examples/linkerd-slo.yaml');
    rules = bundleOf(config, 'examples/linkerd-slo.yaml').rules;
    levels = ruleLevels(rules);
    end = Math.floor(Date.now() / MINUTE) * MINUTE;
    start = end - HISTORY_MINUTES * MINUTE;
    const sim = simulatorFor(config, { start, issuerNotAfter: Math.round(end / 1000) + 5 * 86400 });
    sim.scenario
      .add({ kind: 'cp-errors', component: 'destination', ratio: 1, from: OUTAGE.from * 60, to: OUTAGE.to * 60 })
      .add({ kind: 'families-missing', families: ['response_latency_ms'], from: METRICS_GONE_FROM * 60 });
    let t = Date.now();
    // The history runs a few minutes past the replayed range, so the live evaluation after the replay
    // finds fresh samples at the wall-clock time, as it would behind a scraper.
    const history = writeOpenMetricsHistory(sim, { until: end + LIVE_MINUTES * MINUTE, stepSeconds: 60, file: join(dir, 'history.om') });
    timings.push(`history ${history.samples} samples ${Date.now() - t} ms`);

    t = Date.now();
    const dataDir = join(dir, 'prom-data');
    const vmStarted = startVictoriaMetrics();
    backfill(history.file, dataDir);
    timings.push(`promtool backfill ${Date.now() - t} ms`);
    t = Date.now();
    vm = await vmStarted;
    const imported = await vm.importOpenMetrics(history.file);
    await vm.flush();
    expect(imported).toBe(history.samples);
    timings.push(`VictoriaMetrics import ${Date.now() - t} ms`);
    t = Date.now();
    prom = await startPrometheus({
      // Replayed recordings arrive through remote write with past timestamps, behind the backfilled blocks.
      config: { global: { evaluation_interval: '1m' }, storage: { tsdb: { out_of_order_time_window: '1d' } } },
      dataDir,
      args: ['--web.enable-remote-write-receiver'],
    });
    timings.push(`Prometheus start ${Date.now() - t} ms`);

    // One engine after the other (not in parallel), so each replay's time is that engine's
    // evaluation cost for the whole bundle over the range (the same queries, the same driver).
    const cost = { prometheus: 0, victoria: 0 };
    for (const level of levels) {
      const range = { rules: level, fromMs: start + REPLAY_FROM * MINUTE, toMs: end };
      cost.prometheus += (await replay({ ...range, datasourceUrl: prom.url, remoteWriteUrl: prom.url })).ms;
      cost.victoria += (await replay({ ...range, datasourceUrl: vm.url, remoteWriteUrl: vm.url })).ms;
      await vm.flush();
    }
    timings.push(`replay of ${levels.length} dependency levels over ${HISTORY_MINUTES - REPLAY_FROM} one-minute steps: Prometheus ${cost.prometheus} ms, VictoriaMetrics ${cost.victoria} ms (vmalert start-up included)`);
  }, 240_000);

  afterAll(async () => {
    console.log(timings.join('; '));
    await prom?.stop();
    await vm?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('replays in dependency levels (recordings before the rules reading them)', () => {
    expect(levels.length).toBeGreaterThanOrEqual(3);
  });

  it('the scenarios happen on Prometheus: quiet while healthy, the destination page during the outage, the issuer alert, metrics-absent after the metrics went', async () => {
    const alerts = await firing(queryApi(prom!.url), start + REPLAY_FROM * MINUTE, end);
    const healthyUntil = start + (OUTAGE.from - 1) * MINUTE;
    const names = (pred: (times: Set<number>) => boolean) => [...alerts].filter(([, times]) => pred(times)).map(([k]) => k);
    const inHealthy = names((times) => [...times].some((x) => x < healthyUntil)).filter((k) => !k.includes('certificate=issuer'));
    expect(inHealthy).toEqual([]);
    const pageDuringOutage = names((times) => [...times].some((x) => x >= start + OUTAGE.from * MINUTE && x <= start + OUTAGE.to * MINUTE));
    expect(pageDuringOutage.some((k) => k.includes('alertname=LinkerdControlPlaneErrorBudgetBurn') && k.includes('component=destination') && k.includes('severity=critical'))).toBe(true);
    expect(names(() => true).some((k) => k.includes('alertname=LinkerdIdentityIssuerCertificateExpiring'))).toBe(true);
    const absentAfterGone = names((times) => [...times].some((x) => x >= start + METRICS_GONE_FROM * MINUTE));
    expect(absentAfterGone.some((k) => k.includes('alertname=LinkerdControlPlaneLatencyMetricsAbsent'))).toBe(true);
    console.log(`Prometheus fired: ${[...alerts.keys()].map((k) => /alertname=(\w+)/.exec(k)?.[1]).sort().join(', ')}`);
  });

  it('the same alerts fire on both engines, for about as long', async () => {
    const from = start + REPLAY_FROM * MINUTE;
    const [p, v] = await Promise.all([firing(queryApi(prom!.url), from, end), firing(vm!, from, end)]);
    expect([...v.keys()].sort()).toEqual([...p.keys()].sort());
    const differences: string[] = [];
    let largest = 0;
    for (const [k, times] of p) {
      const other = v.get(k) ?? new Set<number>();
      const onlyOne = [...times].filter((x) => !other.has(x)).length + [...other].filter((x) => !times.has(x)).length;
      largest = Math.max(largest, onlyOne);
      if (onlyOne > FIRING_MINUTES_TOLERANCE) differences.push(`${k}: Prometheus ${times.size} min, vmalert ${other.size} min, ${onlyOne} min differ`);
    }
    console.log(`${p.size} alerts fired on both; at most ${largest} evaluation(s) apart`);
    expect(differences).toEqual([]);
  });

  it('recorded error ratios agree: closely in steady state, within one sample\'s weight at transitions', async () => {
    // The stored samples themselves (a range selector at the end), not a lookback-dependent query.
    const replayFrom = start + REPLAY_FROM * MINUTE;
    const stored = async (engine: QueryApi, record: string) => {
      const out = new Map<string, Map<number, number>>();
      for (const s of await engine.query(`${record}[${HISTORY_MINUTES}m]`, end)) out.set(key(s.metric), new Map((s.values ?? []).map(([t, v]) => [Math.round(t) * 1000, Number(v)])));
      return out;
    };
    let steady = 0;
    let transition = 0;
    const worst = { steady: 0, transition: 0 };
    const off: string[] = [];
    const onlyOne: string[] = [];
    for (const [record, windowMinutes] of [['linkerd_slo:sli_error:ratio_rate5m', 5], ['linkerd_slo:sli_error:ratio_rate1h', 60], ['linkerd_slo:sli_error:ratio_rate6h', 360]] as const) {
      const [p, v] = await Promise.all([stored(queryApi(prom!.url), record), stored(vm!, record)]);
      expect([...v.keys()].sort(), record).toEqual([...p.keys()].sort());
      for (const [k, series] of p) {
        const other = v.get(k)!;
        for (const [t, a] of series) {
          const b = other.get(t);
          if (b === undefined) {
            onlyOne.push(`${record}{${k}} at ${new Date(t).toISOString()}`);
            continue;
          }
          if (Number.isNaN(a) && Number.isNaN(b)) continue;
          const effective = Math.min(windowMinutes, (t - replayFrom) / MINUTE);
          const minute = (t - start) / MINUTE;
          const atTransition = TRANSITIONS.some((m) => minute >= m && minute <= m + windowMinutes + 5);
          const diff = Math.abs(a - b);
          const samples = TILED_WINDOWS.has(record) ? TILED_TRANSITION_SAMPLES : TRANSITION_SAMPLES;
          const allowed = atTransition ? STEADY.absolute + samples / Math.max(1, effective) : STEADY.absolute + STEADY.relative * Math.abs(a);
          if (atTransition) {
            transition++;
            worst.transition = Math.max(worst.transition, diff);
          } else {
            steady++;
            worst.steady = Math.max(worst.steady, diff);
          }
          if (!(diff <= allowed)) off.push(`${record}{${k}} at ${new Date(t).toISOString()}: Prometheus ${a}, VictoriaMetrics ${b} (allowed ${allowed.toFixed(4)})`);
        }
      }
    }
    console.log(`recorded ratios: ${steady} steady-state samples (largest difference ${worst.steady}), ${transition} at transitions (largest ${worst.transition}); ${onlyOne.length} sample(s) on Prometheus only`);
    expect(steady).toBeGreaterThan(1000);
    expect(off.slice(0, 20)).toEqual([]);
    // Staleness: when a series ends (metrics gone), MetricsQL stops its rate() within about two sample
    // intervals; Prometheus, reading backfilled data without staleness markers, keeps computing it
    // until the last sample leaves the 5m window, and a ratio read from such a recording (the latency
    // SLIs read linkerd_slo:response_latency_ms_bucket:rate5m) lasts another 5 minutes of lookback.
    // So Prometheus holds a 5m recording up to 10 minutes longer, only right after the metrics went
    // (a live Prometheus writes staleness markers and stops at once).
    const gone = start + METRICS_GONE_FROM * MINUTE;
    const unexplained = onlyOne.filter((o) => {
      const t = Date.parse(o.replace(/^.* at /, ''));
      return !(o.startsWith('linkerd_slo:sli_error:ratio_rate5m{') && t >= gone && t <= gone + 10 * MINUTE);
    });
    expect(unexplained).toEqual([]);
  });

  it('live vmalert (with -remoteRead.url) evaluates every rule without error; the alerts Prometheus fired last are active', async () => {
    // The example's groups name no interval, so -evaluationInterval applies; vmalert delays each group's
    // first evaluation by up to one interval (to spread load), so a short one keeps the test short.
    const live = await startVmalert({ rules, datasourceUrl: vm!.url, remoteWriteUrl: vm!.url, remoteReadUrl: vm!.url, evaluationInterval: '10s' });
    try {
      const evaluatedAll = (since: number) => async () => {
        const rs = await live.rules();
        return rs.length > 0 && rs.every((r) => Date.parse(r.lastEvaluation) > since) ? rs : undefined;
      };
      await waitFor('every rule evaluated once', evaluatedAll(0), 60_000);
      // Then a full second round: MetricsQL looks back only max(step, sample interval) for a bare
      // selector (Prometheus: 5 minutes), so an alert reading a recording sees it once the recording
      // group has written at the live interval; the first round may run alert groups first.
      const evaluated = await waitFor('every rule evaluated a second time', evaluatedAll(Date.now()), 60_000);
      const ruleCount = levels.reduce((n, l) => n + (l.match(/^\s+- (record|alert):/gm)?.length ?? 0), 0);
      expect(evaluated.length).toBe(ruleCount);
      expect(evaluated.filter((r) => r.lastError).map((r) => `${r.group}/${r.name}: ${r.lastError}`)).toEqual([]);
      const atEnd = async (states: string) => [...(await firing(queryApi(prom!.url), end - MINUTE, end, states))].filter(([, times]) => times.has(end)).map(([k]) => k).sort();
      const expected = await atEnd('firing|pending');
      const expectedFiring = await atEnd('firing');
      // Active = firing or pending, on both sides. vmalert 1.79 restores `for` state from
      // ALERTS_FOR_STATE (-remoteRead.url), but an alert whose condition was empty in the first
      // live round (see above) starts its `for` again: it may be pending where Prometheus fires,
      // never the reverse.
      const liveAlerts = await live.alerts();
      const active = [...new Set(liveAlerts.map((a) => key({ alertname: a.name, ...a.labels })))].sort();
      const firingLive = liveAlerts.filter((a) => a.state === 'firing').map((a) => `${a.name} ${a.labels.long ?? ''}`);
      console.log(`live vmalert: ${evaluated.length} rules evaluated without error; ${active.length} alerts active as on Prometheus at the end of the replay; ${firingLive.length} of the ${expectedFiring.length} Prometheus fired already firing again (${firingLive.join(', ')})`);
      expect(active).toEqual(expected);
      const firingKeys = liveAlerts.filter((a) => a.state === 'firing').map((a) => key({ alertname: a.name, ...a.labels }));
      expect(firingKeys.filter((k) => !expectedFiring.includes(k))).toEqual([]);
    } finally {
      await live.stop();
    }
  }, 90_000);
});
