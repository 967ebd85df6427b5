/** The control-plane success rate as OpenSLO ratio SLOs: server side and client side, per component (bad / total). */
import { clientSelectors, runningComponents, serverSelectors } from '../../linkerd/control-plane.js';
import type { BuildContext, RatioSliDeclaration } from '../kind.js';
import { CONTROL_PLANE_SERVICE } from '../series.js';
import { CONTROL_HTTP } from '../../linkerd/metric-names.js';

export function successRateSlis(ctx: BuildContext): RatioSliDeclaration[] {
  const { config, facts } = ctx;
  const sr = config.slos.controlPlaneSuccessRate;
  const base = ['slos', 'controlPlaneSuccessRate'];
  const out: RatioSliDeclaration[] = runningComponents(sr.components, facts).map((component) => {
    const s = serverSelectors(ctx, component, sr.ports[component]);
    return {
      name: `control-plane-success-rate-server-${component}`,
      displayName: `Control-plane success rate (server side): ${component}`,
      description: `Share of ${component} responses on its serving port (${sr.ports[component]}) that succeed, counted by the inbound side of its own pods' Linkerd proxies (cluster ${config.cluster}).`,
      service: CONTROL_PLANE_SERVICE,
      objective: sr.objective,
      period: sr.period,
      bad: s.bad,
      total: s.total,
      path: base,
    };
  });
  if (sr.clientSide.enabled) {
    for (const component of runningComponents(sr.clientSide.components, facts)) {
      const s = clientSelectors(ctx, component);
      out.push({
        name: `control-plane-success-rate-client-${component}`,
        displayName: `Control-plane success rate (client side): ${component}`,
        description: `Share of every meshed proxy's calls to ${component} that succeed (${CONTROL_HTTP.responses}, cluster ${config.cluster}).`,
        service: CONTROL_PLANE_SERVICE,
        objective: sr.clientSide.objective,
        period: sr.period,
        bad: s.bad,
        total: s.total,
        path: [...base, 'clientSide'],
      });
    }
  }
  return out;
}
