/**
 * Control-plane availability and hygiene. Not a ratio SLO: threshold alerts on
 *  - scrape health of every control-plane container on the controller job (`up`, `component` =
 *    container name), restricted to the containers that the configured scrape style scrapes on the
 *    configured version and whose /metrics works there (catalog.ts controllerTargets: no policy before
 *    2.13, public-api only on 2.10, no viz containers under the 2.19+ PodMonitor), so nothing alerts on
 *    what cannot work; plus absent(up) per container, which also catches the 2.19 viz chart regression
 *    that drops the core control plane from the job;
 *  - HA replicas from kube-state-metrics (optional): fewer than expected available replicas of
 *    linkerd-destination/-identity/-proxy-injector tickets, an injector with none pages;
 *  - data-plane version skew from proxy_build_info.
 *
 * What the skew alert measures: PromQL cannot turn a label into a number, but the boundary is known
 * at generation time. Each Linkerd release pins one proxy version (PROXY_MINOR), proxy minors grow
 * monotonically, so "a proxy from a release more than maxReleasesBehind releases behind 2.N" is
 * exactly "proxy minor < PROXY_MINOR[2.(N − maxReleasesBehind)]". Proxies from v2.205 carry a `version`
 * label, matched with a regex over the integers below that bound. Older proxies (every Linkerd ≤ 2.13
 * proxy) carry no `version`, only `git_version`/`git_sha` (catalog.ts PROXY_VERSION_LABEL_SINCE): when the
 * bound is at or above v2.205 each of them is too old; below it, one is too old when its `git_version`
 * names an older release tag or its `git_sha` is the commit of one (proxy-releases.ts). Proxies whose
 * build is none of these (dev builds, vendor builds) are ignored; proxies newer than the control plane
 * are not flagged.
 */
import {
  absent, aggregate, binary, eq, lt, max, num, oneOf, or, rate, re, selector, sum, withMatchers,
  type Expr, type Matcher, type Selector,
} from '../../promql/ast.js';
import { normalDuration} from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import {
  CONTROL_PLANE_CLIENT_ADDR, controllerKeepRegex, controllerTargets, minor, PROXY_MINOR, PROXY_VERSION_LABEL_SINCE, releaseCommitsBefore, scrapeStyleOf, upgradeGuideUrl, type LinkerdVersion,
} from '../../linkerd/catalog.js';
import { PRE_VERSION_LABEL_RELEASE_COMMITS } from '../../linkerd/proxy-releases.js';
import { withProxyVersion } from '../../linkerd/proxy-version.js';
import { CONTROLLER_METRICS, METRIC_NAMES, PROCESS_METRICS, PROXY_METRICS } from '../../linkerd/metric-names.js';
import { PROXY_CONTAINER } from '../../linkerd/proxy-container.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { AlertingRule, LintExemption, RuleGroup } from '../../rules.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext, KindOutput, SloKind } from '../kind.js';
import { annotations } from '../burn-rate.js';
import { templatesBeside } from '../../templates.js';
import { configSection } from './config.js';
import { proxyViewClients, proxyViewExpr, proxyViewPanel, proxyViewScenario, proxyViewText, type ProxyViewScenario } from './proxy-view.js';
import { fixtureLabels, gauge, minutesOf, scenarioTest, type AlertExpectation, type PromtoolTest, type ScenarioSeries } from '../promtool-tests.js';

/** Annotation and runbook templates: templates/ beside this module. */
const templates = templatesBeside(import.meta.url);

const ID = 'control-plane-availability';
export const AVAILABILITY_RULE_GROUP = 'linkerd-slo-control-plane-availability';

export const AVAILABILITY_ALERTS = {
  down: 'LinkerdControlPlaneComponentDown',
  notScraped: 'LinkerdControlPlaneComponentNotScraped',
  replicasBelowHA: 'LinkerdControlPlaneReplicasBelowHA',
  injectorUnavailable: 'LinkerdProxyInjectorUnavailable',
  replicasAbsent: 'LinkerdControlPlaneReplicasMetricsAbsent',
  versionSkew: 'LinkerdProxyVersionSkew',
  proxyView: 'LinkerdProxiesLostControlPlane',
} as const;

export const AVAILABILITY_METRICS = {
  up: 'up',
  replicasAvailable: 'kube_deployment_status_replicas_available',
  buildInfo: PROXY_METRICS.buildInfo,
} as const;

/** Components whose Deployment (linkerd-<component>) the HA replica checks read. */
export const HA_COMPONENTS = ['destination', 'identity', 'proxy-injector'] as const;

type Severity = 'page' | 'ticket';
type AvailabilityConfig = Config['slos']['controlPlaneAvailability'];


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

/**
 * Proxies older than the release pinning proxy minor `floorMinor`, each with a `version` label
 * (withProxyVersion). `buildInfo` adds the job and extra matchers.
 */
export function oldProxies(buildInfo: (matchers: readonly Matcher[]) => Selector, floorMinor: number): Expr {
  const versionless = (more: readonly Matcher[] = []) => buildInfo([eq('version', ''), ...more]);
  if (floorMinor >= PROXY_VERSION_LABEL_SINCE) {
    // Every versionless proxy predates v2.205, hence the floor; labelled ones below the floor exist only above v2.205.
    const all = withProxyVersion(versionless());
    return floorMinor > PROXY_VERSION_LABEL_SINCE ? or(buildInfo([re('version', oldProxyVersionRegex(floorMinor))]), all) : all;
  }
  // Only versionless proxies can be older: known by the release tag in git_version, or by the tag's commit.
  const byTag = versionless([re('git_version', `(?:release/)?${oldProxyVersionRegex(floorMinor)}`)]);
  const byCommit = versionless([re('git_sha', `(?:${releaseCommitsBefore(floorMinor).join('|')})[0-9a-f]*`)]);
  return withProxyVersion(or(byTag, byCommit));
}

/**
 * pint's online promql/series reports a selector whose label value no series has: the skew alert selects
 * exactly the proxy versions (or, before v2.205, release tags and commits) a mesh that keeps up has none of.
 */
function skewLint(floorMinor: number): LintExemption[] {
  const labels = floorMinor >= PROXY_VERSION_LABEL_SINCE ? ['version'] : ['version', 'git_version', 'git_sha'];
  return labels.map((label) => ({
    check: 'promql/series',
    set: `ignore/label-value ${label}`,
    reason: `the alert selects the ${label} values of proxies older than the allowed skew, which a mesh that keeps up has none of`,
  }));
}

/** Containers watched on this version: configured ∩ what the version exposes. */
export function watchedComponents(ctx: BuildContext): { core: string[]; viz: string[]; paging: string[] } {
  const a = ctx.config.slos.controlPlaneAvailability;
  const targets = controllerTargets(ctx.facts, scrapeStyleOf(ctx.config.linkerd.controllerJob));
  const core = a.components.filter((c) => targets.core.includes(c));
  const viz = a.viz.enabled ? a.viz.components.filter((c) => targets.viz.includes(c)) : [];
  return { core, viz, paging: core.filter((c) => a.pageComponents.includes(c)) };
}

/**
 * Proxy minors a fixture can use: released proxies with a `version` label are any minor from v2.205;
 * before, only tagged releases (whose commits proxy-releases.ts knows).
 */
const PROXY_MINORS_OF_RELEASES: readonly number[] = [
  ...PRE_VERSION_LABEL_RELEASE_COMMITS.map(([m]) => m),
  ...Object.values(PROXY_MINOR).filter((m) => m >= PROXY_VERSION_LABEL_SINCE),
].sort((x, y) => x - y);


/** Raw controller metrics its row shows (the mesh's stand-in panels for them are left out). */
function shownMetrics(watchesContainers: boolean, watchesGrpc: boolean): string[] {
  return [
    ...(watchesContainers ? [AVAILABILITY_METRICS.up] : []),
    ...(watchesGrpc ? [CONTROLLER_METRICS.grpcServerHandled] : []),
    ...(watchesContainers ? [PROCESS_METRICS.residentMemory, CONTROLLER_METRICS.goroutines] : []),
  ];
}

export const availability: SloKind<typeof configSection> = {
  config: configSection,
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
    const watchesSomething = a.components.length > 0 || (a.viz.enabled && a.viz.components.length > 0) || a.replicas.enabled || a.versionSkew.enabled || a.proxyView.enabled;
    if (!watchesSomething) issues.push({ path: [...base, 'enabled'], message: 'no component, replica, version or proxy-view check left; disable controlPlaneAvailability instead (enabled: false)' });
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
      metrics: METRIC_NAMES,
      scrapeRegression: controllerTargets(facts, scrapeStyleOf(config.linkerd.controllerJob)).scrapeRegression,
      portsRenamed: facts.controllerPortsRenamed,
    };
    const alert = (name: string, severity: Severity, expr: Expr, forDuration: string, template: string, extra: Record<string, unknown> = {}, component?: string, lint?: readonly LintExemption[]): void => {
      const context = { ...text, ...extra, severity, ...(component ? { component } : {}) };
      alerts.push({
        alert: name,
        expr,
        for: normalDuration(forDuration),
        labels: { ...ctx.ruleLabels, slo: ID, severity: config.alerting.severities[severity], ...(component ? { component } : {}) },
        annotations: annotations(ctx, name, templates.line(`${template}-summary`, context), templates.render(`${template}-description`, context)),
        ...(lint ? { lint } : {}),
      });
      generated.add(name);
    };
    const external = (metric: string, matchers: readonly Matcher[]): Selector =>
      withMatchers(selector(metric, matchers), Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v)));

    // ---- 1. scrape health of the controller job -------------------------------------------------------
    const up = (components: readonly string[]) => ctx.controllerSelector(AVAILABILITY_METRICS.up, [oneOf('component', components)]);
    if (watched.length) {
      const instancesDown = aggregate('count', binary('==', up(watched), num(0)), { by: byComponent });
      const allDown = (components: readonly string[]) => binary('==', max(up(components), byComponent), num(0));
      // A paging component with every instance down pages instead of ticketing.
      const ticketExpr = paging.length ? binary('unless', instancesDown, allDown(paging), { matching: { on: byComponent } }) : instancesDown;
      const downText = { ticketFor: normalDuration(a.down.ticketFor), pageFor: normalDuration(a.down.pageFor), paging };
      alert(AVAILABILITY_ALERTS.down, 'ticket', ticketExpr, a.down.ticketFor, 'down', downText);
      if (paging.length) alert(AVAILABILITY_ALERTS.down, 'page', allDown(paging), a.down.pageFor, 'down', downText);
      for (const component of watched) {
        alert(AVAILABILITY_ALERTS.notScraped, 'ticket', absent(up([component])), a.notScrapedFor, 'not-scraped', { absentFor: normalDuration(a.notScrapedFor), core: core.includes(component) }, component);
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
    const haComponents = a.replicas.enabled ? HA_COMPONENTS.filter((c) => a.components.includes(c)) : [];
    const available = (component: string) =>
      external(AVAILABILITY_METRICS.replicasAvailable, [eq(a.replicas.namespaceLabel, config.linkerd.namespace), eq('deployment', `linkerd-${component}`)]);
    if (haComponents.length) {
      const r = a.replicas;
      const by = [...extraKeys, r.namespaceLabel, 'deployment'];
      const replicasText = { expected: r.expected, replicasFor: normalDuration(r.for), injectorFor: normalDuration(r.injectorUnavailableFor), namespaceLabel: r.namespaceLabel, absentFor: normalDuration(a.notScrapedFor) };
      for (const component of haComponents) {
        const ctxText = { ...replicasText, deployment: `linkerd-${component}` };
        // max: two kube-state-metrics replicas (or scrapes) report the same Deployment.
        alert(AVAILABILITY_ALERTS.replicasBelowHA, 'ticket', lt(max(available(component), by), num(r.expected)), r.for, 'replicas', ctxText, component);
        if (component === 'proxy-injector') {
          alert(AVAILABILITY_ALERTS.injectorUnavailable, 'page', binary('==', max(available(component), by), num(0)), r.injectorUnavailableFor, 'injector', ctxText, component);
        }
        alert(AVAILABILITY_ALERTS.replicasAbsent, 'ticket', absent(available(component)), a.notScrapedFor, 'replicas-absent', ctxText, component);
      }
      panels.push({
        title: 'Available replicas',
        description: `Available replicas of the core Deployments (kube-state-metrics ${AVAILABILITY_METRICS.replicasAvailable}). Orange below ${r.expected} (ticket after ${normalDuration(r.for)}), red at 0 (linkerd-proxy-injector pages).`,
        type: 'timeseries',
        unit: 'none',
        queries: [
          {
            expr: max(external(AVAILABILITY_METRICS.replicasAvailable, [eq(r.namespaceLabel, config.linkerd.namespace), oneOf('deployment', haComponents.map((c) => `linkerd-${c}`))]), by),
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
    const buildInfo = ctx.proxySelector(AVAILABILITY_METRICS.buildInfo);
    const buildInfoWith = (matchers: readonly Matcher[]) => ctx.proxySelector(AVAILABILITY_METRICS.buildInfo, matchers);
    if (a.versionSkew.enabled && floor) {
      const old = oldProxies(buildInfoWith, floor.proxyMinor);
      // "> 0" changes no result (a count is at least 1) but says what fires: a rule with no condition reads as
      // always firing (pint alerts/comparison).
      const oldCount = aggregate('count', old, { by: [...extraKeys, 'namespace', 'version'] });
      alert(AVAILABILITY_ALERTS.versionSkew, 'ticket', binary('>', oldCount, num(0)), a.versionSkew.for, 'skew', {
        floorRelease: floor.release,
        floorProxy: `v2.${floor.proxyMinor}.0`,
        maxReleasesBehind: a.versionSkew.maxReleasesBehind,
        skewFor: normalDuration(a.versionSkew.for),
        upgradeUrl: upgradeGuideUrl(facts.version),
        versionLabelSince: `v2.${PROXY_VERSION_LABEL_SINCE}`,
      }, undefined, skewLint(floor.proxyMinor));
    }
    panels.push({
      title: 'Proxy versions',
      description:
        `Meshed proxies per proxy version (${AVAILABILITY_METRICS.buildInfo}). Linkerd ${facts.version} ships v2.${PROXY_MINOR[facts.version]}.x` +
        (floor ? `; proxies older than v2.${floor.proxyMinor}.0 (Linkerd ${floor.release}) are beyond the allowed skew and open LinkerdProxyVersionSkew.` : '.') +
        ' Proxies before v2.205 (Linkerd 2.13 and older) report no version: they show their git_version, a release tag or the commit they were built from (a linkerd2-proxy release/v2.x tag).' +
        ' Several versions side by side for long means pods that were never restarted after an upgrade.',
      type: 'timeseries',
      unit: 'none',
      queries: [{ expr: aggregate('count', withProxyVersion(buildInfo), { by: [...extraKeys, 'version'] }), legend: '{{version}}' }],
      min: 0,
      width: 12,
    });

    // ---- 4. controller internals --------------------------------------------------------------------
    const grpc = core.filter((c) => (facts.grpcServerComponents as readonly string[]).includes(c));
    if (grpc.length) {
      panels.push({
        title: 'Controller gRPC responses by code',
        description:
          `Responses of the destination, identity (and from 2.19 policy) gRPC servers per code (${CONTROLLER_METRICS.grpcServerHandled}). Watch streams only count when they end, so Canceled/CANCELLED is normal; a rise of Unavailable/Internal/Unknown is not.`,
        type: 'timeseries',
        unit: 'reqps',
        queries: [
          {
            expr: sum(rate(ctx.controllerSelector(CONTROLLER_METRICS.grpcServerHandled, [oneOf('component', grpc)]), '5m'), [...byComponent, 'grpc_code']),
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
          description: `Resident memory per control-plane container instance (${PROCESS_METRICS.residentMemory}). Steady growth towards the container limit ends in an OOM kill and a restart.`,
          type: 'timeseries',
          unit: 'bytes',
          queries: [{ expr: max(sel(PROCESS_METRICS.residentMemory), [...byComponent, 'instance']), legend: '{{component}} {{instance}}' }],
          width: 12,
        },
        {
          title: 'Controller goroutines',
          description: `Goroutines per Go control-plane container instance (${CONTROLLER_METRICS.goroutines}; the Rust policy controller has none). Unbounded growth is a leak, usually of watch streams.`,
          type: 'timeseries',
          unit: 'none',
          queries: [{ expr: max(sel(CONTROLLER_METRICS.goroutines), [...byComponent, 'instance']), legend: '{{component}} {{instance}}' }],
          width: 12,
        },
      );
    }

    // ---- 5. the data plane's view of the control plane (2.15+; proxy-view.ts) -----------------------
    const viewClients = proxyViewClients(ctx);
    for (const client of viewClients) {
      alert(AVAILABILITY_ALERTS.proxyView, 'page', proxyViewExpr(ctx, client), a.proxyView.for, 'proxy-view', { view: proxyViewText(ctx) }, client);
    }
    if (viewClients.length) panels.push(proxyViewPanel(ctx, viewClients));

    const group: RuleGroup = { name: AVAILABILITY_RULE_GROUP, rules: alerts };
    const runbookText = runbookContext(ctx, { core, viz, paging, floor });
    const skew = a.versionSkew.enabled && floor ? { floor } : undefined;
    return {
      unitTests: unitTests(ctx, { watched, paging, haComponents, up, available, buildInfo, skew, generated, view: proxyViewScenario(ctx, viewClients, AVAILABILITY_ALERTS.proxyView) }),
      ruleGroups: alerts.length ? [group] : [],
      dashboardRows: panels.length ? [{ title: 'Control-plane availability', panels, dashboard: 'control-plane' as const, shows: shownMetrics(watched.length > 0, grpc.length > 0) }] : [],
      runbooks: [...generated].map((name) => ({ alert: name, markdown: templates.runbook(name, runbookText) })),
    };
  },
};

interface TestInputs {
  readonly watched: readonly string[];
  readonly paging: readonly string[];
  readonly haComponents: readonly string[];
  readonly up: (components: readonly string[]) => Selector;
  readonly available: (component: string) => Selector;
  readonly buildInfo: Selector;
  readonly skew: { readonly floor: { release: string; proxyMinor: number } } | undefined;
  readonly generated: ReadonlySet<string>;
  readonly view: ProxyViewScenario | undefined;
}

/**
 * The bundle's own promtool tests (out/tests/), built from the rules' own selectors: one scenario in
 * which every alert fires (a partial outage, a paging component fully down, an old proxy, missing
 * replicas), one in which nothing is scraped, and one healthy control plane that stays quiet.
 */
function unitTests(ctx: BuildContext, t: TestInputs): PromtoolTest[] {
  const { config, facts } = ctx;
  const a = config.slos.controlPlaneAvailability;
  if (t.generated.size === 0) return [];
  const sev = config.alerting.severities;
  const filters = { slo: ID };
  const by = ['severity', 'component'];
  const target = (component: string, i: number, value: number): ScenarioSeries => ({
    labels: fixtureLabels(t.up([component]), {}, { instance: `${component}-${i}:9990` }),
    values: gauge(value),
  });
  // A proxy of the given minor as it reports itself: `version` from v2.205, else its release tag's commit.
  const proxy = (namespace: string, pod: string, proxyMinor: number): { series: ScenarioSeries; version: string } => {
    const base = fixtureLabels(t.buildInfo, {}, { namespace, pod });
    if (proxyMinor >= PROXY_VERSION_LABEL_SINCE) {
      const version = `2.${proxyMinor}.0`;
      return { series: { labels: { ...base, version, git_sha: 'fixture', profile: 'release', vendor: 'linkerd' }, values: gauge(1) }, version };
    }
    const commit = PRE_VERSION_LABEL_RELEASE_COMMITS.find(([m]) => m === proxyMinor)?.[1][0];
    if (!commit) throw new Error(`no release commit of proxy v2.${proxyMinor} in proxy-releases.ts`);
    return { series: { labels: { ...base, git_branch: 'HEAD', git_sha: commit, git_version: commit, profile: 'release' }, values: gauge(1) }, version: commit };
  };
  const currentMinor = PROXY_MINOR[facts.version]!;
  const floorMinor = t.skew?.floor.proxyMinor ?? currentMinor;
  const healthyProxies = [proxy('app', 'current', currentMinor).series, ...(floorMinor !== currentMinor ? [proxy('app', 'at-floor', floorMinor).series] : [])];
  const replicas = (component: string, value: number): ScenarioSeries => ({ labels: fixtureLabels(t.available(component)), values: gauge(value) });

  const tests: PromtoolTest[] = [];
  const firing: ScenarioSeries[] = [];
  const checks: AlertExpectation[] = [];
  const story: string[] = [];
  const ticketFor = minutesOf(a.down.ticketFor);
  const pageFor = minutesOf(a.down.pageFor);
  // Component down: a partial outage of one component tickets; every instance of a paging component down pages (and does not ticket).
  const paged = t.paging[0];
  const partial = t.watched.find((c) => c !== paged);
  if (t.watched.length) {
    firing.push(...t.watched.filter((c) => c !== paged).map((c) => target(c, 0, 1)));
    if (partial) {
      firing.push(target(partial, 1, 0));
      story.push(`one of two ${partial} instances down tickets`);
    }
    if (paged) {
      firing.push(target(paged, 0, 0), target(paged, 1, 0));
      story.push(`every ${paged} instance down pages`);
    }
    const rows = [...(partial ? [{ severity: sev.ticket, component: partial }] : []), ...(paged ? [{ severity: sev.page, component: paged }] : [])];
    checks.push({ alert: AVAILABILITY_ALERTS.down, filters, by, at: Math.max(partial ? ticketFor : 0, paged ? pageFor : 0) + 2, rows });
    if (!partial && paged) {
      // The only watched component pages: its partial outage needs a scenario of its own.
      tests.push(
        scenarioTest(`Control-plane availability: one of two ${paged} instances down tickets`, [target(paged, 0, 1), target(paged, 1, 0)], [
          { alert: AVAILABILITY_ALERTS.down, filters, by, at: ticketFor + 2, rows: [{ severity: sev.ticket, component: paged }] },
        ]),
      );
    }
  }
  if (t.skew) {
    // The newest release proxy below the floor.
    const oldMinor = [...PROXY_MINORS_OF_RELEASES].reverse().find((m) => m < t.skew!.floor.proxyMinor)!;
    const oldProxy = proxy('legacy', 'old', oldMinor);
    const old = oldProxy.version;
    firing.push(...healthyProxies, oldProxy.series);
    const at = minutesOf(a.versionSkew.for) + 2;
    const skewBy = ['namespace', 'version'];
    checks.push(
      { alert: AVAILABILITY_ALERTS.versionSkew, filters, by: skewBy, at, rows: [{ namespace: 'legacy', version: old }] },
      // Proxies of the current release and of the oldest one still allowed stay quiet.
      { alert: AVAILABILITY_ALERTS.versionSkew, filters: { ...filters, namespace: 'app' }, by: skewBy, at, rows: [] },
    );
    const shown = (m: number) => `v2.${m}`;
    story.push(`a ${shown(oldMinor)} proxy (older than Linkerd ${t.skew.floor.release}) tickets, ${floorMinor === currentMinor ? shown(currentMinor) : `${shown(currentMinor)} and ${shown(floorMinor)}`} do not`);
  }
  const belowHA = t.haComponents.find((c) => c !== 'proxy-injector');
  const injector = t.haComponents.includes('proxy-injector');
  if (t.haComponents.length) {
    const low = Math.max(0, a.replicas.expected - 1);
    firing.push(...t.haComponents.map((c) => replicas(c, c === 'proxy-injector' ? 0 : c === belowHA ? low : a.replicas.expected)));
    const rows = [...(belowHA ? [{ severity: sev.ticket, component: belowHA }] : []), ...(injector ? [{ severity: sev.ticket, component: 'proxy-injector' }] : [])];
    checks.push({ alert: AVAILABILITY_ALERTS.replicasBelowHA, filters, by, at: minutesOf(a.replicas.for) + 2, rows });
    if (injector) {
      checks.push({ alert: AVAILABILITY_ALERTS.injectorUnavailable, filters, by, at: minutesOf(a.replicas.injectorUnavailableFor) + 2, rows: [{ severity: sev.page, component: 'proxy-injector' }] });
    }
    story.push(
      [belowHA ? `linkerd-${belowHA} with ${low} of ${a.replicas.expected} replicas tickets` : '', injector ? 'linkerd-proxy-injector with none pages' : ''].filter(Boolean).join(', '),
    );
  }
  if (t.view) {
    firing.push(...t.view.blind);
    checks.push(t.view.fires);
    story.push(t.view.story);
  }
  if (checks.length) tests.unshift(scenarioTest(`Control-plane availability: ${story.join('; ')}`, firing, checks));

  // Nothing scraped: every watched component (and Deployment) opens its not-scraped ticket.
  const absentAt = minutesOf(a.notScrapedFor) + 2;
  const missing: AlertExpectation[] = [];
  if (t.watched.length) missing.push({ alert: AVAILABILITY_ALERTS.notScraped, filters, by, at: absentAt, rows: t.watched.map((component) => ({ severity: sev.ticket, component })) });
  if (t.haComponents.length) missing.push({ alert: AVAILABILITY_ALERTS.replicasAbsent, filters, by, at: absentAt, rows: t.haComponents.map((component) => ({ severity: sev.ticket, component })) });
  if (missing.length) tests.push(scenarioTest(`Control-plane availability: a component with no series opens ${missing.map((m) => m.alert).join(' / ')} after ${normalDuration(a.notScrapedFor)}`, [], missing));

  // Healthy: every instance up, every Deployment at its replicas; quiet once every `for` has passed
  // (version skew's quiet case is in the first scenario, which runs past its `for`).
  const quietAt =
    Math.max(
      t.watched.length ? Math.max(ticketFor, pageFor, minutesOf(a.notScrapedFor)) : 0,
      t.haComponents.length ? Math.max(minutesOf(a.replicas.for), minutesOf(a.replicas.injectorUnavailableFor), minutesOf(a.notScrapedFor)) : 0,
      t.view ? t.view.fires.at - 2 : 0,
    ) + 2;
  const quiet = [...t.generated].filter((alert) => alert !== AVAILABILITY_ALERTS.versionSkew);
  if (quiet.length) {
    tests.push(
      scenarioTest(
        `Control-plane availability: every component up${t.haComponents.length ? ' and every Deployment at full replicas' : ''} stays quiet past every for (${quietAt}m)`,
        [...t.watched.map((c) => target(c, 0, 1)), ...t.haComponents.map((c) => replicas(c, a.replicas.expected)), ...healthyProxies, ...(t.view?.healthy ?? [])],
        quiet.map((alert) => ({ alert, filters, at: quietAt, rows: [] })),
      ),
    );
  }
  return tests;
}

function runbookContext(
  ctx: BuildContext,
  w: { core: string[]; viz: string[]; paging: string[]; floor: ReturnType<typeof skewFloor> },
): Record<string, unknown> {
  const { config, facts } = ctx;
  const a = config.slos.controlPlaneAvailability;
  const m = minor(facts.version);
  const targets = controllerTargets(facts, scrapeStyleOf(config.linkerd.controllerJob));
  return {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    vizNamespace: config.linkerd.vizNamespace,
    version: facts.version,
    controllerJob: config.linkerd.controllerJob,
    proxyJob: config.linkerd.proxyJob,
    metrics: METRIC_NAMES,
    proxyContainer: PROXY_CONTAINER,
    clientPorts: Object.fromEntries(Object.entries(CONTROL_PLANE_CLIENT_ADDR).map(([c, { port }]) => [c, port])),
    severities: config.alerting.severities,
    alerts: AVAILABILITY_ALERTS,
    core: w.core,
    viz: w.viz,
    paging: w.paging,
    ticketFor: normalDuration(a.down.ticketFor),
    pageFor: normalDuration(a.down.pageFor),
    absentFor: normalDuration(a.notScrapedFor),
    policyExcluded: a.components.includes('policy') && !targets.core.includes('policy'),
    policyWhy:
      m === 10
        ? 'there is no policy container before 2.11'
        : 'its admin server has no /metrics before 2.13 (2.11.0: port admin-http, scraped, answers 404; 2.11.1–2.12: port admin, not scraped)',
    grafanaExcluded: a.viz.enabled && a.viz.components.includes('grafana'),
    vizUnscraped: a.viz.enabled && targets.vizUnscraped,
    scrapeRegression: targets.scrapeRegression,
    portsRenamed: facts.controllerPortsRenamed,
    // The admin port names of this version, and what the shipped scrape keeps (the runbook's "How to confirm").
    adminPorts: Object.values(facts.controllerAdminPorts).filter((p, i, all) => all.indexOf(p) === i),
    shippedKeep: controllerKeepRegex(facts.version, scrapeStyleOf(config.linkerd.controllerJob)),
    replicas: { ...a.replicas, for: normalDuration(a.replicas.for), injectorUnavailableFor: normalDuration(a.replicas.injectorUnavailableFor) },
    skew: w.floor
      ? {
          maxReleasesBehind: a.versionSkew.maxReleasesBehind,
          floorRelease: w.floor.release,
          floorProxy: `v2.${w.floor.proxyMinor}.0`,
          for: normalDuration(a.versionSkew.for),
          regex: oldProxyVersionRegex(w.floor.proxyMinor),
          // Below v2.205 no proxy with a version label is too old; from it, every versionless one is.
          labelled: w.floor.proxyMinor > PROXY_VERSION_LABEL_SINCE,
          allVersionless: w.floor.proxyMinor >= PROXY_VERSION_LABEL_SINCE,
        }
      : undefined,
    currentProxy: `v2.${PROXY_MINOR[facts.version]}`,
    versionLabelSince: `v2.${PROXY_VERSION_LABEL_SINCE}`,
    upgradeUrl: upgradeGuideUrl(facts.version),
    view: proxyViewText(ctx),
  };
}
