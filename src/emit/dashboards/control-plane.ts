/**
 * The control-plane dashboard's own rows: per component success rate, request rate and latency as
 * the component's own proxy sees them (server side), the mesh's view of the control plane
 * (control_response_total from every proxy), replicas, and, when no SLO kind already shows them,
 * scrape health and controller internals. Panels read our recording rules wherever the bundle has
 * one for that component and fall back to the raw series otherwise (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0, linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0,
 * linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18, linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18, linkerd/linkerd2 `grafana/dashboards/health.json` at stable-2.14.0).
 */
import { aggregate, call, div, eq, escapeRegex, gt, neq, num, oneOf, rate, ratioRates, re, sub, sum, type Expr } from '../../promql/ast.js';
import { cleanNumber, formatNumber } from '../../promql/number.js';
import { SERVING_COMPONENTS, CONTROL_PLANE_CLIENT_ADDR, CONTROL_PLANE_POD_COMPONENT, minor } from '../../linkerd/catalog.js';
import { CORE_CONTROLLER_CONTAINERS, GO_CONTROLLER_CONTAINERS } from '../../linkerd/metrics.js';
import { CONTROL_PLANE_MEMORY_RECORDING, CONTROL_PLANE_SLO, LATENCY_RECORDINGS, SLI_RECORDINGS } from '../../slo/series.js';
import { clientSelectors, runningComponents, serverMatchers, serverSelectors } from '../../linkerd/control-plane.js';
import type { DashboardRow, PanelQuery, PanelSpec, Threshold } from '../../dashboard-model.js';
import { extraKeys, hasRecording, legendPrefix, recordedWith, type DashboardInput } from './shared.js';

const SUCCESS_SLO = CONTROL_PLANE_SLO.successRate;
const LATENCY_SLO = CONTROL_PLANE_SLO.latency;
const WINDOW = '5m';
const QUANTILES = [0.5, 0.95, 0.99] as const;

type Component = (typeof SERVING_COMPONENTS)[number];

/** Containers of the controller job whose /metrics works on this version (linkerd/linkerd2 `charts/linkerd-control-plane/templates/` at version-2.18; linkerd/linkerd2#7067, linkerd/linkerd2 `policy-controller/src/main.rs` at version-2.15: policy from 2.15). */
export function controllerContainers(version: Parameters<typeof minor>[0]): string[] {
  return CORE_CONTROLLER_CONTAINERS.filter((c) => c !== 'policy' || minor(version) >= 15);
}

export function controlPlaneRows(input: DashboardInput, covered: ReadonlySet<string>): DashboardRow[] {
  const { ctx, groups } = input;
  const { config, facts } = ctx;
  const by = extraKeys(ctx);
  const prefix = legendPrefix(ctx);
  const components: Component[] = runningComponents(SERVING_COMPONENTS, facts);
  const sr = config.slos.controlPlaneSuccessRate;
  const lat = config.slos.controlPlaneLatency;
  const objectiveThresholds = (objective: number, enabled: boolean): Threshold[] | undefined =>
    enabled ? [{ value: null, color: 'red' }, { value: cleanNumber(objective / 100), color: 'green' }] : undefined;

  // ---- server side ---------------------------------------------------------------------------------
  const serverRecorded = (record: string, component: Component) =>
    hasRecording(groups, record, { slo: SUCCESS_SLO, sli: 'server', component }) ? recordedWith(ctx, record, { slo: SUCCESS_SLO, sli: 'server', component }) : undefined;
  const serverSuccess = (component: Component): Expr => {
    const rec = serverRecorded(SLI_RECORDINGS.errorRatio(WINDOW), component);
    if (rec) return sub(num(1), rec);
    const s = serverSelectors(ctx, component, sr.ports[component]);
    const sli = ratioRates(s.bad, s.total, by);
    return sub(num(1), div(sli.errorsRate(WINDOW), sli.requestsRate(WINDOW)));
  };
  const serverRequests = (component: Component): Expr => {
    const rec = serverRecorded(SLI_RECORDINGS.requestsRate, component);
    if (rec) return rec;
    return sum(rate(serverSelectors(ctx, component, sr.ports[component]).total, WINDOW), by);
  };
  const latencyBuckets = (component: Component): Expr => {
    const labels = { slo: LATENCY_SLO, sli: 'server', component };
    if (hasRecording(groups, LATENCY_RECORDINGS.histogram, labels)) return recordedWith(ctx, LATENCY_RECORDINGS.histogram, labels);
    const port = lat.enabled && lat.components.includes(component) ? lat.ports[component] : sr.ports[component];
    const m = serverMatchers(ctx, component, port);
    return aggregate('sum', rate(ctx.proxySelector('response_latency_ms_bucket', [...m.pod, m.port]), WINDOW), { by: ['le', ...by] });
  };
  const perComponent = (f: (c: Component) => Expr, instant = false): PanelQuery[] =>
    components.map((c) => ({ expr: f(c), legend: `${prefix}${c}`, ...(instant ? { instant: true } : {}) }));
  const srThresholds = objectiveThresholds(sr.objective, sr.enabled);
  const srText = sr.enabled ? `Red below the ${formatNumber(sr.objective)}% objective: budget burns; sustained, it pages (LinkerdControlPlaneErrorBudgetBurn).` : '';

  const podComponents = [...new Set(components.map((c) => CONTROL_PLANE_POD_COMPONENT[c])), 'proxy-injector'];
  const server: PanelSpec[] = [
    {
      title: 'Success rate now (5m)',
      description:
        `Share of successful responses of each component over the last 5 minutes, counted by the component's own proxy on its serving port (probes and scrapes excluded). ${srText} ` +
        'When red: check the component logs and the controller gRPC codes below.',
      type: 'stat',
      unit: 'percentunit',
      decimals: 3,
      queries: perComponent(serverSuccess, true),
      ...(srThresholds ? { thresholds: srThresholds } : {}),
      width: 12,
    },
    {
      title: 'Meshed replicas per component',
      description:
        `Pods of each control-plane Deployment with a running, scraped proxy (proxy_build_info on job ${config.linkerd.proxyJob}, pod label control_plane_component; policy runs in the destination pod). ` +
        'Red: none left. Fewer than your HA replica count: a replica is crash-looping or pending; kubectl -n ' +
        `${config.linkerd.namespace} get pods.`,
      type: 'stat',
      unit: 'none',
      queries: [
        {
          expr: aggregate('count', ctx.proxySelector('proxy_build_info', [eq('namespace', config.linkerd.namespace), oneOf('control_plane_component', podComponents)]), {
            by: [...by, 'control_plane_component'],
          }),
          legend: `${prefix}{{control_plane_component}}`,
          instant: true,
        },
      ],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      width: 12,
    },
    {
      title: 'Success rate (server side)',
      description: `Per component, share of successful responses over 5m as its own proxy counts them. ${srText} A dip on one component only points at that component; all at once, at its pods' nodes or the network.`,
      type: 'timeseries',
      unit: 'percentunit',
      queries: perComponent(serverSuccess),
      ...(srThresholds ? { thresholds: srThresholds } : {}),
      max: 1,
      width: 12,
    },
    {
      title: 'Request rate (server side)',
      description: 'Requests per second each component serves on its serving port. A drop to zero usually means missing metrics or a dead component, not a quiet mesh: proxies keep watches open and renew certificates all the time.',
      type: 'timeseries',
      unit: 'reqps',
      queries: perComponent(serverRequests),
      min: 0,
      width: 12,
    },
    ...components.map((c): PanelSpec => {
      const thresholdMs = lat.enabled && lat.components.includes(c) ? lat.componentThresholdMs[c] ?? lat.thresholdMs : undefined;
      return {
        title: `Latency: ${c}`,
        description:
          `p50/p95/p99 time to first byte of ${c} responses over 5m (ms), from ${c === 'identity' ? 'Certify calls (unary: the whole issuance)' : 'watch streams (time to the first update)'}. ` +
          (thresholdMs !== undefined ? `Orange above the ${thresholdMs} ms SLO threshold: slow responses burn the latency budget.` : 'No latency SLO covers this component.'),
        type: 'timeseries',
        unit: 'ms',
        queries: QUANTILES.map((q) => ({ expr: call('histogram_quantile', num(q), latencyBuckets(c)), legend: `${prefix}p${formatNumber(q * 100)}` })),
        ...(thresholdMs !== undefined ? { thresholds: [{ value: null, color: 'green' }, { value: thresholdMs, color: 'orange' }] } : {}),
        min: 0,
        width: components.length === 3 ? 8 : 12,
      };
    }),
  ];

  // ---- client side: the mesh's view ----------------------------------------------------------------------
  const clientComponents = components;
  const clientRecorded = (record: string, component: Component) =>
    hasRecording(groups, record, { slo: SUCCESS_SLO, sli: 'client', component }) ? recordedWith(ctx, record, { slo: SUCCESS_SLO, sli: 'client', component }) : undefined;
  const clientSuccess = (component: Component): Expr => {
    const rec = clientRecorded(SLI_RECORDINGS.errorRatio(WINDOW), component);
    if (rec) return sub(num(1), rec);
    const s = clientSelectors(ctx, component);
    const sli = ratioRates(s.bad, s.total, by);
    return sub(num(1), div(sli.errorsRate(WINDOW), sli.requestsRate(WINDOW)));
  };
  const clientRequests = (component: Component): Expr =>
    clientRecorded(SLI_RECORDINGS.requestsRate, component) ?? sum(rate(clientSelectors(ctx, component).total, WINDOW), by);
  const addrOf = (component: Component): string => {
    const { service, port } = CONTROL_PLANE_CLIENT_ADDR[component];
    return `${escapeRegex(`${service}.${config.linkerd.namespace}.svc.`)}.+:${port}`;
  };
  const anyAddr = re('addr', clientComponents.map(addrOf).join('|'));
  const cs = sr.clientSide;
  const clientThresholds = objectiveThresholds(cs.objective, sr.enabled && cs.enabled);
  const client: PanelSpec[] = [
    {
      title: 'Success rate seen by the mesh',
      description:
        'Share of successful calls from every meshed proxy to destination, policy and identity (control_response_total, 5m). This is what workloads experience: failures here delay new connections, discovery updates and certificate renewals. ' +
        (clientThresholds ? `Red below the ${formatNumber(cs.objective)}% client-side objective. ` : '') +
        'When red while the server side is green: look between them (network policy, DNS, node-level problems).',
      type: 'timeseries',
      unit: 'percentunit',
      queries: clientComponents.map((c) => ({ expr: clientSuccess(c), legend: `${prefix}${c}` })),
      ...(clientThresholds ? { thresholds: clientThresholds } : {}),
      max: 1,
      width: 8,
    },
    {
      title: 'Calls per second from proxies',
      description: 'Calls the proxies make to each control-plane service (control_response_total). Watch streams count when they end, so destination and policy rates reflect stream churn; a spike means mass reconnects (restarts, rollouts).',
      type: 'timeseries',
      unit: 'reqps',
      queries: clientComponents.map((c) => ({ expr: clientRequests(c), legend: `${prefix}${c}` })),
      min: 0,
      width: 8,
    },
    {
      title: 'p99 latency seen by proxies',
      description: 'p99 time to first byte of the proxies\' calls to each control-plane service (control_response_latency_ms, 5m). Identity is a unary call, so its value is the certificate issuance time the mesh sees.',
      type: 'timeseries',
      unit: 'ms',
      queries: clientComponents.map((c) => ({
        expr: call(
          'histogram_quantile',
          num(0.99),
          aggregate('sum', rate(ctx.proxySelector('control_response_latency_ms_bucket', [re('addr', addrOf(c))]), WINDOW), { by: ['le', ...by] }),
        ),
        legend: `${prefix}${c}`,
      })),
      min: 0,
      width: 8,
    },
    {
      title: 'Proxies with failing control-plane calls',
      description: 'The ten pods whose proxies see the most failing calls to the control plane now (failures per second, 5m). Empty is good. One namespace or node standing out points at its network path; everything at once, at the control plane.',
      type: 'table',
      unit: 'reqps',
      decimals: 3,
      queries: [
        {
          expr: aggregate(
            'topk',
            gt(sum(rate(ctx.proxySelector('control_response_total', [anyAddr, eq('classification', 'failure')]), WINDOW), [...by, 'namespace', 'pod', 'addr']), num(0)),
            { param: num(10) },
          ),
          instant: true,
        },
      ],
      thresholds: [{ value: null, color: 'green' }, { value: 0.001, color: 'orange' }],
      width: 24,
    },
  ];

  const rows: DashboardRow[] = [
    { title: 'Server side: each component as its own proxy sees it', panels: server },
    { title: 'The mesh\'s view: every proxy\'s calls to the control plane', panels: client },
  ];

  // ---- fallbacks: scrape health and internals, unless a kind's rows already show them ----------------
  const containers = controllerContainers(facts.version);
  const controller = (metric: string, values: readonly string[]) => ctx.controllerSelector(metric, [oneOf('component', values)]);
  const fallback: PanelSpec[] = [];
  if (!covered.has('up')) {
    fallback.push({
      title: 'Scrape targets up per component',
      description:
        `Control-plane containers answering their scrape (up on job ${config.linkerd.controllerJob}). Red: none, the component is down or its metrics port is not scraped` +
        (facts.controllerScrapeRegression ? ' (on 2.19 the viz chart\'s scrape config drops the core control plane: fix the scrape, linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml`, #14111, #15090).' : '.'),
      type: 'stat',
      unit: 'none',
      queries: [{ expr: sum(controller('up', containers), [...by, 'component']), legend: `${prefix}{{component}}`, instant: true }],
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      width: 24,
    });
  }
  const grpcComponents = ['destination', 'identity', ...(minor(facts.version) >= 19 ? ['policy'] : [])];
  if (!covered.has('grpc_server_handled_total')) {
    fallback.push({
      title: 'Controller gRPC errors by code',
      description:
        'Non-OK responses of the destination and identity (and from 2.19 policy) gRPC servers per code (grpc_server_handled_total, 5m). Canceled/CANCELLED is normal for watch streams; a rise of Unavailable, Internal or Unknown is not: read the component logs.',
      type: 'timeseries',
      unit: 'reqps',
      stack: true,
      queries: [
        {
          expr: sum(rate(ctx.controllerSelector('grpc_server_handled_total', [oneOf('component', grpcComponents), neq('grpc_code', 'OK')]), WINDOW), [...by, 'component', 'grpc_code']),
          legend: `${prefix}{{component}} {{grpc_code}}`,
        },
      ],
      min: 0,
      width: 12,
    });
  }
  if (!covered.has('process_resident_memory_bytes') && !covered.has(CONTROL_PLANE_MEMORY_RECORDING)) {
    fallback.push({
      title: 'Controller memory (RSS)',
      description: 'Resident memory per control-plane container instance (process_resident_memory_bytes). Steady growth towards the container limit ends in an OOM kill.',
      type: 'timeseries',
      unit: 'bytes',
      queries: [{ expr: aggregate('max', controller('process_resident_memory_bytes', containers), { by: [...by, 'component', 'instance'] }), legend: `${prefix}{{component}} {{instance}}` }],
      min: 0,
      width: 12,
    });
  }
  if (!covered.has('go_goroutines')) {
    fallback.push({
      title: 'Controller goroutines',
      description: 'Goroutines per Go control-plane container instance (go_goroutines). Unbounded growth is a leak, usually of watch streams: restart the pod and report it.',
      type: 'timeseries',
      unit: 'none',
      queries: [{ expr: aggregate('max', controller('go_goroutines', GO_CONTROLLER_CONTAINERS), { by: [...by, 'component', 'instance'] }), legend: `${prefix}{{component}} {{instance}}` }],
      min: 0,
      width: 12,
    });
  }
  if (fallback.length) rows.push({ title: 'Scrape health and controller internals', panels: fallback });
  return rows;
}
