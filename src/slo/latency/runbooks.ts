/** The latency kind's runbook pages: one per alert it can fire, from templates/<alert>.md. */
import { SERVING_COMPONENTS } from '../../linkerd/catalog.js';
import { CONTROL_RESPONSES } from '../../linkerd/control-plane.js';
import { formatNumber } from '../../promql/number.js';
import type { Templates } from '../../templates.js';
import type { Runbook } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import {
  ABSENT_ALERT, BURN_ALERT, LATENCY_ALERTS, MEASURES, SPIKE_ALERT, SPIKE_WINDOW, VOLUME_ALERT, type LatencyScope,
} from './scope.js';

/** The runbooks of the burn, spike (when on), volume (when on) and absent alerts. */
export function latencyRunbooks(scope: LatencyScope, templates: Templates): Runbook[] {
  const { slo } = scope;
  const active = LATENCY_ALERTS.filter((a) => (a !== SPIKE_ALERT || slo.spike.enabled) && (a !== VOLUME_ALERT || slo.volumeChange.enabled));
  const context = runbookContext(scope);
  return active.map((alert) => ({ alert, markdown: templates.runbook(alert, context) }));
}

function runbookContext(scope: LatencyScope) {
  const { ctx, slo, hist } = scope;
  const { config } = ctx;
  return {
    ...linkerdTemplateFacts(ctx),
    burnAlert: BURN_ALERT,
    absentAlert: ABSENT_ALERT,
    spikeAlert: SPIKE_ALERT,
    volumeAlert: VOLUME_ALERT,
    objective: formatNumber(slo.objective),
    period: slo.period,
    components: scope.thresholds.map(({ component, ms }) => ({
      component,
      thresholdMs: ms,
      port: slo.ports[component],
      measures: MEASURES[component],
      spikeLimit: formatNumber(slo.spike.factor * ms),
    })),
    notMeasured: SERVING_COMPONENTS.filter((c) => !scope.components.includes(c)),
    windows: config.alerting.windows.map((w) => ({ ...w, for: w.for ?? '' })),
    minRequests: config.alerting.lowTraffic.minRequests,
    severities: config.alerting.severities,
    latencyMetric: hist.metric,
    native: hist.native,
    histogramRecording: hist.recording,
    requestsSource: hist.requestsSource,
    clientResponses: CONTROL_RESPONSES,
    identityPort: slo.ports.identity,
    absentFor: config.alerting.absentFor,
    spike: { ...slo.spike, factor: formatNumber(slo.spike.factor), window: SPIKE_WINDOW },
    volume: {
      ...slo.volumeChange,
      window: scope.volumeWindow,
      baseline: scope.baselineWindow,
      dropBelowPercent: formatNumber(slo.volumeChange.dropBelowPercent),
      riseAboveFactor: formatNumber(slo.volumeChange.riseAboveFactor),
    },
  };
}
