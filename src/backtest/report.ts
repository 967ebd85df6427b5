/**
 * What the replayed alerts would have done, per SLO and per alert: pages and tickets (start, duration,
 * peak burn rate), error budget consumed and the days that consumed it, alerts that never fired or
 * flapped, and a what-if table of objectives computed from the same replayed burn rates.
 */
import { formatNumber } from '../promql/number.js';
import { alertStates, flaps } from './semantics.js';
import { alertOutcomes, clauseSeries, clipStates, gridTimes, type AlertOutcome, type ReplayResult, type Series } from './replay.js';

/** Firing again within this many seconds of resolving counts as a flap. */
const FLAP_GAP_SECONDS = 3600;
/** Objectives (percent) the what-if table tries, besides the configured one. */
const WHAT_IF_OBJECTIVES = [90, 95, 98, 99, 99.5, 99.9, 99.95, 99.99] as const;

export interface Episode {
  readonly alert: string;
  readonly severity: string;
  readonly labels: Record<string, string>;
  readonly start: number;
  readonly end: number;
  readonly seconds: number;
  /** Highest burn rate over the alert's long window while it fired (burn-rate alerts only). */
  readonly peakBurnRate?: number;
}

interface AlertSummary {
  readonly alert: string;
  readonly group: string;
  readonly severity: string;
  readonly for: string;
  readonly firing: number;
  readonly pending: number;
  readonly flaps: number;
}

interface BudgetSummary {
  readonly slo: string;
  readonly sli: string;
  readonly component: string;
  readonly objective: number;
  readonly requests: number;
  readonly errors: number;
  /** Share of the range's error budget spent (1 = all of it). */
  readonly consumed: number;
  /** Per UTC day: share of the range's budget spent that day, highest first. */
  readonly days: ReadonlyArray<{ readonly day: string; readonly consumed: number }>;
  /** [time, budget remaining] every 5 minutes, for the burn-down chart. */
  readonly burnDown: ReadonlyArray<readonly [number, number]>;
  /** Requests left out of the budget: they fell in maintenance windows with excludeFromBudget. */
  readonly excludedRequests: number;
}

/** A span of time (Unix seconds, [start, end)) whose requests and errors the budget leaves out. */
export interface ExcludedSpan {
  readonly start: number;
  readonly end: number;
}

/** Share of the 5-minute tile (t - 5m, t] inside the spans (which do not overlap); report uses it too. */
export function excludedShare(t: number, spans: readonly ExcludedSpan[]): number {
  let s = 0;
  for (const w of spans) s += Math.max(0, Math.min(t, w.end) - Math.max(t - 300, w.start));
  return Math.min(1, s / 300);
}

interface WhatIfRow {
  readonly slo: string;
  readonly sli: string;
  readonly configured: number;
  /** Pages per candidate objective, computed from the replayed burn rates (not replayed against Prometheus). */
  readonly pages: ReadonlyArray<{ readonly objective: number; readonly pages: number }>;
  /** The strictest candidate objective that would have given at most `whatIfMaxPages` pages (a looser one pages less). */
  readonly suggestion?: number;
}

interface BurnSeries {
  readonly alert: string;
  readonly labels: Record<string, string>;
  readonly threshold: number;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface BacktestReport {
  readonly from: number;
  readonly to: number;
  readonly step: number;
  readonly pageSeverity: string;
  readonly ticketSeverity: string;
  readonly pages: readonly Episode[];
  /**
   * Pages merged where they overlap for the same SLO and label set (the faster window's page inhibits
   * the slower one's in the generated Alertmanager config, so a person is paged once).
   */
  readonly pageIncidents: number;
  readonly tickets: readonly Episode[];
  readonly others: readonly Episode[];
  readonly alerts: readonly AlertSummary[];
  readonly neverFired: readonly string[];
  readonly flapping: readonly string[];
  readonly budgets: readonly BudgetSummary[];
  readonly whatIf: readonly WhatIfRow[];
  readonly whatIfMaxPages: number;
  readonly burnRates: readonly BurnSeries[];
  readonly outcomes: readonly AlertOutcome[];
  readonly failures: ReplayResult['failures'];
  readonly load: { readonly plannedQueries: number; readonly plannedPoints: number; readonly queriesSent: number; readonly pointsRead: number };
}

const keyOf = (labels: Record<string, string>) => {
  const { __name__: _n, ...rest } = labels;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
};

const sortEpisodes = (a: Episode, b: Episode) => a.start - b.start || (a.alert < b.alert ? -1 : a.alert > b.alert ? 1 : keyOf(a.labels) < keyOf(b.labels) ? -1 : 1);

export function buildReport(r: ReplayResult, opts: { pageSeverity: string; ticketSeverity: string; whatIfMaxPages: number; budgetExcluded?: readonly ExcludedSpan[] }): BacktestReport {
  const { plan } = r;
  const outcomes = alertOutcomes(r);
  const episodes: Episode[] = [];
  for (const o of outcomes) {
    const spec = plan.alerts[o.alertIndex]!;
    // The alert's labels are its expression's (the first clause's) with the rule's set over them.
    const burn = clauseSeries(r, o.alertIndex)[0]?.find((s) =>
      Object.entries(s.labels).every(([k, v]) => k === '__name__' || o.labels[k] === v || k in spec.rule.labels),
    );
    for (const [start, end] of o.firing) {
      let peak: number | undefined;
      if (burn) for (const [t, v] of burn.points) if (t >= start && t < end && (peak === undefined || v > peak)) peak = v;
      episodes.push({ alert: spec.name, severity: spec.severity, labels: o.labels, start, end, seconds: end - start, ...(peak !== undefined ? { peakBurnRate: peak } : {}) });
    }
  }
  episodes.sort(sortEpisodes);
  const alerts: AlertSummary[] = plan.alerts.map((spec, i) => {
    const mine = outcomes.filter((o) => o.alertIndex === i);
    return {
      alert: spec.name,
      group: spec.group,
      severity: spec.severity,
      for: spec.rule.for ?? '0s',
      firing: mine.reduce((n, o) => n + o.firing.length, 0),
      pending: mine.reduce((n, o) => n + o.pending.length, 0),
      flaps: mine.reduce((n, o) => n + flaps(o.firing, FLAP_GAP_SECONDS), 0),
    };
  });
  const burnRates: BurnSeries[] = [];
  plan.alerts.forEach((spec, i) => {
    const c = spec.clauses[0];
    if (c?.budget === undefined) return;
    for (const s of clauseSeries(r, i)[0] ?? []) {
      burnRates.push({ alert: spec.name, labels: s.labels, threshold: c.threshold, points: [...s.points.entries()].sort((a, b) => a[0] - b[0]) });
    }
  });
  return {
    from: plan.from,
    to: plan.to,
    step: plan.step,
    pageSeverity: opts.pageSeverity,
    ticketSeverity: opts.ticketSeverity,
    pages: episodes.filter((e) => e.severity === opts.pageSeverity),
    pageIncidents: incidents(episodes.filter((e) => e.severity === opts.pageSeverity)),
    tickets: episodes.filter((e) => e.severity === opts.ticketSeverity),
    others: episodes.filter((e) => e.severity !== opts.pageSeverity && e.severity !== opts.ticketSeverity),
    alerts,
    neverFired: alerts.filter((a) => a.firing === 0).map((a) => a.alert),
    flapping: alerts.filter((a) => a.flaps > 0).map((a) => a.alert),
    budgets: budgets(r, opts.budgetExcluded ?? []),
    whatIf: whatIf(r, opts.pageSeverity, opts.whatIfMaxPages),
    whatIfMaxPages: opts.whatIfMaxPages,
    burnRates,
    outcomes,
    failures: r.failures,
    load: { plannedQueries: plan.totals.queries, plannedPoints: plan.totals.points, queriesSent: r.stats.queriesSent, pointsRead: r.stats.pointsRead },
  };
}

function incidents(pages: readonly Episode[]): number {
  const byTarget = new Map<string, Array<[number, number]>>();
  for (const p of pages) {
    const { alertname: _a, severity: _s, long: _l, short: _sh, ...identity } = p.labels;
    const key = keyOf(identity);
    byTarget.set(key, [...(byTarget.get(key) ?? []), [p.start, p.end]]);
  }
  let n = 0;
  for (const list of byTarget.values()) {
    let end = -Infinity;
    for (const [s, e] of list.sort((a, b) => a[0] - b[0])) {
      if (s > end) n++;
      end = Math.max(end, e);
    }
  }
  return n;
}

/**
 * Budget per SLO component from the 5m base rates sampled every 5 minutes: whole, non-overlapping
 * tiles; the share of a tile inside a maintenance window with excludeFromBudget is left out.
 */
function budgets(r: ReplayResult, excluded: readonly ExcludedSpan[]): BudgetSummary[] {
  const qe = r.plan.queries.findIndex((q) => q.purpose === 'errors');
  const qr = r.plan.queries.findIndex((q) => q.purpose === 'requests');
  if (qe < 0 || qr < 0) return [];
  // The budget (1 - objective) of each slo/sli, from its burn-rate alerts' `ratio / budget` clause.
  const budgetOf = new Map<string, number>();
  for (const a of r.plan.alerts) {
    const b = a.clauses.find((c) => c.budget !== undefined)?.budget;
    if (b !== undefined && a.rule.labels.slo) budgetOf.set(`${a.rule.labels.slo}/${a.rule.labels.sli}`, b);
  }
  const errorsBy = new Map(r.results[qe]!.map((s) => [keyOf(s.labels), s]));
  const out: BudgetSummary[] = [];
  for (const req of r.results[qr]!) {
    const { slo = '', sli = '', component = '' } = req.labels;
    const budget = budgetOf.get(`${slo}/${sli}`);
    if (budget === undefined) continue;
    const err = errorsBy.get(keyOf(req.labels));
    const times = [...req.points.keys()].sort((a, b) => a - b);
    let requests = 0;
    let errors = 0;
    let excludedRequests = 0;
    const perDay = new Map<string, number>();
    const cumulative: Array<[number, number]> = [];
    for (const t of times) {
      const keep = 1 - excludedShare(t, excluded);
      requests += req.points.get(t)! * 300 * keep;
      excludedRequests += req.points.get(t)! * 300 * (1 - keep);
      const e = (err?.points.get(t) ?? 0) * 300 * keep;
      errors += e;
      const day = new Date(t * 1000).toISOString().slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + e);
      cumulative.push([t, errors]);
    }
    const allowed = budget * requests;
    const consumed = allowed > 0 ? errors / allowed : 0;
    out.push({
      slo,
      sli,
      component,
      objective: Number(formatNumber(100 * (1 - budget))),
      requests: Math.round(requests),
      errors: Math.round(errors),
      consumed,
      days: [...perDay].filter(([, e]) => e > 0).map(([day, e]) => ({ day, consumed: allowed > 0 ? e / allowed : 0 })).sort((a, b) => b.consumed - a.consumed || (a.day < b.day ? -1 : 1)),
      burnDown: cumulative.map(([t, e]) => [t, allowed > 0 ? 1 - e / allowed : 1] as const),
      excludedRequests: Math.round(excludedRequests),
    });
  }
  return out.sort((a, b) => (a.slo + a.sli + a.component < b.slo + b.sli + b.component ? -1 : 1));
}

/**
 * Pages per candidate objective: each page alert's clauses re-evaluated on the replayed values, the
 * burn-rate clauses (`ratio / budget > factor`) scaled to the candidate's budget, then the same state machine.
 */
function pagesAtObjective(r: ReplayResult, pageSeverity: string, slo: string, sli: string, objective: number): number {
  let pages = 0;
  r.plan.alerts.forEach((spec, i) => {
    if (spec.severity !== pageSeverity || spec.rule.labels.slo !== slo || spec.rule.labels.sli !== sli) return;
    if (!spec.clauses.some((c) => c.budget !== undefined)) return;
    const series = clauseSeries(r, i);
    const q = r.plan.queries.find((x) => x.alertIndex === i && x.clauseIndex === 0)!;
    const evaluations = gridTimes(q.chunks[0]![0], r.plan.to, q.step);
    const newBudget = 1 - objective / 100;
    const keys = new Map<string, Series>();
    for (const s of series[0]!) keys.set(keyOf(s.labels), s);
    for (const [key] of keys) {
      const active = new Set<number>();
      const lookups = series.map((list) => list.find((s) => keyOf(s.labels) === key));
      for (const t of evaluations) {
        const ok = spec.clauses.every((c, ci) => {
          const v = lookups[ci]?.points.get(t);
          if (v === undefined) return false;
          const scaled = c.budget !== undefined ? (v * c.budget) / newBudget : v;
          return c.op === '>' ? scaled > c.threshold : scaled >= c.threshold;
        });
        if (ok) active.add(t);
      }
      pages += clipStates(alertStates(evaluations, active, spec, q.step), r.plan.from).firing.length;
    }
  });
  return pages;
}

function whatIf(r: ReplayResult, pageSeverity: string, maxPages: number): WhatIfRow[] {
  const slos = new Map<string, { slo: string; sli: string; budget: number }>();
  for (const a of r.plan.alerts) {
    const b = a.clauses.find((c) => c.budget !== undefined)?.budget;
    if (b !== undefined && a.rule.labels.slo && a.severity === pageSeverity) slos.set(`${a.rule.labels.slo}/${a.rule.labels.sli}`, { slo: a.rule.labels.slo, sli: a.rule.labels.sli!, budget: b });
  }
  return [...slos.values()].map(({ slo, sli, budget }) => {
    const configured = Number(formatNumber(100 * (1 - budget)));
    const candidates = [...new Set([...WHAT_IF_OBJECTIVES, configured])].sort((a, b) => a - b);
    const pages = candidates.map((objective) => ({ objective, pages: pagesAtObjective(r, pageSeverity, slo, sli, objective) }));
    const quiet = pages.filter((p) => p.pages <= maxPages);
    const suggestion = quiet.length ? quiet[quiet.length - 1]!.objective : undefined;
    return { slo, sli, configured, pages, ...(suggestion !== undefined ? { suggestion } : {}) };
  });
}
