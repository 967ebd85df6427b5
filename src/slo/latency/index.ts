/**
 * Control-plane latency: the share of inbound control-plane responses whose time to first byte is
 * at or under a threshold, from the component pods' own proxies (`response_latency_ms_bucket`,
 * milliseconds, linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0). Same pods and serving ports as the server-side success
 * rate (serverMatchers), same multiwindow multi-burn-rate alerting (buildBurnRate), plus two
 * tickets: a p99 latency spike and a sharp change in request volume against a recent baseline.
 *
 * What "latency" means per component (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 time to first byte, linkerd/linkerd2 `grafana/dashboards/health.json` at stable-2.14.0 long-lived streams):
 *  - identity: Certify is unary, so the first byte is the answer: a faithful latency signal (default);
 *  - destination, policy: proxies hold Get/GetProfile and WatchPort/Watch streams open for hours; the
 *    first byte is the first discovery/policy update, and a stream dropped before its first update is
 *    recorded with its whole lifetime. Useful (a proxy's first request to a new service waits for that
 *    update) but noisier, so opt-in.
 *  - proxy-injector cannot be measured: its webhook port is opaque, so its proxy records no HTTP latency.
 */
import { SERVING_COMPONENTS } from '../../linkerd/catalog.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { formatNumber, parseDuration } from '../../promql/number.js';
import type { BuildContext, KindOutput, SloKind } from '../kind.js';
import { budgetRunbooks, buildBurnRate, checkObjective, noComponentLeft } from '../burn-rate.js';
import { bucketBoundProblem, LATENCY_BUCKETS_MS } from '../../linkerd/latency-buckets.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { latencySlis } from './openslo.js';
import { controlPlaneLatencyRows } from './panels.js';
import { ID, latencyScope, measuredComponents, SLI, thresholdOf, TITLE } from './scope.js';
import { latencyDefinition } from './sli.js';
import { histogramRecordings } from './recordings.js';
import { latencyTickets } from './tickets.js';
import { latencyDetailPanels } from './detail-panels.js';
import { latencyRunbooks } from './runbooks.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const LARGEST_BOUND = LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;

function checkBound(value: number, path: ReadonlyArray<string | number>): ConfigIssue[] {
  const problem = bucketBoundProblem(value);
  return problem ? [{ path, message: problem }] : [];
}

export const latency: SloKind<typeof configSection> = {
  config: configSection,
  ratioSlis: (ctx) => latencySlis(ctx),
  id: ID,
  title: TITLE,
  enabled: (config: Config) => config.slos.controlPlaneLatency.enabled,
  standingRows: (ctx) => controlPlaneLatencyRows(ctx),

  check(config: Config): ConfigIssue[] {
    const slo = config.slos.controlPlaneLatency;
    if (!slo.enabled) return [];
    const base = ['slos', 'controlPlaneLatency'];
    const issues = checkObjective(config, slo.objective, slo.period, [...base, 'objective'], [...base, 'period']);
    issues.push(...checkBound(slo.thresholdMs, [...base, 'thresholdMs']));
    for (const c of SERVING_COMPONENTS) {
      const t = slo.componentThresholdMs[c];
      if (t !== undefined) issues.push(...checkBound(t, [...base, 'componentThresholdMs', c]));
    }
    if (slo.components.length === 0) {
      issues.push(noComponentLeft(base));
    }
    if (slo.spike.enabled) {
      for (const c of new Set(slo.components)) {
        const limit = slo.spike.factor * thresholdOf(slo, c);
        if (limit >= LARGEST_BOUND) {
          issues.push({
            path: [...base, 'spike', 'factor'],
            message:
              `${formatNumber(slo.spike.factor)} × the ${c} threshold (${thresholdOf(slo, c)} ms) = ${formatNumber(limit)} ms: the spike alert could never fire, ` +
              `because histogram_quantile reports at most ${LARGEST_BOUND} ms (the largest finite bucket). Lower spike.factor or the threshold`,
          });
        }
      }
    }
    if (slo.volumeChange.enabled && parseDuration(slo.volumeChange.baseline) <= parseDuration(slo.volumeChange.window)) {
      issues.push({
        path: [...base, 'volumeChange', 'baseline'],
        message: `baseline ${slo.volumeChange.baseline} must be longer than window ${slo.volumeChange.window}`,
      });
    }
    return issues;
  },

  build(ctx: BuildContext): KindOutput {
    const components = measuredComponents(ctx.config, ctx.facts);
    if (components.length === 0) return { ruleGroups: [], dashboardRows: [], runbooks: [] };
    const scope = latencyScope(ctx, components);
    const burn = buildBurnRate(ctx, latencyDefinition(scope, templates));
    const tickets = latencyTickets(scope, templates);
    const prefix = `linkerd-slo-${ID}-${SLI}`;
    return {
      ruleGroups: [
        ...burn.groups,
        { name: `${prefix}-histogram-recordings`, rules: histogramRecordings(scope) },
        ...(tickets.length ? [{ name: `${prefix}-tickets`, rules: tickets }] : []),
      ],
      dashboardRows: [{ title: TITLE, panels: [...burn.panels, ...latencyDetailPanels(scope)] }],
      unitTests: burn.unitTests,
      runbooks: [...budgetRunbooks(ctx.config, [burn.budget]), ...latencyRunbooks(scope, templates)],
    };
  },
};
