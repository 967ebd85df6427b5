/**
 * The workload SLOs' rows on the overview dashboard: how many SLOs are within budget, each SLO's
 * budget left (worst first) with the firing alerts, and the golden signals of the busiest, worst
 * and slowest workloads, read from the recordings.
 */
import { aggregate, binary, call, eq, gt, num, oneOf, or, vector } from '../../promql/ast.js';
import { WORKLOAD_KINDS } from '../../linkerd/catalog.js';
import type { DashboardRow, PanelSpec } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import { SLI_RECORDINGS } from '../series.js';
import { ROUTE_LABELS, type Member } from './members.js';
import { sorted } from './groups.js';
import { histogramRecording, latencyHeatmapPanel } from './latency.js';
import { WORKLOAD_ALERTS, WORKLOAD_SLO } from './names.js';

/** Which of the workload SLOs the config has, and over which period. */
export interface WorkloadRowsInput {
  readonly hasSr: boolean;
  readonly hasLatency: boolean;
  readonly hasRoutes: boolean;
  readonly members: readonly Member[];
  readonly period: string;
}

const NAME_LEGEND = '{{namespace}}/{{deployment}}{{statefulset}}{{daemonset}}{{workload}}';
/** The golden-signal panels show this many workloads. */
const TOP = 20;

export function dashboardRows(ctx: BuildContext, o: WorkloadRowsInput): DashboardRow[] {
  const sloIds = [...(o.hasSr ? [WORKLOAD_SLO.successRate] : []), ...(o.hasLatency ? [WORKLOAD_SLO.latency] : []), ...(o.hasRoutes ? [WORKLOAD_SLO.route] : [])];
  const signals = o.members.length ? signalPanels(ctx, o.hasSr) : [];
  return [
    { title: 'Workload SLOs', panels: overviewPanels(ctx, o.period, sloIds), dashboard: 'overview' },
    { title: 'Workload SLO status', panels: statusPanels(ctx, o, sloIds), dashboard: 'overview' },
    ...(signals.length ? [{ title: 'Golden signals of workloads with SLOs', panels: signals, dashboard: 'overview' as const }] : []),
  ];
}

function overviewPanels(ctx: BuildContext, period: string, sloIds: readonly string[]): PanelSpec[] {
  const allBudgets = ctx.recordedSelector(SLI_RECORDINGS.budgetRemaining, [oneOf('slo', sorted(sloIds))]);
  return [
    {
      title: 'Workload and route SLOs within budget',
      description: `How many workload and route SLOs still have error budget left over ${period}, out of all of them. Fewer than all: see the tables below.`,
      type: 'stat',
      unit: 'none',
      queries: [
        { expr: or(aggregate('count', gt(allBudgets, num(0))), vector(0)), legend: 'within budget', instant: true },
        { expr: aggregate('count', allBudgets), legend: 'all', instant: true },
      ],
      width: 12,
    },
    {
      title: 'Workload and route SLOs out of budget',
      description: 'SLOs whose error budget is exhausted: their objective is missed for the period. Red above 0.',
      type: 'stat',
      unit: 'none',
      queries: [{ expr: or(aggregate('count', binary('<=', allBudgets, num(0))), vector(0)), instant: true }],
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
      width: 12,
    },
  ];
}

function statusPanels(ctx: BuildContext, o: WorkloadRowsInput, sloIds: readonly string[]): PanelSpec[] {
  return [
    ...(o.hasSr ? [budgetTable(ctx, o.period, WORKLOAD_SLO.successRate, 'Success rate', 'inbound responses')] : []),
    ...(o.hasLatency ? [budgetTable(ctx, o.period, WORKLOAD_SLO.latency, 'Latency', 'inbound responses under the class threshold')] : []),
    ...(o.hasRoutes ? [budgetTable(ctx, o.period, WORKLOAD_SLO.route, 'Routes', 'client-side route responses')] : []),
    {
      title: 'Firing workload and route alerts',
      description: 'Workload and route SLO alerts firing now (empty is good), one row per alert, workload and window. Open the runbook from the alert.',
      type: 'table',
      unit: 'none',
      queries: [{
        expr: aggregate('count', binary('==', ctx.recordedSelector('ALERTS', [eq('alertstate', 'firing'), oneOf('slo', sorted(sloIds))]), num(1)), {
          by: ['alertname', 'class', 'component', 'namespace', ...WORKLOAD_KINDS, 'workload', ...ROUTE_LABELS, 'severity', 'long'],
        }),
        instant: true,
      }],
      width: 24,
    },
  ];
}

/** One SLO's budgets left, one line per workload or route, worst first. */
function budgetTable(ctx: BuildContext, period: string, slo: string, what: string, legend: string): PanelSpec {
  const burnAlert = slo === WORKLOAD_SLO.latency ? WORKLOAD_ALERTS.latencyBurn : slo === WORKLOAD_SLO.route ? WORKLOAD_ALERTS.routeBurn : WORKLOAD_ALERTS.burn;
  return {
    title: `${what}: error budget remaining (worst first)`,
    description:
      `Share of each ${period} error budget still unspent, one line per ${slo.startsWith('route') ? 'route' : 'workload'} (${legend}), worst first. ` +
      'Red: exhausted, the objective is missed; orange: under 25% left, hold risky rollouts of that workload.',
    type: 'table',
    unit: 'percentunit',
    decimals: 1,
    queries: [{ expr: call('sort', ctx.recordedSelector(SLI_RECORDINGS.budgetRemaining, [eq('slo', slo)])), instant: true }],
    thresholds: [{ value: null, color: 'red' }, { value: 0, color: 'orange' }, { value: 0.25, color: 'green' }],
    links: [{ title: 'Runbook', url: ctx.runbookUrl(burnAlert) }],
    width: 12,
    height: 10,
  };
}

/** Traffic and errors (with a success-rate SLO) and p99 latency of the top workloads. */
function signalPanels(ctx: BuildContext, hasSr: boolean): PanelSpec[] {
  const successRate = (record: string) => ctx.recordedSelector(record, [eq('slo', WORKLOAD_SLO.successRate)]);
  return [
    ...(hasSr
      ? [
          {
            title: `Traffic: inbound requests per second (top ${TOP})`,
            description: `Inbound requests per second of the busiest ${TOP} workloads with an SLO, as their own proxies count them (5m rate). A drop to zero on a busy workload usually means missing metrics or no ready pods.`,
            type: 'timeseries',
            unit: 'reqps',
            queries: [{ expr: aggregate('topk', successRate(SLI_RECORDINGS.requestsRate), { param: num(TOP) }), legend: NAME_LEGEND }],
            min: 0,
            width: 8,
          } satisfies PanelSpec,
          {
            title: `Errors: failed inbound responses (worst ${TOP})`,
            description: `Share of failed inbound responses over 5m (5xx, failing gRPC codes, stream errors) of the ${TOP} worst workloads. Sustained values above the class's error budget (0.1% for 99.9%) burn budget.`,
            type: 'timeseries',
            unit: 'percentunit',
            queries: [{ expr: aggregate('topk', successRate(SLI_RECORDINGS.errorRatio('5m')), { param: num(TOP) }), legend: NAME_LEGEND }],
            min: 0,
            width: 8,
          } satisfies PanelSpec,
        ]
      : []),
    {
      title: `Latency: p99 time to first byte (slowest ${TOP})`,
      description: `p99 of inbound response latency (time to first byte, ms) over 5m of the ${TOP} slowest workloads. Compare with the class threshold: above it, the latency SLO burns budget.`,
      type: 'timeseries',
      unit: 'ms',
      queries: [{
        expr: aggregate('topk', call('histogram_quantile', num(0.99), ctx.recordedSelector(histogramRecording(ctx))), { param: num(TOP) }),
        legend: NAME_LEGEND,
      }],
      min: 0,
      width: 8,
    },
    latencyHeatmapPanel(ctx),
  ];
}
