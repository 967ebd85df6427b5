/**
 * Alertmanager inhibit_rules for the tiered burn-rate alerts (the SRE Workbook's "alert
 * suppression"): while a faster tier fires for an SLI, the slower tiers of the same SLI stay
 * quiet, so one incident pages once. Tiers are told apart by the `long` window label.
 * And the maintenance snippet: alerting.maintenance as Alertmanager time_intervals and the routes
 * that mute this bundle's pages and tickets during them.
 */
import { isAlert, type RuleGroup } from '../rules.js';
import { parseDuration } from '../promql/number.js';
import { GENERATED_HEADER, toYaml } from './rule-files.js';
import type { MaintenanceWindow } from '../maintenance/windows.js';

function inhibitRules(groups: readonly RuleGroup[], equalLabels: readonly string[]): Array<Record<string, unknown>> {
  const tiers = new Map<string, Set<string>>();
  const identity = new Map<string, Set<string>>();
  for (const g of groups)
    for (const r of g.rules)
      if (isAlert(r) && r.labels.long) {
        const set = tiers.get(r.alert) ?? new Set<string>();
        set.add(r.labels.long);
        tiers.set(r.alert, set);
        const ids = identity.get(r.alert) ?? new Set<string>();
        for (const l of r.inhibitEqual ?? []) ids.add(l);
        identity.set(r.alert, ids);
      }
  const rules: Array<Record<string, unknown>> = [];
  for (const [alert, longs] of [...tiers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ordered = [...longs].sort((a, b) => parseDuration(a) - parseDuration(b));
    ordered.slice(0, -1).forEach((long, i) => {
      const slower = ordered.slice(i + 1);
      rules.push({
        source_matchers: [`alertname="${alert}"`, `long="${long}"`],
        target_matchers: [`alertname="${alert}"`, slower.length === 1 ? `long="${slower[0]}"` : `long=~"${slower.join('|')}"`],
        equal: ['slo', 'sli', 'component', ...(identity.get(alert) ?? []), ...equalLabels],
      });
    });
  }
  return [...rules, ...crossAlertRules(groups, equalLabels)];
}

/** Inhibitions an alert declares (inhibitedBy), e.g. a page over the budget-exhausted ticket of its SLI. */
function crossAlertRules(groups: readonly RuleGroup[], equalLabels: readonly string[]): Array<Record<string, unknown>> {
  const seen = new Map<string, Record<string, unknown>>();
  for (const g of groups)
    for (const r of g.rules)
      if (isAlert(r) && r.inhibitedBy) {
        const { alert, severity, equal } = r.inhibitedBy;
        const rule = {
          source_matchers: [`alertname="${alert}"`, `severity=${matcherValue(severity)}`],
          target_matchers: [`alertname="${r.alert}"`],
          equal: [...new Set(['slo', 'sli', 'component', ...equal, ...equalLabels])],
        };
        seen.set(JSON.stringify(rule), rule);
      }
  return [...seen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, rule]) => rule);
}

export function alertmanagerSnippet(groups: readonly RuleGroup[], equalLabels: readonly string[], configFile: string): string {
  return (
    GENERATED_HEADER('Alertmanager inhibit_rules: merge into the inhibit_rules list of alertmanager.yml', configFile) +
    toYaml({ inhibit_rules: inhibitRules(groups, equalLabels) })
  );
}

/** One cluster's part of the maintenance snippet: its alerts, how they are told apart, its windows. */
export interface MaintenanceCluster {
  readonly cluster: string;
  readonly groups: readonly RuleGroup[];
  /** Label values every alert of the cluster carries (prometheus.extraMatchers). */
  readonly matchers: Readonly<Record<string, string>>;
  readonly severities: { readonly page: string; readonly ticket: string };
  readonly windows: readonly MaintenanceWindow[];
}

/** An Alertmanager matcher value in double quotes (its parser reads \\ and \" escapes). */
const matcherValue = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const regexLiteral = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

const timeIntervalName = (cluster: string, window: string) => `linkerd-slo-${cluster}-${window}`;

/** The severity routes of one cluster (the schema keeps page and ticket values apart), muted during the windows that mute them. */
function severityRoutes(c: MaintenanceCluster): Array<Record<string, unknown>> {
  return (['page', 'ticket'] as const).flatMap((kind) => {
    const names = c.windows.filter((w) => w.mute.includes(kind)).map((w) => timeIntervalName(c.cluster, w.name));
    return names.length ? [{ matchers: [`severity=${matcherValue(c.severities[kind])}`], mute_time_intervals: names }] : [];
  });
}

/** The route that catches one cluster's alerts of this bundle (by name and its extra matchers). */
function clusterRoute(c: MaintenanceCluster): Record<string, unknown> | undefined {
  const routes = severityRoutes(c);
  const alerts = [...new Set(c.groups.flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert)))].sort();
  if (!routes.length || !alerts.length) return undefined;
  const labels = Object.keys(c.matchers).sort().map((k) => `${k}=${matcherValue(c.matchers[k]!)}`);
  return { matchers: [`alertname=~${matcherValue(alerts.map(regexLiteral).join('|'))}`, ...labels], routes };
}

/** Alertmanager's form of a window's intervals: its own fields, location always written. */
function timeIntervals(c: MaintenanceCluster): Array<Record<string, unknown>> {
  return c.windows.map((w) => ({
    name: timeIntervalName(c.cluster, w.name),
    time_intervals: w.time_intervals.map((i) => ({
      ...(i.times ? { times: i.times.map((t) => ({ start_time: t.start_time, end_time: t.end_time })) } : {}),
      ...(i.weekdays ? { weekdays: [...i.weekdays] } : {}),
      ...(i.days_of_month ? { days_of_month: i.days_of_month.map(String) } : {}),
      ...(i.months ? { months: i.months.map(String) } : {}),
      ...(i.years ? { years: i.years.map(String) } : {}),
      location: i.location ?? 'UTC',
    })),
  }));
}

const MAINTENANCE_HELP = [
  'Merge time_intervals into the time_intervals list of alertmanager.yml and put the routes first in',
  'route.routes. Each route catches this bundle\'s alerts of one cluster; its child routes mute pages',
  'and tickets while a window is open. They name no receiver and so inherit their parent\'s: if your',
  'tree sends this bundle\'s pages and tickets to other receivers, add receiver: to the child routes, or',
  'copy their mute_time_intervals onto your own routes instead. Muted alerts are notified when the',
  'window closes if they still fire. Needs Alertmanager 0.24 or later (time_intervals).',
].map((line) => `# ${line}\n`).join('');

/** The maintenance snippet, or undefined when no cluster has a window. */
export function maintenanceSnippet(clusters: readonly MaintenanceCluster[], configFile: string): string | undefined {
  const withWindows = clusters.filter((c) => c.windows.length > 0);
  if (!withWindows.length) return undefined;
  const routes = withWindows.flatMap((c) => clusterRoute(c) ?? []);
  return GENERATED_HEADER('Alertmanager maintenance windows (alerting.maintenance): time_intervals and routes', configFile) + MAINTENANCE_HELP + toYaml({ time_intervals: withWindows.flatMap(timeIntervals), route: { routes } });
}
