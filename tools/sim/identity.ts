/**
 * A proxy's workload certificate: (control_)identity_cert_expiration_timestamp_seconds and the
 * refresh counter of the version (SimFacts.certExpiry/certRefresh), renewed at 70% of its lifetime
 * (Linkerd docs https://linkerd.io/2.18/features/automatic-mtls/) and clamped to the issuer's notAfter
 * (linkerd/linkerd2 `pkg/tls/ca.go` at version-2.18). The identity controller's own series
 * (issuer_cert_ttl_seconds, Certify calls) are control-plane.ts'.
 */
import type { SimFacts } from './linkerd.js';
import type { Registry } from './registry.js';

export interface CertState {
  expiry: number;
  nextRefresh: number;
  lastRefresh: number;
  ok: number;
  errors: number;
}

/** Lifetime of workload certificates and the issuer's notAfter (epoch seconds). */
export interface CertPolicy {
  readonly certLifetime: number;
  readonly issuerNotAfter: number;
}

// LINKERD2_PROXY_IDENTITY_MIN_REFRESH (linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0)
const MIN_REFRESH_SECONDS = 10;

const REFRESH_HELP = "The total number of times this proxy's mTLS identity certificate has been refreshed by the Identity service.";

export function registerCertFamilies(reg: Registry, f: SimFacts): void {
  reg.family(f.certExpiry, 'gauge', "Time when the this proxy's current mTLS identity certificate will expire (in seconds since the UNIX epoch).");
  if (f.certRefresh.labelled) {
    reg.family(f.certRefresh.name, 'counter', REFRESH_HELP, { typeName: f.certRefresh.name.replace(/_total$/, '') });
    reg.family(f.certRefresh.timestamp!, 'gauge', "Time when this proxy's mTLS identity certificate was last refreshed (in seconds since the UNIX epoch).");
  } else {
    reg.family(f.certRefresh.name, 'counter', REFRESH_HELP);
  }
}

/** The certificate a pod of this age holds: renewed at 70% of its lifetime since the pod started. */
export function initialCert(podAge: number, podStart: number, p: CertPolicy): CertState {
  const refreshEvery = 0.7 * p.certLifetime;
  const renewals = Math.floor(podAge / refreshEvery);
  const issued = podStart + renewals * refreshEvery;
  const expiry = Math.min(issued + p.certLifetime, p.issuerNotAfter);
  return { expiry, nextRefresh: issued + 0.7 * (expiry - issued), lastRefresh: issued, ok: renewals + 1, errors: 0 };
}

/** Renewals due between fromSec and toSec; while refreshes fail, one error every MIN_REFRESH_SECONDS. */
export function advanceCert(c: CertState, failing: boolean, fromSec: number, toSec: number, p: CertPolicy): void {
  if (c.nextRefresh > toSec) return;
  if (failing) {
    const attempts = Math.floor((toSec - c.nextRefresh) / MIN_REFRESH_SECONDS) + 1;
    c.errors += attempts;
    c.nextRefresh += attempts * MIN_REFRESH_SECONDS;
    return;
  }
  while (c.nextRefresh <= toSec) {
    const issued = Math.max(c.nextRefresh, fromSec);
    c.expiry = Math.min(issued + p.certLifetime, p.issuerNotAfter);
    c.lastRefresh = issued;
    c.ok += 1;
    // Renew at 70% of the remaining lifetime, at least MIN_REFRESH_SECONDS later.
    c.nextRefresh = issued + Math.max(MIN_REFRESH_SECONDS, 0.7 * (c.expiry - issued));
  }
}

export function certGauges(reg: Registry, f: SimFacts, cert: CertState, now: number): void {
  reg.scalar(reg.get(f.certExpiry)!, '', now).set(cert.expiry, now);
  const refresh = reg.get(f.certRefresh.name)!;
  if (f.certRefresh.labelled) {
    reg.scalar(refresh, 'result="ok"', now).set(cert.ok, now);
    if (cert.errors > 0) reg.scalar(refresh, 'result="error"', now).set(cert.errors, now);
    if (f.certRefresh.timestamp) reg.scalar(reg.get(f.certRefresh.timestamp)!, '', now).set(cert.lastRefresh, now);
  } else {
    reg.scalar(refresh, '', now).set(cert.ok, now);
  }
}
