/**
 * What Linkerd really exposes, by version. Every entry cites the section of
 * shared/reference/linkerd-metrics.md it comes from; change a fact there first.
 */

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
  /** Proxy inbound endpoint labels: target_port exists from 2.11; 2.10 only has target_addr (§1.2 label history). */
  readonly hasTargetPort: boolean;
  /** The policy controller serves proxies from 2.11 (§3.1 inventory). */
  readonly hasPolicyController: boolean;
  /** Workload certificate expiry gauge: renamed with a control_ prefix in 2.16 (§1.8). */
  readonly identityCertExpiryMetric: string;
  /** Certificate refresh counter: `identity_cert_refresh_count` ≤2.14, `(control_)identity_cert_refreshes_total` 2.15+ (§1.8). */
  readonly identityCertRefreshMetric: string;
  /** issuer_cert_ttl_seconds from the identity controller, 2.18+ (§5.1). */
  readonly hasIssuerTtlMetric: boolean;
  /**
   * The viz chart's linkerd-controller job drops the core control plane in 2.19 (port rename,
   * issues #14642/#15089; §2.2): controller-side metrics are missing unless the user fixed the scrape.
   */
  readonly controllerScrapeRegression: boolean;
  /**
   * Core containers of the linkerd-controller job (`component` label = container name, §2.3) whose
   * /metrics works on this version (§3.1, §3.3): public-api only on 2.10 (the controller deployment,
   * removed in 2.11); policy only from 2.15 (2.11.0 scraped but 404, 2.11.1–2.12 port `admin` not
   * scraped, 2.13–2.14 no Prometheus endpoint so probably 404 → up == 0).
   */
  readonly controllerComponents: readonly ControllerComponent[];
  /** Viz containers scraped by the same job (§3.1): grafana until 2.11. */
  readonly vizComponents: readonly VizComponent[];
  /**
   * Admin ports renamed (`dest-admin`, `ident-admin`, …, viz `admin`) from 2.19 (§2.2): scrape configs
   * keeping only `admin-http` (the BYOP docs, §2.4) scrape no core container.
   */
  readonly controllerPortsRenamed: boolean;
}

/** Core control-plane containers that can appear as `component` on the linkerd-controller job (§3.1). */
export const CONTROLLER_COMPONENTS = ['destination', 'sp-validator', 'policy', 'identity', 'proxy-injector', 'public-api'] as const;
export type ControllerComponent = (typeof CONTROLLER_COMPONENTS)[number];
/** Viz containers on the same job (§2.3, §3.1). */
export const VIZ_COMPONENTS = ['metrics-api', 'tap', 'tap-injector', 'web', 'prometheus', 'grafana'] as const;
export type VizComponent = (typeof VIZ_COMPONENTS)[number];

/**
 * Minor number of the proxy pinned by each Linkerd release (`.proxy-version` at the release tag, §0
 * table): 2.18 ships v2.294.0. Strictly increasing; a release's patch versions stay below the next
 * release's pin (2.14.10 ships v2.210.4 < v2.221.0), so `proxy minor < PROXY_MINOR[2.N]` means a proxy
 * from a release older than 2.N.
 */
export const PROXY_MINOR: Readonly<Record<string, number>> = {
  '2.9': 118, '2.10': 138, '2.11': 161, '2.12': 185, '2.13': 197, '2.14': 207,
  '2.15': 221, '2.16': 246, '2.17': 268, '2.18': 294, '2.19': 326, '2.20': 359,
};

/** Docs tree of the upgrade guide: linkerd/website has `2.10` … `2.19` and `2-edge` (§0). */
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
    controllerComponents: CONTROLLER_COMPONENTS.filter((c) => (c === 'public-api' ? m === 10 : c === 'policy' ? m >= 15 : true)),
    vizComponents: VIZ_COMPONENTS.filter((c) => c !== 'grafana' || m <= 11),
    controllerPortsRenamed: m >= 19,
  };
}

/**
 * Addresses proxies use for the control plane, from the injector template (§1.3):
 * `linkerd-dst-headless.<ns>.svc.<domain>.:8086` etc. Whether the trailing dot is rendered is
 * unconfirmed (§8) and the real scrape (anchors/linkerd-proxy-scrape) has none, so the
 * selector is a regex that accepts both.
 */
export const CONTROL_PLANE_CLIENT_ADDR = {
  destination: { service: 'linkerd-dst-headless', port: 8086 },
  policy: { service: 'linkerd-policy', port: 8090 },
  identity: { service: 'linkerd-identity-headless', port: 8080 },
} as const;

/**
 * Which pod's proxy serves a component: the policy controller is a container in the
 * destination pod (§3.1), so its traffic is seen by the destination pod's proxy. The pod label
 * linkerd.io/control-plane-component becomes `control_plane_component` under the standard
 * linkerd-proxy scrape config (§2.3).
 */
export const CONTROL_PLANE_POD_COMPONENT = {
  destination: 'destination',
  policy: 'destination',
  identity: 'identity',
} as const;

/**
 * Metrics Linkerd renamed between versions: the same signal under each name, with the minor
 * versions that expose it (§1.8 identity certificates, §1.5 error counters). `linkerd-slo check`
 * uses it to tell "wrong Linkerd version configured" from "not scraped".
 */
export const METRIC_RENAMES: ReadonlyArray<ReadonlyArray<{ readonly name: string; readonly since: number; readonly until?: number }>> = [
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
