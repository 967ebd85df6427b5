/**
 * The bundle's Grafana dashboards: SLO overview, control plane, proxies, certificates. Every row
 * comes from the SLO kinds (DashboardRow.dashboard: the rows build() returns, then the standing
 * rows, in registry order), except the overview's first row (overview.ts: links, firing alerts,
 * budgets). This module only assembles: places (DashboardRow.order), stand-in panels
 * (PanelSpec.unlessShown), the fleet merge, validation, variables and layout (grafana.ts); it
 * knows no kind and no Linkerd fact. Each dashboard is written in every configured delivery format
 * (formats.ts) under out/grafana/:
 *
 *   grafana/<base>.json                      provisioning: plain dashboard (datasource variable)
 *   grafana/provisioning/<name>.yaml         provisioning: the file provider
 *   grafana/import/<base>.json               import: with __inputs / __requires
 *   grafana/configmap/<base>.yaml            configmap: Helm chart sidecar
 *   grafana/operator/<base>.yaml             operator: GrafanaDashboard
 *   grafana/v2/<base>.json                   v2: dashboard.grafana.app/v2 resource (v2.ts)
 *   grafana/v2-operator/<base>.yaml          v2-operator: GrafanaManifest of that resource
 *
 * with <base> = linkerd-slo-<cluster> for the overview, linkerd-slo-<cluster>-<dashboard> for the others.
 */
import type { Dashboard } from '@grafana/schema';
import { anyOf, eq, format, grafanaInert, inline, mapExpr, neq, re, selector, union, type Expr } from '../../promql/ast.js';
import { assertValidPromQL } from '../../promql/validate.js';
import { DASHBOARDS, dashboardUidFor, type DashboardId, type DashboardRow, type PanelQuery } from '../../dashboard-model.js';
import { buildDashboard, dashboardJson, type DashboardEnv, type MatcherVariable } from './grafana.js';
import { overviewRows } from './overview.js';
import type { DashboardInput } from './shared.js';
import { configMap, grafanaDashboard, grafanaManifest, importFlavour, providerYaml } from './formats.js';
import { v2Dashboard } from './v2.js';

export type { DashboardInput } from './shared.js';

export interface BuiltDashboard {
  readonly id: DashboardId;
  readonly uid: string;
  readonly title: string;
  /** File name stem. */
  readonly base: string;
  /** Every row, in order, before extra-matcher templating. */
  readonly rows: readonly DashboardRow[];
  /** The plain (provisioning) flavour. */
  readonly dashboard: Dashboard;
}

const TITLES: Record<DashboardId, (cluster: string) => string> = {
  overview: (c) => `Linkerd SLOs (${c})`,
  'control-plane': (c) => `Linkerd control plane (${c})`,
  proxies: (c) => `Linkerd proxies (${c})`,
  certificates: (c) => `Linkerd certificates (${c})`,
};

const DESCRIPTIONS: Record<DashboardId, string> = {
  overview: 'Linkerd service level objectives: objective, SLI over the period, error budget, burn rate per alert window and firing alerts, per SLO.',
  'control-plane': 'Linkerd control plane: success rate, request rate and latency per component from both ends (its own proxy, every meshed proxy), replicas, scrape health and controller internals.',
  proxies: 'Linkerd proxies (data plane): resources against their budget, the heaviest and busiest proxies, versions and file descriptors.',
  certificates: 'Linkerd certificates: time left per certificate class, coloured at the alert thresholds, refresh errors and silent sources.',
};

/**
 * Rewrites `label="<configured value>"` of every extra matcher into `label="$label"`
 * (`label=~"$label"` for a multi-value variable such as the cluster of a multi-cluster bundle).
 */
function templateExtraMatchers(e: Expr, extra: Readonly<Record<string, string>>, multi: ReadonlySet<string> = new Set()): Expr {
  return mapExpr(e, (node) =>
    node.kind === 'selector'
      ? {
          ...node,
          matchers: node.matchers.map((m) =>
            m.op === '=' && extra[m.label] === m.value ? { label: m.label, op: multi.has(m.label) ? ('=~' as const) : m.op, value: `$${m.label}`, grafana: 'variable' as const } : m,
          ),
        }
      : node,
  );
}

function dashboardBase(cluster: string, id: DashboardId): string {
  return id === 'overview' ? `linkerd-slo-${cluster}` : `linkerd-slo-${cluster}-${id}`;
}

/** One cluster's rows of a fleet dashboard, and how its queries read once templated. */
interface FleetMember {
  readonly cluster: string;
  readonly rows: readonly DashboardRow[];
  readonly template: (e: Expr) => Expr;
}

interface Variant {
  readonly expr: Expr;
  readonly clusters: string[];
  /** How the clusters of this variant store the histogram a heatmap reads (PanelQuery.histogram). */
  readonly histogram?: PanelQuery['histogram'];
}

/** Items matched by position when both sides have as many, else by a key (title, legend). */
function matchUp<T>(mine: T[], theirs: readonly T[], key: (x: T) => string | undefined): Array<[T | undefined, T]> {
  if (mine.length === theirs.length) return theirs.map((t, i) => [mine[i], t]);
  return theirs.map((t) => [mine.find((m) => key(m) !== undefined && key(m) === key(t)), t]);
}

/**
 * One fleet dashboard's rows from every cluster's own: rows, panels and queries are matched up
 * (by position, or by title and legend where the clusters differ in shape); a query that reads the
 * same in every cluster once templated stays as it is, and one that reads differently (another
 * Linkerd version's metric names, another objective) becomes the union of the clusters' variants,
 * each restricted to the clusters it belongs to. Text, titles and thresholds are the first
 * cluster's; rows, panels and queries only some clusters have follow the first cluster's.
 */
function mergeFleetRows(members: readonly FleetMember[], clusterLabel: string): DashboardRow[] {
  type Query = DashboardRow['panels'][number]['queries'][number] & { variants: Variant[] };
  type Panel = Omit<DashboardRow['panels'][number], 'queries'> & { queries: Query[] };
  type Row = Omit<DashboardRow, 'panels'> & { panels: Panel[] };
  const variant = (q: PanelQuery, m: FleetMember): Variant => ({ expr: m.template(q.expr), clusters: [m.cluster], ...(q.histogram ? { histogram: q.histogram } : {}) });
  const query = (q: PanelQuery, m: FleetMember): Query => ({ ...q, variants: [variant(q, m)] });
  const panel = (p: DashboardRow['panels'][number], m: FleetMember): Panel => ({ ...p, queries: p.queries.map((q) => query(q, m)) });
  const rows: Row[] = [];
  for (const m of members) {
    for (const [mine, row] of matchUp(rows, m.rows as Row[], (r) => r.title)) {
      if (!mine) {
        rows.push({ ...row, panels: (row.panels as DashboardRow['panels']).map((p) => panel(p, m)) });
        continue;
      }
      for (const [target, p] of matchUp(mine.panels, row.panels, (x) => x.title)) {
        if (!target) {
          mine.panels.push(panel(p, m));
          continue;
        }
        for (const [same, q] of matchUp(target.queries, p.queries, (x) => x.legend)) {
          const expr = m.template(q.expr);
          if (!same) target.queries.push(query(q, m));
          else {
            const known = same.variants.find((v) => format(v.expr) === format(expr));
            if (known) known.clusters.push(m.cluster);
            else same.variants.push(variant(q, m));
          }
        }
      }
    }
  }
  // Every selector carrying the templated cluster matcher is narrowed to the variant's clusters: by
  // a regex even for one cluster, which the later templating of `cluster="<first cluster>"` leaves alone.
  const restrict = (v: Variant): Expr =>
    mapExpr(v.expr, (node) =>
      node.kind === 'selector' && node.matchers.some((x) => x.label === clusterLabel) ? { ...node, matchers: [...node.matchers, re(clusterLabel, anyOf(v.clusters))] } : node,
    );
  return rows.map((row) => ({
    ...row,
    panels: row.panels.flatMap(splitByHistogramStorage).map(({ split, ...p }) => ({
      ...p,
      queries: p.queries.map(({ variants, ...q }) => ({ ...q, expr: variants.length === 1 && !split ? variants[0]!.expr : union(variants.map(restrict)) })),
    })),
  }));
}

/**
 * A heatmap of a fleet whose clusters store the histogram differently (linkerd.histograms overridden
 * per cluster): classic per-`le` rates and a native histogram cannot be added up or drawn by one
 * query format, so the panel becomes one heatmap per storage, each reading only its clusters.
 */
function splitByHistogramStorage<P extends { title: string; queries: Array<PanelQuery & { variants: Variant[] }> }>(p: P): Array<P & { split?: true }> {
  const storages = [...new Set(p.queries.flatMap((q) => q.variants.map((v) => v.histogram)))];
  if (storages.length < 2) return [p];
  return storages.map((storage) => {
    const queries = p.queries
      .map((q) => ({ ...q, variants: q.variants.filter((v) => v.histogram === storage) }))
      .filter((q) => q.variants.length)
      .map(({ histogram: _first, ...q }) => ({ ...q, ...(storage ? { histogram: storage } : {}) }));
    const clusters = [...new Set(queries.flatMap((q) => q.variants.flatMap((v) => v.clusters)))];
    return { ...p, title: `${p.title} (${storage === 'native' ? 'native' : 'classic'} histograms: ${clusters.join(', ')})`, queries, split: true as const };
  });
}

/**
 * One dashboard's kind rows as they are shown: rows with a place (DashboardRow.order) first, by
 * place, rows of several kinds at one place joined into one; the others after them in the order
 * given; stand-in panels whose metric another row shows left out, with rows they leave empty.
 * The declarations (order, shows, unlessShown) end here.
 */
function arrangeRows(rows: readonly DashboardRow[]): DashboardRow[] {
  const shown = new Set(rows.flatMap((r) => r.shows ?? []));
  const placed = rows
    .filter((r) => r.order !== undefined)
    .map((row, i) => ({ row, i }))
    .sort((a, b) => a.row.order! - b.row.order! || a.i - b.i)
    .map((x) => x.row);
  const joined: DashboardRow[] = [];
  for (const row of placed) {
    const last = joined[joined.length - 1];
    if (last && last.order === row.order) {
      if (last.title !== row.title) throw new Error(`rows "${last.title}" and "${row.title}" share place ${row.order} of the ${row.dashboard ?? 'overview'} dashboard but not a title`);
      joined[joined.length - 1] = { ...last, panels: [...last.panels, ...row.panels] };
    } else joined.push(row);
  }
  const out: DashboardRow[] = [];
  for (const { order: _order, shows: _shows, ...row } of [...joined, ...rows.filter((r) => r.order === undefined)]) {
    const panels = row.panels.filter((p) => p.unlessShown === undefined || !shown.has(p.unlessShown)).map(({ unlessShown: _unless, ...p }) => p);
    if (panels.length || !row.panels.length) out.push({ ...row, panels });
  }
  return out;
}

export function buildDashboards(input: DashboardInput, configFile: string): BuiltDashboard[] {
  const { ctx } = input;
  const { config } = ctx;
  const cluster = config.cluster;
  const uids = Object.fromEntries(DASHBOARDS.map((d) => [d, dashboardUidFor(cluster, d)])) as Record<DashboardId, string>;
  const titles = Object.fromEntries(DASHBOARDS.map((d) => [d, TITLES[d](cluster)])) as Record<DashboardId, string>;
  const kindRowsOf = (member: DashboardInput, id: DashboardId): DashboardRow[] =>
    [...member.outputs.flatMap((o) => o.dashboardRows), ...member.standingRows].filter((r) => (r.dashboard ?? 'overview') === id);

  const extra = config.prometheus.extraMatchers;
  const variables: MatcherVariable[] = Object.entries(extra).map(([name, value]) => ({
    name,
    value,
    // Every proxy carries the label; the other extra matchers are left out so the list is not one value long.
    query: `label_values(${inline(selector('proxy_build_info', [eq('job', config.linkerd.proxyJob)]))}, ${name})`,
    ...(name === input.fleetLabel ? { multi: true } : {}),
  }));
  const multi = new Set(input.fleetLabel ? [input.fleetLabel] : []);
  const env: Omit<DashboardEnv, 'emitted'> = {
    uids,
    titles,
    variables,
    ...(config.grafana.datasource ? { datasource: config.grafana.datasource } : {}),
    annotation: ctx.recordedSelector('ALERTS', [eq('alertstate', 'firing'), neq('slo', '')]),
    extraLinks: [{ title: 'Runbooks', url: config.alerting.runbookBaseUrl, tooltip: 'Runbooks of every linkerd-slo alert' }],
    template: (e) => templateExtraMatchers(e, extra, multi),
  };

  // Every dashboard of DASHBOARDS is written, whether or not a kind contributes rows to it (a kind
  // names only these, DashboardRow.dashboard), so the overview links each of them.
  const emitted: readonly DashboardId[] = DASHBOARDS;
  const rowsOf = (member: DashboardInput, id: DashboardId): DashboardRow[] => {
    const own = arrangeRows(kindRowsOf(member, id));
    return id === 'overview' ? [...overviewRows(member, { uids, titles, emitted, configFile }), ...own] : own;
  };
  const dashboardEnv: DashboardEnv = { ...env, emitted };

  return emitted.map((id) => {
    const rows = input.fleetMembers
      ? mergeFleetRows(
          input.fleetMembers.map((m) => ({
            cluster: m.ctx.config.prometheus.extraMatchers[input.fleetLabel ?? ''] ?? m.ctx.config.cluster,
            rows: rowsOf(m, id),
            template: (e: Expr) => templateExtraMatchers(e, m.ctx.config.prometheus.extraMatchers, multi),
          })),
          input.fleetLabel ?? '',
        )
      : rowsOf(input, id);
    for (const row of rows) {
      for (const p of row.panels) {
        p.queries.forEach((q, i) => assertValidPromQL(`${id} dashboard panel "${row.title} / ${p.title}" query ${i + 1}`, format(grafanaInert(dashboardEnv.template(q.expr)))));
      }
    }
    const tags = ['linkerd', 'linkerd-slo', id === 'overview' ? 'slo' : id, `cluster-${cluster}`];
    const description = `${DESCRIPTIONS[id]} Generated by linkerd-slo from ${configFile}.`;
    const dashboard = buildDashboard(id, { uid: uids[id], title: titles[id], description, tags }, rows, dashboardEnv);
    return { id, uid: uids[id], title: titles[id], base: dashboardBase(cluster, id), rows, dashboard };
  });
}

/** Every file of out/grafana/ for the configured formats, and the dashboards they hold. */
export function grafanaFiles(input: DashboardInput, configFile: string): { files: Map<string, string>; dashboards: BuiltDashboard[] } {
  const { config } = input.ctx;
  const formats = new Set(config.grafana.formats);
  const files = new Map<string, string>();
  const dashboards = buildDashboards(input, configFile);
  for (const d of dashboards) {
    if (formats.has('provisioning')) files.set(`grafana/${d.base}.json`, dashboardJson(d.dashboard));
    if (formats.has('import')) files.set(`grafana/import/${d.base}.json`, dashboardJson(importFlavour(d.dashboard)));
    if (formats.has('configmap')) files.set(`grafana/configmap/${d.base}.yaml`, configMap(d, config, configFile));
    if (formats.has('operator')) files.set(`grafana/operator/${d.base}.yaml`, grafanaDashboard(d, config, configFile));
    if (formats.has('v2') || formats.has('v2-operator')) {
      const resource = v2Dashboard(d.dashboard, d.rows);
      if (formats.has('v2')) files.set(`grafana/v2/${d.base}.json`, dashboardJson(resource));
      if (formats.has('v2-operator')) files.set(`grafana/v2-operator/${d.base}.yaml`, grafanaManifest(d, resource, config, configFile));
    }
  }
  if (formats.has('provisioning')) {
    const name = `linkerd-slo-${config.cluster}`;
    files.set(`grafana/provisioning/${name}.yaml`, providerYaml(name, config, configFile));
  }
  return { files, dashboards };
}
