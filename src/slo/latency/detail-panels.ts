/**
 * The panels the latency SLO adds to its dashboard row after the burn-rate engine's: the latency
 * percentiles of each measured component (coloured at its threshold and spike limit) and the request
 * volume against its baseline.
 */
import { call, num } from '../../promql/ast.js';
import { formatNumber } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import { LATENCY_RECORDINGS } from '../series.js';
import { MEASURES, type LatencyComponent, type LatencyScope } from './scope.js';

export function latencyDetailPanels(scope: LatencyScope): PanelSpec[] {
  return [
    ...scope.thresholds.map(({ component, ms }) => percentilesPanel(scope, component, ms)),
    ...(scope.slo.volumeChange.enabled ? [volumePanel(scope)] : []),
  ];
}

function percentilesPanel(scope: LatencyScope, component: LatencyComponent, ms: number): PanelSpec {
  const { spike } = scope.slo;
  const quantiles = scope.recorded(scope.hist.recording, component);
  return {
    title: `Latency percentiles: ${component}`,
    description:
      `p50/p95/p99 time to first byte of ${component} responses over 5m, in ms. Measures ${MEASURES[component]} ` +
      `Orange above the ${ms} ms threshold (slow responses burn budget)` +
      (spike.enabled ? `, red above ${formatNumber(spike.factor * ms)} ms (p99 there for ${spike.for} opens a ticket).` : '.'),
    type: 'timeseries',
    unit: 'ms',
    queries: [0.5, 0.95, 0.99].map((q) => ({ expr: call('histogram_quantile', num(q), quantiles), legend: `p${formatNumber(q * 100)}` })),
    thresholds: [
      { value: null, color: 'green' },
      { value: ms, color: 'orange' },
      ...(spike.enabled ? [{ value: spike.factor * ms, color: 'red' }] : []),
    ],
    min: 0,
    width: 12,
  };
}

function volumePanel(scope: LatencyScope): PanelSpec {
  const { volumeWindow, baselineWindow } = scope;
  const v = scope.slo.volumeChange;
  return {
    title: 'Request volume vs baseline',
    description:
      `Requests per second over ${volumeWindow} (solid) against their ${baselineWindow} average (baseline). A ticket opens when the rate falls below ` +
      `${formatNumber(v.dropBelowPercent)}% or rises above ${formatNumber(v.riseAboveFactor)}× the baseline.`,
    type: 'timeseries',
    unit: 'reqps',
    queries: scope.components.flatMap((component) => [
      { expr: scope.recorded(LATENCY_RECORDINGS.volume(volumeWindow), component), legend: `{{component}} ${volumeWindow}` },
      { expr: scope.recorded(LATENCY_RECORDINGS.volumeBaseline(volumeWindow, baselineWindow), component), legend: `{{component}} baseline` },
    ]),
    width: 12,
  };
}
