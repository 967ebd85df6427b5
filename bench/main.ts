/**
 * npm run bench: generation cost of the CLI, rule evaluation cost on simulated meshes of 1,000 and
 * 10,000 pods, and alert quality per scenario; figures written to bench/RESULTS.md. Nothing here is
 * asserted by the test suite. Every Prometheus, server and temp dir started here is stopped and
 * removed; a hard time limit ends the run if something hangs.
 *
 *   npm run bench                       everything
 *   npm run bench -- --only=generation,cost,quality
 *   npm run bench -- --pods=1000        rule cost on 1,000 pods only
 *   npm run bench -- --only=cost --baseline=<git rev>   also the example bundle's out/ rule file at that revision
 *   npm run bench -- --only=cost --baseline=<rev>,<rev> --repeat=3   the bundle and its baselines in 3 interleaved runs each
 *   npm run bench -- --vmalert=false    rule cost without the vmalert + VictoriaMetrics run of the example bundle
 *   npm run bench -- --only=dashboards  dashboard cost only (--dash-pods=1000, --dash-control-latency)
 *   npm run bench -- --limit-min=45     hard time limit (default 15 minutes)
 *
 * Sections not run this time are carried over from the existing bench/RESULTS.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, durationText, environment, fmt, markdownTable, mib, seconds } from './common.js';
import { benchGeneration, type GenerationRow } from './generation.js';
import { benchRuleCost, type MeshData, type RuleCostRow } from './rule-cost.js';
import { benchAlertQuality, fastBurnTargets, KEEP_FIRING_FOR_CANDIDATES, SCENARIOS, type QualityRow } from './alert-quality.js';
import { naive, oursExample, oursExampleAt, oursSameSli, slothShaped } from './rulesets.js';
import { benchDashboardCost, type DashboardCostResult } from './dashboard-cost.js';

const args = new Map(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k!, v ?? 'true'] as const; }));
/** --limit-min=N: a busy (shared) machine can need longer than the default 15 minutes. */
const HARD_LIMIT_MS = Number(args.get('limit-min') ?? 15) * 60_000;
const only = new Set((args.get('only') ?? 'generation,cost,quality,dashboards').split(','));
const podSizes = (args.get('pods') ?? '1000,10000').split(',').map(Number);
/** --baseline=<rev>[,<rev>…]: earlier example bundles evaluated on the same data. */
const BASELINES = (args.get('baseline') ?? '').split(',').filter(Boolean);
/** --repeat=N: runs of the example bundle (and --baseline), interleaved. */
const REPEAT = Math.max(1, Number(args.get('repeat') ?? 1));

const t0 = Date.now();
const log = (s: string) => console.log(`[${seconds(Date.now() - t0)} s] ${s}`);
setTimeout(() => {
  console.error(`bench: over the ${HARD_LIMIT_MS / 60_000} min limit, stopping`);
  process.exit(2);
}, HARD_LIMIT_MS).unref();

const env = environment();
log(`node ${env.node}, prometheus ${env.prometheus}, ${env.nproc} CPUs (${env.cpuModel}), ${env.memoryGiB} GiB`);

let generation: GenerationRow[] | undefined;
const cost: Array<{ data: MeshData; rows: RuleCostRow[] }> = [];
let quality: QualityRow[] | undefined;
const timings: Record<string, number> = {};

if (only.has('generation')) {
  log('generation: CLI wall time and peak memory…');
  const s = Date.now();
  generation = benchGeneration({ runs: 5 });
  timings.generation = Date.now() - s;
  for (const r of generation) log(`  ${r.config}: ${r.error ?? `${fmt(r.wallMs ?? NaN)} ms, ${r.maxRssKiB} KiB, ${r.rules} rules`}`);
}

if (only.has('cost')) {
  const sli = oursSameSli();
  const example = oursExample().set;
  for (const pods of podSizes) {
    log(`rule evaluation cost, ${pods} pods…`);
    const s = Date.now();
    // --baseline=<git rev>[,<rev>…]: the example bundle as committed at each revision, evaluated alone on the same data.
    // --repeat=N: the example bundle and its baselines in N runs each, interleaved (bundle, baselines,
    // bundle, …), each on a fresh Prometheus and copy of the data; a row is the median of every round.
    const cycle = [[example], ...BASELINES.map((rev) => [oursExampleAt(rev)])];
    // Each repetition rotates the cycle, so every file takes every position once over the runs: later
    // runs read a longer live tail after the backfilled history and measured cheaper, a bias the
    // first file of a fixed order would always pay.
    const runs = [[sli, slothShaped(), naive()], ...Array.from({ length: REPEAT }, (_, i) => [...cycle.slice(i % cycle.length), ...cycle.slice(0, i % cycle.length)]).flat()];
    // The example bundle again on vmalert over VictoriaMetrics (skipped, and said so, when victoria-metrics is missing).
    const vmalert = args.get('vmalert') === 'false' ? [] : [example];
    cost.push(await benchRuleCost({ pods, runs, vmalert, log }));
    timings[`cost${pods}`] = Date.now() - s;
  }
}

if (only.has('quality')) {
  log('alert quality per scenario…');
  const s = Date.now();
  const r = await benchAlertQuality({ naive: naive().groups, sloth: slothShaped().groups, log });
  quality = r.rows;
  timings.quality = Date.now() - s;
}

let dashboards: DashboardCostResult | undefined;
if (only.has('dashboards')) {
  log('dashboard cost: ours vs health.json over 6 h…');
  const s = Date.now();
  dashboards = await benchDashboardCost({ pods: Number(args.get('dash-pods') ?? 1000), controlLatency: args.get('dash-control-latency') === 'true', log });
  timings.dashboards = Date.now() - s;
  if (dashboards.skipped) log(`  skipped: ${dashboards.skipped}`);
}

const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
writeFileSync(RESULTS, report());
log(`done in ${seconds(Date.now() - t0)} s; wrote bench/RESULTS.md`);

// ---------------------------------------------------------------------------------------------

/** A section of the previous RESULTS.md (heading to the next `## `), for sections not run this time. */
function carried(title: string): string | undefined {
  const i = previous.indexOf(`\n${title}\n`);
  if (i < 0) return undefined;
  const j = previous.indexOf('\n## ', i + 1);
  return previous.slice(i + 1, j < 0 ? undefined : j).trimEnd();
}

function report(): string {
  const out: string[] = [];
  const sections: Array<[string, unknown]> = [
    ['## Generation (CLI)', generation], ['## Rule evaluation cost', cost.length ? cost : undefined], ['## Alert quality per scenario', quality], ['## Dashboard cost', dashboards],
  ];
  const carry = sections.filter(([t, v]) => v === undefined && carried(t)).map(([t]) => t);
  out.push('# Benchmark results', '');
  out.push('Generated by `npm run bench` (bench/main.ts); figures from one run, never asserted by the tests. Re-run to refresh.', '');
  out.push(markdownTable(['', ''], [
    ['date', env.date],
    ['command', `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`],
    ['machine', `${env.nproc} CPUs (${env.cpuModel}), ${env.memoryGiB} GiB RAM`],
    ['Node.js', env.node],
    ['Prometheus / promtool', `${env.prometheus} / ${env.promtool}`],
    ['total run time', `${seconds(Date.now() - t0)} s (${Object.entries(timings).map(([k, v]) => `${k} ${seconds(v)} s`).join(', ')})`],
  ]));
  out.push('', 'The machine may be shared with other work while the benchmark runs; timings are indicative (a few runs vary by ±30%).', '');
  if (carry.length) out.push(`Not run by this command, carried over unchanged from the previous RESULTS.md (its date, command and run time above are this run's): ${carry.map((t) => t.slice(3)).join('; ')}.`, '');

  const keep = (title: string) => {
    if (carry.includes(title)) out.push(carried(title)!, '');
  };
  keep('## Generation (CLI)');
  if (generation) {
    out.push('## Generation (CLI)', '');
    out.push('`node dist/cli.js generate --config <file> --out <dir>`, median and fastest wall time of 5 runs (Node start-up included) and the largest peak RSS (GNU time). "Workload SLOs" are `slos.workloads.list` entries (default class: success rate and latency).', '');
    out.push(markdownTable(['config', 'config bytes', 'rules', 'output files', 'output', 'wall time (median)', 'fastest', 'peak RSS'], generation.map((r) =>
      r.error ? [r.config, r.configBytes, 'error', '', '', r.error, '', ''] : [r.config, r.configBytes, r.rules ?? '', r.files ?? '', mib(r.outputBytes ?? NaN), `${fmt(r.wallMs ?? NaN)} ms`, `${fmt(r.wallMsMin ?? NaN)} ms`, r.maxRssKiB ? mib(r.maxRssKiB * 1024) : 'n/a'],
    )));
    out.push('');
  }

  keep('## Rule evaluation cost');
  if (cost.length) {
    out.push('## Rule evaluation cost', '');
    out.push(
      'Simulated mesh (tools/sim): N workload pods (10 per Deployment, 10 Deployments per namespace) plus the control plane and Viz, Linkerd 2.18 label sets. ' +
        'History written by the simulator and backfilled with `promtool tsdb create-blocks-from openmetrics`, only the families the compared rules read ' +
        '(response_total, control_response_total, identity\'s response_latency_ms, the certificate gauge, proxy_build_info, process CPU and memory). ' +
        'Then a real Prometheus evaluates the rule files on that TSDB while it keeps scraping the simulator live (one aggregate scrape, honor_labels), so every window ends on fresh samples. ' +
        'Cost = Σ of `prometheus_rule_group_last_duration_seconds` over the file\'s groups, median of 3 rounds after a cold one' + (REPEAT > 1 ? ` per run; the example bundle${BASELINES.length ? ` and its baseline${BASELINES.length > 1 ? 's' : ''}` : ''} ran in ${REPEAT} runs each, interleaved, and its row is the median (and max) over all ${REPEAT * 3} rounds` : '') + '; series out = series the file writes (recordings and ALERTS, counted by a label added to each rule).',
      '',
    );
    out.push(markdownTable(['pods', 'input series', 'samples', 'OpenMetrics', 'TSDB', 'history', 'simulate + write', 'backfill'], cost.map(({ data: d }) => [
      d.pods.toLocaleString('en-US'), d.inputSeries.toLocaleString('en-US'), d.samples.toLocaleString('en-US'), mib(d.openMetricsBytes), mib(d.tsdbBytes),
      `${d.historyMinutes} min at ${d.stepSeconds} s, then live every ${d.scrapeSeconds} s`, `${seconds(d.simulateWriteMs)} s`, `${seconds(d.backfillMs)} s`,
    ])));
    out.push('');
    const vm = cost.flatMap(({ data: d }) => (d.victoria ? [`${d.pods.toLocaleString('en-US')} pods: ${d.victoria.samples.toLocaleString('en-US')} samples (the history up to the vmalert run) rewritten in ${seconds(d.victoria.simulateWriteMs)} s and imported in ${seconds(d.victoria.importMs)} s`] : []));
    if (vm.length) {
      out.push(
        `vmalert + VictoriaMetrics (Debian's victoria-metrics ${cost.find((c) => c.data.victoria)!.data.victoria!.version}, single-node): after the Prometheus runs, the same simulated mesh (the simulator is deterministic: an identical one with the same start) writes its history again up to that moment; ` +
          'VictoriaMetrics imports it through `/api/v1/import/prometheus` and then scrapes the simulator live (its `-promscrape.config`, the same aggregate scrape every ' + `${cost[0]!.data.scrapeSeconds} s), and vmalert evaluates the rule file at the same interval with VictoriaMetrics as datasource and remote-write target. ` +
          'Cost = Σ over the file\'s groups of one iteration\'s duration (the increase of `vmalert_iteration_duration_seconds_sum` per group over a round), median of 3 rounds after a cold one; it includes one HTTP round trip to VictoriaMetrics per rule, which Prometheus\' in-process evaluation does not have. ' +
          'Series out: vmalert wrote the same recordings; its count is higher by ALERTS/ALERTS_FOR_STATE series of 9 more pending alerts (`LinkerdControlPlaneComponentNotScraped`, checked by listing vmalert\'s alerts at 1,000 pods): the history\'s per-target `up` series end where the live scrape (one aggregate target) takes over, and MetricsQL\'s lookback of about one sample interval sees them gone within a minute, Prometheus\' 5 minutes not yet during its run; a benchmark artifact, not a difference in the rules.' +
          `${vm.join('; ')}.`,
        '',
      );
    }
    const skipped = cost.find((c) => c.data.victoriaSkipped)?.data.victoriaSkipped;
    if (skipped) out.push(`vmalert + VictoriaMetrics: not run (${skipped}).`, '');
    out.push(markdownTable(['pods', 'rule file', 'rules', 'ms per evaluation (median)', 'max', 'missed iterations', 'series out', 'slowest groups (ms)'], cost.flatMap(({ rows }) => rows.map((r) => [
      r.pods.toLocaleString('en-US'), r.set, r.rules, r.error ? `error: ${r.error}` : fmt(r.evalMs ?? NaN), fmt(r.evalMsMax ?? NaN), r.missed ?? '', r.seriesOut ?? '',
      (r.slowest ?? []).map(([g, ms]) => `${g} ${fmt(ms)}`).join('; '),
    ]))));
    out.push('');
    out.push(
      'The first three files (one run, evaluated concurrently) cover the same SLI: destination\'s success rate as its own proxy counts it. The whole example bundle ran alone' + (BASELINES.length ? `, and so did the example bundle as committed at ${BASELINES.join(' and at ')} (\`--baseline\`: its out/ rule file, on the same data, in the next run${REPEAT > 1 ? '; they alternated, each repetition in a rotated order' : ''})` : '') + '. ' +
        'Caveat: one hour of history, so windows of 1d and 3d read at most an hour of samples: Sloth-shaped SLI recordings (raw `rate(...[1d])`, `[3d]`) cost more with full retention; ours roll 1d/3d up from 5m recordings. ' +
        `Evaluation interval ${cost[0]!.data.evaluationSeconds} s; "missed iterations" counts rounds Prometheus skipped because a group took longer than the interval.`,
      '',
    );
  }

  keep('## Alert quality per scenario');
  if (quality) {
    out.push('## Alert quality per scenario', '');
    out.push(
      'SLI: destination\'s success rate, 99.9% over 30d. Each scenario is a simulated mesh (4 workload pods, control plane, destination ~3 requests/s unless stated) with 6 h of healthy history before the problem, ' +
        'evaluated every 30 s. Recordings the alerts need are backfilled with `promtool tsdb create-blocks-from rules` (level by level), alert expressions run through query_range, and Prometheus\' `for` semantics applied. ' +
        '"Workbook" = the same windows, thresholds and `for` applied to ideal continuous traffic with the scenario\'s error ratio (the SRE Workbook\'s burn-rate math: detection = threshold × long window / error ratio + for). ' +
        'Rule sets: **ours** (linkerd-slo, default windows 1h/5m 14.4×, 6h/30m 6× page, no `for`, `keep_firing_for` as generated (table below); 1d/2h 3× for 1h, 3d/6h 1× for 3h ticket; low-traffic guard 100 requests; 5m, 30m and 1h windows summed from whole 5m tiles, longer ones rolled up), **ours, no guard** (lowTraffic.minRequests 0), ' +
        '**ours, client side** (the same windows on every proxy\'s control_response_total towards destination: the high-cardinality SLI), ' +
        '**Sloth-shaped** (page 5m&1h 14.4× or 30m&6h 6×, no `for`; SLI = every inbound response of the linkerd-destination Deployment), **naive** (awesome-prometheus-alerts, > 10% over 1m for 1m; counted as a page).',
      '',
    );
    const sets: Record<string, string> = { ours: 'ours', 'ours-noguard': 'ours, no guard', 'ours-client': 'ours, client side', sloth: 'Sloth-shaped', naive: 'naive' };
    out.push(markdownTable(['scenario', 'rule set', 'page expected', 'pages', 'detection', 'Workbook detection', 'reset after recovery', 'Workbook reset', 'first ticket', 'verdict'], quality.map((r) => {
      const verdict = r.expectPage ? (r.pages > 0 ? 'ok' : 'MISSED') : r.pages > 0 ? 'FALSE PAGE' : 'ok';
      return [
        r.title, sets[r.set] ?? r.set, r.expectPage ? 'yes' : 'no', r.pages, durationText(r.detection ?? Infinity),
        r.workbook ? durationText(r.workbook.detection ?? Infinity) : 'n/a', r.reset !== undefined ? durationText(r.reset) : '–',
        r.workbook?.reset !== undefined ? durationText(r.workbook.reset) : r.workbook ? '–' : 'n/a', r.ticketDetection !== undefined ? durationText(r.ticketDetection) : '–', verdict,
      ];
    })));
    out.push('');
    out.push(
      'Notes: detection and reset are on the 30 s evaluation grid; "never" = no page. Reset is measured from recovery to the end of the last page (ours: the 6h/30m pair stays on until its 30 min short window clears). ' +
        'Tickets: the 1d and 3d windows hold only the ~7 h of history the scenarios have, so ticket times (and tickets after short bursts) are not representative of a cluster with days of history. ' +
        'Low traffic: the failure series must already exist and proxy idle eviction be off for a sparse failure to be visible at all (see alert-quality.ts). ' +
        'Sloth-shaped and naive SLIs count every inbound response of the destination Deployment, kubelet probes and Prometheus scrapes of its admin ports and policy\'s port included ' +
        '(in these meshes about a third of its requests), which dilutes their error ratio: that is why the Sloth-shaped page comes late at 2% errors and why neither pages at low traffic; ' +
        'ours counts destination\'s serving port only. The Workbook columns assume the undiluted ratio.',
      '',
    );
    out.push(`Scenarios: ${SCENARIOS.map((s) => `${s.id} (${s.title})`).join('; ')}.`, '');
    out.push(...targetsSection(quality));
    out.push(...keepFiringForSection(quality));
  }
  keep('## Dashboard cost');
  if (dashboards) out.push(...dashboardSection(dashboards));
  return `${out.join('\n')}\n`;
}

/** The fast-burn targets of issue #11 item 5: detection and reset against the Workbook and Sloth, false pages. */
function targetsSection(rows: readonly QualityRow[]): string[] {
  const t = fastBurnTargets(rows);
  const d = (x: number | undefined) => durationText(x ?? Infinity);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '–' : b === 0 ? (a === 0 ? '1×' : '∞') : `${fmt(a / b)}×`);
  const met = (x: number | undefined, target: number | undefined) => (x !== undefined && target !== undefined && x <= target + 1e-9 ? 'met' : `MISSED${x !== undefined && target !== undefined ? ` by ${durationText(x - target)}` : ''}`);
  const out: string[] = ['### Fast-burn targets', ''];
  out.push(
    'Targets (30 s scrape and evaluation interval, 99.9% over 30d): a full outage pages within 2 min of onset; other error ratios page within 10% of the Workbook time for the configured windows (or one interval, 30 s, when that is larger); ' +
      'every page resets within the Workbook reset time plus one interval; no page in the blip, burst, slow-burn and low-traffic scenarios. "Workbook" = the configured page windows and thresholds, no `for`, on ideal continuous traffic, on the same 30 s grid. ' +
      'Ratios are ours ÷ the other (1× = as fast; below 1× = faster).',
    '',
  );
  out.push(markdownTable(
    ['error ratio', 'page episodes (ours / client side / Sloth)', 'Workbook detection', 'ours', 'ours ÷ Workbook', 'Sloth-shaped', 'ours ÷ Sloth', 'ours, client side', 'detection target', 'ours', 'Workbook reset', 'ours reset', 'ours ÷ Workbook', 'Sloth reset', 'ours ÷ Sloth', 'client-side reset', 'reset target', 'ours'],
    t.map((r) => [
      `${fmt(r.errorRatio * 100)}%`, `${r.ours.pages} / ${r.client.pages} / ${r.sloth.pages}`, d(r.workbook.detection), d(r.ours.detection), ratio(r.ours.detection, r.workbook.detection), d(r.sloth.detection), ratio(r.ours.detection, r.sloth.detection),
      d(r.client.detection), `${r.detectionRule} (${durationText(r.detectionTarget)})`, met(r.ours.detection, r.detectionTarget),
      d(r.workbook.reset), d(r.ours.reset), ratio(r.ours.reset, r.workbook.reset), d(r.sloth.reset), ratio(r.ours.reset, r.sloth.reset), d(r.client.reset),
      r.resetTarget !== undefined ? durationText(r.resetTarget) : '–', met(r.ours.reset, r.resetTarget),
    ]),
  ));
  out.push('');
  const quiet = SCENARIOS.filter((s) => !s.expectPage).map((s) => {
    const pages = (set: string) => rows.find((r) => r.scenario === s.id && r.set === set)?.pages ?? NaN;
    return `${s.id}: ours ${pages('ours')}, client side ${pages('ours-client')}, Sloth-shaped ${pages('sloth')}, naive ${pages('naive')}`;
  });
  out.push(`False pages (target 0 for ours): ${quiet.join('; ')}.`, '');
  out.push(
    'Reading the table: one run on simulated traffic, whose counts are random. Near a threshold a window\'s ratio carries counting noise: at 2% errors and ~3 requests/s the 5m window holds about 18 ± 4 failures against a threshold of 13 (1.44%), ' +
      'and the 30m window near its 0.6% reset threshold about 32 ± 6, so detection and reset can land a minute either side of the noise-free Workbook time, and a page can resolve and fire again ("page episodes" above 1) while the 1h/5m pair alone carries it, ' +
      'until the 6h/30m pair joins (1.8 h in at 2%). Without a `for` such a re-fire is immediate; Alertmanager flushes a group at most once per group_interval (5m by default), so a dip that is over before the next flush reaches nobody, a longer one sends a resolved and a new firing notification. ' +
      'A miss of one interval at 2% is within that noise; a systematic lag (the old 5m roll-up of the 1h window: 2.5 min at every ratio) is not.',
    '',
  );
  return out;
}

function durationOrDash(s: number | undefined): string {
  return s === undefined ? '–' : durationText(s);
}

/** Notifications per incident and reset per keep_firing_for candidate on ours' page rules (issue #23). */
function keepFiringForSection(rows: readonly QualityRow[]): string[] {
  const ours = rows.filter((r) => r.set === 'ours' && r.keepFiringFor);
  if (!ours.length) return [];
  const label = (k: number) => (k === 0 ? 'none (0)' : durationText(k));
  const out: string[] = ['### keep_firing_for on the pages', ''];
  out.push(
    'Ours\' page rules evaluated once per scenario (the same query_range results as above), then Prometheus\' state machine applied with each candidate `keep_firing_for` ' +
      '(src/backtest/semantics.ts, as the backtest applies it): a page that resolves keeps firing that long, and fires on as the same alert if its condition returns meanwhile. ' +
      'Cells: notifications (page episodes, both page pairs merged) / reset after recovery. A scenario that should not page must stay at 0; one that should, at 1.',
    '',
  );
  out.push(markdownTable(['scenario', 'page expected', 'longest pause between pages (none)', ...KEEP_FIRING_FOR_CANDIDATES.map(label)], ours.map((r) => [
    r.title, r.expectPage ? 'yes' : 'no', durationOrDash(r.keepFiringFor!.find((x) => x.seconds === 0)?.longestGap),
    ...KEEP_FIRING_FOR_CANDIDATES.map((k) => {
      const c = r.keepFiringFor!.find((x) => x.seconds === k);
      return c ? `${c.pages} / ${c.reset !== undefined ? durationText(c.reset) : '–'}` : 'n/a';
    }),
  ])));
  out.push('');
  return out;
}

function dashboardSection(d: DashboardCostResult): string[] {
  const out: string[] = ['## Dashboard cost', ''];
  if (d.skipped || !d.rows) {
    out.push(`Skipped: ${d.skipped ?? 'no result'} (Linkerd's official dashboards are read from ../shared/anchors/linkerd-dashboards).`, '');
    return out;
  }
  const [ours, official] = d.rows as [NonNullable<DashboardCostResult['rows']>[number], NonNullable<DashboardCostResult['rows']>[number]];
  const subst = (v: Record<string, string>) => Object.entries(v).map(([k, x]) => `\`$${k}\` → \`${x}\``).join(', ');
  out.push(
    `Total query time to render each dashboard over the same ${d.stepSeconds! * 1000 / 3600} h range on the same data. ` +
      `Simulated mesh (tools/sim): ${d.pods!.toLocaleString('en-US')} workload pods plus control plane and Viz, ${d.historyHours} h of history at ${d.scrapeSeconds} s ` +
      `(${d.inputSeries!.toLocaleString('en-US')} series, ${d.samples!.toLocaleString('en-US')} samples, ${mib(d.tsdbBytes!)} TSDB after backfill), families response_total, request_total, ` +
      `response_latency_ms (control-plane pods' inbound only), control_response_total${d.controlLatency ? ', control_response_latency_ms (every proxy)' : ''}, proxy_build_info, process_* (proxies: CPU, RSS, virtual memory, open fds; controllers: CPU, RSS, start time), go_goroutines, grpc_server_handled_total; ` +
      `backfilled with \`promtool tsdb create-blocks-from openmetrics\`. The ${d.recordingRules} recording rules our panels read (transitively, ${d.recordingLevels} dependency levels) of the example bundle's rule file were backfilled over the range with ` +
      `\`promtool tsdb create-blocks-from rules\` (eval interval ${d.scrapeSeconds} s) against a Prometheus serving the raw data. ` +
      `Then every panel target of each dashboard (ours: the example bundle's control-plane dashboard; official: health.json) ran through \`/api/v1/query_range\` over the 6 h with step ${d.stepSeconds} s (6 h / 1000 points), sequentially, ` +
      `one warm-up round then ${d.rounds} timed rounds; total = Σ of a dashboard's query wall times (HTTP client included), median of the rounds. ` +
      `Variables: ours ${subst(d.substitutions!.ours!)}; official ${subst(d.substitutions!.official!)} (\`$__rate_interval\` as Grafana computes it: max(4 × scrape interval, step + scrape interval)).`,
    '',
  );
  out.push(markdownTable(['dashboard', 'queries', 'empty queries', 'series returned', 'total ms (median)', 'rounds (ms)', 'ratio', 'slowest queries (ms)'], d.rows.map((r) => [
    r.dashboard, r.queries, r.empty, r.series.toLocaleString('en-US'), fmt(r.totalMs), r.roundsMs.map((x) => fmt(x)).join(', '), `${fmt(r.totalMs / ours.totalMs)}×`,
    r.slowest.map(([p, ms]) => `${p} ${fmt(ms)}`).join('; '),
  ])));
  out.push('');
  out.push(
    `Ratio = total ÷ ours: the official dashboard takes ${fmt(official.totalMs / ours.totalMs)}× ours' query time${official.totalMs / ours.totalMs >= 5 ? '' : ' (the target was ≥ 5×: not reached)'}. ` +
      `Empty queries, ours: ${ours.emptyPanels.join('; ') || 'none'}. Official: ${official.emptyPanels.join('; ') || 'none'}. ` +
      'Why empty: the simulator has no tcp_*, http_server_*/http_client_*, go_memstats_*, go_gc_*, go_threads or grpc_server_msg_* families, and no process_virtual_memory_bytes/process_open_fds for controllers (official panels reading them are empty here and would cost more on a real cluster); ' +
      'health.json\'s TCP panels and its per-component Go panels match `deployment="$deployment"` / `component="$component"` exactly, so with the default All (allValue `.*`) they are empty on a real cluster too. ' +
      'Ours: the identity queries are empty because identity\'s SLI recordings have no data on this simulated mesh (each proxy calls identity about once per 17 h, too sparse for its 5m recordings); "Proxies with failing control-plane calls" is empty because nothing fails. ' +
      (d.controlLatency ? '' : 'Proxies\' control_response_latency_ms histograms were off (at 1,000 pods they are ~78,000 series, too heavy to backfill in the time budget), so our three "p99 latency seen by proxies" queries ran on no data: they are the heaviest of ours on a real mesh (`--dash-control-latency` turns them on). ') +
      'Series returned = series of the last round\'s results, summed over the queries.',
    '',
  );
  return out;
}
