/**
 * What Linkerd really exposes, by version. Facts cite Linkerd's public sources (linkerd/linkerd2 and
 * linkerd/linkerd2-proxy paths at a release tag) where they were checked.
 */
import { PRE_VERSION_LABEL_RELEASE_COMMITS } from './proxy-releases.js';

export const SUPPORTED_VERSIONS = [
  '2.10', '2.11', '2.12', '2.13', '2.14', '2.15', '2.16', '2.17', '2.18', '2.19', '2.20',
] as const;
export type LinkerdVersion = (typeof SUPPORTED_VERSIONS)[number];

export function minor(version: LinkerdVersion): number {
  return Number(version.split('.')[1]);
}

export function atLeast(version: LinkerdVersion, min: number): boolean {
  return minor(version) >= min;
}

export interface LinkerdFacts {
  readonly version: LinkerdVersion;
  /** Proxy inbound endpoint labels: target_port exists from 2.11; 2.10 only has target_addr (linkerd/linkerd2-proxy `linkerd/http/metrics/src/requests/report.rs` at release/v2.294.0 label history). */
  readonly hasTargetPort: boolean;
  /** The policy controller serves proxies from 2.11 (linkerd/linkerd2 `charts/linkerd-control-plane/templates/` at version-2.18; linkerd/linkerd2#7067 inventory). */
  readonly hasPolicyController: boolean;
  /** Workload certificate expiry gauge: renamed with a control_ prefix in 2.16 (linkerd/linkerd2-proxy PRs #2617, #2887). */
  readonly identityCertExpiryMetric: string;
  /** Certificate refresh counter: `identity_cert_refresh_count` ≤2.14, `(control_)identity_cert_refreshes_total` 2.15+ (linkerd/linkerd2-proxy PRs #2617, #2887). */
  readonly identityCertRefreshMetric: string;
  /** issuer_cert_ttl_seconds from the identity controller, 2.18+ (linkerd/linkerd2 `pkg/identity/service.go` at version-2.18). */
  readonly hasIssuerTtlMetric: boolean;
  /**
   * The viz chart's linkerd-controller job drops the core control plane in 2.19 (it keeps port `admin`
   * after the port rename; linkerd/linkerd2 issues #14642, #15089; `viz/charts/linkerd-viz/templates/prometheus.yaml`
   * at version-2.19): controller-side metrics are missing unless the user fixed the scrape.
   */
  readonly controllerScrapeRegression: boolean;
  /**
   * Core containers of the controller job (`component` label = container name) whose /metrics works on
   * this version: public-api only on 2.10 (the controller deployment, gone in 2.11); policy from 2.13.
   * The policy container's admin port is `admin-http` on 2.11.0 but its admin server has no /metrics
   * (scraped, 404: linkerd/linkerd2 issues #7067, #7097), `admin` on 2.11.1–2.12 (not scraped, #7088),
   * and serves /metrics on `admin-http` from stable-2.13.0 (#10645 "Enable admin server metrics in the
   * policy controller": `charts/linkerd-control-plane/templates/destination.yaml` at stable-2.13.0).
   */
  readonly controllerComponents: readonly ControllerComponent[];
  /**
   * Viz containers on the controller job when it scrapes them: metrics-api, tap, tap-injector, web and
   * viz Prometheus. Never grafana: viz Grafana (2.10–2.11) has its own `grafana` job keeping container
   * `grafana` on port `http` (`viz/charts/linkerd-viz/templates/prometheus.yaml`, `grafana.yaml` at
   * stable-2.11.0); the port is not `admin-http`, so the controller job never sees it.
   */
  readonly vizComponents: readonly VizComponent[];
  /**
   * Admin ports renamed (`dest-admin`, `ident-admin`, …, viz `admin`) from 2.19 (linkerd/linkerd2 #14111;
   * `charts/linkerd-control-plane/templates/destination.yaml` at version-2.19): scrape configs keeping only
   * `admin-http` (the bring-your-own-Prometheus docs) scrape no core container.
   */
  readonly controllerPortsRenamed: boolean;
  /**
   * Controllers with gRPC server metrics (`grpc_server_handled_total{grpc_code}`) on the controller job:
   * destination and identity through go-grpc-prometheus, whose codes are Go's `codes.Code` names
   * (`Unavailable`; linkerd/linkerd2 `pkg/admin/admin.go`, `pkg/prometheus/prometheus.go` at version-2.18);
   * policy from 2.19 (linkerd/linkerd2 #14122, `policy-controller/grpc/src/metrics.rs` at version-2.19), whose
   * codes are upper case (`UNAVAILABLE`). `OK` is spelled the same by both.
   */
  readonly grpcServerComponents: readonly ServingComponent[];
  /** Admin port name of each core controller container (what a controller scrape job must keep). */
  readonly controllerAdminPorts: Readonly<Record<Exclude<ControllerComponent, 'public-api'>, string>>;
}

/**
 * Admin port names of the core controller containers: `admin-http` up to 2.18; renamed in 2.19
 * (linkerd/linkerd2 #14111; `charts/linkerd-control-plane/templates/destination.yaml`, `identity.yaml`,
 * `proxy-injector.yaml` at version-2.19 and version-2.20). Viz containers name theirs `admin` from 2.19.
 */
const ADMIN_PORTS_SINCE_2_19 = { destination: 'dest-admin', 'sp-validator': 'spval-admin', policy: 'policy-admin', identity: 'ident-admin', 'proxy-injector': 'injector-admin' } as const;

/**
 * The keep regex on `__meta_kubernetes_pod_container_port_name` of each shipped controller scrape, by
 * version: the Viz chart's `linkerd-controller` job (`viz/charts/linkerd-viz/templates/prometheus.yaml`):
 * `admin-http` ≤2.18, `admin` in 2.19 (viz only: #14642, #15089), `.*admin$` with a drop of `linkerd-admin`
 * from 2.20 (#15090); the control-plane chart's PodMonitor (`charts/linkerd-control-plane/templates/podmonitor.yaml`):
 * `admin-http` ≤2.18, `.*-admin$` from 2.19. The bring-your-own-Prometheus docs keep `admin-http` on every version.
 */
export function controllerKeepRegex(version: LinkerdVersion, style: ScrapeStyle): string {
  const m = minor(version);
  if (m <= 18) return 'admin-http';
  if (style === 'podMonitor') return '.*-admin$';
  return m === 19 ? 'admin' : '.*admin$';
}

/**
 * Control-plane components whose server side the proxies can measure (their SLIs: success rate,
 * latency, the client side's control_response_total). proxy-injector is not one: the chart marks
 * its webhook port 8443 opaque (config.linkerd.io/opaque-ports in linkerd/linkerd2
 * `charts/linkerd-control-plane/templates/proxy-injector.yaml`), so its proxy records no HTTP
 * responses; its availability is watched through scrape health and replicas instead.
 */
export const SERVING_COMPONENTS = ['destination', 'policy', 'identity'] as const;
export type ServingComponent = (typeof SERVING_COMPONENTS)[number];

/** Workload kinds whose pods the linkerd-proxy job labels with the owner's name (`deployment`, …; linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs and `pkg/inject/inject.go` at version-2.18). */
export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset'] as const;

/** Core control-plane containers that can appear as `component` on the controller job (charts/linkerd-control-plane/templates). */
export const CONTROLLER_COMPONENTS = ['destination', 'sp-validator', 'policy', 'identity', 'proxy-injector', 'public-api'] as const;
type ControllerComponent = (typeof CONTROLLER_COMPONENTS)[number];
/** Viz containers a config may name (grafana only to stay valid: it is never on the controller job, see vizComponents). */
export const VIZ_COMPONENTS = ['metrics-api', 'tap', 'tap-injector', 'web', 'prometheus', 'grafana'] as const;
type VizComponent = (typeof VIZ_COMPONENTS)[number];

/**
 * Minor number of the proxy pinned by each Linkerd release (`.proxy-version` at the linkerd/linkerd2
 * tag stable-2.1x.0 / version-2.1x): 2.18 ships v2.294.0. Strictly increasing; a release's patch versions stay below the next
 * release's pin (2.14.10 ships v2.210.4 < v2.221.0), so `proxy minor < PROXY_MINOR[2.N]` means a proxy
 * from a release older than 2.N.
 */
export const PROXY_MINOR: Readonly<Record<string, number>> = {
  '2.9': 118, '2.10': 138, '2.11': 161, '2.12': 185, '2.13': 197, '2.14': 207,
  '2.15': 221, '2.16': 246, '2.17': 268, '2.18': 294, '2.19': 326, '2.20': 359,
};

/** Docs tree of the upgrade guide: linkerd/website `linkerd.io/content` has `2.10` … `2.19` and `2-edge`. */
export function upgradeGuideUrl(version: LinkerdVersion): string {
  return `https://linkerd.io/${minor(version) <= 19 ? version : '2-edge'}/tasks/upgrade/`;
}

export function factsFor(version: LinkerdVersion): LinkerdFacts {
  const m = minor(version);
  return {
    version,
    hasTargetPort: m >= 11,
    hasPolicyController: m >= 11,
    identityCertExpiryMetric: m >= 16 ? 'control_identity_cert_expiration_timestamp_seconds' : 'identity_cert_expiration_timestamp_seconds',
    identityCertRefreshMetric:
      m >= 16 ? 'control_identity_cert_refreshes_total' : m === 15 ? 'identity_cert_refreshes_total' : 'identity_cert_refresh_count',
    hasIssuerTtlMetric: m >= 18,
    controllerScrapeRegression: m === 19,
    controllerComponents: CONTROLLER_COMPONENTS.filter((c) => (c === 'public-api' ? m === 10 : c === 'policy' ? m >= 13 : true)),
    vizComponents: VIZ_COMPONENTS.filter((c) => c !== 'grafana'),
    controllerPortsRenamed: m >= 19,
    grpcServerComponents: m >= 19 ? ['destination', 'identity', 'policy'] : ['destination', 'identity'],
    controllerAdminPorts: m >= 19
      ? ADMIN_PORTS_SINCE_2_19
      : { destination: 'admin-http', 'sp-validator': 'admin-http', policy: 'admin-http', identity: 'admin-http', 'proxy-injector': 'admin-http' },
  };
}

/**
 * How Prometheus scrapes the control plane:
 *  - `viz`: the `linkerd-controller` job of the viz chart's Prometheus config, which the bring-your-own-
 *    Prometheus docs copy (`viz/charts/linkerd-viz/templates/prometheus.yaml`);
 *  - `podMonitor`: the control-plane chart's Prometheus Operator PodMonitor `linkerd-controller`
 *    (`charts/linkerd-control-plane/templates/podmonitor.yaml`, stable-2.12.2 on; namespaces: the
 *    release namespace and linkerd-viz).
 * Prometheus Operator names a PodMonitor's job `<namespace>/<name>` (prometheus-operator
 * `pkg/prometheus/promcfg.go`, no jobLabel in Linkerd's PodMonitors); scrape configs have no `/` in job names.
 */
export type ScrapeStyle = 'viz' | 'podMonitor';

export function scrapeStyleOf(controllerJob: string): ScrapeStyle {
  return controllerJob.includes('/') ? 'podMonitor' : 'viz';
}

export interface ControllerTargets {
  /** Core containers the style scrapes (or, on 2.19's viz job, should scrape: see scrapeRegression). */
  readonly core: readonly ControllerComponent[];
  /** Viz containers the style scrapes. */
  readonly viz: readonly VizComponent[];
  /** The style's shipped keep rule drops the core control plane on this version (a bug to fix, not a choice). */
  readonly scrapeRegression: boolean;
  /** Viz containers exist but this style never scrapes them on this version (by design of its keep rule). */
  readonly vizUnscraped: boolean;
}

/**
 * What each scrape style's keep rule (on `__meta_kubernetes_pod_container_port_name`) gives the
 * controller job, per version:
 *  - viz job: `admin-http` ≤2.18 (core and viz); `admin` in 2.19, which keeps only the viz ports after
 *    the port rename (#14111: `dest-admin`, `ident-admin`, …; viz `admin`), a regression (issues #14642,
 *    #15089) that 2.20 fixes with `.*admin$` plus a `linkerd-admin` drop (prometheus.yaml at version-2.20).
 *    On 2.19 the core containers stay expected: without them nothing watches the control plane.
 *  - PodMonitor: `admin-http` ≤2.18 (same as the viz job); `.*-admin$` from 2.19, which keeps the core
 *    ports and never the viz ports named `admin` (podmonitor.yaml at version-2.19 and version-2.20; the
 *    viz chart ships no PodMonitor of its own), so viz containers are not expected there.
 */
export function controllerTargets(facts: LinkerdFacts, style: ScrapeStyle): ControllerTargets {
  const renamed = facts.controllerPortsRenamed;
  const vizUnscraped = style === 'podMonitor' && renamed;
  return {
    core: facts.controllerComponents,
    viz: vizUnscraped ? [] : facts.vizComponents,
    scrapeRegression: style === 'viz' && facts.controllerScrapeRegression,
    vizUnscraped,
  };
}

/**
 * proxy_build_info label sets. From proxy v2.205 (linkerd/linkerd2-proxy commit d6172c594 "Emit
 * distinguishable version info", first in release/v2.205.0; Linkerd 2.14.0 ships v2.207.0) the proxy
 * reports `version` (the release without its `v`, e.g. "2.294.0": LINKERD2_PROXY_VERSION is `${VERSION#v}`
 * in `.github/workflows/release.yml`), `git_sha`, `profile`, `date`, `vendor`. Before, it reports
 * `git_branch`, `git_sha`, `git_version`, `profile`, `rust_version` and no `version`
 * (`linkerd/app/core/src/telemetry/build_info.rs` at release/v2.204.0); see proxy-releases.ts for what
 * `git_version` holds. So every Linkerd ≤ 2.13 proxy lacks `version`.
 */
export const PROXY_VERSION_LABEL_SINCE = 205;

/** Short commits of the proxy release tags below `proxyMinor` (all before PROXY_VERSION_LABEL_SINCE). */
export function releaseCommitsBefore(proxyMinor: number): string[] {
  return PRE_VERSION_LABEL_RELEASE_COMMITS.filter(([m]) => m < proxyMinor).flatMap(([, commits]) => commits);
}

/**
 * Addresses proxies use for the control plane, from the injector template (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0):
 * `linkerd-dst-headless.<ns>.svc.<domain>.:8086` etc. Whether the trailing dot is rendered is
 * unconfirmed (not confirmed at runtime: `charts/partials/templates/_proxy.tpl` renders a trailing dot, a real scrape shows none) and the real scrape (anchors/linkerd-proxy-scrape) has none, so the
 * selector is a regex that accepts both.
 */
export const CONTROL_PLANE_CLIENT_ADDR = {
  destination: { service: 'linkerd-dst-headless', port: 8086 },
  policy: { service: 'linkerd-policy', port: 8090 },
  identity: { service: 'linkerd-identity-headless', port: 8080 },
} as const;

/**
 * Which pod's proxy serves a component: the policy controller is a container in the
 * destination pod (linkerd/linkerd2 `charts/linkerd-control-plane/templates/` at version-2.18; linkerd/linkerd2#7067), so its traffic is seen by the destination pod's proxy. The pod label
 * linkerd.io/control-plane-component becomes `control_plane_component` under the standard
 * linkerd-proxy scrape config (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` relabel_configs at version-2.18).
 */
export const CONTROL_PLANE_POD_COMPONENT = {
  destination: 'destination',
  policy: 'destination',
  identity: 'identity',
} as const;

/**
 * Metrics Linkerd renamed between versions: the same signal under each name, with the minor
 * versions that expose it (linkerd/linkerd2-proxy PRs #2617, #2887 identity certificates, linkerd/linkerd2 `CHANGES.md` edge-21.7.3 error counters). `linkerd-slo check`
 * uses it to tell "wrong Linkerd version configured" from "not scraped".
 */
const METRIC_RENAMES: ReadonlyArray<ReadonlyArray<{ readonly name: string; readonly since: number; readonly until?: number }>> = [
  [
    { name: 'identity_cert_expiration_timestamp_seconds', since: 10, until: 15 },
    { name: 'control_identity_cert_expiration_timestamp_seconds', since: 16 },
  ],
  [
    { name: 'identity_cert_refresh_count', since: 10, until: 14 },
    { name: 'identity_cert_refreshes_total', since: 15, until: 15 },
    { name: 'control_identity_cert_refreshes_total', since: 16 },
  ],
  [
    { name: 'identity_cert_refresh_timestamp_seconds', since: 15, until: 15 },
    { name: 'control_identity_cert_refresh_timestamp_seconds', since: 16 },
  ],
  [
    { name: 'request_errors_total', since: 9, until: 10 },
    { name: 'inbound_http_errors_total', since: 11 },
  ],
];

/** Other names of the same signal, with the versions (e.g. "2.10–2.15") that use them. */
export function otherNamesOf(metric: string): Array<{ name: string; versions: string }> {
  const family = METRIC_RENAMES.find((f) => f.some((m) => m.name === metric));
  return (family ?? [])
    .filter((m) => m.name !== metric)
    .map((m) => ({ name: m.name, versions: m.until === undefined ? `2.${m.since}+` : m.since === m.until ? `2.${m.since}` : `2.${m.since}–2.${m.until}` }));
}
