/**
 * A backtest of every cluster a config generates for (docs/backtest.md, "A fleet"): each cluster's
 * alerts are planned from that cluster's own rule groups (its version, objectives and selectors, which
 * hold its cluster label) and replayed on their own, so one report holds a section and a verdict per
 * cluster. A cluster of which the history holds no series at all is reported as such ("no data"),
 * never as a quiet pass.
 */
import type { RangeClient } from './replay.js';
import { selector, eq, inline, type Matcher } from '../promql/ast.js';
import { printable } from '../check/terminal.js';
import { escapeHtml } from '../text.js';
import { formatHtml, formatJson, formatMarkdown, formatText } from './render.js';
import type { BacktestReport } from './report.js';

interface ClusterBacktest {
  readonly cluster: string;
  /** False when no proxy target of the cluster has an `up` sample in the range: nothing to replay. */
  readonly hasData: boolean;
  readonly report: BacktestReport;
}

export interface FleetReport {
  /** Name of the fleet (the config's `cluster`); undefined for a single-cluster config. */
  readonly fleet?: string;
  readonly clusters: readonly ClusterBacktest[];
  readonly failOn?: { readonly what: 'pages' | 'tickets'; readonly max: number };
}

/**
 * `up` of the cluster's proxy job (with its extra matchers, its cluster label for a fleet member):
 * written by Prometheus for every scrape target whatever the Linkerd version, so "no `up` in the
 * range" means the history holds nothing of this cluster.
 */
export function presenceQuery(proxyJob: string, extraMatchers: Readonly<Record<string, string>>): string {
  const matchers: Matcher[] = [eq('job', proxyJob), ...Object.entries(extraMatchers).map(([k, v]) => eq(k, v))];
  return `count(${inline(selector('up', matchers))})`;
}

/** Whether the cluster has any proxy target sample in [from, to] (sampled on at most ~200 points). */
export async function clusterHasData(client: RangeClient, query: string, from: number, to: number): Promise<boolean> {
  const step = Math.max(60, Math.ceil((to - from) / 200));
  const result = await client.queryRange(query, from, to, step);
  return result.some((s) => s.values.length > 0);
}

/** Pages (or tickets) of every cluster together: what --fail-on compares. */
export function fleetCount(f: FleetReport, what: 'pages' | 'tickets'): number {
  return f.clusters.reduce((n, c) => n + c.report[what].length, 0);
}

/** One cluster's verdict: no data, or its pages and tickets, with the --fail-on gate when one is given (per cluster: its own count against N). */
function verdict(c: ClusterBacktest, failOn?: FleetReport['failOn']): string {
  if (!c.hasData) return 'NO DATA: the history holds no series of this cluster in the range (nothing was replayed)';
  const counts = `${c.report.pages.length} page(s), ${c.report.tickets.length} ticket(s)`;
  if (!failOn) return counts;
  return `${counts}: ${c.report[failOn.what].length > failOn.max ? 'over' : 'within'} ${failOn.what}>${failOn.max}`;
}

function totals(f: FleetReport): string {
  const noData = f.clusters.filter((c) => !c.hasData).map((c) => c.cluster);
  return `${fleetCount(f, 'pages')} page(s), ${fleetCount(f, 'tickets')} ticket(s) over ${f.clusters.length} cluster(s)${noData.length ? `; no data for ${noData.join(', ')}` : ''}` +
    (f.failOn ? ` (--fail-on ${f.failOn.what}>${f.failOn.max} counts every cluster: ${fleetCount(f, f.failOn.what) > f.failOn.max ? 'exceeded' : 'within'})` : '');
}

/** A single-cluster config keeps the one-cluster report (with a NO DATA line when its series are absent); a fleet gets one section per cluster. */
export function formatFleet(f: FleetReport, format: 'text' | 'md' | 'json' | 'html'): string {
  const single = f.fleet === undefined && f.clusters.length === 1 ? f.clusters[0]! : undefined;
  if (single) {
    const body = { text: formatText, md: formatMarkdown, json: formatJson, html: formatHtml }[format](single.report);
    if (single.hasData) return body;
    const line = verdict(single);
    if (format === 'json') return `${JSON.stringify({ noData: true, ...JSON.parse(body) }, null, 2)}\n`;
    if (format === 'html') return body.replace('<body><h1>linkerd-slo backtest</h1>', `<body><h1>linkerd-slo backtest</h1><p><strong>${escapeHtml(line)}</strong></p>`);
    return `${line}\n\n${body}`;
  }
  const title = `linkerd-slo backtest of ${f.fleet ?? 'the config'}: ${totals(f)}`;
  switch (format) {
    case 'text':
      return [
        printable(title),
        ...f.clusters.map((c) => `  ${printable(c.cluster)}: ${printable(verdict(c, f.failOn))}`),
        '',
        ...f.clusters.flatMap((c) => {
          const head = `=== cluster ${printable(c.cluster)}: ${printable(verdict(c, f.failOn))} ===`;
          return [head, '', formatText(c.report)];
        }),
      ].join('\n');
    case 'md': {
      const cell = (s: string) => printable(s).replace(/[|\\`*_<>[\]]/g, (ch) => `\\${ch}`);
      return [
        `# ${cell(title)}`,
        '',
        '| cluster | verdict |',
        '| --- | --- |',
        ...f.clusters.map((c) => `| ${cell(c.cluster)} | ${cell(verdict(c, f.failOn))} |`),
        '',
        ...f.clusters.map((c) => formatMarkdown(c.report).replace(/^## linkerd-slo backtest/, `## Cluster ${cell(c.cluster)}: ${cell(verdict(c, f.failOn))}`)),
      ].join('\n');
    }
    case 'json':
      return `${JSON.stringify(
        {
          fleet: f.fleet,
          pages: fleetCount(f, 'pages'),
          tickets: fleetCount(f, 'tickets'),
          clusters: f.clusters.map((c) => ({ cluster: c.cluster, hasData: c.hasData, verdict: verdict(c, f.failOn), report: JSON.parse(formatJson(c.report)) as unknown })),
        },
        null,
        2,
      )}\n`;
    case 'html': {
      // Each cluster's page body, its chart ids prefixed so they stay unique in one document.
      const bodies = f.clusters.map((c, i) => {
        const page = formatHtml(c.report, `c${i}-`);
        const body = /<body>([\s\S]*)<\/body>/.exec(page)![1]!.replace('<h1>linkerd-slo backtest</h1>', '');
        return `<section class="cluster"><h1>Cluster ${escapeHtml(c.cluster)}: ${escapeHtml(verdict(c, f.failOn))}</h1>${body}</section>`;
      });
      const first = formatHtml(f.clusters[0]!.report);
      const head = /^[\s\S]*?<body>/.exec(first)![0];
      const rows = f.clusters.map((c) => `<tr><td>${escapeHtml(c.cluster)}</td><td>${escapeHtml(verdict(c, f.failOn))}</td></tr>`).join('');
      return `${head}<h1>${escapeHtml(title)}</h1><table><thead><tr><th>cluster</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>\n${bodies.join('\n')}\n</body></html>\n`;
    }
  }
}
