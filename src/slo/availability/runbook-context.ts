/** What the kind's runbook pages (templates/runbooks/) are rendered from. */
import { normalDuration } from '../../promql/number.js';
import {
  CONTROL_PLANE_CLIENT_ADDR, controllerKeepRegex, controllerTargets, minor, PROXY_MINOR, PROXY_VERSION_LABEL_SINCE, scrapeStyleOf, upgradeGuideUrl,
} from '../../linkerd/catalog.js';
import type { BuildContext } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { AVAILABILITY_ALERTS } from './names.js';
import type { WatchedComponents } from './controller-scrape.js';
import { oldProxyVersionRegex, type SkewFloor } from './version-skew.js';
import { proxyViewText } from './proxy-view.js';

/** The skew settings as the pages print them; none when the catalog does not reach back to the floor. */
function skewText(ctx: BuildContext, floor: SkewFloor | undefined): Record<string, unknown> | undefined {
  const skew = ctx.config.slos.controlPlaneAvailability.versionSkew;
  if (!floor) return undefined;
  return {
    maxReleasesBehind: skew.maxReleasesBehind,
    floorRelease: floor.release,
    floorProxy: `v2.${floor.proxyMinor}.0`,
    for: normalDuration(skew.for),
    regex: oldProxyVersionRegex(floor.proxyMinor),
    // Below v2.205 no proxy with a version label is too old; from it, every versionless one is.
    labelled: floor.proxyMinor > PROXY_VERSION_LABEL_SINCE,
    allVersionless: floor.proxyMinor >= PROXY_VERSION_LABEL_SINCE,
  };
}

export function runbookContext(ctx: BuildContext, w: WatchedComponents, floor: SkewFloor | undefined): Record<string, unknown> {
  const { config, facts } = ctx;
  const a = config.slos.controlPlaneAvailability;
  const targets = controllerTargets(facts, scrapeStyleOf(config.linkerd.controllerJob));
  return {
    ...linkerdTemplateFacts(ctx),
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
      minor(facts.version) === 10
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
    skew: skewText(ctx, floor),
    currentProxy: `v2.${PROXY_MINOR[facts.version]}`,
    versionLabelSince: `v2.${PROXY_VERSION_LABEL_SINCE}`,
    upgradeUrl: upgradeGuideUrl(facts.version),
    view: proxyViewText(ctx),
  };
}
