/**
 * Control-plane success rate, seen from both ends:
 *  - server side: responses of destination, policy and identity as counted by the
 *    inbound side of their own pods' proxies (`response_total{direction="inbound"}`), restricted to
 *    each component's serving port so kubelet probes and metric scrapes on admin ports do not
 *    dilute the ratio (server-sli.ts);
 *  - client side: every meshed proxy's `control_response_total` towards destination, policy and
 *    identity, i.e. how the mesh experiences the control plane (client-sli.ts).
 */
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { BuildContext, KindOutput, SloKind } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { budgetRunbooks, buildBurnRate, checkObjective, noComponentLeft } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { successRateSlis } from './openslo.js';
import { controlPlaneTrafficRows } from './panels.js';
import { ABSENT_ALERT, BURN_ALERT, ID, sharedDefinition } from './names.js';
import { serverDefinition } from './server-sli.js';
import { clientDefinition } from './client-sli.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

export const successRate: SloKind<typeof configSection> = {
  config: configSection,
  ratioSlis: (ctx) => successRateSlis(ctx),
  id: ID,
  title: 'Control-plane success rate',
  enabled: (config: Config) => config.slos.controlPlaneSuccessRate.enabled,
  standingRows: (ctx) => controlPlaneTrafficRows(ctx),

  check(config: Config): ConfigIssue[] {
    const slo = config.slos.controlPlaneSuccessRate;
    if (!slo.enabled) return [];
    const base = ['slos', 'controlPlaneSuccessRate'];
    const issues = checkObjective(config, slo.objective, slo.period, [...base, 'objective'], [...base, 'period']);
    if (slo.clientSide.enabled) {
      issues.push(...checkObjective(config, slo.clientSide.objective, slo.period, [...base, 'clientSide', 'objective'], [...base, 'period']));
    }
    if (slo.components.length === 0 && !slo.clientSide.enabled) {
      issues.push(noComponentLeft(base));
    }
    return issues;
  },

  build(ctx: BuildContext): KindOutput {
    const shared = sharedDefinition(ctx, templates);
    const definitions = [...serverDefinition(ctx, shared), ...clientDefinition(ctx, shared)];
    const built = definitions.map((d) => ({ def: d, out: buildBurnRate(ctx, d) }));
    return {
      ruleGroups: built.flatMap((b) => b.out.groups),
      dashboardRows: built.map((b) => ({ title: b.def.title, panels: b.out.panels })),
      unitTests: built.flatMap((b) => b.out.unitTests),
      runbooks: [...budgetRunbooks(ctx.config, built.map((b) => b.out.budget)), ...[BURN_ALERT, ABSENT_ALERT].map((alert) => ({ alert, markdown: templates.runbook(alert, runbookContext(ctx)) }))],
    };
  },
};

function runbookContext(ctx: BuildContext) {
  const { config } = ctx;
  const slo = config.slos.controlPlaneSuccessRate;
  return {
    ...linkerdTemplateFacts(ctx),
    ports: slo.ports,
    burnAlert: BURN_ALERT,
    absentAlert: ABSENT_ALERT,
    serverObjective: slo.objective,
    clientObjective: slo.clientSide.objective,
    period: slo.period,
    windows: config.alerting.windows.map((w) => ({ ...w, for: w.for ?? '' })),
    minRequests: config.alerting.lowTraffic.minRequests,
    severities: config.alerting.severities,
    absentFor: config.alerting.absentFor,
  };
}
