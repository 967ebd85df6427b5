/**
 * Rows no SLO kind owns, always shown:
 *  - control-plane dashboard: scrape health and controller internals (up, gRPC codes, memory,
 *    goroutines of the controller containers), each panel a stand-in left out when another row of
 *    the dashboard already shows its metric (e.g. the availability kind's, while it is on);
 *  - proxies dashboard: data-plane versions and file-descriptor limits.
 * Sources: linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18
 * (go_* and gRPC server metrics of the Go controllers), linkerd/linkerd2
 * `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18 (the linkerd-controller job),
 * linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0 (proxy_build_info)
 * and `linkerd/metrics/src/process.rs` (process_open_fds / process_max_fds; kubert-prometheus-process from 2.18).
 */
import { aggregate, div, neq, oneOf, rate, sum } from '../../promql/ast.js';
import { GO_CONTROLLER_CONTAINERS, scrapedControllerContainers } from '../../linkerd/metrics.js';
import { withProxyVersion } from '../../linkerd/proxy-version.js';
import { CONTROLLER_METRICS, PROCESS_METRICS, PROXY_METRICS } from '../../linkerd/metric-names.js';
import { ROW_PLACES, type DashboardRow, type PanelSpec } from '../../dashboard-model.js';
import { extraKeys, legendPrefix } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';

const WINDOW = '5m';

function controllerInternalsRow(ctx: BuildContext): DashboardRow {
  const { config, facts } = ctx;
  const by = extraKeys(ctx);
  const prefix = legendPrefix(ctx);
  const containers = scrapedControllerContainers(facts.version);
  const controller = (metric: string, values: readonly string[]) => ctx.controllerSelector(metric, [oneOf('component', values)]);
  const grpcComponents = facts.grpcServerComponents;
  const panels: PanelSpec[] = [
    {
      title: 'Scrape targets up per component',
      description:
        `Control-plane containers answering their scrape (up on job ${config.linkerd.controllerJob}). Red: none, the component is down or its metrics port is not scraped` +
        (facts.controllerScrapeRegression ? ' (on 2.19 the viz chart\'s scrape config drops the core control plane: fix the scrape, linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml`, #14111, #15090).' : '.'),
      type: 'stat',
      unit: 'none',
      queries: [{ expr: sum(controller('up', containers), [...by, 'component']), legend: `${prefix}{{component}}`, instant: true }],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      width: 24,
      unlessShown: 'up',
    },
    {
      title: 'Controller gRPC errors by code',
      description:
        `Non-OK responses of the destination and identity (and from 2.19 policy) gRPC servers per code (${CONTROLLER_METRICS.grpcServerHandled}, 5m). Canceled/CANCELLED is normal for watch streams; a rise of Unavailable, Internal or Unknown is not: read the component logs.`,
      type: 'timeseries',
      unit: 'reqps',
      stack: true,
      queries: [
        {
          expr: sum(rate(ctx.controllerSelector(CONTROLLER_METRICS.grpcServerHandled, [oneOf('component', grpcComponents), neq('grpc_code', 'OK')]), WINDOW), [...by, 'component', 'grpc_code']),
          legend: `${prefix}{{component}} {{grpc_code}}`,
        },
      ],
      min: 0,
      width: 12,
      unlessShown: CONTROLLER_METRICS.grpcServerHandled,
    },
    {
      title: 'Controller memory (RSS)',
      description: `Resident memory per control-plane container instance (${PROCESS_METRICS.residentMemory}). Steady growth towards the container limit ends in an OOM kill.`,
      type: 'timeseries',
      unit: 'bytes',
      queries: [{ expr: aggregate('max', controller(PROCESS_METRICS.residentMemory, containers), { by: [...by, 'component', 'instance'] }), legend: `${prefix}{{component}} {{instance}}` }],
      min: 0,
      width: 12,
      unlessShown: PROCESS_METRICS.residentMemory,
    },
    {
      title: 'Controller goroutines',
      description: `Goroutines per Go control-plane container instance (${CONTROLLER_METRICS.goroutines}). Unbounded growth is a leak, usually of watch streams: restart the pod and report it.`,
      type: 'timeseries',
      unit: 'none',
      queries: [{ expr: aggregate('max', controller(CONTROLLER_METRICS.goroutines, GO_CONTROLLER_CONTAINERS), { by: [...by, 'component', 'instance'] }), legend: `${prefix}{{component}} {{instance}}` }],
      min: 0,
      width: 12,
      unlessShown: CONTROLLER_METRICS.goroutines,
    },
  ];
  return { ...ROW_PLACES.controlPlaneInternals, panels, dashboard: 'control-plane' };
}

function proxyVersionsRow(ctx: BuildContext): DashboardRow {
  const by = extraKeys(ctx);
  const prefix = legendPrefix(ctx);
  // Proxies before v2.205 (Linkerd ≤ 2.13) have no version label: read their git_version instead.
  const buildInfo = withProxyVersion(ctx.proxySelector(PROXY_METRICS.buildInfo));
  const proxy = (metric: string) => ctx.proxySelector(metric);
  const panels: PanelSpec[] = [
    {
      title: 'Proxy versions running',
      description: `How many different proxy versions run in the mesh (${PROXY_METRICS.buildInfo}). One is the goal; two during an upgrade; orange/red for long: pods that were never restarted after an upgrade (kubectl rollout restart them).`,
      type: 'stat',
      unit: 'none',
      queries: [{ expr: aggregate('count', aggregate('count', buildInfo, { by: [...by, 'version'] }), by.length ? { by } : {}), legend: `${prefix}versions`, instant: true }],
      thresholds: [{ value: null, color: 'green' }, { value: 2, color: 'orange' }, { value: 3, color: 'red' }],
      width: 6,
    },
    {
      title: 'Proxies per version',
      description: 'Meshed proxies per proxy version. The control plane\'s version should hold nearly all of them. Proxies before v2.205 (Linkerd 2.13 and older) report no version and show their git_version: a release tag or the commit it was built from.',
      type: 'bargauge',
      unit: 'none',
      queries: [{ expr: aggregate('count', buildInfo, { by: [...by, 'version'] }), legend: `${prefix}{{version}}`, instant: true }],
      min: 0,
      width: 9,
    },
    {
      title: 'Worst file-descriptor usage',
      description: `Highest share of its file-descriptor limit any proxy uses (${PROCESS_METRICS.openFds} / ${PROCESS_METRICS.maxFds}). Orange above 80%, red above 90%: the proxy will soon fail to accept connections; raise the limit or find the connection leak.`,
      type: 'gauge',
      unit: 'percentunit',
      decimals: 1,
      queries: [{ expr: aggregate('max', div(proxy(PROCESS_METRICS.openFds), proxy(PROCESS_METRICS.maxFds)), by.length ? { by } : {}), legend: `${prefix}worst proxy`, instant: true }],
      thresholds: [{ value: null, color: 'green' }, { value: 0.8, color: 'orange' }, { value: 0.9, color: 'red' }],
      min: 0,
      max: 1,
      width: 9,
    },
    {
      title: 'Proxy versions per namespace',
      description: 'Proxies per namespace and version: which teams still run old proxies after an upgrade.',
      type: 'table',
      unit: 'none',
      queries: [{ expr: aggregate('count', buildInfo, { by: [...by, 'namespace', 'version'] }), instant: true }],
      width: 24,
    },
  ];
  return { title: 'Data-plane versions and limits', panels, dashboard: 'proxies' };
}

/** Everything the mesh kind shows, in dashboard order. */
export function meshRows(ctx: BuildContext): DashboardRow[] {
  return [controllerInternalsRow(ctx), proxyVersionsRow(ctx)];
}
