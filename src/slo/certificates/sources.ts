/**
 * Where the certificates kind reads certificate lifetimes: the metric names of each source, the
 * identity controller's issuer TTL and the proxies' workload-certificate gauges for a version.
 * Shared by its rules (index.ts) and its dashboard tables (panels.ts).
 */
import { binary, eq, num, type Expr, type Selector } from '../../promql/ast.js';
import { atLeast } from '../../linkerd/catalog.js';
import { CONTROLLER_METRICS } from '../../linkerd/metric-names.js';
import type { BuildContext } from '../kind.js';

/**
 * Metric names of the certificate sources: Linkerd's identity controller (its name lives with the
 * other Linkerd facts in src/linkerd/metric-names.ts), cert-manager (`internal/collectors/certificate_collector.go`),
 * enix/x509-certificate-exporter (`internal/collector.go` at v3.21.0) and node-exporter's timex collector.
 */
export const CERTIFICATE_METRICS = {
  issuerTtl: CONTROLLER_METRICS.issuerCertTtl,
  certManagerExpiration: 'certmanager_certificate_expiration_timestamp_seconds',
  certManagerRenewal: 'certmanager_certificate_renewal_timestamp_seconds',
  certManagerReady: 'certmanager_certificate_ready_status',
  x509NotAfter: 'x509_cert_not_after',
  clockOffset: 'node_timex_offset_seconds',
  clockMaxError: 'node_timex_maxerror_seconds',
  clockSyncStatus: 'node_timex_sync_status',
} as const;

/**
 * The issuer TTL without the "no issuer loaded yet" reading. The identity controller reports
 * exactly 0 until it has loaded an issuer, then time.Until(NotAfter).Seconds(), which goes
 * negative once the issuer has expired while the controller keeps running with it (linkerd/linkerd2
 * pkg/identity/service.go, getIssuerCertTTL, added in #13615, at version-2.18). Only 0 is dropped:
 * `> 0` would also drop an expired issuer and resolve the page at the moment of expiry.
 */
export function issuerLoaded(ttl: Selector): Expr {
  return binary('!=', ttl, num(0));
}

/** The proxy job's workload-certificate selectors for the configured version. */
export function workloadSelectors(ctx: BuildContext): { expiry: Selector; refreshErrors?: Selector } {
  const { facts } = ctx;
  const expiry = ctx.proxySelector(facts.identityCertExpiryMetric);
  // linkerd/linkerd2-proxy PRs #2617, #2887: ≤2.14 only has identity_cert_refresh_count without a result label: no error signal.
  const refreshErrors = atLeast(facts.version, 15) ? ctx.proxySelector(facts.identityCertRefreshMetric, [eq('result', 'error')]) : undefined;
  return refreshErrors ? { expiry, refreshErrors } : { expiry };
}
