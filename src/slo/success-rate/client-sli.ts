/**
 * The client-side success-rate SLI: every meshed proxy's `control_response_total` towards
 * destination, policy and identity, i.e. how the mesh experiences the control plane. One pass over
 * the raw family per evaluation (RAW_FAMILY_RECORDINGS), each component's 5m SLI summed out of it.
 */
import { CONTROL_PLANE_CLIENT_ADDR, type ServingComponent } from '../../linkerd/catalog.js';
import { CLIENT_ADDR_PATTERN_REASON, clientAddrPattern, clientSelectors, clientTrafficSelector, runningComponents } from '../../linkerd/control-plane.js';
import { eq, mul, num, or, rate, re, sum } from '../../promql/ast.js';
import type { RecordingRule } from '../../rules.js';
import type { BuildContext } from '../kind.js';
import { BASE_WINDOW, ratioSli, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { RAW_FAMILY_RECORDINGS } from '../series.js';
import { outageFixture } from './outage-fixture.js';
import { ID, textContext, type SharedDefinition } from './names.js';

const SLI_MATCHERS = [eq('slo', ID), eq('sli', 'client')];

/** The client side's definition, when clientSide is on and a component runs on this version. */
export function clientDefinition(ctx: BuildContext, shared: SharedDefinition): SliDefinition[] {
  const slo = ctx.config.slos.controlPlaneSuccessRate;
  if (!slo.clientSide.enabled) return [];
  const components = runningComponents(slo.clientSide.components, ctx.facts);
  const instances = components.map((component) => clientInstance(ctx, component));
  if (!instances.length) return [];
  return [{
    ...shared,
    sli: 'client',
    title: 'Control-plane success rate (client side)',
    objective: slo.clientSide.objective,
    instances,
    sharedRecordings: [controlResponsesRecording(ctx, components)],
    textContext: { ...textContext(ctx), side: 'client' },
  }];
}

/**
 * One pass over control_response_total: every proxy's calls to the watched Services, by addr and
 * classification, recorded once; each component's 5m SLI sums its addr out of it.
 */
function controlResponsesRecording(ctx: BuildContext, components: readonly ServingComponent[]): RecordingRule {
  return {
    record: RAW_FAMILY_RECORDINGS.controlResponses,
    expr: sum(rate(clientTrafficSelector(ctx, components), BASE_WINDOW), [...ctx.clusterLabels, 'addr', 'classification']),
    labels: { ...ctx.ruleLabels, slo: ID, sli: 'client' },
  };
}

function clientInstance(ctx: BuildContext, component: ServingComponent): SliInstance {
  const by = ctx.clusterLabels;
  const s = clientSelectors(ctx, component);
  const raw = ratioSli(s.bad, s.total, by);
  const addr = re('addr', clientAddrPattern(ctx, component));
  const sharedTotal = sum(ctx.recordedSelector(RAW_FAMILY_RECORDINGS.controlResponses, [...SLI_MATCHERS, addr]), by);
  const sharedBad = sum(ctx.recordedSelector(RAW_FAMILY_RECORDINGS.controlResponses, [...SLI_MATCHERS, addr, eq('classification', 'failure')]), by);
  // No absent alert on the client side: proxies evict idle control_* series after 10 minutes
  // (DEFAULT_METRICS_RETAIN_IDLE in linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0) and watch streams only count when they end, so a quiet mesh legitimately has none.
  const { service, port } = CONTROL_PLANE_CLIENT_ADDR[component];
  const regex = { addr: `${service}.${ctx.config.linkerd.namespace}.svc.cluster.local:${port}` };
  return {
    component,
    errorsRate: (w: string) => (w === BASE_WINDOW ? or(sharedBad, mul(num(0), sharedTotal)) : raw.errorsRate(w)),
    requestsRate: (w: string) => (w === BASE_WINDOW ? sharedTotal : raw.requestsRate(w)),
    fixture: outageFixture(s, regex),
    lint: [{ check: 'promql/regexp', reason: CLIENT_ADDR_PATTERN_REASON }],
  };
}
