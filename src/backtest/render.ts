/**
 * The backtest report as text (terminal), Markdown (a PR comment), JSON (tools) and one self-contained
 * HTML page whose charts are SVG written into the page itself: no script, no style sheet or font from the network.
 * Everything printed from label values goes through printable() (text) or escaping (Markdown, HTML).
 */
import { formatNumber } from '../promql/number.js';
import { printable, terminalSafeJson } from '../check/terminal.js';
import type { BacktestReport, Episode } from './report.js';
import { escapeHtml } from '../text.js';

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/:00\.000Z$|\.000Z$/, 'Z').replace('T', ' ');
function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}
const pct = (x: number) => `${formatNumber(Math.round(x * 1000) / 10)}%`;
const burn = (x: number | undefined) => (x === undefined ? '–' : formatNumber(Math.round(x * 10) / 10));
const who = (e: Episode) => {
  const { component, namespace, deployment } = e.labels;
  return [component, namespace && deployment ? `${namespace}/${deployment}` : namespace ?? deployment].filter(Boolean).join(' ');
};

interface Table {
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

function sections(r: BacktestReport): Array<{ title: string; note?: string; table?: Table; lines?: string[] }> {
  const episodeTable = (list: readonly Episode[]): Table => ({
    head: ['start (UTC)', 'duration', 'alert', 'component', 'peak burn rate'],
    rows: list.map((e) => [iso(e.start), duration(e.seconds), e.alert, who(e), burn(e.peakBurnRate)]),
  });
  return [
    {
      title: `Summary`,
      lines: [
        `${r.pages.length} page(s), ${r.tickets.length} ticket(s)${r.others.length ? `, ${r.others.length} other alert(s)` : ''} from ${iso(r.from)} to ${iso(r.to)} (evaluation every ${duration(r.step)}).`,
        `The pages overlap into ${r.pageIncidents} incident(s) per SLO and label set (the faster window's page inhibits the slower one's).`,
        `Load: ${r.load.queriesSent} range queries sent (plan: ${r.load.plannedQueries}), ${r.load.pointsRead} points read.`,
        ...(r.failures.length ? [`INCOMPLETE: ${r.failures.length} query chunk(s) failed even when split; see "Failed queries".`] : []),
      ],
    },
    { title: `Pages (severity ${r.pageSeverity})`, ...(r.pages.length ? { table: episodeTable(r.pages) } : { lines: ['none'] }) },
    { title: `Tickets (severity ${r.ticketSeverity})`, ...(r.tickets.length ? { table: episodeTable(r.tickets) } : { lines: ['none'] }) },
    ...(r.others.length ? [{ title: 'Other alerts', table: episodeTable(r.others) }] : []),
    {
      title: 'Per alert',
      table: {
        head: ['alert', 'severity', 'for', 'fired', 'pending only', 'flaps'],
        rows: r.alerts.map((a) => [a.alert, a.severity, a.for, String(a.firing), String(Math.max(0, a.pending - a.firing)), String(a.flaps)]),
      },
      note: `Never fired: ${r.neverFired.length ? r.neverFired.join(', ') : 'none'}. Flapping (fired again within 1h of resolving): ${r.flapping.length ? r.flapping.join(', ') : 'none'}.`,
    },
    {
      title: 'Error budget over the range',
      table: {
        head: ['slo', 'sli', 'component', 'objective', 'requests', 'errors', 'budget spent', 'worst days'],
        rows: r.budgets.map((b) => [b.slo, b.sli, b.component, `${formatNumber(b.objective)}%`, String(b.requests), String(b.errors), pct(b.consumed), b.days.slice(0, 3).map((d) => `${d.day} ${pct(d.consumed)}`).join(', ') || '–']),
      },
      note: `Budget: (1 - objective) × requests over the backtest range, from the 5m rates sampled every 5 minutes.${excludedNote(r)}`,
    },
    {
      title: `What-if: objectives (computed from the replayed burn rates, not replayed again)`,
      table: {
        head: ['slo', 'sli', 'configured', ...(r.whatIf[0]?.pages.map((p) => `${formatNumber(p.objective)}%`) ?? []), `strictest with ≤ ${r.whatIfMaxPages} pages`],
        rows: r.whatIf.map((w) => [w.slo, w.sli, `${formatNumber(w.configured)}%`, ...w.pages.map((p) => String(p.pages)), w.suggestion !== undefined ? `${formatNumber(w.suggestion)}%` : 'none']),
      },
      note: 'Pages each page-severity burn-rate alert of the SLO would have sent at that objective: the same windows, factors and `for`, thresholds scaled to the objective\'s budget.',
    },
    ...(r.failures.length
      ? [{ title: 'Failed queries', table: { head: ['query', 'from', 'to', 'error'], rows: r.failures.map((f) => [f.purpose, iso(f.start), iso(f.end), f.message]) } }]
      : []),
  ];
}

export function formatText(r: BacktestReport): string {
  const out: string[] = [];
  for (const s of sections(r)) {
    out.push(s.title, '-'.repeat(s.title.length));
    if (s.lines) out.push(...s.lines.map(printable));
    if (s.table) {
      const cells = [s.table.head, ...s.table.rows].map((row) => row.map(printable));
      const widths = s.table.head.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
      for (const row of cells) out.push(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    }
    if (s.note) out.push(printable(s.note));
    out.push('');
  }
  return out.join('\n');
}

const mdCell = (s: string) => printable(s).replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);

export function formatMarkdown(r: BacktestReport): string {
  const out: string[] = ['## linkerd-slo backtest', ''];
  for (const s of sections(r)) {
    out.push(`### ${mdCell(s.title)}`, '');
    if (s.lines) out.push(...s.lines.map(mdCell), '');
    if (s.table) {
      out.push(`| ${s.table.head.map(mdCell).join(' | ')} |`, `|${s.table.head.map(() => ' --- ').join('|')}|`);
      for (const row of s.table.rows) out.push(`| ${row.map(mdCell).join(' | ')} |`);
      out.push('');
    }
    if (s.note) out.push(`_${mdCell(s.note)}_`, '');
  }
  return out.join('\n');
}

export function formatJson(r: BacktestReport): string {
  const { burnRates: _b, ...rest } = r;
  // Label values come from Prometheus: C1 and bidi controls escaped, as printable() does for text.
  return `${terminalSafeJson({ ...rest, budgets: r.budgets.map(({ burnDown: _d, ...b }) => b) })}\n`;
}

// ---- HTML --------------------------------------------------------------------------------------

const esc = escapeHtml;
const W = 900;
const H = 220;
const PAD = { l: 50, r: 10, t: 10, b: 24 };

function lineChart(id: string, title: string, from: number, to: number, lines: ReadonlyArray<{ label: string; points: ReadonlyArray<readonly [number, number]>; dashed?: boolean }>, opts: { min?: number; max?: number } = {}): string {
  const values = lines.flatMap((l) => l.points.map(([, v]) => v)).filter(Number.isFinite);
  const lo = opts.min ?? Math.min(0, ...values);
  const hi = Math.max(opts.max ?? -Infinity, ...values, lo + 1e-9);
  const x = (t: number) => PAD.l + ((t - from) / Math.max(1, to - from)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
  const paths = lines.map((l, i) => {
    const d = l.points.filter(([, v]) => Number.isFinite(v)).map(([t, v], j) => `${j ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    return `<path d="${d}" fill="none" stroke="${colours[i % colours.length]}" stroke-width="1.5"${l.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${esc(l.label)}</title></path>`;
  });
  const legend = lines.map((l, i) => `<span style="color:${colours[i % colours.length]}">■ ${esc(l.label)}</span>`).join(' ');
  const axis = `<text x="4" y="${PAD.t + 10}" font-size="10">${esc(formatNumber(Math.round(hi * 100) / 100))}</text><text x="4" y="${H - PAD.b}" font-size="10">${esc(formatNumber(Math.round(lo * 100) / 100))}</text>` +
    `<text x="${PAD.l}" y="${H - 6}" font-size="10">${esc(iso(from))}</text><text x="${W - PAD.r}" y="${H - 6}" font-size="10" text-anchor="end">${esc(iso(to))}</text>`;
  return `<figure class="chart" id="${esc(id)}"><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="#fafafa" stroke="#ccc"/>${paths.join('')}${axis}</svg><div class="legend">${legend}</div></figure>`;
}

/** The ids of the charts an HTML report holds, in order (the browser test checks each is drawn). */
export function chartIds(r: BacktestReport, prefix = ''): string[] {
  const burnAlerts = [...new Set(r.burnRates.map((b) => b.alert))];
  return ['timeline', ...burnAlerts.map((_, i) => `burn-${i}`), ...r.budgets.map((_, i) => `budget-${i}`)].map((id) => `${prefix}${id}`);
}

/** `idPrefix`: prepended to every chart id (a fleet report holds one cluster's charts after another). */
export function formatHtml(r: BacktestReport, idPrefix = ''): string {
  const burnAlerts = [...new Set(r.burnRates.map((b) => b.alert))];
  const burnCharts = burnAlerts.map((alert, i) => {
    const series = r.burnRates.filter((b) => b.alert === alert);
    const threshold = series[0]!.threshold;
    return lineChart(`${idPrefix}burn-${i}`, `Burn rate: ${alert} (threshold ${formatNumber(threshold)})`, r.from, r.to, [
      ...series.map((s) => ({ label: s.labels.component ?? alert, points: s.points })),
      { label: `threshold ${formatNumber(threshold)}`, points: [[r.from, threshold], [r.to, threshold]], dashed: true },
    ]);
  });
  const budgetCharts = r.budgets.map((b, i) =>
    lineChart(`${idPrefix}budget-${i}`, `Error budget remaining: ${b.slo}/${b.sli} ${b.component} (objective ${formatNumber(b.objective)}%)`, r.from, r.to, [{ label: 'budget remaining', points: b.burnDown }], { max: 1 }),
  );
  // Alert timeline: one row per alert and label set, pending in amber, firing in red.
  const rows = r.outcomes.map((o) => ({ name: `${o.labels.alertname} ${o.labels.long ?? ''}${o.labels.short ? `/${o.labels.short}` : ''} ${o.labels.component ?? ''}`.trim(), o }));
  const rowH = 18;
  const th = Math.max(1, rows.length) * rowH + PAD.b + PAD.t;
  const left = 260;
  const tx = (t: number) => left + ((t - r.from) / Math.max(1, r.to - r.from)) * (W - left - PAD.r);
  const bars = rows.flatMap(({ name, o }, i) => {
    const y = PAD.t + i * rowH;
    return [
      `<text x="4" y="${y + 12}" font-size="11">${esc(name)}</text>`,
      ...o.pending.map(([s, e]) => `<rect x="${tx(s).toFixed(1)}" y="${y + 2}" width="${Math.max(1, tx(e) - tx(s)).toFixed(1)}" height="${rowH - 4}" fill="#f0ad4e"><title>pending ${esc(iso(s))} for ${duration(e - s)}</title></rect>`),
      ...o.firing.map(([s, e]) => `<rect x="${tx(s).toFixed(1)}" y="${y + 2}" width="${Math.max(1, tx(e) - tx(s)).toFixed(1)}" height="${rowH - 4}" fill="#d9534f"><title>firing ${esc(iso(s))} for ${duration(e - s)}</title></rect>`),
    ];
  });
  const timelineSvg = `<figure class="chart" id="${esc(idPrefix)}timeline"><figcaption>Alert timeline (amber: pending, red: firing)</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${th}" width="${W}" height="${th}" role="img" aria-label="Alert timeline"><rect x="${left}" y="${PAD.t}" width="${W - left - PAD.r}" height="${th - PAD.t - PAD.b}" fill="#fafafa" stroke="#ccc"/>${bars.join('')}${rows.length ? '' : `<text x="${left + 10}" y="${PAD.t + 12}" font-size="11">no alert was pending or firing</text>`}<text x="${left}" y="${th - 6}" font-size="10">${esc(iso(r.from))}</text><text x="${W - PAD.r}" y="${th - 6}" font-size="10" text-anchor="end">${esc(iso(r.to))}</text></svg></figure>`;
  const tables = sections(r)
    .map((s) => {
      const lines = (s.lines ?? []).map((l) => `<p>${esc(l)}</p>`).join('');
      const table = s.table
        ? `<table><thead><tr>${s.table.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${s.table.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
        : '';
      return `<section><h2>${esc(s.title)}</h2>${lines}${table}${s.note ? `<p class="note">${esc(s.note)}</p>` : ''}</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>linkerd-slo backtest ${esc(iso(r.from))} – ${esc(iso(r.to))}</title>
<style>body{font-family:sans-serif;margin:1.5em;max-width:960px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:left}.note{color:#555;font-size:12px}figure{margin:1em 0}figcaption{font-weight:bold;font-size:14px}.legend{font-size:12px}</style></head>
<body><h1>linkerd-slo backtest</h1>
${timelineSvg}
${burnCharts.join('\n')}
${budgetCharts.join('\n')}
${tables}
</body></html>
`;
}

/** The requests maintenance windows (excludeFromBudget) left out of the budget, when any. */
function excludedNote(r: BacktestReport): string {
  const excluded = r.budgets.reduce((n, b) => n + b.excludedRequests, 0);
  return excluded > 0 ? ` Maintenance windows with excludeFromBudget left ${excluded} requests (and their errors) out of it.` : '';
}
