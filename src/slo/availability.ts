/**
 * Control-plane availability and hygiene. Not a ratio SLO: threshold alerts on
 *  - scrape health of every control-plane container on the controller job (`up`, `component` =
 *    container name, linkerd-metrics.md §2.3), restricted to the containers whose /metrics works on
 *    the configured version (§3.1, §3.3: no policy before 2.15, public-api only on 2.10), so nothing
 *    alerts on what cannot work; plus absent(up) per container, which also catches the 2.19 viz
 *    chart regression that drops the core control plane from the job (§2.2);
 *  - HA replicas from kube-state-metrics (optional): fewer than expected available replicas of
 *    linkerd-destination/-identity/-proxy-injector tickets, an injector with none pages;
 *  - data-plane version skew from `proxy_build_info{version}` (§1.7).
 *
 * What the skew alert measures: PromQL cannot turn a label into a number, but the boundary is known
 * at generation time. Each Linkerd release pins one proxy version (§0, PROXY_MINOR), proxy minors grow
 * monotonically, so "a proxy from a release more than maxReleasesBehind releases behind 2.N" is
 * exactly "proxy minor < PROXY_MINOR[2.(N − maxReleasesBehind)]", matched with a regex over the
 * integers below that bound. Proxies whose version label is not `v2.<minor>.<patch>…` (dev builds,
 * vendor builds) are ignored; proxies newer than the control plane are not flagged.
 */
import {
  absent, aggregate, anyOf, binary, eq, lt, max, num, rate, re, selector, sum, withMatchers,
  type Expr, type Matcher, type Selector,
} from '../promql/ast.js';
import { formatDuration, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import { minor, PROXY_MINOR, upgradeGuideUrl, type LinkerdVersion } from '../linkerd/catalog.js';
import type { ConfigIssue } from '../config/errors.js';
import type { AlertingRule, RuleGroup } from '../rules.js';
import type { PanelSpec } from '../dashboard-model.js';
import type { BuildContext, KindOutput, SloKind } from './kind.js';
import { annotations } from './burn-rate.js';
import { render, renderLine } from '../text.js';

const ID = 'control-plane-availability';
export const GROUP = 'linkerd-slo-control-plane-availability';

export const ALERTS = {
  down: 'LinkerdControlPlaneComponentDown',
  notScraped: 'LinkerdControlPlaneComponentNotScraped',
  replicasBelowHA: 'LinkerdControlPlaneReplicasBelowHA',
  injectorUnavailable: 'LinkerdProxyInjectorUnavailable',
  replicasAbsent: 'LinkerdControlPlaneReplicasMetricsAbsent',
  versionSkew: 'LinkerdProxyVersionSkew',
} as const;

export const METRICS = {
  up: 'up',
  replicasAvailable: 'kube_deployment_status_replicas_available',
  buildInfo: 'proxy_build_info',
} as const;

/** Components whose Deployment (linkerd-<component>) the HA replica checks read. */
export const HA_COMPONENTS = ['destination', 'identity', 'proxy-injector'] as const;
/** Go gRPC servers on the controller job (§3.2; policy from 2.19, §3.3). */
const GRPC_COMPONENTS = ['destination', 'identity', 'policy'];

type Severity = 'page' | 'ticket';
type AvailabilityConfig = Config['slos']['controlPlaneAvailability'];

const norm = (d: string): string => formatDuration(parseDuration(d));

/**
 * A regular expression matching the decimal integers 0 … limit−1 (no leading zeros), e.g. 268 →
 * `[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-5][0-9]|26[0-7]`. How a label value is compared with a number.
 */
export function integerBelowRegex(limit: number): string {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`integerBelowRegex needs a positive integer, got ${limit}`);
  const digits = String(limit);
  const alternatives: string[] = [];
  const anyDigits = (n: number) => (n === 0 ? '' : n === 1 ? '[0-9]' : `[0-9]{${n}}`);
  for (let len = 1; len < digits.length; len++) alternatives.push(len === 1 ? '[0-9]' : `[1-9]${anyDigits(len - 1)}`);
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    const lowest = i === 0 && digits.length > 1 ? 1 : 0;
    if (d - 1 < lowest) continue;
    const cls = d - 1 === lowest ? String(lowest) : `[${lowest}-${d - 1}]`;
    alternatives.push(`${digits.slice(0, i)}${cls}${anyDigits(digits.length - i - 1)}`);
  }
  return alternatives.join('|');
}

/** The oldest release whose proxies are still within the allowed skew, or undefined when the catalog does not reach back that far. */
export function skewFloor(version: LinkerdVersion, maxReleasesBehind: number): { release: string; proxyMinor: number } | undefined {
  const release = `2.${minor(version) - maxReleasesBehind}`;
  const proxyMinor = PROXY_MINOR[release];
  return proxyMinor === undefined ? undefined : { release, proxyMinor };
}

/** Regex on proxy_build_info's version label for proxies older than the floor's pinned proxy. */
export function oldProxyVersionRegex(proxyMinor: number): string {
  return `v?2\\.(?:${integerBelowRegex(proxyMinor)})\\..*`;
}

/** Containers watched on this version: configured ∩ what the version exposes. */
export function watchedComponents(ctx: BuildContext): { core: string[]; viz: string[]; paging: string[] } {
  const { facts } = ctx;
  const a = ctx.config.slos.controlPlaneAvailability;
  const core = a.components.filter((c) => facts.controllerComponents.includes(c));
  const viz = a.viz.enabled ? a.viz.components.filter((c) => facts.vizComponents.includes(c)) : [];
  return { core, viz, paging: core.filter((c) => a.pageComponents.includes(c)) };
}

const oneOf = (label: string, values: readonly string[]): Matcher => (values.length === 1 ? eq(label, values[0]!) : re(label, anyOf(values)));

export const availability: SloKind = {
  id: ID,
  title: 'Control-plane availability',
  enabled: (config: Config) => config.slos.controlPlaneAvailability.enabled,

  check(config: Config): ConfigIssue[] {
    const a: AvailabilityConfig = config.slos.controlPlaneAvailability;
    if (!a.enabled) return [];
    const base = ['slos', 'controlPlaneAvailability'];
    const issues: ConfigIssue[] = [];
    a.pageComponents.forEach((c, i) => {
      if (!a.components.includes(c)) issues.push({ path: [...base, 'pageComponents', i], message: `"${c}" pages but is not watched; add it to components or remove it here` });
    });
    if (a.versionSkew.enabled && !skewFloor(config.linkerd.version, a.versionSkew.maxReleasesBehind)) {
      const oldest = Object.keys(PROXY_MINOR)[0];
      issues.push({
        path: [...base, 'versionSkew', 'maxReleasesBehind'],
        message: `${a.versionSkew.maxReleasesBehind} releases behind ${config.linkerd.version} is older than Linkerd ${oldest}, the oldest release whose proxy version is known; lower it or disable versionSkew`,
      });
    }
    const watchesSomething = a.components.length > 0 || (a.viz.enabled && a.viz.components.length > 0) || a.replicas.enabled || a.versionSkew.enabled;
    if (!watchesSomething) issues.push({ path: [...base, 'enabled'], message: 'no component, replica or version check left; disable controlPlaneAvailability instead (enabled: false)' });
    return issues;
  },

  build(ctx: BuildContext): KindOutput {
    const { config, facts } = ctx;
    const a = config.slos.controlPlaneAvailability;
    const extraKeys = Object.keys(config.prometheus.extraMatchers);
    const byComponent = [...extraKeys, 'component'];
    const { core, viz, paging } = watchedComponents(ctx);
    const watched = [...core, ...viz];
    const alerts: AlertingRule[] = [];
    const panels: PanelSpec[] = [];
    const generated = new Set<string>();
    const text = {
      cluster: config.cluster,
      namespace: config.linkerd.namespace,
      version: facts.version,
      controllerJob: config.linkerd.controllerJob,
      proxyJob: config.linkerd.proxyJob,
      scrapeRegression: facts.controllerScrapeRegression,
      portsRenamed: facts.controllerPortsRenamed,
    };
    const alert = (name: string, severity: Severity, expr: Expr, forDuration: string, template: string, extra: Record<string, unknown> = {}, component?: string): void => {
      const context = { ...text, ...extra, severity, ...(component ? { component } : {}) };
      alerts.push({
        alert: name,
        expr,
        for: norm(forDuration),
        labels: { ...ctx.ruleLabels, slo: ID, severity: config.alerting.severities[severity], ...(component ? { component } : {}) },
        annotations: annotations(ctx, name, renderLine(`availability/${template}-summary`, context), render(`availability/${template}-description`, context)),
      });
      generated.add(name);
    };
    const external = (metric: string, matchers: readonly Matcher[]): Selector =>
      withMatchers(selector(metric, matchers), Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v)));

    // ---- 1. scrape health of the controller job -------------------------------------------------------
    if (watched.length) {
      const up = (components: readonly string[]) => ctx.controllerSelector(METRICS.up, [oneOf('component', components)]);
      const instancesDown = aggregate('count', binary('==', up(watched), num(0)), { by: byComponent });
      const allDown = (components: readonly string[]) => binary('==', max(up(components), byComponent), num(0));
      // A paging component with every instance down pages instead of ticketing.
      const ticketExpr = paging.length ? binary('unless', instancesDown, allDown(paging), { matching: { on: byComponent } }) : instancesDown;
      const downText = { ticketFor: norm(a.down.ticketFor), pageFor: norm(a.down.pageFor), paging };
      alert(ALERTS.down, 'ticket', ticketExpr, a.down.ticketFor, 'down', downText);
      if (paging.length) alert(ALERTS.down, 'page', allDown(paging), a.down.pageFor, 'down', downText);
      for (const component of watched) {
        alert(ALERTS.notScraped, 'ticket', absent(up([component])), a.notScrapedFor, 'not-scraped', { absentFor: norm(a.notScrapedFor), core: core.includes(component) }, component);
      }
      panels.push(
        {
          title: 'Instances up per component',
          description: `Control-plane containers answering their scrape (up on job ${config.linkerd.controllerJob}), per component. Red: none, the component is down or not scraped (see LinkerdControlPlaneComponentDown / NotScraped).`,
          type: 'stat',
          unit: 'none',
          queries: [{ expr: sum(up(watched), byComponent), legend: '{{component}}', instant: true }],
          thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
          width: 24,
        },
        {
          title: 'Share of instances up',
          description: 'Per component, the share of scraped instances answering. Below 100% for long: a crash-looping or stuck replica (ticket); 0 for a paging component pages.',
          type: 'timeseries',
          unit: 'percentunit',
          queries: [{ expr: aggregate('avg', up(watched), { by: byComponent }), legend: '{{component}}' }],
          thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
          min: 0,
          max: 1,
          width: 12,
        },
      );
    }

    // ---- 2. HA replicas from kube-state-metrics -------------------------------------------------------
    const haComponents = HA_COMPONENTS.filter((c) => a.components.includes(c));
    if (a.replicas.enabled && haComponents.length) {
      const r = a.replicas;
      const by = [...extraKeys, r.namespaceLabel, 'deployment'];
      const available = (component: string) =>
        external(METRICS.replicasAvailable, [eq(r.namespaceLabel, config.linkerd.namespace), eq('deployment', `linkerd-${component}`)]);
      const replicasText = { expected: r.expected, replicasFor: norm(r.for), injectorFor: norm(r.injectorUnavailableFor), namespaceLabel: r.namespaceLabel, absentFor: norm(a.notScrapedFor) };
      for (const component of haComponents) {
        const ctxText = { ...replicasText, deployment: `linkerd-${component}` };
        // max: two kube-state-metrics replicas (or scrapes) report the same Deployment.
        alert(ALERTS.replicasBelowHA, 'ticket', lt(max(available(component), by), num(r.expected)), r.for, 'replicas', ctxText, component);
        if (component === 'proxy-injector') {
          alert(ALERTS.injectorUnavailable, 'page', binary('==', max(available(component), by), num(0)), r.injectorUnavailableFor, 'injector', ctxText, component);
        }
        alert(ALERTS.replicasAbsent, 'ticket', absent(available(component)), a.notScrapedFor, 'replicas-absent', ctxText, component);
      }
      panels.push({
        title: 'Available replicas',
        description: `Available replicas of the core Deployments (kube-state-metrics ${METRICS.replicasAvailable}). Orange below ${r.expected} (ticket after ${norm(r.for)}), red at 0 (linkerd-proxy-injector pages).`,
        type: 'timeseries',
        unit: 'none',
        queries: [
          {
            expr: max(external(METRICS.replicasAvailable, [eq(r.namespaceLabel, config.linkerd.namespace), oneOf('deployment', haComponents.map((c) => `linkerd-${c}`))]), by),
            legend: '{{deployment}}',
          },
        ],
        thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'orange' }, { value: r.expected, color: 'green' }],
        min: 0,
        width: 12,
      });
    }

    // ---- 3. data-plane version skew -----------------------------------------------------------------
    const floor = skewFloor(facts.version, a.versionSkew.maxReleasesBehind);
    const buildInfo = ctx.proxySelector(METRICS.buildInfo);
    if (a.versionSkew.enabled && floor) {
      const old = ctx.proxySelector(METRICS.buildInfo, [re('version', oldProxyVersionRegex(floor.proxyMinor))]);
      alert(ALERTS.versionSkew, 'ticket', aggregate('count', old, { by: [...extraKeys, 'namespace', 'version'] }), a.versionSkew.for, 'skew', {
        floorRelease: floor.release,
        floorProxy: `v2.${floor.proxyMinor}.0`,
        maxReleasesBehind: a.versionSkew.maxReleasesBehind,
        skewFor: norm(a.versionSkew.for),
        upgradeUrl: upgradeGuideUrl(facts.version),
      });
    }
    panels.push({
      title: 'Proxy versions',
      description:
        `Meshed proxies per proxy version (${METRICS.buildInfo}). Linkerd ${facts.version} ships v2.${PROXY_MINOR[facts.version]}.x` +
        (floor ? `; proxies older than v2.${floor.proxyMinor}.0 (Linkerd ${floor.release}) are beyond the allowed skew and open LinkerdProxyVersionSkew.` : '.') +
        ' Several versions side by side for long means pods that were never restarted after an upgrade.',
      type: 'timeseries',
      unit: 'none',
      queries: [{ expr: aggregate('count', buildInfo, { by: [...extraKeys, 'version'] }), legend: '{{version}}' }],
      min: 0,
      width: 12,
    });

    // ---- 4. controller internals --------------------------------------------------------------------
    const grpc = core.filter((c) => GRPC_COMPONENTS.includes(c));
    if (grpc.length) {
      panels.push({
        title: 'Controller gRPC responses by code',
        description:
          'Responses of the destination, identity (and from 2.19 policy) gRPC servers per code (grpc_server_handled_total). Watch streams only count when they end, so Canceled/CANCELLED is normal; a rise of Unavailable/Internal/Unknown is not.',
        type: 'timeseries',
        unit: 'reqps',
        queries: [
          {
            expr: sum(rate(ctx.controllerSelector('grpc_server_handled_total', [oneOf('component', grpc)]), '5m'), [...byComponent, 'grpc_code']),
            legend: '{{component}} {{grpc_code}}',
          },
        ],
        width: 12,
      });
    }
    if (watched.length) {
      const sel = (metric: string) => ctx.controllerSelector(metric, [oneOf('component', watched)]);
      panels.push(
        {
          title: 'Controller memory (RSS)',
          description: 'Resident memory per control-plane container instance (process_resident_memory_bytes). Steady growth towards the container limit ends in an OOM kill and a restart.',
          type: 'timeseries',
          unit: 'bytes',
          queries: [{ expr: max(sel('process_resident_memory_bytes'), [...byComponent, 'instance']), legend: '{{component}} {{instance}}' }],
          width: 12,
        },
        {
          title: 'Controller goroutines',
          description: 'Goroutines per Go control-plane container instance (go_goroutines; the Rust policy controller has none). Unbounded growth is a leak, usually of watch streams.',
          type: 'timeseries',
          unit: 'none',
          queries: [{ expr: max(sel('go_goroutines'), [...byComponent, 'instance']), legend: '{{component}} {{instance}}' }],
          width: 12,
        },
      );
    }

    const group: RuleGroup = { name: GROUP, rules: alerts };
    const runbookText = runbookContext(ctx, { core, viz, paging, floor });
    return {
      ruleGroups: alerts.length ? [group] : [],
      dashboardRows: panels.length ? [{ title: 'Control-plane availability', panels, dashboard: 'control-plane' as const }] : [],
      runbooks: [...generated].map((name) => ({ alert: name, markdown: render(`runbooks/${name}.md`, runbookText) })),
    };
  },
};

function runbookContext(
  ctx: BuildContext,
  w: { core: string[]; viz: string[]; paging: string[]; floor: ReturnType<typeof skewFloor> },
): Record<string, unknown> {
  const { config, facts } = ctx;
  const a = config.slos.controlPlaneAvailability;
  const m = minor(facts.version);
  return {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    vizNamespace: config.linkerd.vizNamespace,
    version: facts.version,
    controllerJob: config.linkerd.controllerJob,
    proxyJob: config.linkerd.proxyJob,
    severities: config.alerting.severities,
    alerts: ALERTS,
    core: w.core,
    viz: w.viz,
    paging: w.paging,
    ticketFor: norm(a.down.ticketFor),
    pageFor: norm(a.down.pageFor),
    absentFor: norm(a.notScrapedFor),
    policyExcluded: a.components.includes('policy') && !facts.controllerComponents.includes('policy'),
    policyWhy: m <= 12 ? 'its admin port is not scraped (2.11.0: scraped but answers 404)' : 'it serves no Prometheus endpoint before 2.15, so its scrape fails (404)',
    scrapeRegression: facts.controllerScrapeRegression,
    portsRenamed: facts.controllerPortsRenamed,
    replicas: { ...a.replicas, for: norm(a.replicas.for), injectorUnavailableFor: norm(a.replicas.injectorUnavailableFor) },
    skew: w.floor
      ? { maxReleasesBehind: a.versionSkew.maxReleasesBehind, floorRelease: w.floor.release, floorProxy: `v2.${w.floor.proxyMinor}.0`, for: norm(a.versionSkew.for), regex: oldProxyVersionRegex(w.floor.proxyMinor) }
      : undefined,
    currentProxy: `v2.${PROXY_MINOR[facts.version]}`,
    upgradeUrl: upgradeGuideUrl(facts.version),
  };
}
