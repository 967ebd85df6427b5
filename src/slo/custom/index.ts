/**
 * Custom ratio SLOs (slos.custom): any Prometheus counters, Pyrra's ratio indicator model. Each SLO
 * names a counter selector of bad events (`errors`) or of good events (`good`, bad = total − good)
 * and one of all events (`total`). The selectors are parsed with lezer-promql into our typed
 * Selector (so the user's text never becomes PromQL syntax except through format()), then fed to
 * the shared multiwindow, multi-burn-rate engine: same windows, factors, low-traffic guard,
 * absent alert (on `total`), dashboard row and generated promtool fixture as the built-in SLOs.
 *
 * Labels: slo=<name>, sli="ratio", component=<name>. Rule groups are linkerd-slo-<name>-ratio-*;
 * names are unique among custom SLOs and no built-in group ends in -ratio-recordings/-ratio-alerts.
 */
import { inline, mul, num, or, rate, sub, sum, type Expr, type Selector } from '../../promql/ast.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { formatNumber } from '../../promql/number.js';
import type { BuildContext, SloKind } from '../kind.js';
import { budgetRunbooks } from '../burn-rate.js';
import { burnRateTemplates, buildBurnRate, checkObjective, ratioSli, type SliDefinition, type SliInstance } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { customSlis } from './openslo.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'custom';
const CUSTOM_SLI = 'ratio';
const CUSTOM_BURN_ALERT = 'LinkerdCustomSLOErrorBudgetBurn';
const CUSTOM_ABSENT_ALERT = 'LinkerdCustomSLOMetricsAbsent';

import { parseCustomSelectors, type CustomSelectors } from './selectors.js';
export { customFixture, seriesMatches, solveLabels } from './fixtures.js';
import { customFixture } from './fixtures.js';

/** errors = total − good; `or 0 * total` keeps it defined when no good series exist (all failing). */
function goodRatioSli(good: Selector, total: Selector, by: readonly string[]): Pick<SliInstance, 'errorsRate' | 'requestsRate'> {
  const requests = (w: string): Expr => sum(rate(total, w), by);
  return {
    errorsRate: (w) => sub(requests(w), or(sum(rate(good, w), by), mul(num(0), requests(w)))),
    requestsRate: requests,
  };
}

export const custom: SloKind<typeof configSection> = {
  config: configSection,
  ratioSlis: (ctx) => customSlis(ctx),
  id: ID,
  title: 'Custom ratio SLOs',
  enabled: (config: Config) => config.slos.custom.length > 0,

  check(config: Config): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, number>();
    config.slos.custom.forEach((slo, i) => {
      const path = ['slos', 'custom', i];
      const first = seen.get(slo.name);
      if (first !== undefined) issues.push({ path: [...path, 'name'], message: `duplicate name "${slo.name}" (also slos.custom[${first}]); custom SLO names must be unique` });
      else seen.set(slo.name, i);
      issues.push(...parseCustomSelectors(slo, path).issues);
      issues.push(...checkObjective(config, slo.objective, slo.period, [...path, 'objective'], [...path, 'period']));
    });
    return issues;
  },

  build(ctx: BuildContext) {
    const { config } = ctx;
    const by = ctx.clusterLabels;
    const built = config.slos.custom.map((slo) => {
      const parsed = parseCustomSelectors(slo, []).selectors;
      if (!parsed) throw new Error(`custom SLO ${slo.name}: selectors were not checked`);
      // A parsed selector always names its metric (selectors.ts); the user's extra matchers are added to it.
      const withExtra = (s: Selector | undefined) => (s ? ctx.exporterSelector(s.metric!, s.matchers) : undefined);
      const sel: CustomSelectors = { bad: withExtra(parsed.bad), good: withExtra(parsed.good), total: withExtra(parsed.total)! };
      const fixture = customFixture(sel);
      const instance: SliInstance = {
        component: slo.name,
        ...(sel.bad ? ratioSli(sel.bad, sel.total, by) : goodRatioSli(sel.good!, sel.total, by)),
        presence: sel.total,
        ...(fixture ? { fixture } : {}),
      };
      const def: SliDefinition = {
        slo: slo.name,
        sli: CUSTOM_SLI,
        title: `Custom SLO ${slo.name}`,
        objective: slo.objective,
        period: slo.period,
        instances: [instance],
        burnAlert: CUSTOM_BURN_ALERT,
        absentAlert: CUSTOM_ABSENT_ALERT,
        templates: burnRateTemplates(templates),
        textContext: { name: slo.name, kind: sel.bad ? 'errors' : 'good' },
        // The SLO's whole row lives on the overview; there is no separate detail dashboard.
        detailDashboard: 'overview',
        budgetPolicy: slo.budgetPolicy,
      };
      return { slo, sel, def, out: buildBurnRate(ctx, def) };
    });
    const runbookContext = {
      cluster: config.cluster,
      burnAlert: CUSTOM_BURN_ALERT,
      absentAlert: CUSTOM_ABSENT_ALERT,
      slos: built.map(({ slo, sel }) => ({
        name: slo.name,
        description: slo.description ?? '',
        objective: formatNumber(slo.objective),
        period: slo.period,
        errors: sel.bad ? inline(sel.bad) : '',
        good: sel.good ? inline(sel.good) : '',
        total: inline(sel.total),
      })),
      windows: config.alerting.windows.map((w) => ({ ...w, for: w.for ?? '' })),
      minRequests: config.alerting.lowTraffic.minRequests,
      severities: config.alerting.severities,
      absentFor: config.alerting.absentFor,
    };
    return {
      ruleGroups: built.flatMap((b) => b.out.groups),
      dashboardRows: built.map((b) => ({ title: b.def.title, panels: b.out.panels })),
      unitTests: built.flatMap((b) => b.out.unitTests),
      runbooks: [...budgetRunbooks(config, built.map((b) => b.out.budget)), ...[CUSTOM_BURN_ALERT, CUSTOM_ABSENT_ALERT].map((alert) => ({ alert, markdown: templates.runbook(alert, runbookContext) }))],
    };
  },
};
