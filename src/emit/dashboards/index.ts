/**
 * The bundle's Grafana dashboards: SLO overview, control plane, proxies, certificates. Each holds
 * this module's own rows plus the rows the SLO kinds contribute to it (DashboardRow.dashboard), and
 * is written in every configured delivery format (formats.ts) under out/grafana/:
 *
 *   grafana/<base>.json                      provisioning: plain dashboard (datasource variable)
 *   grafana/provisioning/<name>.yaml         provisioning: the file provider
 *   grafana/import/<base>.json               import: with __inputs / __requires
 *   grafana/configmap/<base>.yaml            configmap: Helm chart sidecar
 *   grafana/operator/<base>.yaml             operator: GrafanaDashboard
 *
 * with <base> = linkerd-slo-<cluster> for the overview, linkerd-slo-<cluster>-<dashboard> for the others.
 */
import type { Dashboard } from '@grafana/schema';
import { eq, format, inline, mapExpr, neq, selector, type Expr } from '../../promql/ast.js';
import { assertValidPromQL } from '../../promql/validate.js';
import { DASHBOARDS, dashboardUidFor, type DashboardId, type DashboardRow } from '../../dashboard-model.js';
import { buildDashboard, dashboardJson, type DashboardEnv, type MatcherVariable } from '../grafana.js';
import { controlPlaneRows } from './control-plane.js';
import { overviewRows } from './overview.js';
import { proxyRows } from './proxies.js';
import { coveredMetrics, type DashboardInput } from './shared.js';
import { configMap, grafanaDashboard, importFlavour, providerYaml } from './formats.js';

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

const BUILT_IN = ['overview', 'control-plane', 'proxies', 'certificates'] as const;

const TITLES: Partial<Record<DashboardId, (cluster: string) => string>> = {
  overview: (c) => `Linkerd SLOs (${c})`,
  'control-plane': (c) => `Linkerd control plane (${c})`,
  proxies: (c) => `Linkerd proxies (${c})`,
  certificates: (c) => `Linkerd certificates (${c})`,
};

const DESCRIPTIONS: Partial<Record<DashboardId, string>> = {
  overview: 'Linkerd service level objectives: objective, SLI over the period, error budget, burn rate per alert window and firing alerts, per SLO.',
  'control-plane': 'Linkerd control plane: success rate, request rate and latency per component from both ends (its own proxy, every meshed proxy), replicas, scrape health and controller internals.',
  proxies: 'Linkerd proxies (data plane): resources against their budget, the heaviest and busiest proxies, versions and file descriptors.',
  certificates: 'Linkerd certificates: time left per certificate class, coloured at the alert thresholds, refresh errors and silent sources.',
};

/**
 * Rewrites `label="<configured value>"` of every extra matcher into `label="$label"`
 * (`label=~"$label"` for a multi-value variable such as the cluster of a multi-cluster bundle).
 */
export function templateExtraMatchers(e: Expr, extra: Readonly<Record<string, string>>, multi: ReadonlySet<string> = new Set()): Expr {
  return mapExpr(e, (node) =>
    node.kind === 'selector'
      ? {
          ...node,
          matchers: node.matchers.map((m) =>
            m.op === '=' && extra[m.label] === m.value ? { ...m, op: multi.has(m.label) ? ('=~' as const) : m.op, value: `$${m.label}` } : m,
          ),
        }
      : node,
  );
}

export function dashboardBase(cluster: string, id: DashboardId): string {
  return id === 'overview' ? `linkerd-slo-${cluster}` : `linkerd-slo-${cluster}-${id}`;
}

export function buildDashboards(input: DashboardInput, configFile: string): BuiltDashboard[] {
  const { ctx, outputs } = input;
  const { config } = ctx;
  const cluster = config.cluster;
  const uids = Object.fromEntries(DASHBOARDS.map((d) => [d, dashboardUidFor(cluster, d)])) as Record<DashboardId, string>;
  const titles = Object.fromEntries(DASHBOARDS.map((d) => [d, TITLES[d]?.(cluster) ?? `Linkerd ${d.replace(/-/g, ' ')} (${cluster})`])) as Record<DashboardId, string>;
  const kindRows = (id: DashboardId): DashboardRow[] => outputs.flatMap((o) => o.dashboardRows).filter((r) => (r.dashboard ?? 'overview') === id);

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

  // The four built-in dashboards always exist; any other only when a kind contributes rows to it.
  const emitted = DASHBOARDS.filter((id) => (BUILT_IN as readonly string[]).includes(id) || kindRows(id).length > 0);
  const builtIn: Partial<Record<DashboardId, () => DashboardRow[]>> = {
    overview: () => [...overviewRows(input, { uids, titles, emitted, configFile }), ...kindRows('overview')],
    'control-plane': () => {
      const rows = kindRows('control-plane');
      return [...controlPlaneRows(input, coveredMetrics(rows)), ...rows];
    },
    proxies: () => {
      const rows = kindRows('proxies');
      return [...rows, ...proxyRows(input, rows.length > 0)];
    },
  };
  const dashboardEnv: DashboardEnv = { ...env, emitted };

  return emitted.map((id) => {
    const rows = builtIn[id]?.() ?? kindRows(id);
    for (const row of rows) {
      for (const p of row.panels) {
        p.queries.forEach((q, i) => assertValidPromQL(`${id} dashboard panel "${row.title} / ${p.title}" query ${i + 1}`, format(dashboardEnv.template(q.expr))));
      }
    }
    const tags = ['linkerd', 'linkerd-slo', id === 'overview' ? 'slo' : id, `cluster-${cluster}`];
    const description = `${DESCRIPTIONS[id] ?? `Linkerd ${id.replace(/-/g, ' ')}.`} Generated by linkerd-slo from ${configFile}.`;
    const dashboard = buildDashboard(id, { uid: uids[id], title: titles[id], description, tags }, rows, dashboardEnv);
    return { id, uid: uids[id], title: titles[id], base: dashboardBase(cluster, id), rows, dashboard };
  });
}

/** Every file of out/grafana/ for the configured formats. */
export function grafanaFiles(input: DashboardInput, configFile: string): Map<string, string> {
  const { config } = input.ctx;
  const formats = new Set(config.grafana.formats);
  const files = new Map<string, string>();
  for (const d of buildDashboards(input, configFile)) {
    if (formats.has('provisioning')) files.set(`grafana/${d.base}.json`, dashboardJson(d.dashboard));
    if (formats.has('import')) files.set(`grafana/import/${d.base}.json`, dashboardJson(importFlavour(d.dashboard)));
    if (formats.has('configmap')) files.set(`grafana/configmap/${d.base}.yaml`, configMap(d, config, configFile));
    if (formats.has('operator')) files.set(`grafana/operator/${d.base}.yaml`, grafanaDashboard(d, config, configFile));
  }
  if (formats.has('provisioning')) {
    const name = `linkerd-slo-${config.cluster}`;
    files.set(`grafana/provisioning/${name}.yaml`, providerYaml(name, config, configFile));
  }
  return files;
}
