/**
 * `linkerd-slo backtest`: replay a Prometheus' history through the generated alerts (docs/backtest.md).
 * Plan (queries, points) → replay (range queries, recordings expanded) → alert state machine → report.
 */
import type { RuleGroup } from '../rules.js';
import { planBacktest, replay, type Plan, type PlanOptions, type RangeClient, type ReplayResult } from './replay.js';
import { buildReport, type BacktestReport } from './report.js';

export { planBacktest, formatPlan, replay } from './replay.js';
export type { Plan, ReplayResult, RangeClient } from './replay.js';
export { buildReport } from './report.js';
export type { BacktestReport } from './report.js';
export { formatText, formatMarkdown, formatJson, formatHtml, chartIds } from './render.js';

export interface BacktestOptions extends PlanOptions {
  readonly pageSeverity: string;
  readonly ticketSeverity: string;
  readonly whatIfMaxPages: number;
  readonly concurrency?: number;
}

export async function runBacktest(groups: readonly RuleGroup[], client: RangeClient, opts: BacktestOptions): Promise<{ plan: Plan; result: ReplayResult; report: BacktestReport }> {
  const plan = planBacktest(groups, opts);
  const result = await replay(plan, client, { concurrency: opts.concurrency ?? 2 });
  return { plan, result, report: buildReport(result, opts) };
}

/** `pages>N`, `tickets>N`: the CI gate. */
export function parseFailOn(text: string): { what: 'pages' | 'tickets'; max: number } | undefined {
  const m = /^\s*(pages|tickets)\s*>\s*(\d+)\s*$/.exec(text);
  return m ? { what: m[1] as 'pages' | 'tickets', max: Number(m[2]) } : undefined;
}
export { clusterHasData, fleetCount, formatFleet, presenceQuery } from './fleet.js';
