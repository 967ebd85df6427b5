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
 *
 * A second, quiet history (low traffic: one failed request among ~10 an hour) is replayed the same
 * way with the example bundle and with the bundle whose low-traffic guard is off (see below).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import { parseYamlConfig, validateConfig } from '../../src/config/load.js';
import {
  backfill, queryApi, replay, requirePrometheus, requireVictoriaMetrics, ruleLevels, simulatorFor, startPrometheus, startVictoriaMetrics, startVmalert,
  workloadsOf, writeOpenMetricsHistory, type QueryApi, type RunningPrometheus, type VictoriaMetrics,
} from '../../tools/sim/index.js';
import { bundleOf, waitFor } from './support/harness.js';

/**
 * Debian's vmalert 1.79 predates keep_firing_for (vmalert reads it from 1.90) and refuses a rule that has
 * it ("unknown fields in rule: keep_firing_for"): the bundle written for an engine older than 2.42
 * (`prometheus.minVersion`), which writes no keep_firing_for, as a user of such a vmalert writes it
 * (docs/loading.md). The comparison is of the query engines; keep_firing_for is the same state machine on both sides.
 */
function withoutKeepFiringFor<C extends { prometheus: { minVersion: string } }>(config: C): C {
  return { ...config, prometheus: { ...config.prometheus, minVersion: '2.41' } };
}

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
 * window. Measured on this scenario: at most 2.8 samples' weight on the 1h window during the outage
 * against Prometheus 2.42, 3.25 against Prometheus 3.16, whose left-open ranges leave the sample at
 * each tile's start out of that tile's rate() (one more extrapolation per tile); steady state is
 * unchanged. The alerts themselves agree (the test above).
 */
const TILED_TRANSITION_SAMPLES = 3.5;
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

/**
 * The same histories into both engines (promtool backfill for Prometheus, /api/v1/import/prometheus
 * for VictoriaMetrics), then `vmalert -replay` over [fromMs, toMs] against each, level by level of
 * recording dependencies. One engine after the other (not in parallel), so each replay's time is that
 * engine's evaluation cost for the rules over the range (the same queries, the same driver).
 */
async function bothEngines(o: {
  dir: string;
  histories: ReadonlyArray<{ file: string; samples: number }>;
  levels: readonly string[];
  fromMs: number;
  toMs: number;
  timings: string[];
}): Promise<{ prom: RunningPrometheus; vm: VictoriaMetrics }> {
  let t = Date.now();
  const dataDir = join(o.dir, 'prom-data');
  const vmStarted = startVictoriaMetrics();
  let vm: VictoriaMetrics | undefined;
  let prom: RunningPrometheus | undefined;
  try {
    // promtool accepts overlapping blocks in one data directory (Prometheus 2.39+ loads them).
    for (const h of o.histories) backfill(h.file, dataDir);
    o.timings.push(`promtool backfill ${Date.now() - t} ms`);
    t = Date.now();
    vm = await vmStarted;
    let imported = 0;
    for (const h of o.histories) imported += await vm.importOpenMetrics(h.file);
    await vm.flush();
    expect(imported).toBe(o.histories.reduce((n, h) => n + h.samples, 0));
    o.timings.push(`VictoriaMetrics import ${Date.now() - t} ms`);
    t = Date.now();
    prom = await startPrometheus({
      // Replayed recordings arrive through remote write with past timestamps, behind the backfilled blocks.
      config: { global: { evaluation_interval: '1m' }, storage: { tsdb: { out_of_order_time_window: '1d' } } },
      dataDir,
      args: ['--web.enable-remote-write-receiver'],
    });
    o.timings.push(`Prometheus start ${Date.now() - t} ms`);
    const cost = { prometheus: 0, victoria: 0 };
    for (const level of o.levels) {
      const range = { rules: level, fromMs: o.fromMs, toMs: o.toMs };
      cost.prometheus += (await replay({ ...range, datasourceUrl: prom.url, remoteWriteUrl: prom.url })).ms;
      cost.victoria += (await replay({ ...range, datasourceUrl: vm.url, remoteWriteUrl: vm.url })).ms;
      await vm.flush();
    }
    o.timings.push(`replay of ${o.levels.length} dependency levels over ${Math.round((o.toMs - o.fromMs) / MINUTE)} one-minute steps: Prometheus ${cost.prometheus} ms, VictoriaMetrics ${cost.victoria} ms (vmalert start-up included)`);
    return { prom, vm };
  } catch (err) {
    await prom?.stop();
    await (vm ?? (await vmStarted.catch(() => undefined)))?.stop();
    throw err;
  }
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
    const config = withoutKeepFiringFor(parseYamlConfig(readFileSync(EXAMPLE, 'utf8'), 'examples/linkerd-slo.yaml'));
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
    ({ prom, vm } = await bothEngines({ dir, histories: [history], levels, fromMs: start + REPLAY_FROM * MINUTE, toMs: end, timings }));
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
      // An alert that reads a recording becomes active once that recording has been written live
      // (above): poll to a deadline for the active set rather than take the first answer.
      const activeOf = (alerts: Awaited<ReturnType<typeof live.alerts>>) => [...new Set(alerts.map((a) => key({ alertname: a.name, ...a.labels })))].sort();
      let liveAlerts = await live.alerts();
      await waitFor('vmalert active alerts as on Prometheus', async () => {
        liveAlerts = await live.alerts();
        return JSON.stringify(activeOf(liveAlerts)) === JSON.stringify(expected) ? true : undefined;
      }, 60_000).catch(() => undefined);
      const active = activeOf(liveAlerts);
      const firingLive = liveAlerts.filter((a) => a.state === 'firing').map((a) => `${a.name} ${a.labels.long ?? ''}`);
      console.log(`live vmalert: ${evaluated.length} rules evaluated without error; ${active.length} alerts active as on Prometheus at the end of the replay; ${firingLive.length} of the ${expectedFiring.length} Prometheus fired already firing again (${firingLive.join(', ')})`);
      expect(active).toEqual(expected);
      const firingKeys = liveAlerts.filter((a) => a.state === 'firing').map((a) => key({ alertname: a.name, ...a.labels }));
      expect(firingKeys.filter((k) => !expectedFiring.includes(k))).toEqual([]);
    } finally {
      await live.stop();
    }
  }, 180_000);
});

/**
 * Low traffic: a quiet cluster where destination serves about 10 requests an hour, and one of them
 * fails. On paper that is a 1000x burn of a 99.9% objective (1 failure in the ~10 requests of the 1h
 * window), so only the low-traffic guard (alerting.lowTraffic.minRequests: 100 requests in the long
 * window) keeps the page quiet. The same history is simulated twice, under two cluster labels: the
 * example bundle as it is for cluster `quiet`, and with the guard off (minRequests: 0) for cluster
 * `quiet-noguard`; both rule files are replayed on both engines. So the test shows that the guard,
 * and nothing else, holds the page back, on both engines: without it the same failure pages on both.
 *
 * How the history is made (the simulator's counters are deterministic and integer, see tools/sim):
 *  - destination's callers: the control plane, Viz, one pod of each workload the example names, and
 *    one 6-pod Deployment (one client identity, so a third of the calls are one counter: its call is
 *    the one that fails); 10 requests an hour in all, as the stored counters show (each caller's
 *    counter ticks once every 1 to 2 hours, the Deployment's about every 17 minutes);
 *  - the first minutes are busy (a rollout: 60x the calls) with 150 s of failures, so every caller's
 *    success and failure series exist long before the evaluated range: a series that appears at 1 is
 *    an increase of 1 for MetricsQL's rate() but nothing for Prometheus' (see "counter birth" above),
 *    which would make the engines differ for a reason unrelated to the rules;
 *  - proxy idle-series eviction off (LINKERD2_PROXY_METRICS_RETAIN_IDLE: with the proxy's default
 *    10 minutes a counter that changes every 12 minutes would vanish and reappear, as a new series).
 */
const QUIET = {
  minutes: 130,
  busy: { to: 5, factor: 60, failingSeconds: 150 },
  /** Replay starts over an hour after the busy minutes, so no evaluated 1h window reaches them. */
  replayFrom: 75,
  failure: { from: 90, to: 104 },
  requestsPerHour: 10,
} as const;
const QUIET_CLUSTERS = { guarded: 'quiet', unguarded: 'quiet-noguard' } as const;

describe('low traffic, one failed request: quiet on both engines because of the low-traffic guard', () => {
  let prom: RunningPrometheus | undefined;
  let vm: VictoriaMetrics | undefined;
  let dir = '';
  let start = 0;
  let end = 0;
  const timings: string[] = [];

  beforeAll(async () => {
    requirePrometheus();
    requireVictoriaMetrics();
    dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-vmalert-quiet-'));
    const example = load(readFileSync(EXAMPLE, 'utf8')) as Record<string, Record<string, unknown>>;
    // The example as it is (its alerting.lowTraffic.minRequests), and with the guard off.
    const configFor = (cluster: string, alerting: Record<string, unknown>) =>
      validateConfig({ ...example, cluster, prometheus: { ...example.prometheus, extraMatchers: { cluster } }, alerting }, 'examples/linkerd-slo.yaml');
    const guarded = withoutKeepFiringFor(configFor(QUIET_CLUSTERS.guarded, example.alerting!));
    const unguarded = withoutKeepFiringFor(configFor(QUIET_CLUSTERS.unguarded, { ...example.alerting, lowTraffic: { minRequests: 0 } }));
    expect(guarded.alerting.lowTraffic.minRequests).toBeGreaterThan(QUIET.requestsPerHour * 6);
    // Group names are the same in both bundles: prefix them with the cluster, so both fit in one rule file.
    const groups = [guarded, unguarded].flatMap((c) =>
      (load(bundleOf(c, 'examples/linkerd-slo.yaml').rules) as { groups: Array<{ name: string }> }).groups.map((g) => ({ ...g, name: `${c.cluster}/${g.name}` })),
    );
    const levels = ruleLevels(dump({ groups }, { lineWidth: -1, noRefs: true }));

    end = Math.floor(Date.now() / MINUTE) * MINUTE;
    start = end - QUIET.minutes * MINUTE;
    const mesh = { namespaces: 1, workloadsPerNamespace: 1, podsPerWorkload: 6, retainIdleSeconds: 0 };
    const histories = [guarded, unguarded].map((config) => {
      const workloads = workloadsOf(config).map((w) => ({ ...w, pods: 1 }));
      const callers = simulatorFor(config, { ...mesh, workloads }).mesh.pods.filter((p) => p.component !== 'destination').length;
      const sim = simulatorFor(config, {
        ...mesh,
        workloads,
        start,
        // Policy and identity at the simulator's defaults (a proxy renews its certificate about once a day).
        rates: { destinationPerProxy: QUIET.requestsPerHour / 3600 / callers },
      });
      sim.scenario
        .add({ kind: 'cp-traffic', component: 'destination', factor: QUIET.busy.factor, from: 0, to: QUIET.busy.to * 60 })
        .add({ kind: 'cp-errors', component: 'destination', ratio: 1, from: 0, to: QUIET.busy.failingSeconds })
        .add({ kind: 'cp-errors', component: 'destination', ratio: 1, from: QUIET.failure.from * 60, to: QUIET.failure.to * 60 });
      return writeOpenMetricsHistory(sim, { until: end, stepSeconds: 60, file: join(dir, `${config.cluster}.om`) });
    });
    timings.push(`history ${histories.reduce((n, h) => n + h.samples, 0)} samples`);
    ({ prom, vm } = await bothEngines({ dir, histories, levels, fromMs: start + QUIET.replayFrom * MINUTE, toMs: end, timings }));
  }, 240_000);

  afterAll(async () => {
    console.log(`low traffic: ${timings.join('; ')}`);
    await prom?.stop();
    await vm?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** destination's own proxy, inbound on its gRPC port 8086 (not the generator's selectors: Linkerd's labels). */
  const destinationInbound = (family: string, cluster: string, extra = '') =>
    `${family}{cluster="${cluster}", namespace="linkerd", control_plane_component="destination", direction="inbound", target_addr=~".+:8086"${extra}}`;

  it('the history is what the scenario says: about 10 requests an hour, one failure in the evaluated range', async () => {
    const figures: string[] = [];
    for (const cluster of Object.values(QUIET_CLUSTERS)) {
      const sumAt = async (family: string, extra: string, minute: number) =>
        Number((await prom!.query(`sum(${destinationInbound(family, cluster, extra)})`, start + minute * MINUTE))[0]?.value?.[1] ?? NaN);
      // Counters never reset here (no restarts), so differences of the sums are requests.
      const failed = ', classification="failure"';
      const failuresBefore = await sumAt('response_total', failed, QUIET.replayFrom - 65);
      expect(failuresBefore, cluster).toBeGreaterThan(0);
      expect(await sumAt('response_total', failed, QUIET.failure.from), cluster).toBe(failuresBefore);
      expect(await sumAt('response_total', failed, QUIET.failure.to), cluster).toBe(failuresBefore + 1);
      expect(await sumAt('response_total', failed, QUIET.minutes), cluster).toBe(failuresBefore + 1);
      // Every window the evaluated range reads (the replay range and the hour before it).
      const first = QUIET.replayFrom - 60;
      const perHour = ((await sumAt('response_total', '', QUIET.minutes)) - (await sumAt('response_total', '', first))) / ((QUIET.minutes - first) / 60);
      expect(perHour, cluster).toBeGreaterThanOrEqual(QUIET.requestsPerHour / 2);
      expect(perHour, cluster).toBeLessThanOrEqual(QUIET.requestsPerHour * 1.5);
      figures.push(`${cluster}: ${perHour.toFixed(1)} responses an hour, 1 failure`);
    }
    console.log(`low traffic history: ${figures.join('; ')}`);
  });

  const isSuccessRatePage = (k: string) => k.includes('slo=control-plane-success-rate') && k.includes('severity=critical');
  const ofCluster = (k: string, cluster: string) => k.split(',').includes(`cluster=${cluster}`);

  it('with the guard, no success-rate page on either engine; without it, destination pages on both', async () => {
    const from = start + QUIET.replayFrom * MINUTE;
    for (const [engine, api] of [['Prometheus', queryApi(prom!.url)], ['VictoriaMetrics', vm!]] as const) {
      const alerts = [...(await firing(api, from, end)).keys()];
      expect(alerts.filter((k) => ofCluster(k, QUIET_CLUSTERS.guarded) && isSuccessRatePage(k)), engine).toEqual([]);
      const unguardedPages = alerts.filter((k) => ofCluster(k, QUIET_CLUSTERS.unguarded) && isSuccessRatePage(k));
      expect(unguardedPages.some((k) => k.includes('alertname=LinkerdControlPlaneErrorBudgetBurn') && k.includes('component=destination')), engine).toBe(true);
      console.log(`${engine}, without the guard: ${unguardedPages.map((k) => /alertname=(\w+).*component=(\w+).*long=(\w+)/.exec(k)?.slice(1).join(' ') ?? k).join('; ')}`);
    }
  });

  it('every alert is the same on both engines, for about as long; the guard changes nothing but the success-rate alerts', async () => {
    const from = start + QUIET.replayFrom * MINUTE;
    const [p, v] = await Promise.all([firing(queryApi(prom!.url), from, end), firing(vm!, from, end)]);
    expect([...v.keys()].sort()).toEqual([...p.keys()].sort());
    let largest = 0;
    const differences: string[] = [];
    for (const [k, times] of p) {
      const other = v.get(k)!;
      const onlyOne = [...times].filter((x) => !other.has(x)).length + [...other].filter((x) => !times.has(x)).length;
      largest = Math.max(largest, onlyOne);
      if (onlyOne > FIRING_MINUTES_TOLERANCE) differences.push(`${k}: Prometheus ${times.size} min, vmalert ${other.size} min`);
    }
    expect(differences).toEqual([]);
    // The two clusters' alerts other than the success-rate ones are the same (same history).
    const others = (cluster: string) => [...p.keys()].filter((k) => ofCluster(k, cluster) && !k.includes('slo=control-plane-success-rate')).map((k) => k.replace(`cluster=${cluster}`, 'cluster=*')).sort();
    expect(others(QUIET_CLUSTERS.unguarded)).toEqual(others(QUIET_CLUSTERS.guarded));
    console.log(`low traffic: ${p.size} alerts fired on both engines, at most ${largest} evaluation(s) apart: ${[...p.keys()].map((k) => /alertname=(\w+)/.exec(k)?.[1]).sort().join(', ')}`);
  });
});
