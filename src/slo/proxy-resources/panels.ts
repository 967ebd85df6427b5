/**
 * The proxies dashboard's resources row while the proxy-resources kind is off: the same questions
 * as its own row (heaviest and busiest proxies, cost per request) from the raw proxy metrics,
 * without budget lines (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at
 * release/v2.294.0 for request_total, `linkerd/metrics/src/process.rs` for process_*;
 * kubert-prometheus-process from 2.18).
 */
import { aggregate, div, gt, mul, num, rate, sum, type Expr } from '../../promql/ast.js';
import type { DashboardRow } from '../../dashboard-model.js';
import { extraKeys, legendPrefix } from '../panel-queries.js';
import type { BuildContext } from '../kind.js';
import { PROCESS_METRICS, PROXY_METRICS } from '../../linkerd/metric-names.js';

const WINDOW = '5m';
const TOP_K = 10;
/** Pods under this many requests per second are left out of the cost-per-request panel (idle noise). */
const COST_MIN_RPS = 10;

export function rawProxyResourcesRow(ctx: BuildContext): DashboardRow {
  const by = extraKeys(ctx);
  const pod = [...by, 'namespace', 'pod'];
  const prefix = legendPrefix(ctx);
  const proxy = (metric: string) => ctx.proxySelector(metric);
  const top = (e: Expr): Expr => aggregate('topk', e, { param: num(TOP_K) });
  const cpu = sum(rate(proxy(PROCESS_METRICS.cpuSeconds), WINDOW), pod);
  const memory = aggregate('max', proxy(PROCESS_METRICS.residentMemory), { by: pod });
  const requests = sum(rate(proxy(PROXY_METRICS.requests), WINDOW), pod);
  return {
    title: 'Proxy resources (raw; enable slos.proxyResources for budgets)',
    dashboard: 'proxies',
    panels: [
      {
        title: 'Meshed proxies',
        description: `Proxies scraped by job ${ctx.config.linkerd.proxyJob} (one per meshed pod). A sudden drop means pods lost their proxy or the scrape broke.`,
        type: 'stat',
        unit: 'none',
        queries: [{ expr: aggregate('count', proxy(PROXY_METRICS.buildInfo), by.length ? { by } : {}), legend: `${prefix}proxies`, instant: true }],
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
        description: `Requests per second through the ${TOP_K} busiest proxies (${PROXY_METRICS.requests}, inbound + outbound). Pods at thousands of requests per second need custom proxy resources.`,
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
  };
}
