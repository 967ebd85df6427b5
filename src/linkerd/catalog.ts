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
