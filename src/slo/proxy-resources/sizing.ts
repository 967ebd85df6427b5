/**
 * The runbook's sizing rules as PromQL, and the settings they are read from. A proxy may use
 * idle + per-1k-RPS × its own request rate, in CPU and memory: the Linkerd production runbook's rule
 * of thumb of ~0.25 core and ~20 MB per 1,000 RPS, which slos.proxyResources.budget carries as its
 * defaults (config.ts says where each default comes from).
 */
import { binary, mul, num, type Expr } from '../../promql/ast.js';
import { cleanNumber } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import { controllerTargets, scrapeStyleOf } from '../../linkerd/catalog.js';
import type { BuildContext } from '../kind.js';

export const MIB = 1024 * 1024;
/** Grafana's unit for CPU cores (a custom suffix: Grafana has no core unit). */
export const CORES_UNIT = 'suffix: cores';

export type Resource = 'cpu' | 'memory';
export type ProxyResourcesConfig = Config['slos']['proxyResources'];

/**
 * The kind's config with the Prometheus plan switched off when the configured scrape never scrapes
 * Viz's Prometheus (the chart's PodMonitor from 2.19: catalog.ts controllerTargets): its recordings,
 * alert and panel would stay empty.
 */
export function settingsOf(ctx: BuildContext): ProxyResourcesConfig {
  const c = ctx.config.slos.proxyResources;
  const scraped = controllerTargets(ctx.facts, scrapeStyleOf(ctx.config.linkerd.controllerJob)).viz.includes('prometheus');
  return scraped ? c : { ...c, controlPlane: { ...c.controlPlane, prometheus: { ...c.controlPlane.prometheus, enabled: false } } };
}

/** `linear(x) = a + b·x` with clean numbers. */
function affine(intercept: number, slope: number, x: Expr): Expr {
  return binary('+', num(cleanNumber(intercept)), mul(num(cleanNumber(slope)), x));
}

/** The per-pod budget of one resource, in its unit (cores or bytes), from a per-pod request rate. */
export function budgetOf(c: ProxyResourcesConfig, resource: Resource, requests: Expr): Expr {
  const b = c.budget;
  return resource === 'cpu'
    ? affine(b.idleCpuCores, b.cpuCoresPer1kRps / 1000, requests)
    : affine(b.idleMemoryMiB * MIB, (b.memoryMiBPer1kRps * MIB) / 1000, requests);
}

/** Per-pod usage (cores or bytes) back from the recorded budget ratio: ratio × the pod's own budget. */
export function usageOf(c: ProxyResourcesConfig, resource: Resource, ratio: Expr, requests: Expr): Expr {
  return binary('*', ratio, budgetOf(c, resource, requests));
}
