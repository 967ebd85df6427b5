/**
 * The data plane's view of the control plane: every proxy balances its destination, policy and
 * identity clients over the endpoints it resolves for them, and from Linkerd 2.15 exports how many it
 * holds per state. Registered by linkerd/linkerd2-proxy `linkerd/app/core/src/control.rs` ("balancer"
 * under each client's registry, labels `addr` = the control-plane address) and
 * `linkerd/proxy/balance/gauge-endpoints/src/lib.rs` (gauge `endpoints`, label `endpoint_state` =
 * ready | pending), under the prefixes `control_destination`, `control_policy` and `control_identity`
 * of `linkerd/app/src/lib.rs` and `linkerd/app/src/identity.rs`; first in release/v2.220.0, shipped by
 * Linkerd 2.15 (proxy v2.221.0), unchanged at release/v2.359.0 (2.20). Proxies of 2.14 (v2.210.x) have none.
 */
import { minor, type LinkerdVersion } from './catalog.js';

/** The control-plane clients of a proxy, in the order people read them. */
export const CONTROL_CLIENTS = ['destination', 'policy', 'identity'] as const;
export type ControlClient = (typeof CONTROL_CLIENTS)[number];

/** First Linkerd minor whose proxies export the gauges. */
const CONTROL_BALANCER_ENDPOINTS_SINCE = 15;

/** The endpoints gauge of one client's balancer. */
export const controlBalancerEndpoints = (client: ControlClient): string => `control_${client}_balancer_endpoints`;

/** An endpoint is `ready` once its connection (TCP and mTLS to the controller) can take a request, `pending` before. */
export const ENDPOINT_STATE = { label: 'endpoint_state', ready: 'ready', pending: 'pending' } as const;

/** Whether this version's proxies export the gauges. */
export const hasControlBalancerEndpoints = (version: LinkerdVersion): boolean => minor(version) >= CONTROL_BALANCER_ENDPOINTS_SINCE;
