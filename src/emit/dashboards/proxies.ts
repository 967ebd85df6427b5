/**
 * The proxies (data plane) dashboard's own rows. Budgets, the high-throughput line and recorded
 * per-pod aggregates come from the proxy-resources kind's rows (dashboard: 'proxies') when it is
 * enabled; without them this module shows the same questions from the raw proxy metrics (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0, linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18),
 * without budget lines. Version skew and file descriptors are always shown (linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`; kubert-prometheus-process from 2.18 proxy_build_info,
 * process_open_fds / process_max_fds).
 */
import { aggregate, div, gt, mul, num, rate, sum, type Expr } from '../../promql/ast.js';
import type { DashboardRow, PanelSpec } from '../../dashboard-model.js';
import { withProxyVersion } from '../../linkerd/proxy-version.js';
import { extraKeys, legendPrefix, type DashboardInput } from './shared.js';

const WINDOW = '5m';
const TOP_K = 10;
/** Pods under this many requests per second are left out of the cost-per-request panel (idle noise). */
const COST_MIN_RPS = 10;

export function proxyRows(input: DashboardInput, kindRowsPresent: boolean): DashboardRow[] {
  const { ctx } = input;
  const by = extraKeys(ctx);
  const pod = [...by, 'namespace', 'pod'];
  const prefix = legendPrefix(ctx);
  const proxy = (metric: string) => ctx.proxySelector(metric);
  const top = (e: Expr): Expr => aggregate('topk', e, { param: num(TOP_K) });
  const cpu = sum(rate(proxy('process_cpu_seconds_total'), WINDOW), pod);
  const memory = aggregate('max', proxy('process_resident_memory_bytes'), { by: pod });
  const requests = sum(rate(proxy('request_total'), WINDOW), pod);
  const rows: DashboardRow[] = [];

  if (!kindRowsPresent) {
    rows.push({
      title: 'Proxy resources (raw; enable slos.proxyResources for budgets)',
      panels: [
        {
          title: 'Meshed proxies',
          description: `Proxies scraped by job ${ctx.config.linkerd.proxyJob} (one per meshed pod). A sudden drop means pods lost their proxy or the scrape broke.`,
          type: 'stat',
          unit: 'none',
          queries: [{ expr: aggregate('count', proxy('proxy_build_info'), by.length ? { by } : {}), legend: `${prefix}proxies`, instant: true }],
          width: 6,
        },
        {
          title: 'Heaviest proxies: CPU',
          description: `The ${TOP_K} proxies using the most CPU (cores, 5m). One proxy far above the rest usually carries far more traffic: compare with the request-rate panel.`,
          type: 'timeseries',
          unit: 'suffix: cores',
          queries: [{ expr: top(cpu), legend: `${prefix}{{namespace}}/{{pod}}` }],
          min: 0,
          width: 9,
        },
        {
          title: 'Heaviest proxies: memory',
          description: `The ${TOP_K} proxies with the most resident memory. Steady growth without more traffic is a leak or a growing discovery cache (many destinations).`,
          type: 'timeseries',
          unit: 'bytes',
          queries: [{ expr: top(memory), legend: `${prefix}{{namespace}}/{{pod}}` }],
          min: 0,
          width: 9,
        },
        {
          title: 'Request rate per pod: busiest proxies',
          description: `Requests per second through the ${TOP_K} busiest proxies (request_total, inbound + outbound). Pods at thousands of requests per second need custom proxy resources.`,
          type: 'bargauge',
          unit: 'reqps',
          queries: [{ expr: top(requests), legend: `${prefix}{{namespace}}/{{pod}}`, instant: true }],
          min: 0,
          width: 12,
        },
        {
          title: 'CPU per 1,000 RPS: most expensive proxies',
          description: `CPU cores each proxy spends per 1,000 requests per second (pods above ${COST_MIN_RPS} RPS only). Much higher than its peers: heavy TLS handshaking, many short connections or retries.`,
          type: 'bargauge',
          unit: 'suffix: cores',
          decimals: 3,
          queries: [{ expr: top(mul(div(cpu, gt(requests, num(COST_MIN_RPS))), num(1000))), legend: `${prefix}{{namespace}}/{{pod}}`, instant: true }],
          min: 0,
          width: 12,
        },
      ],
    });
  }

  // Proxies before v2.205 (Linkerd ≤ 2.13) have no version label: read their git_version instead.
  const buildInfo = withProxyVersion(proxy('proxy_build_info'));
  const versions: PanelSpec[] = [
    {
      title: 'Proxy versions running',
      description: 'How many different proxy versions run in the mesh (proxy_build_info). One is the goal; two during an upgrade; orange/red for long: pods that were never restarted after an upgrade (kubectl rollout restart them).',
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
      description: 'Highest share of its file-descriptor limit any proxy uses (process_open_fds / process_max_fds). Orange above 80%, red above 90%: the proxy will soon fail to accept connections; raise the limit or find the connection leak.',
      type: 'gauge',
      unit: 'percentunit',
      decimals: 1,
      queries: [{ expr: aggregate('max', div(proxy('process_open_fds'), proxy('process_max_fds')), by.length ? { by } : {}), legend: `${prefix}worst proxy`, instant: true }],
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
  rows.push({ title: 'Data-plane versions and limits', panels: versions });
  return rows;
}
