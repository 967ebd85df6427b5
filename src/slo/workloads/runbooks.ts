/** The workload kind's runbook pages: one per alert its SLOs can fire, from templates/<alert>.md. */
import { inline, selector } from '../../promql/ast.js';
import { formatNumber } from '../../promql/number.js';
import { servedInbound } from '../../linkerd/proxy-admin.js';
import { PROXY_CONTAINER } from '../../linkerd/proxy-container.js';
import type { Templates } from '../../templates.js';
import type { BuildContext, Runbook } from '../kind.js';
import { burnRateFactor } from '../burn-rate.js';
import type { Member, RouteMember, WorkloadsConfig } from './members.js';
import { uniq } from './groups.js';
import { WORKLOAD_ALERTS, type MetricNames } from './names.js';

export interface WorkloadRunbookInput {
  readonly members: readonly Member[];
  readonly routes: readonly RouteMember[];
  readonly period: string;
  readonly metrics: MetricNames;
  readonly hasSr: boolean;
  readonly hasLatency: boolean;
  readonly hasRoutes: boolean;
}

export function workloadRunbooks(ctx: BuildContext, w: WorkloadsConfig, o: WorkloadRunbookInput, templates: Templates): Runbook[] {
  const alerts = [
    ...(o.hasSr ? [WORKLOAD_ALERTS.burn] : []),
    ...(o.hasLatency ? [WORKLOAD_ALERTS.latencyBurn] : []),
    ...(o.members.length ? [WORKLOAD_ALERTS.absent] : []),
    ...(o.hasRoutes ? [WORKLOAD_ALERTS.routeBurn] : []),
  ];
  const context = runbookContext(ctx, w, o);
  return alerts.map((alert) => ({ alert, markdown: templates.runbook(alert, { ...context, alert }) }));
}

/** One line per request class in use: its objectives and how many workloads and routes it has. */
function classRows(w: WorkloadsConfig, o: WorkloadRunbookInput) {
  const classesInUse = uniq([...o.members.map((m) => m.class), ...o.routes.map((r) => r.class)]);
  return classesInUse.map((name) => {
    const c = w.classes[name]!;
    return {
      name,
      successRate: c.successRate.enabled ? `${formatNumber(c.successRate.objective)}%` : '-',
      latency: c.latency.enabled ? `${formatNumber(c.latency.objective)}% ≤ ${c.latency.thresholdMs} ms` : '-',
      workloads: o.members.filter((m) => m.class === name).length,
      routes: o.routes.filter((r) => r.class === name).length,
    };
  });
}

function runbookContext(ctx: BuildContext, w: WorkloadsConfig, o: WorkloadRunbookInput) {
  const { config, facts } = ctx;
  const inbound = servedInbound(facts, config.linkerd.proxyAdminPort);
  return {
    cluster: config.cluster,
    // `direction="inbound", target_port!="4191"`: what the SLIs read, as the runbooks quote it.
    inbound: inline(selector(undefined, inbound)).slice(1, -1),
    adminPort: config.linkerd.proxyAdminPort,
    proxyContainer: PROXY_CONTAINER,
    version: facts.version,
    proxyJob: config.linkerd.proxyJob,
    period: o.period,
    alerts: WORKLOAD_ALERTS,
    classes: classRows(w, o),
    windows: config.alerting.windows.map((win) => ({ ...win, for: win.for ?? '', factor: formatNumber(burnRateFactor(win, o.period)) })),
    minRequests: config.alerting.lowTraffic.minRequests,
    severities: config.alerting.severities,
    absentFor: config.alerting.absentFor,
    metrics: o.metrics,
  };
}
