/** The `slos.controlPlaneAvailability` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { labelName, duration } from '../../config/fields.js';
import { CONTROLLER_COMPONENTS, VIZ_COMPONENTS } from '../../linkerd/catalog.js';
import type { ConfigSection } from '../../config/section.js';

const availabilityConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate control-plane availability and hygiene alerts (scrape health, HA replicas, proxy version skew). Default true: scrape health and skew only need the controller and proxy scrapes every Linkerd Prometheus already has.'),
  components: z
    .array(z.enum(CONTROLLER_COMPONENTS))
    .default([...CONTROLLER_COMPONENTS])
    .describe(
      'Core control-plane containers (the `component` label of the controller job) whose scrape health is watched. Each is only watched on ' +
        'versions where it exists and its /metrics works: policy from 2.13 (404 or not scraped before), public-api only on 2.10. Default: all of them.',
    ),
  pageComponents: z
    .array(z.enum(CONTROLLER_COMPONENTS))
    .default(['destination', 'identity', 'proxy-injector'])
    .describe(
      'Components for which every instance down pages (a partial outage stays a ticket). Default destination, identity, proxy-injector: without them ' +
        'proxies get no discovery updates, no new certificates, and new pods no proxy. Must be listed in components.',
    ),
  viz: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Also watch Linkerd Viz containers. Default true: the controller scrape job ships with Viz\'s Prometheus, so clusters that have it usually run Viz; set false without Viz.'),
      components: z
        .array(z.enum(VIZ_COMPONENTS))
        .default(['metrics-api', 'tap', 'tap-injector', 'web'])
        .describe('Viz containers to watch (tickets only). Default: the Viz API, tap and web containers; prometheus is left out because a BYOP setup has none and Viz\'s own is the one evaluating these rules. Never watched: grafana (2.10–2.11; its own grafana job scrapes it), and any Viz container under the chart\'s PodMonitor from 2.19 (it keeps only ports matching .*-admin$; Viz ports are named admin).'),
    })
    .prefault({})
    .describe('Linkerd Viz containers scraped by the same controller job.'),
  down: z
    .strictObject({
      ticketFor: duration
        .default('15m')
        .describe('How long an instance must fail its scrape (up == 0) before LinkerdControlPlaneComponentDown opens a ticket. Default 15m: rides out rollouts and node drains, catches a crash-looping replica.'),
      pageFor: duration
        .default('5m')
        .describe('How long every instance of a paging component must be down before it pages. Default 5m: longer than a container restart, short enough that discovery or identity outages are acted on while proxies still run on cached state.'),
    })
    .prefault({})
    .describe('LinkerdControlPlaneComponentDown: scrape failures per component.'),
  notScrapedFor: duration
    .default('10m')
    .describe('How long a watched component (or, with replicas enabled, a Deployment in kube-state-metrics) may have no series at all before a ticket opens. Default 10m: rides out Prometheus reloads and target relabelling during upgrades.'),
  replicas: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Alert on available replicas of linkerd-destination, linkerd-identity and linkerd-proxy-injector from kube-state-metrics (kube_deployment_status_replicas_available). Default false: needs kube-state-metrics, which Linkerd does not ship.'),
      expected: z
        .number()
        .int()
        .min(1)
        .default(3)
        .describe('Replicas each Deployment should have available (LinkerdControlPlaneReplicasBelowHA tickets below it). Default 3: the HA values (controllerReplicas: 3).'),
      for: duration
        .default('15m')
        .describe('How long available replicas must stay below expected before the ticket opens. Default 15m: a rolling update (maxUnavailable 1) briefly has one fewer.'),
      injectorUnavailableFor: duration
        .default('5m')
        .describe('How long linkerd-proxy-injector may have no available replica before LinkerdProxyInjectorUnavailable pages. Default 5m: in HA mode the injector webhook fails closed, so no pod in an injected namespace can be created meanwhile.'),
      namespaceLabel: labelName
        .default('namespace')
        .describe('Label holding the Deployment\'s namespace on kube-state-metrics series. Default namespace (kube-prometheus-stack scrapes it with honorLabels); exported_namespace when your scrape renames it.'),
    })
    .prefault({})
    .describe('HA replica checks from kube-state-metrics (optional source).'),
  proxyView: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Page when most meshed proxies hold no ready endpoint of the destination, policy or identity controller (control_<client>_balancer_endpoints, Linkerd 2.15+; not generated before). Default true: the gauges come with every 2.15+ proxy scrape, and this is the outage users feel even while the controllers answer their own scrape.'),
      share: z
        .number()
        .gt(0)
        .lt(1)
        .default(0.5)
        .describe('Share of the proxies exporting a client\'s gauge that must see no ready endpoint of it before LinkerdProxiesLostControlPlane pages. Default 0.5: more than half the mesh is a control-plane outage as its users see it, not one broken node or a pod still starting.'),
      for: duration
        .default('5m')
        .describe('How long that share must hold before the page. Default 5m: proxies ride out a controller restart on cached discovery and certificates, but endpoint updates, new services and new pods fail from the first minute.'),
    })
    .prefault({})
    .describe('LinkerdProxiesLostControlPlane: the data plane\'s view of the control plane (2.15+).'),
  versionSkew: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when proxies run a release too far behind the control plane (proxy_build_info). Default true: one cheap series per proxy, and an unsupported skew silently blocks the next upgrade.'),
      maxReleasesBehind: z
        .number()
        .int()
        .min(0)
        .default(1)
        .describe('Linkerd releases (2.<major>) a proxy may lag the control plane (linkerd.version). Default 1: Linkerd supports proxies one major version behind the control plane.'),
      for: duration
        .default('1h')
        .describe('How long old proxies must be present before the ticket opens. Default 1h: data-plane rollouts after an upgrade take a while; a pod that survives them is a real leftover.'),
    })
    .prefault({})
    .describe('LinkerdProxyVersionSkew: proxies from a release more than maxReleasesBehind behind the control plane.'),
});

export const configSection = {
  key: 'controlPlaneAvailability',
  schema: availabilityConfig
    .prefault({})
    .describe('Control-plane availability and hygiene: scrape health per component, HA replicas (kube-state-metrics), data-plane version skew.'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts).
  examples: {
    allOptions: { replicas: { enabled: true } },
    off: { enabled: false },
  },
} as const satisfies ConfigSection;
