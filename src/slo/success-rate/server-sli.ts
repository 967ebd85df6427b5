/**
 * The server-side success-rate SLI: responses of destination, policy and identity as counted by the
 * inbound side of their own pods' proxies, on each component's serving port (so kubelet probes and
 * metric scrapes on admin ports do not dilute the ratio).
 */
import { runningComponents, serverSelectors } from '../../linkerd/control-plane.js';
import type { BuildContext } from '../kind.js';
import { ratioSli, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { outageFixture } from './outage-fixture.js';
import { textContext, type SharedDefinition } from './names.js';

/** The server side's definition; none when no configured component runs on this version. */
export function serverDefinition(ctx: BuildContext, shared: SharedDefinition): SliDefinition[] {
  const slo = ctx.config.slos.controlPlaneSuccessRate;
  const instances: SliInstance[] = runningComponents(slo.components, ctx.facts).map((component) => {
    const s = serverSelectors(ctx, component, slo.ports[component]);
    const regex = { target_addr: `10.0.0.1:${slo.ports[component]}` };
    return {
      component,
      ...ratioSli(s.bad, s.total, ctx.clusterLabels),
      presence: s.presence,
      fixture: outageFixture(s, regex),
    };
  });
  if (!instances.length) return [];
  return [{
    ...shared,
    sli: 'server',
    title: 'Control-plane success rate (server side)',
    objective: slo.objective,
    instances,
    textContext: { ...textContext(ctx), side: 'server' },
  }];
}
