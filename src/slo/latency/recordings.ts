/**
 * The latency kind's own recordings, besides the burn-rate engine's: the histogram aggregate every
 * latency panel and the spike alert read, and the request volume with its baseline for the
 * volume-change ticket.
 */
import { aggregate, avgOverTime, mul, num, or, sum } from '../../promql/ast.js';
import { SERVING_COMPONENTS } from '../../linkerd/catalog.js';
import { runningComponents } from '../../linkerd/control-plane.js';
import type { RecordingRule } from '../../rules.js';
import { LATENCY_RECORDINGS } from '../series.js';
import { SPIKE_WINDOW, type LatencyComponent, type LatencyScope } from './scope.js';

/** Per measured component its aggregate (and volume), then the aggregates of the components without an SLO. */
export function histogramRecordings(scope: LatencyScope): RecordingRule[] {
  const { components } = scope;
  // The control-plane dashboard reads every component's latency from this aggregate; components
  // without a latency SLO are recorded too (cheap: only the control-plane pods' series), so no
  // panel runs histogram_quantile over raw buckets on every refresh.
  const unmeasured = runningComponents(SERVING_COMPONENTS, scope.ctx.facts).filter((c) => !components.includes(c));
  return [
    ...components.flatMap((component) => [aggregateRecording(scope, component), ...(scope.slo.volumeChange.enabled ? volumeRecordings(scope, component) : [])]),
    ...unmeasured.map((component) => aggregateRecording(scope, component)),
  ];
}

/** The histogram's rate summed per component: the input of histogram_quantile. */
function aggregateRecording(scope: LatencyScope, component: LatencyComponent): RecordingRule {
  return {
    record: scope.hist.recording,
    expr: scope.hist.aggregateRate(scope.matchersOf(component), SPIKE_WINDOW, scope.ctx.clusterLabels),
    labels: scope.labelsOf(component),
  };
}

/** Request rate over the volume window (0, not absent, while the pod is scraped but idle) and its baseline average. */
function volumeRecordings(scope: LatencyScope, component: LatencyComponent): RecordingRule[] {
  const { volumeWindow, baselineWindow, hist } = scope;
  const by = scope.ctx.clusterLabels;
  const idle = mul(num(0), aggregate('group', scope.presenceOf(component), by.length ? { by } : {}));
  return [
    { record: LATENCY_RECORDINGS.volume(volumeWindow), expr: or(hist.requestsRate(scope.matchersOf(component), volumeWindow, by), idle), labels: scope.labelsOf(component) },
    {
      record: LATENCY_RECORDINGS.volumeBaseline(volumeWindow, baselineWindow),
      expr: sum(avgOverTime(scope.recorded(LATENCY_RECORDINGS.volume(volumeWindow), component), baselineWindow), by),
      labels: scope.labelsOf(component),
    },
  ];
}
