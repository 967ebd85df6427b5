/**
 * The compliance report as text (terminal), Markdown (a review or a ticket), JSON (tools: a flat
 * `slos` list) and one self-contained HTML page whose charts are inline SVG under a CSP that loads
 * nothing. Label values go through printable() (text), escaping (Markdown, HTML) or terminalSafeJson.
 */
import { formatNumber } from '../promql/number.js';
import { printable, terminalSafeJson } from '../check/terminal.js';
import { escapeHtml, markdownText } from '../text.js';
import { formatLocal } from './calendar.js';
import type { PeriodKind } from './calendar.js';
import type { PeriodCompliance, SloCompliance } from './compliance.js';
import type { QueryFailure } from '../backtest/replay.js';

export interface ClusterCompliance {
  readonly cluster: string;
  /** False when the history holds no proxy target of the cluster over the whole range. */
  readonly hasData: boolean;
  readonly periods: readonly PeriodCompliance[];
  readonly failures: readonly QueryFailure[];
}

export interface ComplianceReport {
  readonly kind: PeriodKind;
  readonly tz: string;
  readonly clusters: readonly ClusterCompliance[];
}

/** Attainment rounded down (a report never shows 99.9% for 99.8996%). */
const percent = (x: number | undefined, decimals = 3) => (x === undefined ? 'no traffic' : `${(Math.floor(x * 10 ** decimals + 1e-9) / 10 ** decimals).toFixed(decimals)}%`);
const share = (x: number) => (Number.isFinite(x) ? `${formatNumber(Math.round(x * 1000) / 10)}%` : 'all (no traffic)');
const count = (x: number) => Math.round(x).toLocaleString('en-US');
function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d}d` : '', h ? `${h}h` : '', m || (!d && !h) ? `${m}m` : ''].join('');
}
const sloTitle = (s: SloCompliance) => {
  const { namespace, deployment, ...rest } = s.labels;
  const target = [namespace && deployment ? `${namespace}/${deployment}` : namespace ?? deployment, ...Object.entries(rest).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(' ');
  return `${s.name}${s.sli && s.sli !== s.name ? ` ${s.sli}` : ''}${s.component ? ` (${s.component})` : ''}${target ? ` ${target}` : ''}`;
};

interface Table {
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}
interface Section {
  readonly level: 1 | 2 | 3;
  readonly title: string;
  readonly lines?: readonly string[];
  readonly table?: Table;
}

/** Each window once: how often and how long it was open in the period, and whether it spent budget. */
function maintenanceLine(p: PeriodCompliance): string {
  const names = [...new Set(p.maintenance.map((w) => w.name))];
  if (!names.length) return 'none';
  return names
    .map((name) => {
      const spans = p.maintenance.filter((w) => w.name === name);
      const first = spans[0]!;
      return `${name}: ${spans.length} time(s), ${duration(spans.reduce((n, w) => n + w.end - w.start, 0))} in all, ${first.excludeFromBudget ? 'excluded from the budget' : 'counted in the budget'}${first.mute.length ? `, mutes ${first.mute.map((m) => `${m}s`).join(' and ')}` : ''}`;
    })
    .join('; ');
}

function periodHead(r: ComplianceReport, p: PeriodCompliance): string {
  return `${r.kind} ${p.label}${p.partial ? ' (so far)' : ''}: ${formatLocal(p.start, r.tz)} to ${formatLocal(p.end, r.tz)} ${r.tz}, ${formatNumber(Math.round(((p.end - p.start) / 3600) * 100) / 100)} h`;
}

/** The report as a list of sections, shared by every format. */
function sections(r: ComplianceReport): Section[] {
  const out: Section[] = [];
  const periods = r.clusters[0]?.periods ?? [];
  periods.forEach((p, pi) => {
    out.push({ level: 1, title: `linkerd-slo report: ${periodHead(r, p)}` });
    for (const c of r.clusters) {
      const cp = c.periods[pi]!;
      const lines = [
        ...(c.hasData ? [] : ['NO DATA: the history holds no series of this cluster in the range (nothing to report)']),
        ...(c.failures.length ? [`INCOMPLETE: ${c.failures.length} query chunk(s) failed even when split; the figures below miss them.`] : []),
        `Maintenance: ${maintenanceLine(cp)}.`,
      ];
      out.push({
        level: 2,
        title: `Cluster ${c.cluster}`,
        lines,
        table: {
          head: ['SLO', 'objective', 'attainment', 'budget spent', 'budget left', 'requests', 'errors', 'pages', 'tickets'],
          rows: cp.slos.map((s) => [sloTitle(s), `${formatNumber(s.objective)}%`, percent(s.attainment), share(s.budgetSpent), share(s.budgetLeft), count(s.requests), count(s.errors), String(s.incidents.filter((i) => i.kind === 'page').length), String(s.incidents.filter((i) => i.kind === 'ticket').length)]),
        },
      });
      for (const s of cp.slos) {
        if (!s.incidents.length && !s.worstDays.length) continue;
        out.push({
          level: 3,
          title: `${sloTitle(s)}: incidents and worst days`,
          lines: [`Worst days: ${s.worstDays.map((d) => `${d.day} ${share(d.budget)} of the budget (attainment ${percent(d.attainment)})`).join(', ') || 'none'}.`],
          ...(s.incidents.length
            ? { table: { head: ['kind', `start (${r.tz})`, 'duration', 'budget', 'alerts'], rows: s.incidents.map((i) => [i.kind + (i.muted ? ` (muted: ${i.muted})` : ''), formatLocal(i.start, r.tz), duration(i.end - i.start), share(i.budget), i.alerts.join(', ')]) } }
            : {}),
        });
      }
    }
  });
  return out;
}

const NOTE =
  'Attainment: 1 - errors / requests over the period, both the sum of the SLI counters\' 5-minute increases (docs/report.md). Budget: (1 - objective) x requests. Incidents: the pages and tickets the generated alerts would have sent (replayed, as `backtest`), overlapping ones merged; budget = errors while it lasted.';

export function formatText(r: ComplianceReport): string {
  const out: string[] = [];
  for (const s of sections(r)) {
    const title = printable(s.title);
    out.push(s.level === 1 ? `${title}\n${'='.repeat(title.length)}` : s.level === 2 ? `${title}\n${'-'.repeat(title.length)}` : title);
    if (s.lines) out.push(...s.lines.map((l) => printable(l)));
    if (s.table) {
      const cells = [s.table.head, ...s.table.rows].map((row) => row.map((c) => printable(c)));
      const widths = s.table.head.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
      for (const row of cells) out.push(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    }
    out.push('');
  }
  out.push(NOTE, '');
  return out.join('\n');
}

const md = (s: string) => markdownText(printable(s));

export function formatMarkdown(r: ComplianceReport): string {
  const out: string[] = [];
  for (const s of sections(r)) {
    out.push(`${'#'.repeat(s.level + 1)} ${md(s.title)}`, '');
    if (s.lines) out.push(...s.lines.map(md), '');
    if (s.table) {
      out.push(`| ${s.table.head.map(md).join(' | ')} |`, `|${s.table.head.map(() => ' --- ').join('|')}|`);
      for (const row of s.table.rows) out.push(`| ${row.map(md).join(' | ')} |`);
      out.push('');
    }
  }
  out.push(`_${md(NOTE)}_`, '');
  return out.join('\n');
}

/** Percent of the period's budget, like every other budget figure of the JSON. */
const dayJson = (d: SloCompliance['days'][number]) => ({ ...d, budget: Number.isFinite(d.budget) ? d.budget * 100 : null });

export function formatJson(r: ComplianceReport): string {
  const iso = (t: number) => new Date(t * 1000).toISOString();
  const periods = (r.clusters[0]?.periods ?? []).map((p) => ({ label: p.label, start: iso(p.start), end: iso(p.end), partial: p.partial, hours: (p.end - p.start) / 3600 }));
  const slos = r.clusters.flatMap((c) =>
    c.periods.flatMap((p) =>
      p.slos.map(({ burnDown: _b, incidents, budgetSpent, budgetLeft, ...s }) => ({
        ...s,
        // Percent, like objective and attainment; null when no request left a budget to spend.
        budgetSpent: Number.isFinite(budgetSpent) ? budgetSpent * 100 : null,
        budgetLeft: Number.isFinite(budgetLeft) ? budgetLeft * 100 : null,
        incidents: incidents.map((i) => ({ ...i, start: iso(i.start), end: iso(i.end), seconds: i.end - i.start, budget: Number.isFinite(i.budget) ? i.budget * 100 : null })),
        worstDays: s.worstDays.map(dayJson),
        days: s.days.map(dayJson),
      })),
    ),
  );
  const clusters = r.clusters.map((c) => ({ cluster: c.cluster, hasData: c.hasData, failures: c.failures, maintenance: c.periods.map((p) => ({ period: p.label, windows: p.maintenance.map((w) => ({ ...w, start: iso(w.start), end: iso(w.end) })) })) }));
  return `${terminalSafeJson({ period: r.kind, timeZone: r.tz, periods, clusters, slos })}\n`;
}

// ---- HTML ---------------------------------------------------------------------------------------

const esc = escapeHtml;
const W = 900;
const H = 200;
const PAD = { l: 56, r: 56, t: 10, b: 24 };

/** Daily attainment bars against the objective line, budget left as a line on its own scale, maintenance shaded. */
function sloChart(id: string, r: ComplianceReport, p: PeriodCompliance, s: SloCompliance): string {
  const span = Math.max(1, p.end - p.start);
  const x = (t: number) => PAD.l + ((t - p.start) / span) * (W - PAD.l - PAD.r);
  const worst = Math.min(s.objective - (100 - s.objective), ...s.days.map((d) => d.attainment ?? 100));
  // Room under the worst day, so its bar is seen (a bar of height 0 reads as "no data").
  const lo = Math.max(0, Math.floor((worst - Math.max(0.05, (100 - worst) * 0.3)) * 10) / 10);
  const y = (v: number) => PAD.t + (1 - (v - lo) / Math.max(1e-9, 100 - lo)) * (H - PAD.t - PAD.b);
  const days = s.days.map((d, i) => {
    const start = i === 0 ? p.start : s.burnDown[i]![0];
    const end = s.burnDown[i + 1]![0];
    const v = d.attainment ?? 100;
    const bad = d.attainment !== undefined && d.attainment < s.objective;
    return `<rect x="${x(start).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, x(end) - x(start) - 1).toFixed(1)}" height="${Math.max(1, H - PAD.b - y(v)).toFixed(1)}" fill="${bad ? '#d9534f' : '#5cb85c'}"><title>${esc(d.day)}: ${esc(percent(d.attainment))}</title></rect>`;
  });
  const maint = p.maintenance.map((w) => `<rect x="${x(w.start).toFixed(1)}" y="${PAD.t}" width="${Math.max(1, x(w.end) - x(w.start)).toFixed(1)}" height="${H - PAD.t - PAD.b}" fill="#5bc0de" fill-opacity="0.6"><title>maintenance ${esc(w.name)} ${esc(formatLocal(w.start, r.tz))}${w.excludeFromBudget ? ' (excluded from the budget)' : ''}</title></rect>`);
  const bLo = Math.min(0, ...s.burnDown.map(([, v]) => v));
  const by = (v: number) => PAD.t + (1 - (v - bLo) / Math.max(1e-9, 1 - bLo)) * (H - PAD.t - PAD.b);
  const budget = s.burnDown.filter(([, v]) => Number.isFinite(v)).map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${by(v).toFixed(1)}`).join('');
  const title = `${sloTitle(s)}: daily attainment (bars) against ${formatNumber(s.objective)}%, budget left (line)`;
  return `<figure class="chart" id="${esc(id)}"><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">` +
    `<rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="#fafafa" stroke="#ccc"/>${days.join('')}${maint.join('')}` +
    `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(s.objective).toFixed(1)}" y2="${y(s.objective).toFixed(1)}" stroke="#333" stroke-dasharray="6 4"><title>objective ${esc(formatNumber(s.objective))}%</title></line>` +
    `<path d="${budget}" fill="none" stroke="#1f77b4" stroke-width="2"><title>budget left</title></path>` +
    `<text x="4" y="${PAD.t + 10}" font-size="10">100%</text><text x="4" y="${H - PAD.b}" font-size="10">${esc(formatNumber(lo))}%</text>` +
    `<text x="${W - 4}" y="${PAD.t + 10}" font-size="10" fill="#1f77b4" text-anchor="end">budget 100%</text><text x="${W - 4}" y="${H - PAD.b}" font-size="10" fill="#1f77b4" text-anchor="end">${esc(share(bLo))}</text>` +
    `<text x="${PAD.l}" y="${H - 6}" font-size="10">${esc(formatLocal(p.start, r.tz, false))}</text><text x="${W - PAD.r}" y="${H - 6}" font-size="10" text-anchor="end">${esc(formatLocal(p.end, r.tz, false))}</text></svg>` +
    `<div class="legend"><span style="color:#5cb85c">■ day at or above objective</span> <span style="color:#d9534f">■ below</span> <span style="color:#1f77b4">— budget left (${esc(share(s.budgetLeft))} at the end)</span>${p.maintenance.length ? ' <span style="color:#5bc0de">■ maintenance</span>' : ''}</div></figure>`;
}

/** Chart ids in page order (the browser test checks each is drawn). */
export function chartIds(r: ComplianceReport): string[] {
  return r.clusters.flatMap((c, ci) => c.periods.flatMap((p, pi) => p.slos.map((_, si) => `chart-${pi}-${ci}-${si}`)));
}

export function formatHtml(r: ComplianceReport): string {
  const tables = (s: Section) => {
    const lines = (s.lines ?? []).map((l) => `<p>${esc(l)}</p>`).join('');
    const table = s.table ? `<table><thead><tr>${s.table.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${s.table.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>` : '';
    return `<h${s.level}>${esc(s.title)}</h${s.level}>${lines}${table}`;
  };
  // Sections in order; each cluster's charts follow its summary table.
  const body: string[] = [];
  let pi = -1;
  let ci = 0;
  for (const s of sections(r)) {
    if (s.level === 1) {
      pi++;
      ci = 0;
    }
    body.push(tables(s));
    if (s.level === 2) {
      const c = r.clusters[ci]!;
      const p = c.periods[pi]!;
      body.push(...p.slos.map((slo, si) => sloChart(`chart-${pi}-${ci}-${si}`, r, p, slo)));
      ci++;
    }
  }
  const label = (r.clusters[0]?.periods ?? []).map((p) => p.label).join(', ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>linkerd-slo report ${esc(r.kind)} ${esc(label)}</title>
<style>body{font-family:sans-serif;margin:1.5em;max-width:960px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:left}.note{color:#555;font-size:12px}figure{margin:1em 0}figcaption{font-weight:bold;font-size:14px}.legend{font-size:12px}h1{font-size:20px}h2{font-size:17px}h3{font-size:14px}</style></head>
<body>
${body.join('\n')}
<p class="note">${esc(NOTE)}</p>
</body></html>
`;
}
