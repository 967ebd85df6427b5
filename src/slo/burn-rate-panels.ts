/**
 * The dashboard row of one SLI definition of the burn-rate engine (src/slo/burn-rate.ts), read
 * from its recordings: the SLI over the period, the budget left and when it runs out, the burn rate
 * per alert window (coloured at the alerts' factors), the 5m SLI, the request rate and the firing
 * alerts.
 */
import { aggregate, binary, call, div, eq, mul, num, str, sub, withMatchers } from '../promql/ast.js';
import { cleanNumber, formatDuration, formatNumber, parseDuration } from '../promql/number.js';
import type { PanelLink, PanelSpec, Threshold } from '../dashboard-model.js';
import { SLI_RECORDINGS } from './series.js';
import { BASE_WINDOW, burnRateFactor } from './burn-rate-windows.js';
import type { BurnRateScope } from './burn-rate.js';

/** The SLI's stats, burn-rate trends and firing alerts, in dashboard order. */
export function panelsFor(scope: BurnRateScope): PanelSpec[] {
  const links = linksOf(scope);
  const shortestLong = [...scope.longWindows].sort((a, b) => parseDuration(a) - parseDuration(b))[0]!;
  return [
    sliStat(scope, links),
    budgetRemainingStat(scope),
    exhaustionPanel(scope, shortestLong),
    // One stat per alert window: each is coloured at its own alert's factor.
    ...scope.longWindows.map((w) => burnRateStat(scope, w, links)),
    burnRateTrend(scope),
    sliTrend(scope),
    requestRate(scope),
    firingAlerts(scope, links),
  ];
}

/** The detail dashboard and the runbooks of the burn and absent alerts. */
function linksOf({ ctx, def }: BurnRateScope): readonly PanelLink[] {
  return [
    { title: 'Details', dashboard: def.detailDashboard ?? 'control-plane' },
    { title: `Runbook: ${def.burnAlert}`, url: ctx.runbookUrl(def.burnAlert) },
    { title: `Runbook: ${def.absentAlert}`, url: ctx.runbookUrl(def.absentAlert) },
  ] as const;
}

const objectiveRatio = (scope: BurnRateScope) => cleanNumber(scope.def.objective / 100);

function sliStat(scope: BurnRateScope, links: readonly PanelLink[]): PanelSpec {
  const { def, period, recorded } = scope;
  return {
    title: `SLI ${period} (objective ${formatNumber(def.objective)}%)`,
    description: `${def.title}: share of good events over the SLO period (${period}) per component. Red: below the ${def.objective}% objective, the error budget is spent; freeze risky control-plane changes and follow the runbook.`,
    type: 'stat',
    unit: 'percentunit',
    decimals: 3,
    queries: [{ expr: sub(num(1), recorded(SLI_RECORDINGS.errorRatio(period))), legend: '{{component}}', instant: true }],
    thresholds: [{ value: null, color: 'red' }, { value: objectiveRatio(scope), color: 'green' }],
    links,
    width: 4,
  };
}

function budgetRemainingStat(scope: BurnRateScope): PanelSpec {
  const { ctx, period, budget, recorded } = scope;
  return {
    title: 'Error budget remaining',
    description:
      `Share of the ${period} error budget (${formatNumber(budget * 100)}% of requests) still unspent. Orange below 25%. ` +
      'Once spent it reads "exhausted", red, and the name says how many budgets the period has used ("destination: 159× its budget": 159 times what the objective allows).',
    type: 'stat',
    unit: 'percentunit',
    decimals: 1,
    // A spent budget reads as the budgets used, not as a percentage far below zero (−15,803% left is
    // 159 budgets spent): count_values carries the rounded count into a label the name shows, and the
    // series' value, -1, reads "exhausted" (no budget left is ever negative).
    queries: [
      { expr: binary('>=', recorded(SLI_RECORDINGS.budgetRemaining), num(0)), legend: '{{component}}', instant: true },
      {
        expr: mul(num(-1), aggregate('count_values', call('round', sub(num(1), binary('<', recorded(SLI_RECORDINGS.budgetRemaining), num(0)))), { by: ['component', ...ctx.clusterLabels], param: str('spent') })),
        legend: '{{component}}: {{spent}}× its budget',
        instant: true,
      },
    ],
    thresholds: [{ value: null, color: 'red' }, { value: 0, color: 'orange' }, { value: 0.25, color: 'green' }],
    valueTexts: [{ to: -0.5, text: 'exhausted', color: 'red' }],
    names: true,
    width: 4,
  };
}

/**
 * When the budget is gone at the burn rate over the shortest alert window: remaining × period ÷ burn
 * rate, between 0 (spent) and the period (at this rate the budget outlasts the rolling window; also
 * while nothing burns).
 */
function exhaustionPanel({ period, budget, recorded }: BurnRateScope, window: string): PanelSpec {
  const seconds = parseDuration(period);
  const burn = call('clamp_min', div(recorded(SLI_RECORDINGS.errorRatio(window)), num(budget)), num(1e-6));
  const remaining = recorded(SLI_RECORDINGS.budgetRemaining);
  // The budget recording carries a `period` label the ratio has not.
  const left = binary('/', mul(remaining, num(seconds)), burn, { matching: { ignoring: ['period'] } });
  return {
    title: 'Budget exhausted in',
    description:
      `When the ${period} error budget is gone if errors go on at the burn rate of the last ${window}, per component: 0 once it is spent; ` +
      `${period} (the period) when it outlasts the rolling window at this rate, or nothing burns.`,
    type: 'stat',
    unit: 's',
    decimals: 1,
    queries: [{ expr: call('clamp', left, num(0), num(seconds)), legend: '{{component}}', instant: true }],
    thresholds: [{ value: null, color: 'red' }, { value: 86400, color: 'orange' }, { value: 7 * 86400, color: 'green' }],
    width: 4,
  };
}

/** Per long window: orange at a ticket's factor, red at a page's (the alert thresholds). */
function windowThresholds({ ctx, period }: BurnRateScope, long: string): Threshold[] {
  const steps = new Map<number, string>();
  for (const w of ctx.config.alerting.windows) {
    if (formatDuration(parseDuration(w.long)) !== long) continue;
    const f = burnRateFactor(w, period);
    if (w.severity === 'page' || !steps.has(f)) steps.set(f, w.severity === 'page' ? 'red' : 'orange');
  }
  return [{ value: null, color: 'green' }, ...[...steps].sort(([a], [b]) => a - b).map(([value, color]) => ({ value, color }))];
}

function burnRateStat(scope: BurnRateScope, w: string, links: readonly PanelLink[]): PanelSpec {
  const { period, budget, recorded, longWindows } = scope;
  const steps = windowThresholds(scope, w);
  return {
    title: `Burn rate ${w}`,
    description:
      `How fast the error budget burns now over ${w} (1 spends the ${period} budget exactly over the period), per component. ` +
      `Alerts on this window: ${steps.slice(1).map((t) => `${t.color === 'red' ? 'page' : 'ticket'} above ${formatNumber(t.value!)}`).join(', ')} (orange: ticket, red: page), ` +
      'when the short window agrees. Red or orange: follow the runbook (panel links).',
    type: 'stat',
    unit: 'none',
    decimals: 2,
    queries: [{ expr: div(recorded(SLI_RECORDINGS.errorRatio(w)), num(budget)), legend: '{{component}}', instant: true }],
    thresholds: steps,
    links,
    width: Math.max(2, Math.floor(12 / longWindows.length)),
  };
}

function burnRateTrend({ ctx, period, budget, recorded, longWindows }: BurnRateScope): PanelSpec {
  const pageFactor = Math.max(...ctx.config.alerting.windows.filter((w) => w.severity === 'page').map((w) => burnRateFactor(w, period)), 1);
  return {
    title: 'Burn rate',
    description: `How many times faster than sustainable the error budget burns, per alert window. 1 spends the budget exactly over ${period}; above ${formatNumber(pageFactor)} over 1h pages.`,
    type: 'timeseries',
    unit: 'none',
    queries: longWindows.map((w) => ({ expr: div(recorded(SLI_RECORDINGS.errorRatio(w)), num(budget)), legend: `{{component}} ${w}` })),
    thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }, { value: pageFactor, color: 'red' }],
    width: 12,
  };
}

function sliTrend(scope: BurnRateScope): PanelSpec {
  const { def, recorded } = scope;
  return {
    title: 'SLI (5m)',
    description: `${def.title}: share of good events over 5 minutes. Dips below the objective (${def.objective}%) burn budget; sustained dips page.`,
    type: 'timeseries',
    unit: 'percentunit',
    queries: [{ expr: sub(num(1), recorded(SLI_RECORDINGS.errorRatio(BASE_WINDOW))), legend: '{{component}}' }],
    thresholds: [{ value: null, color: 'red' }, { value: objectiveRatio(scope), color: 'green' }],
    max: 1,
    width: 12,
  };
}

function requestRate({ def, recorded }: BurnRateScope): PanelSpec {
  return {
    title: 'Request rate',
    description: `Requests per second counted by this SLI (${def.title}). A sudden drop to zero usually means missing metrics, not a quiet control plane.`,
    type: 'timeseries',
    unit: 'reqps',
    queries: [{ expr: recorded(SLI_RECORDINGS.requestsRate), legend: '{{component}}' }],
    width: 12,
  };
}

function firingAlerts({ recorded }: BurnRateScope, links: readonly PanelLink[]): PanelSpec {
  return {
    title: 'Firing alerts',
    description: 'Alerts of this SLO firing now, from the ALERTS series (empty is good). Open the runbook linked in the panel header and in each alert.',
    type: 'table',
    unit: 'none',
    queries: [
      {
        // recorded() adds slo, sli, the definition's labels and the extra matchers, so one cluster's alerts never show on another's dashboard.
        expr: aggregate('count', binary('==', withMatchers(recorded('ALERTS'), [eq('alertstate', 'firing')]), num(1)), {
          by: ['alertname', 'component', 'severity', 'long', 'short'],
        }),
        instant: true,
      },
    ],
    links,
    width: 12,
  };
}
