/**
 * The names the control-plane availability kind publishes: its rule group, alerts and the metrics
 * it reads besides the controllers' own. Runbooks and the tests read them; every source of the kind
 * (controller-scrape.ts, replicas.ts, version-skew.ts, proxy-view.ts) writes under them.
 */
import { PROXY_METRICS } from '../../linkerd/metric-names.js';

/** The `slo` label of every alert of the kind. */
export const AVAILABILITY_ID = 'control-plane-availability';

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
