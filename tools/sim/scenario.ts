/**
 * Scenarios: what goes wrong, and when. A scenario is a list of effects, each active over a time
 * interval given in seconds relative to the scenario's origin (an epoch in ms). The simulator asks
 * the scenario for the state of the world at a time; nothing here keeps counters.
 */
import type { CpComponent } from './linkerd.js';

/** Which proxies an effect applies to (all when omitted). */
export interface PodSelector {
  readonly namespace?: string;
  readonly workload?: string;
  /** Pod names. */
  readonly pods?: readonly string[];
  /** Only control-plane pods (true) or only data-plane pods (false). */
  readonly controlPlane?: boolean;
}

interface Timed {
  /** Start, in seconds after the scenario origin (inclusive). */
  readonly from: number;
  /** End, in seconds after the origin (exclusive); open-ended when omitted. */
  readonly to?: number;
}

export type Effect = Timed &
  (
    | {
        /** Share of a control-plane component's responses that fail (gRPC Unavailable), seen by both its own proxy and its clients. */
        readonly kind: 'cp-errors';
        readonly component: CpComponent;
        readonly ratio: number;
      }
    | {
        /** Latency of a control-plane component's responses: log-normal with this median (ms) and sigma. */
        readonly kind: 'cp-latency';
        readonly component: CpComponent;
        readonly medianMs: number;
        readonly sigma?: number;
      }
    | {
        /** Multiplies the request rate towards a control-plane component (low traffic, reconnect storms). */
        readonly kind: 'cp-traffic';
        readonly component: CpComponent;
        readonly factor: number;
      }
    | {
        /** A data-plane workload answers this share of its inbound requests with HTTP 503. */
        readonly kind: 'app-errors';
        readonly ratio: number;
        readonly select?: PodSelector;
      }
    | {
        /** A data-plane workload's inbound responses take this long (log-normal, ms): its own proxy and its callers' see it. */
        readonly kind: 'app-latency';
        readonly medianMs: number;
        readonly sigma?: number;
        readonly select?: PodSelector;
      }
    | {
        /** Multiplies data-plane application traffic. */
        readonly kind: 'app-traffic';
        readonly factor: number;
        readonly select?: PodSelector;
      }
    | {
        /** Proxy resource use: extra CPU cores and a resident-memory growth rate (bytes per hour while active). */
        readonly kind: 'proxy-resources';
        readonly extraCpuCores?: number;
        readonly memoryGrowthBytesPerHour?: number;
        readonly select?: PodSelector;
      }
    | {
        /** Proxies fail to renew their workload certificate (identity unreachable, issuer expired...). */
        readonly kind: 'cert-refresh-failure';
        readonly select?: PodSelector;
      }
    | {
        /** The target's /metrics cannot be scraped (up == 0, every series goes stale). */
        readonly kind: 'target-down';
        readonly job: 'linkerd-proxy' | 'linkerd-controller';
        readonly select?: PodSelector;
      }
    | {
        /** Metric families vanish from the exposition (a renamed metric, a metric_relabel_configs drop). */
        readonly kind: 'families-missing';
        readonly families: readonly string[];
        readonly select?: PodSelector;
      }
  );

export type EffectKind = Effect['kind'];

/** Pod identity as effects see it. */
export interface PodRef {
  readonly namespace: string;
  readonly workload: string;
  readonly name: string;
  readonly controlPlane: boolean;
}

export function selects(select: PodSelector | undefined, pod: PodRef): boolean {
  if (!select) return true;
  if (select.namespace !== undefined && select.namespace !== pod.namespace) return false;
  if (select.workload !== undefined && select.workload !== pod.workload) return false;
  if (select.pods !== undefined && !select.pods.includes(pod.name)) return false;
  if (select.controlPlane !== undefined && select.controlPlane !== pod.controlPlane) return false;
  return true;
}

export class Scenario {
  private readonly list: Effect[] = [];

  /** @param origin epoch ms the effects' `from`/`to` are relative to. */
  constructor(
    readonly origin: number,
    effects: readonly Effect[] = [],
    readonly name = 'custom',
  ) {
    for (const e of effects) this.add(e);
  }

  add(effect: Effect): this {
    if (effect.to !== undefined && effect.to <= effect.from) throw new Error(`effect ${effect.kind}: "to" (${effect.to}) must be after "from" (${effect.from})`);
    this.list.push(effect);
    return this;
  }

  get effects(): readonly Effect[] {
    return this.list;
  }

  /** Seconds after the origin for an epoch in ms. */
  offset(ms: number): number {
    return (ms - this.origin) / 1000;
  }

  /** Epoch ms of an offset in seconds. */
  at(seconds: number): number {
    return this.origin + seconds * 1000;
  }

  /** Effects of a kind active at epoch ms `t`. */
  active<K extends EffectKind>(kind: K, t: number): Array<Extract<Effect, { kind: K }>> {
    const s = this.offset(t);
    return this.list.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind && s >= e.from && (e.to === undefined || s < e.to));
  }

  /** Error ratio of a control-plane component at `t` (the largest active one). */
  cpErrorRatio(component: CpComponent, t: number): number {
    return Math.min(1, Math.max(0, ...this.active('cp-errors', t).filter((e) => e.component === component).map((e) => e.ratio)));
  }

  cpLatency(component: CpComponent, t: number): { medianMs: number; sigma: number } | undefined {
    const e = this.active('cp-latency', t).filter((x) => x.component === component).at(-1);
    return e ? { medianMs: e.medianMs, sigma: e.sigma ?? 0.5 } : undefined;
  }

  cpTraffic(component: CpComponent, t: number): number {
    return this.active('cp-traffic', t)
      .filter((e) => e.component === component)
      .reduce((f, e) => f * e.factor, 1);
  }

  appErrorRatio(pod: PodRef, t: number): number {
    return Math.min(1, Math.max(0, ...this.active('app-errors', t).filter((e) => selects(e.select, pod)).map((e) => e.ratio)));
  }

  appLatency(pod: PodRef, t: number): { medianMs: number; sigma: number } | undefined {
    const e = this.active('app-latency', t).filter((x) => selects(x.select, pod)).at(-1);
    return e ? { medianMs: e.medianMs, sigma: e.sigma ?? 0.5 } : undefined;
  }

  appTraffic(pod: PodRef, t: number): number {
    return this.active('app-traffic', t)
      .filter((e) => selects(e.select, pod))
      .reduce((f, e) => f * e.factor, 1);
  }

  extraCpu(pod: PodRef, t: number): number {
    return this.active('proxy-resources', t)
      .filter((e) => selects(e.select, pod))
      .reduce((sum, e) => sum + (e.extraCpuCores ?? 0), 0);
  }

  /** Resident-memory growth (bytes per second) at `t`. */
  memoryGrowth(pod: PodRef, t: number): number {
    return this.active('proxy-resources', t)
      .filter((e) => selects(e.select, pod))
      .reduce((sum, e) => sum + (e.memoryGrowthBytesPerHour ?? 0) / 3600, 0);
  }

  certRefreshFails(pod: PodRef, t: number): boolean {
    return this.active('cert-refresh-failure', t).some((e) => selects(e.select, pod));
  }

  targetDown(job: 'linkerd-proxy' | 'linkerd-controller', pod: PodRef, t: number): boolean {
    return this.active('target-down', t).some((e) => e.job === job && selects(e.select, pod));
  }

  missingFamilies(pod: PodRef, t: number): ReadonlySet<string> {
    const out = new Set<string>();
    for (const e of this.active('families-missing', t)) if (selects(e.select, pod)) for (const f of e.families) out.add(f);
    return out;
  }
}

/** Ready-made scenarios (offsets in seconds after the origin). */
export const scenarios = {
  healthy: (origin: number) => new Scenario(origin, [], 'healthy'),
  /** Every response of a component fails from `from` to `to`. */
  outage: (origin: number, component: CpComponent, from: number, to?: number) =>
    new Scenario(origin, [{ kind: 'cp-errors', component, ratio: 1, from, ...(to !== undefined ? { to } : {}) }], `${component}-outage`),
  /** A share of a component's responses fails. */
  partial: (origin: number, component: CpComponent, ratio: number, from: number, to?: number) =>
    new Scenario(origin, [{ kind: 'cp-errors', component, ratio, from, ...(to !== undefined ? { to } : {}) }], `${component}-errors-${ratio}`),
  /** The component becomes slow (median latency in ms). */
  slow: (origin: number, component: CpComponent, medianMs: number, from: number, to?: number) =>
    new Scenario(origin, [{ kind: 'cp-latency', component, medianMs, from, ...(to !== undefined ? { to } : {}) }], `${component}-slow`),
} as const;
