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
import { inline, mul, num, or, rate, sub, sum, withMatchers, eq, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { formatNumber } from '../../promql/number.js';
import { matcherHolds } from '../../promql/matchers.js';
import type { BuildContext, SloKind } from '../kind.js';
import { budgetRunbooks } from '../burn-rate.js';
import { burnRateTemplates, buildBurnRate, checkObjective, ratioSli, type SliDefinition, type SliInstance } from '../burn-rate.js';
import type { FixtureSeries } from '../promtool-tests.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { customSlis } from './openslo.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'custom';
export const CUSTOM_SLI = 'ratio';
export const CUSTOM_BURN_ALERT = 'LinkerdCustomSLOErrorBudgetBurn';
export const CUSTOM_ABSENT_ALERT = 'LinkerdCustomSLOMetricsAbsent';

export { parseCustomSelectors, type CustomSelectors, type CustomSlo } from './selectors.js';
import { parseCustomSelectors, type CustomSelectors } from './selectors.js';

type Labels = Record<string, string>;

/** Whether a series matches a selector; undefined when a regex cannot be evaluated here. */
export function seriesMatches(labels: Labels, sel: Selector): boolean | undefined {
  if ((labels.__name__ ?? '') !== (sel.metric ?? '')) return false;
  let result: boolean | undefined = true;
  for (const m of sel.matchers) {
    const holds = matcherHolds(m, labels[m.label] ?? '');
    if (holds === false) return false;
    if (holds === undefined) result = undefined;
  }
  return result;
}

/** A few strings a regex probably matches: its first alternative with classes and wildcards filled in. */
function samplesFor(pattern: string): string[] {
  let depth = 0;
  let first = pattern;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      first = pattern.slice(0, i);
      break;
    }
  }
  const simplified = first
    .replace(/\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)\?/g, '')
    .replace(/\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)/g, '$1')
    .replace(/\[\^?([^\]\\])[^\]]*\]/g, '$1')
    .replace(/\.\*|\.\?/g, '')
    .replace(/\.\+/g, 'x')
    .replace(/\\d/g, '0')
    .replace(/\\w/g, 'x')
    .replace(/\\(.)/g, '$1')
    .replace(/\./g, '0')
    .replace(/[*?]|\{\d+(,\d*)?\}/g, '')
    .replace(/\+/g, '')
    .replace(/^\^|\$$/g, '');
  return [simplified, first.replace(/\\(.)/g, '$1')];
}

const FILLERS = ['', 'x', 'other', '0', '200', 'ok', 'success', 'failure', 'true', 'false'];

/** Labels of one series that matches every selector in `all` and none of `none`; undefined if not found. */
export function solveLabels(all: readonly Selector[], none: readonly Selector[] = []): Labels | undefined {
  const metric = all[0]?.metric;
  if (!metric || all.some((s) => s.metric !== metric)) return undefined;
  const labels: Labels = { __name__: metric };
  const mentioned = [...new Set(all.flatMap((s) => s.matchers.map((m) => m.label)))];
  for (const label of mentioned) {
    const ms = all.flatMap((s) => s.matchers.filter((m) => m.label === label));
    const candidates = [
      ...ms.filter((m) => m.op === '=').map((m) => m.value),
      ...ms.filter((m) => m.op === '=~').flatMap((m) => samplesFor(m.value)),
      ...FILLERS,
    ];
    const value = candidates.find((v) => ms.every((m) => matcherHolds(m, v) === true));
    if (value === undefined) return undefined;
    if (value !== '') labels[label] = value;
  }
  const ok = (l: Labels) => all.every((s) => seriesMatches(l, s) === true) && none.every((s) => seriesMatches(l, s) === false);
  if (ok(labels)) return labels;
  // Break one matcher of each selector that must not match, keeping the ones that must.
  let current = labels;
  for (const bad of none) {
    if (seriesMatches(current, bad) === false) continue;
    let fixed: Labels | undefined;
    for (const m of bad.matchers) {
      const keep = all.flatMap((s) => s.matchers.filter((k) => k.label === m.label));
      const tries = [
        ...(m.op === '!=' ? [m.value] : []),
        ...(m.op === '!~' ? samplesFor(m.value) : []),
        ...FILLERS.filter((f) => f !== ''),
        `${m.value}-other`,
        '',
      ];
      for (const v of tries) {
        const next = { ...current };
        if (v === '') delete next[m.label];
        else next[m.label] = v;
        if (matcherHolds(m, v) === false && keep.every((k) => matcherHolds(k, v) === true) && all.every((s) => seriesMatches(next, s) === true)) {
          fixed = next;
          break;
        }
      }
      if (fixed) break;
    }
    if (!fixed) return undefined;
    current = fixed;
  }
  return ok(current) ? current : undefined;
}

/** Input series for the generated promtool test: healthy traffic, then every event bad. */
export function customFixture(sel: CustomSelectors): FixtureSeries[] | undefined {
  const { total } = sel;
  const pick = (...series: Array<[Labels | undefined, number, number]>): FixtureSeries[] | undefined =>
    series.every(([l]) => l) ? series.map(([labels, healthy, outage]) => ({ labels: labels!, healthy, outage })) : undefined;
  if (sel.bad) {
    if (sel.bad.metric === total.metric) {
      // One series that is good (in total, not bad) and one that is bad (in both).
      return pick([solveLabels([total], [sel.bad]), 1, 0], [solveLabels([total, sel.bad]), 0, 1]);
    }
    return pick([solveLabels([total], [sel.bad]), 1, 1], [solveLabels([sel.bad], [total]), 0, 1]);
  }
  if (sel.good) {
    if (sel.good.metric === total.metric) {
      return pick([solveLabels([total, sel.good]), 1, 0], [solveLabels([total], [sel.good]), 0, 1]);
    }
    return pick([solveLabels([sel.good], [total]), 1, 0], [solveLabels([total], [sel.good]), 1, 1]);
  }
  return undefined;
}

// ---- the kind ------------------------------------------------------------------------------

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
    const extra: Matcher[] = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
    const by = Object.keys(config.prometheus.extraMatchers);
    const built = config.slos.custom.map((slo) => {
      const parsed = parseCustomSelectors(slo, []).selectors;
      if (!parsed) throw new Error(`custom SLO ${slo.name}: selectors were not checked`);
      const withExtra = (s: Selector | undefined) => (s ? withMatchers(s, extra) : undefined);
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
