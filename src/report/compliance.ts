/**
 * Compliance per calendar period, SLO and cluster, from the backtest's replay (docs/report.md):
 *
 *   attainment = 1 - bad events / valid events over the period,
 *
 * both counted from the SLI's counters as the sum of their 5-minute increases (the SLI's 5m rate
 * recordings sampled at every 5-minute boundary, × 300 s): increase() over the period in whole,
 * non-overlapping tiles, never an average of ratios. Every time-zone offset is a multiple of 15
 * minutes, so the tiles partition local days, weeks, months and quarters exactly. A tile belongs to
 * the period holding its end (it covers (t - 5m, t]). Maintenance windows are shown; when excluded,
 * the part of each tile inside a window counts neither its requests nor its errors.
 */
import { formatNumber } from '../promql/number.js';
import { alertOutcomes, type ReplayResult, type Series } from '../backtest/replay.js';
import { excludedShare } from '../backtest/report.js';
import { localDays, type Period } from './calendar.js';

/** Seconds one SLI tile covers: the 5m rate recordings, sampled every 5 minutes. */
export const TILE = 300;

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** One span of a maintenance window (`alerting.maintenance`) in the period. */
export interface MaintenanceWindow extends Interval {
  readonly name: string;
  /** The window's `excludeFromBudget`: its requests and errors are left out of the budget. */
  readonly excludeFromBudget: boolean;
  /** What it mutes in Alertmanager: `page`, `ticket`. */
  readonly mute: readonly string[];
}

interface Incident extends Interval {
  /** `page` or `ticket`. */
  readonly kind: 'page' | 'ticket';
  /** The alerts (name and window) whose firing intervals overlapped into this incident. */
  readonly alerts: readonly string[];
  /** Share of the period's error budget spent while it lasted (errors in its tiles / allowed errors). */
  readonly budget: number;
  /** It started inside a maintenance window that mutes its kind: Alertmanager would not have notified. */
  readonly muted?: string;
}

interface DayCompliance {
  readonly day: string;
  readonly requests: number;
  readonly errors: number;
  /** Percent; undefined without traffic. */
  readonly attainment?: number;
  /** Share of the period's budget spent that day. */
  readonly budget: number;
}

export interface SloCompliance {
  readonly name: string;
  readonly sli: string;
  readonly component: string;
  /** The SLI series' other labels (a workload's namespace and deployment, …). */
  readonly labels: Readonly<Record<string, string>>;
  readonly cluster: string;
  readonly period: string;
  /** Percent. */
  readonly objective: number;
  /** Percent; undefined when the period held no valid event. */
  readonly attainment?: number;
  readonly requests: number;
  readonly errors: number;
  /** Share of the period's error budget spent (1 = all of it; above 1 = overspent). */
  readonly budgetSpent: number;
  readonly budgetLeft: number;
  readonly incidents: readonly Incident[];
  /** Days that spent budget, most first (at most 3). */
  readonly worstDays: readonly DayCompliance[];
  readonly days: readonly DayCompliance[];
  /** [tile end, budget left] at each day's end, for the burn-down chart. */
  readonly burnDown: ReadonlyArray<readonly [number, number]>;
  /** Requests left out of the budget because they fell in maintenance windows. */
  readonly excludedRequests: number;
}

export interface PeriodCompliance extends Period {
  readonly slos: readonly SloCompliance[];
  readonly maintenance: readonly MaintenanceWindow[];
}

export interface ComplianceOptions {
  readonly cluster: string;
  readonly tz: string;
  readonly pageSeverity: string;
  readonly ticketSeverity: string;
  /** The maintenance windows' spans over the whole range (those with excludeFromBudget are left out of the budget). */
  readonly maintenance?: readonly MaintenanceWindow[];
}

const keyOf = (labels: Record<string, string>) => {
  const { __name__: _n, ...rest } = labels;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
};

/** The union of spans, sorted: two windows over the same minutes exclude them once. */
function union(spans: readonly Interval[]): Interval[] {
  const out: Array<{ start: number; end: number }> = [];
  for (const w of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ start: w.start, end: w.end });
  }
  return out;
}

/** The objective (as a budget, 1 - objective) of each slo/sli, from its burn-rate alerts' `ratio / budget` clause. */
function budgets(r: ReplayResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of r.plan.alerts) {
    const b = a.clauses.find((c) => c.budget !== undefined)?.budget;
    if (b !== undefined && a.rule.labels.slo) out.set(`${a.rule.labels.slo}/${a.rule.labels.sli}`, b);
  }
  return out;
}

/** Firing intervals of page and ticket alerts, by alert label set. */
function episodes(r: ReplayResult, opts: ComplianceOptions) {
  return alertOutcomes(r).flatMap((o) => {
    const spec = r.plan.alerts[o.alertIndex]!;
    const kind = spec.severity === opts.pageSeverity ? ('page' as const) : spec.severity === opts.ticketSeverity ? ('ticket' as const) : undefined;
    return kind ? o.firing.map(([start, end]) => ({ kind, alert: spec.name, labels: o.labels, start, end })) : [];
  });
}

/** Overlapping episodes of one kind merged into incidents, cut to the period. */
function mergeIncidents(list: ReadonlyArray<{ kind: 'page' | 'ticket'; alert: string; start: number; end: number }>, p: Period): Array<Omit<Incident, 'budget'>> {
  const out: Array<{ kind: 'page' | 'ticket'; alerts: string[]; start: number; end: number }> = [];
  for (const kind of ['page', 'ticket'] as const) {
    let cur: (typeof out)[number] | undefined;
    for (const e of list.filter((x) => x.kind === kind && x.end > p.start && x.start < p.end).sort((a, b) => a.start - b.start)) {
      const start = Math.max(e.start, p.start);
      const end = Math.min(e.end, p.end);
      if (cur && start <= cur.end) {
        cur.end = Math.max(cur.end, end);
        if (!cur.alerts.includes(e.alert)) cur.alerts.push(e.alert);
      } else out.push((cur = { kind, alerts: [e.alert], start, end }));
    }
  }
  return out.sort((a, b) => a.start - b.start || (a.kind < b.kind ? -1 : 1));
}

export function compliance(r: ReplayResult, periods: readonly Period[], opts: ComplianceOptions): PeriodCompliance[] {
  const qe = r.plan.queries.findIndex((q) => q.purpose === 'errors');
  const qr = r.plan.queries.findIndex((q) => q.purpose === 'requests');
  const budgetOf = budgets(r);
  const errorsBy = new Map((qe >= 0 ? r.results[qe]! : []).map((s) => [keyOf(s.labels), s]));
  const all = episodes(r, opts);
  const windows = opts.maintenance ?? [];
  return periods.map((p) => {
    const shown = windows.filter((w) => w.end > p.start && w.start < p.end).map((w) => ({ ...w, start: Math.max(w.start, p.start), end: Math.min(w.end, p.end) }));
    const slos: SloCompliance[] = [];
    for (const req of qr >= 0 ? r.results[qr]! : []) {
      const budget = budgetOf.get(`${req.labels.slo}/${req.labels.sli}`);
      if (budget === undefined) continue;
      const mine = all.filter((e) => Object.entries(req.labels).every(([k, v]) => k === '__name__' || e.labels[k] === v));
      const incidents = mergeIncidents(mine, p).map((i) => {
        const w = shown.find((x) => x.mute.includes(i.kind) && i.start >= x.start && i.start < x.end);
        return w ? { ...i, muted: w.name } : i;
      });
      slos.push(sloPeriod(p, req, errorsBy.get(keyOf(req.labels)), budget, incidents, union(shown.filter((w) => w.excludeFromBudget)), opts));
    }
    slos.sort((a, b) => (keyOf({ a: a.name, b: a.sli, c: a.component, ...a.labels }) < keyOf({ a: b.name, b: b.sli, c: b.component, ...b.labels }) ? -1 : 1));
    return { ...p, slos, maintenance: shown };
  });
}

function sloPeriod(p: Period, req: Series, err: Series | undefined, budget: number, incidents: Array<Omit<Incident, 'budget'>>, excluded: readonly Interval[], opts: ComplianceOptions): SloCompliance {
  // Tiles of the period: (t - 5m, t] with t in (start, end].
  const tiles: Array<{ t: number; requests: number; errors: number }> = [];
  let excludedRequests = 0;
  for (const [t, rate] of req.points) {
    if (t <= p.start || t > p.end) continue;
    const keep = 1 - excludedShare(t, excluded);
    excludedRequests += rate * TILE * (1 - keep);
    tiles.push({ t, requests: rate * TILE * keep, errors: (err?.points.get(t) ?? 0) * TILE * keep });
  }
  tiles.sort((a, b) => a.t - b.t);
  const requests = tiles.reduce((n, x) => n + x.requests, 0);
  const errors = tiles.reduce((n, x) => n + x.errors, 0);
  const allowed = budget * requests;
  const share = (e: number) => (allowed > 0 ? e / allowed : e > 0 ? Infinity : 0);
  const attainment = (req: number, e: number) => (req > 0 ? 100 * (1 - e / req) : undefined);
  const days: DayCompliance[] = localDays(p.start, p.end, opts.tz).map((d) => {
    const inDay = tiles.filter((x) => x.t > d.start && x.t <= d.end);
    const dr = inDay.reduce((n, x) => n + x.requests, 0);
    const de = inDay.reduce((n, x) => n + x.errors, 0);
    return { day: d.day, requests: dr, errors: de, budget: share(de), ...(dr > 0 ? { attainment: attainment(dr, de)! } : {}) };
  });
  let spent = 0;
  const ends = localDays(p.start, p.end, opts.tz);
  const burnDown: Array<[number, number]> = [[p.start, 1]];
  days.forEach((d, i) => {
    spent += d.budget;
    burnDown.push([ends[i]!.end, 1 - spent]);
  });
  const { slo = '', sli = '', component = '', __name__: _n, ...labels } = req.labels;
  return {
    name: slo,
    sli,
    component,
    labels,
    cluster: opts.cluster,
    period: p.label,
    objective: Number(formatNumber(100 * (1 - budget))),
    ...(requests > 0 ? { attainment: attainment(requests, errors)! } : {}),
    requests,
    errors,
    budgetSpent: share(errors),
    budgetLeft: 1 - share(errors),
    incidents: incidents.map((i) => ({ ...i, budget: share(tiles.filter((x) => x.t > i.start && x.t - TILE < i.end).reduce((n, x) => n + x.errors, 0)) })),
    worstDays: days.filter((d) => d.errors > 0).sort((a, b) => b.errors - a.errors || (a.day < b.day ? -1 : 1)).slice(0, 3),
    days,
    burnDown,
    excludedRequests,
  };
}
