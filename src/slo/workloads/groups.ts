/**
 * How the workload rules see one class × component group of workloads through a metric: the
 * selectors (inbound, without the proxy admin server's traffic), the labels a per-workload sum keeps,
 * and how a sum is restricted to exactly the configured workloads (see index.ts for the cost model).
 */
import { aggregate, and, binary, call, eq, neq, oneOf, str, union, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import type { BuildContext } from '../kind.js';
import { servedInbound } from '../../linkerd/proxy-admin.js';
import { PROXY_PRESENCE_METRIC } from '../../linkerd/proxy-container.js';
import type { Component, Member } from './members.js';

export const uniq = (xs: readonly string[]) => [...new Set(xs)];
export const sorted = (xs: readonly string[]) => uniq(xs).sort();

export const RECORD_WORKLOAD = {
  /** 1 per configured workload: the expected set (labels class, component, namespace, <kind> or workload). */
  info: 'linkerd_slo:workload_info',
  /** 1 per configured route (labels class, component, parent_namespace, parent_name, route_namespace, route_name). */
  routeInfo: 'linkerd_slo:route_info',
  /** Per-bucket inbound response rate per workload, for the latency percentiles of the dashboard. */
  histogram: 'linkerd_slo:workload_response_latency_ms_bucket:rate5m',
  /** The same per workload as one native histogram (linkerd.histograms: native), no `le` label. */
  nativeHistogram: 'linkerd_slo:workload_response_latency_ms:rate5m',
} as const;

/**
 * Above this many distinct values a label is not prefiltered by regex: every rule of a group repeats
 * its selectors, so the rule file would grow with the list times the rules; the join with the info
 * series alone then picks the configured workloads out of all of them.
 */
const PREFILTER_MAX_VALUES = 50;

/**
 * Matchers narrowing a group's raw series to its members' label values, and whether they select
 * exactly the members (every combination of the values is configured).
 */
export function prefilter(labels: readonly string[], members: ReadonlyArray<Readonly<Record<string, string>>>): { matchers: Matcher[]; exact: boolean } {
  let combinations = 1;
  let complete = true;
  const matchers = labels.map((l) => {
    const values = uniq(members.map((m) => m[l]!));
    combinations *= values.length;
    if (values.length <= PREFILTER_MAX_VALUES) return oneOf(l, sorted(values));
    complete = false;
    return neq(l, '');
  });
  return { matchers, exact: complete && combinations === members.length };
}

/** Set a static label on every series of an expression. */
function tag(expr: Expr, label: string, value: string): Expr {
  return call('label_replace', expr, str(label), str(value), str('namespace'), str('.*'));
}

/** A per-workload sum of `inner(selector)` of a metric, as `Group.combine` hands it to its builder. */
export type MemberSum = (metric: string, extra: readonly Matcher[], inner: (sel: Selector) => Expr) => Expr;

/**
 * One class × component group of workloads, seen through any metric: the selectors, the grouping
 * labels and how to restrict a sum to exactly the configured workloads.
 */
export interface Group {
  readonly cls: string;
  readonly component: Component;
  readonly members: readonly Member[];
  /** Labels a per-workload sum keeps (identity + extra matchers). */
  readonly by: readonly string[];
  readonly identity: readonly string[];
  /** Per-workload sum of `inner(selector)` for a metric, restricted to the members. */
  sumOf(metric: string, extra: readonly Matcher[], inner: (sel: Selector) => Expr, keep?: readonly string[]): Expr;
  /** Per-workload value built from several sums (e.g. total − fast), restricted to the members. */
  combine(build: (sumOf: MemberSum) => Expr): Expr;
  /** One series per member without a scraped proxy. */
  readonly missing: Expr;
  /** Raw selector of one member (for fixtures). */
  memberSelector(m: Member, metric: string, extra: readonly Matcher[]): Selector;
  /** The series whose presence means one member's proxies are scraped (for fixtures). */
  presenceOf(m: Member): Selector;
  /** The labels naming a member on raw series (for fixtures): namespace and the workload label. */
  identityLabels(m: Member): Record<string, string>;
}

export function makeGroup(ctx: BuildContext, cls: string, component: Component, members: readonly Member[]): Group {
  const extraBy = ctx.clusterLabels;
  const identity = ['namespace', component];
  const by = uniq([...identity, ...extraBy]);
  // Inbound, without the proxy admin server's probes and scrapes (src/linkerd/proxy-admin.ts).
  const inbound = servedInbound(ctx.facts, ctx.config.linkerd.proxyAdminPort);
  const info = ctx.recordedSelector(RECORD_WORKLOAD.info, [eq('class', cls), eq('component', component)]);
  const presenceMetric = PROXY_PRESENCE_METRIC;

  if (component !== 'workload') {
    const { matchers: narrow, exact } = prefilter(identity, members.map((m) => ({ namespace: m.namespace, [component]: m.name })));
    const restrict = (e: Expr) => (exact ? e : and(e, info, { on: by }));
    const selectorOf = (metric: string, extra: readonly Matcher[]) => ctx.proxySelector(metric, [...inbound, ...narrow, ...extra]);
    const rawSum = (metric: string, extra: readonly Matcher[], inner: (sel: Selector) => Expr, keep: readonly string[] = []) =>
      aggregate('sum', inner(selectorOf(metric, extra)), { by: [...keep, ...by] });
    return {
      cls, component, members, by, identity,
      sumOf: (metric, extra, inner, keep) => restrict(rawSum(metric, extra, inner, keep)),
      combine: (build) => restrict(build((metric, extra, inner) => rawSum(metric, extra, inner))),
      missing: binary('unless', info, ctx.proxySelector(presenceMetric, narrow), { matching: { on: by } }),
      memberSelector: (_m, metric, extra) => selectorOf(metric, extra),
      presenceOf: (m) => ctx.proxySelector(presenceMetric, [eq('namespace', m.namespace), eq(component, m.name)]),
      identityLabels: (m) => ({ namespace: m.namespace, [component]: m.name }),
    };
  }

  // Label-selector workloads: one selector each, summed by namespace and tagged with `workload`.
  const nsBy = uniq(['namespace', ...extraBy]);
  const selectorOf = (m: Member, metric: string, extra: readonly Matcher[], direction = true) =>
    ctx.proxySelector(metric, [...(direction ? inbound : []), eq('namespace', m.namespace), ...Object.entries(m.selector ?? {}).map(([k, v]) => eq(k, v)), ...extra]);
  const perMember = (build: (m: Member) => Expr) => union(members.map((m) => tag(build(m), 'workload', m.name)));
  const memberSum = (m: Member) => (metric: string, extra: readonly Matcher[], inner: (sel: Selector) => Expr, keep: readonly string[] = []) =>
    aggregate('sum', inner(selectorOf(m, metric, extra)), { by: [...keep, ...nsBy] });
  return {
    cls, component, members, by, identity,
    sumOf: (metric, extra, inner, keep) => perMember((m) => memberSum(m)(metric, extra, inner, keep)),
    combine: (build) => perMember((m) => build(memberSum(m))),
    missing: binary(
      'unless',
      info,
      perMember((m) => aggregate('group', selectorOf(m, presenceMetric, [], false), { by: nsBy })),
      { matching: { on: by } },
    ),
    memberSelector: (m, metric, extra) => selectorOf(m, metric, extra),
    presenceOf: (m) => selectorOf(m, presenceMetric, [], false),
    identityLabels: () => ({}),
  };
}
