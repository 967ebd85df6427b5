/**
 * `linkerd-slo check`: does the user's Prometheus actually have what the generated rules and
 * panels select? Every raw selector is tried against the live data; a selector that finds
 * nothing is diagnosed (renamed metric of another Linkerd version, PodMonitor job name, a label
 * value that matches nothing), labels the rules group by are checked for presence, and the scrape
 * interval is compared with our rate windows. Read-only: instant queries and the targets API.
 */
import { aggregate, and, call, eq, inline, range, selector, SKIP_CHILDREN, walk, type Expr, type Matcher, type Selector } from '../promql/ast.js';
import { parseDuration } from '../promql/number.js';
import { isAlert, ruleName, type RuleGroup } from '../rules.js';
import type { DashboardRow } from '../dashboard-model.js';
import type { Config } from '../config/schema.js';
import { otherNamesOf } from '../linkerd/catalog.js';
import { isAdminExclusion, otherHistogramStorage } from '../linkerd/proxy-admin.js';
import { alternativeContainerMetric, containerMetrics, PROXY_CONTAINER, PROXY_PRESENCE_METRIC } from '../linkerd/proxy-container.js';
import type { PromClient } from './prometheus-client.js';
import { printable, terminalSafeJson } from './terminal.js';

type FindingKind =
  | 'no-series' | 'renamed-metric' | 'histogram-storage' | 'podmonitor-job' | 'label-value' | 'label-missing' | 'scrape-interval' | 'admin-traffic-only'
  | 'init-containers-dropped';

interface Finding {
  /** blind: an alert cannot fire because of it; warning: a panel is empty or a check is degraded. */
  readonly severity: 'blind' | 'warning';
  readonly kind: FindingKind;
  readonly selector: string;
  /** Rules and panels that use the selector (first few). */
  readonly usedBy: readonly string[];
  readonly message: string;
  readonly fix: string;
}

export interface CheckReport {
  readonly prometheus: string;
  readonly selectorsChecked: number;
  readonly findings: readonly Finding[];
}

/**
 * Labels whose values are events, not identity: a selector on them may match nothing in a healthy mesh.
 * version / git_version / git_sha: the version-skew selectors pick out old proxies from proxy_build_info
 * (and version="" the proxies before v2.205); an up-to-date mesh has none.
 */
const EVENT_LABELS = new Set(['classification', 'result', 'grpc_status', 'http_status', 'status_code', 'error', 'le', 'condition', 'errno', 'version', 'git_version', 'git_sha']);

interface Use {
  readonly sel: Selector;
  readonly users: Set<string>;
  readonly byLabels: Set<string>;
  alerting: boolean;
  minRangeSeconds?: number;
}

/**
 * Every selector of an expression, with the labels the aggregations above it group by (subqueries'
 * inner selectors must match too). absent() exists to notice missing series: its argument is not a
 * selector that must match.
 */
function collect(e: Expr, visit: (sel: Selector, by: readonly string[]) => void): void {
  walk(e, (node, ancestors) => {
    if (node.kind === 'call' && node.fn === 'absent') return SKIP_CHILDREN;
    if (node.kind === 'selector') visit(node, ancestors.flatMap((a) => (a.kind === 'aggregate' ? a.by ?? [] : [])));
    return undefined;
  });
}

export interface CheckInput {
  readonly config: Config;
  readonly groups: readonly RuleGroup[];
  /** Every row of every dashboard of the cluster (Generated.dashboardRows). */
  readonly dashboardRows: readonly DashboardRow[];
}

/** Every raw selector the rules and panels read, keyed by its text (recordings and our own series left out). */
function usesOf(input: CheckInput): Map<string, Use> {
  const recorded = new Set(input.groups.flatMap((g) => g.rules.filter((r) => !isAlert(r)).map(ruleName)));
  const uses = new Map<string, Use>();
  const note = (sel: Selector, by: readonly string[], user: string, alerting: boolean) => {
    if (!sel.metric || recorded.has(sel.metric) || sel.metric === 'ALERTS' || sel.metric.startsWith('linkerd_slo:')) return;
    const key = inline({ ...sel, range: undefined });
    const use = uses.get(key) ?? { sel: { ...sel, range: undefined }, users: new Set(), byLabels: new Set(), alerting: false };
    use.users.add(user);
    by.forEach((l) => use.byLabels.add(l));
    use.alerting ||= alerting;
    if (sel.range) use.minRangeSeconds = Math.min(use.minRangeSeconds ?? Infinity, parseDuration(sel.range));
    uses.set(key, use);
  };
  // Every rule feeds an alert (recordings exist for alerts and dashboards), so rule selectors are on the alerting path.
  for (const g of input.groups) for (const r of g.rules) collect(r.expr, (sel, by) => note(sel, by, `rule ${ruleName(r)} (${g.name})`, true));
  for (const row of input.dashboardRows)
    for (const p of row.panels) for (const q of p.queries) collect(q.expr, (sel, by) => note(sel, by, `panel "${row.title} / ${p.title}"`, false));
  return uses;
}

/** What a diagnosis asks the Prometheus: series counts over the lookback. */
interface Probe {
  readonly config: Config;
  readonly client: PromClient;
  readonly lookback: string;
  count(sel: Selector): Promise<number>;
  valuesOf(sel: Selector, label: string): Promise<string[]>;
}

function probeOf(config: Config, client: PromClient, lookback: string): Probe {
  return {
    config, client, lookback,
    count: async (sel) => (await client.query(inline(aggregate('count', call('last_over_time', range(sel, lookback))))))[0]?.value ?? 0,
    valuesOf: async (sel, label) => {
      const r = await client.query(inline(aggregate('count', call('last_over_time', range(sel, lookback)), { by: [label] })));
      return r.map((x) => x.metric[label] ?? '').sort();
    },
  };
}

const without = (sel: Selector, m: Matcher): Selector => ({ ...sel, matchers: sel.matchers.filter((x) => x !== m) });
const withoutEvents = (sel: Selector): Selector => ({ ...sel, matchers: sel.matchers.filter((m) => !EVENT_LABELS.has(m.label)) });

type Where = Pick<Finding, 'severity' | 'selector' | 'usedBy'>;

/** A finding about the selector `where` names, its fields in the order the JSON report prints them. */
function found(where: Where, kind: FindingKind, message: string, fix: string, severity = where.severity): Finding {
  return { severity, kind, selector: where.selector, usedBy: where.usedBy, message, fix };
}

/** The findings of one selector: none when it finds data (or only events that have not happened are missing). */
async function diagnose(text: string, use: Use, probe: Probe): Promise<Finding[]> {
  const where: Where = { severity: use.alerting ? 'blind' : 'warning', selector: text, usedBy: [...use.users].sort().slice(0, 5) };
  const sel = use.sel;
  if ((await probe.count(sel)) > 0) return labelsMissing(use, probe, where);
  // Events that simply have not happened (no failure yet, no error refresh) are not a problem.
  if (sel.matchers.some((m) => EVENT_LABELS.has(m.label)) && (await probe.count(withoutEvents(sel))) > 0) return [];
  if ((await probe.count(selector(sel.metric!))) === 0) return metricMissing(sel.metric!, probe, where);
  return (await jobMismatch(sel, probe, where)) ?? (await adminTrafficOnly(sel, probe, where)) ?? (await labelValueMismatch(sel, probe, where));
}

/** The series exist: does each carry the labels the rules group by? */
async function labelsMissing(use: Use, probe: Probe, where: Where): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const label of [...use.byLabels].sort()) {
    const values = await probe.valuesOf(use.sel, label);
    if (values.every((v) => v === '')) {
      findings.push(found(
        where, 'label-missing',
        `the series exist but none carries the label "${label}" that the rules group by`,
        `add "${label}" in the scrape config's relabelling (the Linkerd scrape configs set namespace, pod and the workload labels) or remove it from prometheus.extraMatchers`,
        'warning',
      ));
    }
  }
  return findings;
}

/** No series of the metric at all: the other container family, histogram storage, a rename, or nothing scraped. */
async function metricMissing(metric: string, probe: Probe, where: Where): Promise<Finding[]> {
  // The proxy is a regular or a native sidecar: the rules read both families, one may be empty.
  const alternative = alternativeContainerMetric(metric);
  if (alternative !== undefined && (await probe.count(selector(alternative))) > 0) return [];
  const storage = await histogramStorage(metric, probe.client, probe.lookback);
  if (storage) return [{ ...where, ...storage }];
  const renamed: string[] = [];
  for (const other of otherNamesOf(metric)) if ((await probe.count(selector(other.name))) > 0) renamed.push(`${other.name} (Linkerd ${other.versions})`);
  if (renamed.length) {
    return [found(
      where, 'renamed-metric',
      `${metric} does not exist in this Prometheus, but ${renamed.join(', ')} does: the proxies run another Linkerd version than linkerd.version ${probe.config.linkerd.version}`,
      `set linkerd.version to the version your proxies run (${renamed.join(', ')})`,
    )];
  }
  return [found(
    where, 'no-series',
    `no series of ${metric} at all in the last ${probe.lookback}`,
    'check that Prometheus scrapes the source of this metric (Prometheus targets page) and that it has produced it',
  )];
}

/** The metric exists but under another job: a PodMonitor's `namespace/name`, or a job setting that is wrong. */
async function jobMismatch(sel: Selector, probe: Probe, where: Where): Promise<Finding[] | undefined> {
  const job = sel.matchers.find((m) => m.label === 'job' && m.op === '=');
  if (!job) return undefined;
  const metric = sel.metric!;
  const jobs = await probe.valuesOf(selector(metric), 'job');
  if (jobs.includes(job.value)) return undefined;
  const podMonitor = jobs.find((j) => j.endsWith(`/${job.value}`));
  const setting = job.value === probe.config.linkerd.controllerJob ? 'linkerd.controllerJob' : 'linkerd.proxyJob';
  return [
    podMonitor
      ? found(where, 'podmonitor-job', `${metric} is scraped with job="${podMonitor}" (a Prometheus Operator PodMonitor), not job="${job.value}"`, `set ${setting}: ${podMonitor}`)
      : found(where, 'label-value', `no ${metric} series with job="${job.value}"; jobs seen: ${jobs.slice(0, 5).join(', ') || '(none)'}`, `set ${setting} to the job that scrapes Linkerd`),
  ];
}

/** The only series left out are the proxies' admin server's (probes, scrapes): an idle workload. */
async function adminTrafficOnly(sel: Selector, probe: Probe, where: Where): Promise<Finding[] | undefined> {
  const { config } = probe;
  const admin = sel.matchers.find((m) => isAdminExclusion(m, config.linkerd.proxyAdminPort));
  if (!admin || (await probe.count(without(withoutEvents(sel), admin))) === 0) return undefined;
  return [found(
    where, 'admin-traffic-only',
    `the only ${sel.metric} series of these pods are their proxies' admin server on port ${config.linkerd.proxyAdminPort} (kubelet probes, Prometheus scrapes), ` +
      'which the workload SLIs leave out on purpose: the workload has served no request of its own',
    `nothing to fix if the workload is idle; if the proxies' admin port is not ${config.linkerd.proxyAdminPort} (config.linkerd.io/admin-port), set linkerd.proxyAdminPort`,
    'warning',
  )];
}

/** The first matcher that alone empties the selection, with the values seen; or no series matching all of them together. */
async function labelValueMismatch(sel: Selector, probe: Probe, where: Where): Promise<Finding[]> {
  const metric = sel.metric!;
  for (const m of sel.matchers.filter((x) => x.label !== 'job' && !EVENT_LABELS.has(x.label))) {
    if ((await probe.count(without(sel, m))) === 0) continue;
    const seen = await probe.valuesOf(without(sel, m), m.label);
    return [found(
      where, 'label-value',
      `${m.label}${m.op}"${m.value}" matches none of the ${metric} series; ${m.label} values seen: ${seen.slice(0, 8).map((v) => (v === '' ? '(absent)' : v)).join(', ')}`,
      m.label in probe.config.prometheus.extraMatchers ? `fix prometheus.extraMatchers.${m.label}` : `check the ${m.label} setting (namespace, ports, Linkerd version) and the scrape relabelling`,
    )];
  }
  return [found(
    where, 'no-series',
    `${metric} exists, but no series matches all of the selector's labels together`,
    'compare the selector with the series in Prometheus (Explore) and the namespace/port settings',
  )];
}

/** Rate windows need several scrapes: rate() over fewer than 4 intervals is noisy, under 2 empty. */
async function scrapeInterval(uses: Map<string, Use>, config: Config, client: PromClient): Promise<Finding[]> {
  const minRange = Math.min(...[...uses.values()].map((u) => u.minRangeSeconds ?? Infinity));
  if (!Number.isFinite(minRange)) return [];
  for (const t of await client.targets()) {
    if (![config.linkerd.proxyJob, config.linkerd.controllerJob].includes(t.job) || !t.scrapeIntervalSeconds) continue;
    if (t.scrapeIntervalSeconds * 4 > minRange) {
      return [{
        severity: t.scrapeIntervalSeconds * 2 > minRange ? 'blind' : 'warning',
        kind: 'scrape-interval', selector: `job="${t.job}"`, usedBy: [],
        message: `job ${t.job} is scraped every ${t.scrapeIntervalSeconds}s, but the shortest rate window is ${minRange}s: rate() needs at least 4 scrapes per window`,
        fix: `scrape every ${Math.floor(minRange / 4)}s or less (Linkerd recommends 10s)`,
      }];
    }
  }
  return [];
}

async function runCheck(input: CheckInput, client: PromClient, lookback = '1h'): Promise<CheckReport> {
  const uses = usesOf(input);
  const probe = probeOf(input.config, client, lookback);
  const findings: Finding[] = [];
  for (const [text, use] of [...uses.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) findings.push(...(await diagnose(text, use, probe)));
  findings.push(...(await scrapeInterval(uses, input.config, client)));
  findings.push(...(await nativeSidecarsUnscraped(input.config, client, lookback)));
  return { prometheus: client.url, selectorsChecked: uses.size, findings };
}

/**
 * The latency histogram stored otherwise than linkerd.histograms says: a classic bundle on a Prometheus
 * that keeps it as a native histogram (convert_classic_histograms_to_nhcb: no `_bucket` series), or a
 * native bundle on classic buckets. Native is told by histogram_count, which only histograms answer.
 */
async function histogramStorage(metric: string, client: PromClient, lookback: string): Promise<Pick<Finding, 'kind' | 'message' | 'fix'> | undefined> {
  const other = otherHistogramStorage(metric);
  if (!other) return undefined;
  const latest = call('last_over_time', range(selector(other.metric), lookback));
  const probe = other.histograms === 'native' ? call('histogram_count', latest) : latest;
  if (((await client.query(inline(aggregate('count', probe))))[0]?.value ?? 0) === 0) return undefined;
  return other.histograms === 'native'
    ? {
        kind: 'histogram-storage',
        message: `${metric} does not exist in this Prometheus, but ${other.metric} is stored as a native histogram (Prometheus 3 convert_classic_histograms_to_nhcb keeps no _bucket series)`,
        fix: 'set linkerd.histograms: native',
      }
    : {
        kind: 'histogram-storage',
        message: `${metric} is not stored as a native histogram in this Prometheus, but its classic buckets ${other.metric} are`,
        fix: 'set linkerd.histograms: classic (or store the proxies\' histograms as native ones: convert_classic_histograms_to_nhcb, Prometheus 3.4+)',
      };
}

/**
 * Native-sidecar proxies (init containers, the Linkerd 2.20 default) that kube-state-metrics knows but the
 * proxy job scrapes none of: the scrape config drops init containers (`__meta_kubernetes_pod_container_init`).
 * Only when not one of them is scraped, so a pod that just started is not a finding.
 */
async function nativeSidecarsUnscraped(config: Config, client: PromClient, lookback: string): Promise<Finding[]> {
  const extra = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
  const pods = (metric: string, matchers: Matcher[]) =>
    aggregate('group', call('last_over_time', range(selector(metric, [...matchers, ...extra]), lookback)), { by: ['namespace', 'pod'] });
  const native = pods(containerMetrics('info').nativeSidecar, [eq('container', PROXY_CONTAINER)]);
  const scraped = pods(PROXY_PRESENCE_METRIC, [eq('job', config.linkerd.proxyJob)]);
  const count = async (e: Expr) => (await client.query(inline(aggregate('count', e))))[0]?.value ?? 0;
  const all = await count(native);
  if (all === 0 || (await count(and(native, scraped, { on: ['namespace', 'pod'] }))) > 0) return [];
  const sel = selector(containerMetrics('info').nativeSidecar, [eq('container', PROXY_CONTAINER)]);
  return [{
    severity: 'blind', kind: 'init-containers-dropped', selector: inline(sel), usedBy: [],
    message: `kube-state-metrics reports ${all} pods whose linkerd-proxy is a native sidecar (an init container), but job ${config.linkerd.proxyJob} scrapes the proxy of none of them`,
    fix: 'the scrape config drops init containers: remove the drop of __meta_kubernetes_pod_container_init="true" from the proxy job (native sidecars are the default from Linkerd 2.20)',
  }];
}

/**
 * Every cluster of a bundle checked against one Prometheus (a multi-cluster bundle: its shared
 * store), each with its own version's selectors: one report of every cluster's findings.
 */
export async function runChecks(inputs: readonly CheckInput[], client: PromClient, lookback = '1h'): Promise<CheckReport> {
  let selectorsChecked = 0;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const r = await runCheck(input, client, lookback);
    selectorsChecked += r.selectorsChecked;
    for (const f of r.findings) {
      // The scrape-interval finding is about the Prometheus, not a cluster: once is enough.
      const key = `${f.kind}\u0000${f.selector}\u0000${f.message}`;
      if (!seen.has(key)) findings.push(f);
      seen.add(key);
    }
  }
  return { prometheus: client.url, selectorsChecked, findings };
}

/**
 * The report as text for a terminal. Label values, job and metric names in it came from the
 * Prometheus, so every field is made printable (no escape sequences, one line each).
 */
export function formatReport(r: CheckReport): string {
  const lines = [`Checked ${r.selectorsChecked} selectors against ${printable(r.prometheus)}.`];
  if (r.findings.length === 0) return `${lines[0]}\nEvery selector finds data. No findings.\n`;
  for (const f of r.findings) {
    lines.push('', `${f.severity === 'blind' ? 'BLIND  ' : 'WARNING'} ${f.kind}: ${printable(f.message)}`, `  selector: ${printable(f.selector)}`);
    if (f.usedBy.length) lines.push(`  used by:  ${printable(f.usedBy.join('; '))}`);
    lines.push(`  fix:      ${printable(f.fix)}`);
  }
  const blind = r.findings.filter((f) => f.severity === 'blind').length;
  lines.push('', `${r.findings.length} findings, ${blind} of which leave an alert blind.`);
  return `${lines.join('\n')}\n`;
}

/** The report as JSON: label values stay exact, with the controls a terminal would act on escaped. */
export function formatReportJson(r: CheckReport): string {
  return `${terminalSafeJson(r)}\n`;
}
