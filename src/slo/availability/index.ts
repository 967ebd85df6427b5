/**
 * Control-plane availability and hygiene. Not a ratio SLO: threshold alerts, one file per source the
 * kind reads, each with its alerts, panels and promtool fixtures:
 *
 *  - controller-scrape.ts: `up` of every control-plane container on the controller job (down, not
 *    scraped) and the controllers' own process and gRPC metrics (panels);
 *  - replicas.ts (optional): kube-state-metrics' available replicas of the HA Deployments;
 *  - version-skew.ts: data-plane version skew from proxy_build_info;
 *  - proxy-view.ts (2.15+): the proxies' own view of the control plane.
 *
 * This file assembles them into the SloKind: the rule group, the control-plane dashboard's row,
 * runbooks and the bundle's promtool scenarios.
 */
import { normalDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { PROXY_MINOR } from '../../linkerd/catalog.js';
import type { RuleGroup } from '../../rules.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { BuildContext, KindOutput, SloKind } from '../kind.js';
import { scenarioTest, type PromtoolTest } from '../promtool-tests.js';
import { configSection } from './config.js';
import { AVAILABILITY_ALERTS, AVAILABILITY_ID, AVAILABILITY_RULE_GROUP } from './names.js';
import { availabilityAlerts, templates } from './alert-set.js';
import { controllerInternalsPanels, controllerScrapeAlerts, controllerScrapePanels, controllerScrapeScenario, shownControllerMetrics, watchedComponents } from './controller-scrape.js';
import { haComponents, replicasAlerts, replicasPanels, replicasScenario } from './replicas.js';
import { proxyVersionsPanel, skewFloor, versionSkewAlert, versionSkewScenario } from './version-skew.js';
import { proxyViewAlerts, proxyViewClients, proxyViewPanel, proxyViewScenario } from './proxy-view.js';
import { runbookContext } from './runbook-context.js';
import { FILTERS, type SourceScenario } from './fixtures.js';

export const availability: SloKind<typeof configSection> = {
  config: configSection,
  id: AVAILABILITY_ID,
  title: 'Control-plane availability',
  enabled: (config: Config) => config.slos.controlPlaneAvailability.enabled,

  check(config: Config): ConfigIssue[] {
    const a = config.slos.controlPlaneAvailability;
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
    const a = ctx.config.slos.controlPlaneAvailability;
    const watched = watchedComponents(ctx);
    const deployments = haComponents(ctx);
    // The panel and the runbook show the floor even while the alert is off.
    const floor = skewFloor(ctx.facts.version, a.versionSkew.maxReleasesBehind);
    const viewClients = proxyViewClients(ctx);

    const alerts = availabilityAlerts(ctx);
    controllerScrapeAlerts(ctx, alerts, watched);
    replicasAlerts(ctx, alerts, deployments);
    versionSkewAlert(ctx, alerts, floor);
    proxyViewAlerts(ctx, alerts, viewClients);

    const panels: PanelSpec[] = [
      ...controllerScrapePanels(ctx, watched),
      ...replicasPanels(ctx, deployments),
      proxyVersionsPanel(ctx, floor),
      ...controllerInternalsPanels(ctx, watched),
      ...(viewClients.length ? [proxyViewPanel(ctx, viewClients)] : []),
    ];
    const group: RuleGroup = { name: AVAILABILITY_RULE_GROUP, rules: alerts.alerts };
    const runbookText = runbookContext(ctx, watched, floor);
    const scenarios = {
      scrape: controllerScrapeScenario(ctx, watched),
      replicas: replicasScenario(ctx, deployments),
      skew: versionSkewScenario(ctx, a.versionSkew.enabled ? floor : undefined),
      view: proxyViewScenario(ctx, viewClients),
    };
    return {
      unitTests: promtoolTests(ctx, scenarios, alerts.generated),
      ruleGroups: alerts.alerts.length ? [group] : [],
      dashboardRows: panels.length ? [{ title: 'Control-plane availability', panels, dashboard: 'control-plane' as const, shows: shownControllerMetrics(ctx, watched) }] : [],
      runbooks: [...alerts.generated].map((name) => ({ alert: name, markdown: templates.runbook(name, runbookText) })),
    };
  },
};

interface Scenarios {
  readonly scrape: SourceScenario | undefined;
  readonly replicas: SourceScenario | undefined;
  /** Always there: its proxies are the healthy scenario's too. */
  readonly skew: SourceScenario;
  readonly view: SourceScenario | undefined;
}

/**
 * The bundle's own promtool tests (out/tests/), built from the rules' own selectors: one scenario in
 * which every alert fires (a partial outage, a paging component fully down, an old proxy, missing
 * replicas, blind proxies), one in which nothing is scraped, and one healthy control plane that stays
 * quiet.
 */
function promtoolTests(ctx: BuildContext, s: Scenarios, generated: ReadonlySet<string>): PromtoolTest[] {
  if (generated.size === 0) return [];
  const a = ctx.config.slos.controlPlaneAvailability;
  const present = (xs: readonly (SourceScenario | undefined)[]): SourceScenario[] => xs.filter((x): x is SourceScenario => x !== undefined);
  const firing = present([s.scrape, s.skew, s.replicas, s.view]);
  const checks = firing.flatMap((p) => p.checks);
  const tests: PromtoolTest[] = [];
  if (checks.length) tests.push(scenarioTest(`Control-plane availability: ${firing.flatMap((p) => p.stories).join('; ')}`, firing.flatMap((p) => p.firing), checks));
  tests.push(...firing.flatMap((p) => p.own ?? []));

  // Nothing scraped: every watched component (and Deployment) opens its not-scraped ticket.
  const missing = present([s.scrape, s.replicas]).flatMap((p) => (p.absent ? [p.absent] : []));
  if (missing.length) tests.push(scenarioTest(`Control-plane availability: a component with no series opens ${missing.map((m) => m.alert).join(' / ')} after ${normalDuration(a.notScrapedFor)}`, [], missing));

  // Healthy: every instance up, every Deployment at its replicas; quiet once every `for` has passed
  // (version skew's quiet case is in the first scenario, which runs past its `for`).
  const healthy = present([s.scrape, s.replicas, s.skew, s.view]);
  const quietAt = Math.max(...healthy.map((p) => p.quietAfter)) + 2;
  const quiet = [...generated].filter((alert) => alert !== AVAILABILITY_ALERTS.versionSkew);
  if (quiet.length) {
    tests.push(
      scenarioTest(
        `Control-plane availability: every component up${s.replicas ? ' and every Deployment at full replicas' : ''} stays quiet past every for (${quietAt}m)`,
        healthy.flatMap((p) => p.healthy),
        quiet.map((alert) => ({ alert, filters: FILTERS, at: quietAt, rows: [] })),
      ),
    );
  }
  return tests;
}
