/**
 * Linkerd metrics simulator: a mesh's proxies and control-plane containers, scripted scenarios,
 * a live /metrics endpoint for a real scrape and OpenMetrics history for promtool backfill.
 * Used by test/e2e and bench/; not part of the generator.
 */
export * from './linkerd.js';
export * from './mesh.js';
export * from './scenario.js';
export { LinkerdSimulator } from './simulator.js';
export { DEFAULT_RATES } from './options.js';
export { latencyShape } from './latency.js';
export { Target } from './target.js';
export { KUBE_STATE_JOB, nativeSidecarDefault } from './kube-state.js';
export { KUBELET_JOB } from './cadvisor.js';
export type { KubeStateOptions, ProxyContainerResources } from './kube-state.js';
export type { SimulatorOptions, TrafficRates } from './options.js';
export type { LatencyDist } from './latency.js';
export type { Job } from './target.js';
export { writeOpenMetricsHistory, backfill } from './history.js';
export type { HistoryOptions, HistoryResult } from './history.js';
export { serveSimulator } from './server.js';
export type { SimServer } from './server.js';
export * from './prometheus.js';
export { simulatorFor, workloadsOf } from './from-config.js';
export type { NamedWorkload } from './from-config.js';
export {
  queryApi, replay, requireVictoriaMetrics, ruleLevels, startVictoriaMetrics, startVmalert, victoriaMetricsVersion,
} from './victoria.js';
export type { LiveVmalert, QueryApi, ReplayOptions, VictoriaMetrics } from './victoria.js';
export * from './engines.js';
