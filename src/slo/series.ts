/**
 * The names of the series linkerd-slo records and other parts read back: the burn-rate engine's
 * SLI recordings (every ratio SLO writes them, labelled slo, sli and component), the latency kind's
 * histogram and volume recordings. Kinds write them; dashboards and the overview read them through
 * these names, so no emitter needs to import a kind.
 */

/**
 * The `slo` label of the control-plane SLOs' recordings: the control-plane dashboard reads their
 * SLI recordings by it (and falls back to raw series where the SLO is off).
 */
export const CONTROL_PLANE_SLO = { successRate: 'control-plane-success-rate', latency: 'control-plane-latency' } as const;

/** The control-plane memory recording of the proxy-resources kind (a per-node plan input; the dashboard shows it). */
export const CONTROL_PLANE_MEMORY_RECORDING = 'linkerd_slo:control_plane_memory_bytes';

/** Labels of the burn-rate engine's alerts that say which window pair fired. */
export const BURN_RATE_WINDOW_LABELS = ['long', 'short'] as const;

/** Recordings of every ratio SLI (src/slo/burn-rate.ts), labelled slo, sli and component. */
export const SLI_RECORDINGS = {
  errorsRate: 'linkerd_slo:sli_errors:rate5m',
  requestsRate: 'linkerd_slo:sli_requests:rate5m',
  errorRatio: (w: string) => `linkerd_slo:sli_error:ratio_rate${w}`,
  requestsOver: (w: string) => `linkerd_slo:sli_requests:rate${w}`,
  budgetRemaining: 'linkerd_slo:error_budget_remaining:ratio',
} as const;

/**
 * One pass over a raw family per evaluation: what several rules read of a raw family, recorded once
 * at the coarsest aggregation they share, at the head of the group that reads it
 * (rules of a group run in order, so its readers see this evaluation's value). The rules derive
 * their sums from it instead of reading the raw family again; at 10,000 pods each raw read costs
 * about as much as one naive rule (bench/RESULTS.md).
 */
export const RAW_FAMILY_RECORDINGS = {
  /** Every proxy's control_response_total towards the watched control-plane Services, by addr and classification. */
  controlResponses: 'linkerd_slo:control_response_total:rate5m',
  /**
   * Seconds left on each proxy's leaf certificate, only for the pods within the longest alert
   * threshold (expired ones included): what the expiring alerts need, not a series per pod.
   */
  proxyCertificateRemaining: 'linkerd_slo:proxy_certificate_remaining:seconds',
} as const;

/** The window of the recorded control-plane latency histogram (what the latency spike alert and the dashboards read). */
export const LATENCY_HISTOGRAM_WINDOW = '5m';

/** Recordings of the control-plane latency kind, labelled slo, sli and component. */
export const LATENCY_RECORDINGS = {
  /** Per-bucket rate of the component's responses, summed by le: the input of histogram_quantile. */
  histogram: `linkerd_slo:response_latency_ms_bucket:rate${LATENCY_HISTOGRAM_WINDOW}`,
  /** The same aggregate as one native histogram (linkerd.histograms: native), no `le` label. */
  nativeHistogram: `linkerd_slo:response_latency_ms:rate${LATENCY_HISTOGRAM_WINDOW}`,
  /** Request rate over the volume window, 0 (not absent) while the pod is scraped but idle. */
  volume: (w: string) => `linkerd_slo:request_volume:rate${w}`,
  /** Average of the above over the baseline window. */
  volumeBaseline: (w: string, baseline: string) => `linkerd_slo:request_volume:rate${w}_avg${baseline}`,
} as const;

/** The OpenSLO service of the control-plane SLOs (success rate, latency). */
export const CONTROL_PLANE_SERVICE = 'linkerd-control-plane';
