/**
 * The workload latency SLI and the per-workload histogram the dashboard reads, on the proxy's
 * inbound response_latency_ms (time to first byte, ms) in either storage (config linkerd.histograms):
 *  - classic: responses are the le="+Inf" bucket, slow ones +Inf minus the threshold's bucket;
 *  - native: histogram_count(h) − histogram_fraction(0, T, h) × histogram_count(h), h the workload's
 *    summed rate of the native histogram (src/slo/native-histograms.ts).
 * Either way only what the workload serves: inbound, without the proxy admin server's traffic (groups.ts).
 */
import { aggregate, eq, rate, sub, type Expr } from '../../promql/ast.js';
import { leMatcher } from '../../linkerd/latency-buckets.js';
import { PROXY_HTTP } from '../../linkerd/proxy-admin.js';
import type { BuildContext } from '../kind.js';
import type { RecordingRule } from '../../rules.js';
import type { SliInstance } from '../burn-rate.js';
import { fixtureLabels } from '../promtool-tests.js';
import { histogramCount, slowerThan } from '../native-histograms.js';
import { RECORD_WORKLOAD, type Group, type MemberSum } from './groups.js';
import { histogramHeatmap, type PanelSpec } from '../../dashboard-model.js';

/** The window of the recorded per-workload histogram. */
const HISTOGRAM_WINDOW = '5m';

export function isNative(ctx: BuildContext): boolean {
  return ctx.config.linkerd.histograms === 'native';
}

/** The latency SLI of one group; `absence` carries the blind-workload ticket and its fixture when no success-rate SLO does. */
export function latencyInstance(
  ctx: BuildContext,
  g: Group,
  thresholdMs: number,
  absence?: { readonly missing: Expr; readonly fixture: NonNullable<SliInstance['fixture']> },
): SliInstance {
  const common = { component: g.component, groupBy: g.identity, ...(absence ? { missing: absence.missing } : {}) };
  if (isNative(ctx)) {
    const h = (s: MemberSum, win: string) => s(PROXY_HTTP.latencyHistogram, [], (sel) => rate(sel, win));
    // The generated promtool tests feed float series, so the native SLI has no fixture;
    // test/e2e/native-histograms.test.ts proves it on Prometheus 3 instead.
    return {
      ...common,
      requestsRate: (win) => g.combine((s) => histogramCount(h(s, win))),
      errorsRate: (win) => g.combine((s) => slowerThan(h(s, win), thresholdMs)),
    };
  }
  const bucket = PROXY_HTTP.latencyBucket;
  const inf = eq('le', '+Inf');
  const fast = leMatcher(thresholdMs);
  const m0 = g.members[0]!;
  const id0 = g.identityLabels(m0);
  return {
    ...common,
    requestsRate: (win) => g.sumOf(bucket, [inf], (sel) => rate(sel, win)),
    errorsRate: (win) => g.combine((s) => sub(s(bucket, [inf], (sel) => rate(sel, win)), s(bucket, [fast], (sel) => rate(sel, win)))),
    fixture: [
      { labels: { ...fixtureLabels(g.memberSelector(m0, bucket, [fast]), { ...id0, le: String(thresholdMs) }), ...id0 }, healthy: 1, outage: 0 },
      { labels: { ...fixtureLabels(g.memberSelector(m0, bucket, [inf]), id0), ...id0 }, healthy: 1, outage: 1 },
      ...(absence?.fixture ?? []),
    ],
  };
}

/** Name of the recorded per-workload histogram (classic: per le; native: one histogram). */
export function histogramRecording(ctx: BuildContext): string {
  return isNative(ctx) ? RECORD_WORKLOAD.nativeHistogram : RECORD_WORKLOAD.histogram;
}

/** The per-workload histogram of one group, what histogram_quantile on the dashboard reads. */
export function histogramRule(ctx: BuildContext, g: Group, cls: string): RecordingRule {
  const native = isNative(ctx);
  return {
    record: histogramRecording(ctx),
    expr: native
      ? g.sumOf(PROXY_HTTP.latencyHistogram, [], (sel) => rate(sel, HISTOGRAM_WINDOW))
      : g.sumOf(PROXY_HTTP.latencyBucket, [], (sel) => rate(sel, HISTOGRAM_WINDOW), ['le']),
    labels: { ...ctx.ruleLabels, class: cls, component: g.component },
  };
}

/** The heatmap of every workload with a latency SLO together: the recorded per-workload histograms summed. */
export function latencyHeatmapPanel(ctx: BuildContext): PanelSpec {
  const native = isNative(ctx);
  return histogramHeatmap(
    'Latency distribution: workloads with a latency SLO',
    'How the inbound responses of all workloads with a latency SLO spread over Linkerd\'s latency buckets (time to first byte, ms, 5m rate per bucket). A band moving up is a slowdown of most responses; compare with the class thresholds.',
    native,
    aggregate('sum', ctx.recordedSelector(histogramRecording(ctx)), native ? {} : { by: ['le'] }),
    24,
  );
}
