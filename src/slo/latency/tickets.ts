/**
 * The latency kind's tickets besides the burn-rate engine's alerts: a p99 latency spike per
 * component, and a sharp change in request volume against its recent baseline.
 */
import { allOf, call, gt, gte, lt, mul, num, or, paren, type Expr } from '../../promql/ast.js';
import { formatNumber, parseDuration } from '../../promql/number.js';
import type { AlertingRule } from '../../rules.js';
import type { Templates } from '../../templates.js';
import { annotations } from '../burn-rate.js';
import { LATENCY_RECORDINGS, SLI_RECORDINGS } from '../series.js';
import { SPIKE_ALERT, SPIKE_QUANTILE, SPIKE_WINDOW, VOLUME_ALERT, type LatencyComponent, type LatencyScope } from './scope.js';

export function latencyTickets(scope: LatencyScope, templates: Templates): AlertingRule[] {
  const { slo } = scope;
  return [
    ...(slo.spike.enabled ? scope.thresholds.map(({ component, ms }) => spikeTicket(scope, templates, component, ms)) : []),
    ...(slo.volumeChange.enabled ? scope.components.map((component) => volumeTicket(scope, templates, component)) : []),
  ];
}

/** The low-traffic guard: at least minRequests over the window (none when minRequests is 0). */
function guard(scope: LatencyScope, ratePerSecond: Expr, window: string): Expr[] {
  const { minRequests } = scope.ctx.config.alerting.lowTraffic;
  return minRequests > 0 ? [gte(mul(ratePerSecond, num(parseDuration(window))), num(minRequests))] : [];
}

function alertText(scope: LatencyScope) {
  const { config } = scope.ctx;
  return { ...scope.textContext, cluster: config.cluster, minRequests: config.alerting.lowTraffic.minRequests };
}

/** p99 over the recorded aggregate above factor × the component's threshold, for spike.for. */
function spikeTicket(scope: LatencyScope, templates: Templates, component: LatencyComponent, ms: number): AlertingRule {
  const { slo, ctx } = scope;
  const limit = slo.spike.factor * ms;
  const p99 = call('histogram_quantile', num(SPIKE_QUANTILE), scope.recorded(scope.hist.recording, component));
  const text = { ...alertText(scope), component, threshold: ms, factor: formatNumber(slo.spike.factor), limit: formatNumber(limit), for: slo.spike.for, window: SPIKE_WINDOW };
  return {
    alert: SPIKE_ALERT,
    expr: allOf(gt(p99, num(limit)), ...guard(scope, scope.recorded(SLI_RECORDINGS.requestsRate, component), SPIKE_WINDOW)),
    for: slo.spike.for,
    labels: { ...scope.labelsOf(component), severity: ctx.config.alerting.severities.ticket },
    annotations: annotations(ctx, SPIKE_ALERT, templates.line('spike-summary', text), templates.render('spike-description', text)),
  };
}

/** Request volume below dropBelowPercent of its baseline, or above riseAboveFactor × it. */
function volumeTicket(scope: LatencyScope, templates: Templates, component: LatencyComponent): AlertingRule {
  const { ctx, volumeWindow, baselineWindow } = scope;
  const v = scope.slo.volumeChange;
  const current = scope.recorded(LATENCY_RECORDINGS.volume(volumeWindow), component);
  const baseline = scope.recorded(LATENCY_RECORDINGS.volumeBaseline(volumeWindow, baselineWindow), component);
  const text = {
    ...alertText(scope),
    component,
    window: volumeWindow,
    baseline: baselineWindow,
    dropBelowPercent: formatNumber(v.dropBelowPercent),
    riseAboveFactor: formatNumber(v.riseAboveFactor),
    for: v.for,
  };
  // Drops are judged against the traffic the baseline promised, rises against the traffic seen.
  const drop = allOf(lt(current, mul(baseline, num(v.dropBelowPercent / 100))), ...guard(scope, baseline, volumeWindow));
  const rise = allOf(gt(current, mul(baseline, num(v.riseAboveFactor))), ...guard(scope, current, volumeWindow));
  return {
    alert: VOLUME_ALERT,
    expr: or(paren(drop), paren(rise)),
    for: v.for,
    labels: { ...scope.labelsOf(component), severity: ctx.config.alerting.severities.ticket },
    annotations: annotations(ctx, VOLUME_ALERT, templates.line('volume-summary', text), templates.render('volume-description', text)),
  };
}
