/**
 * Metric storage of one simulated scrape target: families of counters, gauges and histograms,
 * rendered in the Prometheus text format the way the Linkerd proxy writes it. Counters are kept as
 * real numbers and shown rounded down, so a rate of 0.3 requests/second shows as an integer
 * counter that grows by one every few seconds, and a series only appears once it is above zero
 * (the proxy only exports series that were incremented).
 */
import { LATENCY_BUCKETS_MS } from './linkerd.js';

export type FamilyType = 'counter' | 'gauge' | 'histogram';

export interface FamilyOptions {
  /** Integer-valued counter (requests); false for e.g. CPU seconds. Default true for counters. */
  readonly int?: boolean;
  /** Evicted after the proxy's idle retention (legacy HTTP and control families; linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0). */
  readonly evict?: boolean;
  /** Name on the # TYPE line when it differs from the family name (prometheus-client counters drop _total). */
  readonly typeName?: string;
  /** Digits after the decimal point for non-integer values. */
  readonly decimals?: number;
}

/** A recorded run of samples of one series (for history output). */
interface Run {
  readonly start: number;
  readonly values: number[];
}

export interface Rec {
  /** Sample name (family name, or with _bucket/_count/_sum). */
  readonly name: string;
  /** Full label text: target labels then series labels. */
  readonly labels: string;
  readonly runs: Run[];
  lastStep: number;
}

/** What every series of a family keeps: its identity, and when it last changed (for idle eviction). */
abstract class SeriesIdentity {
  lastChange: number;
  evicted = false;
  constructor(
    readonly family: Family,
    readonly key: string,
    readonly labels: string,
    now: number,
  ) {
    this.lastChange = now;
  }
}

export class Scalar extends SeriesIdentity {
  acc = 0;
  rec?: Rec;

  get visible(): boolean {
    return this.family.type === 'gauge' || !this.family.int || this.acc >= 1;
  }

  add(delta: number, now: number): void {
    if (delta <= 0) return;
    const before = Math.floor(this.acc);
    this.acc += delta;
    if (Math.floor(this.acc) !== before) this.lastChange = now;
  }

  set(value: number, now: number): void {
    if (value !== this.acc) this.lastChange = now;
    this.acc = value;
  }

  /** Value as exposed. */
  get value(): number {
    return this.family.type === 'counter' && this.family.int ? Math.floor(this.acc) : this.acc;
  }
}

export class Hist extends SeriesIdentity {
  /** Real-valued cumulative count at or under each finite bound (what the latency shape says). */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_MS.length);
  /**
   * Whole responses in each bucket on its own (not cumulative; the last is above the largest bound),
   * as exposed. A proxy adds each response to one bucket, so these only grow: the real shares are
   * dealt out as whole responses rather than rounded afresh at each scrape, where a bucket could
   * lose one to its neighbour (for a native histogram, Prometheus reads any bucket that drops as a
   * counter reset of the whole histogram).
   */
  readonly whole: number[] = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  count = 0;
  sum = 0;
  recs?: Rec[];

  get visible(): boolean {
    return this.count >= 1;
  }

  /** Adds `n` observations whose share at or under each bucket bound is `cdf[i]`, with mean `meanMs`. */
  observe(n: number, cdf: Float64Array, meanMs: number, now: number): void {
    if (n <= 0) return;
    const before = Math.floor(this.count);
    for (let i = 0; i < cdf.length; i++) this.buckets[i]! += n * cdf[i]!;
    this.count += n;
    this.sum += n * meanMs;
    if (Math.floor(this.count) !== before) {
      this.lastChange = now;
      this.deal(Math.floor(this.count) - before);
    }
  }

  /** Hands `k` new whole responses to the buckets that are furthest behind their real share. */
  private deal(k: number): void {
    const real = (i: number) => (i < this.buckets.length ? this.buckets[i]! : this.count) - (i === 0 ? 0 : this.buckets[i - 1]!);
    const behind = this.whole.map((w, i) => ({ i, by: real(i) - w })).sort((a, b) => b.by - a.by || a.i - b.i);
    // Whole responses first (a large step), then one each to the largest remainders.
    for (const b of behind) {
      const take = Math.min(k, Math.max(0, Math.floor(b.by)));
      this.whole[b.i]! += take;
      b.by -= take;
      k -= take;
    }
    behind.sort((a, b) => b.by - a.by || a.i - b.i);
    for (let j = 0; k > 0; j = (j + 1) % behind.length, k--) this.whole[behind[j]!.i]! += 1;
  }
}

export type Series = Scalar | Hist;

export class Family {
  readonly series = new Map<string, Series>();
  readonly int: boolean;
  readonly evict: boolean;
  readonly typeName: string;
  readonly decimals: number;
  constructor(
    readonly name: string,
    readonly type: FamilyType,
    readonly help: string,
    opts: FamilyOptions = {},
  ) {
    this.int = opts.int ?? type === 'counter';
    this.evict = opts.evict ?? false;
    this.typeName = opts.typeName ?? name;
    this.decimals = opts.decimals ?? 3;
  }
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function labelText(labels: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>): string {
  const pairs = Array.isArray(labels) ? labels : Object.entries(labels);
  return (pairs as ReadonlyArray<readonly [string, string]>).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

export function joinLabels(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(',');
}

/** How Linkerd prints a bucket bound: Rust f64 Display, "100", "+Inf" (linkerd/linkerd2-proxy `linkerd/metrics/src/histogram.rs` at release/v2.294.0). */
export const LE_TEXT = [...LATENCY_BUCKETS_MS.map((b) => String(b)), '+Inf'];

export function formatValue(family: Family, v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (family.type === 'counter' && family.int) return String(Math.floor(v));
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(family.decimals)));
}

/** The family's series with these labels, created (as `kind`) on first use. */
function seriesOf<T extends Series>(kind: new (family: Family, key: string, labels: string, now: number) => T, family: Family, labels: string, now: number): T {
  let s = family.series.get(labels);
  if (!s) {
    s = new kind(family, labels, labels, now);
    family.series.set(labels, s);
  }
  return s as T;
}

export class Registry {
  readonly families: Family[] = [];
  private readonly byName = new Map<string, Family>();

  family(name: string, type: FamilyType, help: string, opts?: FamilyOptions): Family {
    let f = this.byName.get(name);
    if (!f) {
      f = new Family(name, type, help, opts);
      this.byName.set(name, f);
      this.families.push(f);
    }
    return f;
  }

  get(name: string): Family | undefined {
    return this.byName.get(name);
  }

  scalar(family: Family, labels: string, now: number): Scalar {
    return seriesOf(Scalar, family, labels, now);
  }

  hist(family: Family, labels: string, now: number): Hist {
    return seriesOf(Hist, family, labels, now);
  }

  /** Drops series of evictable families whose value has not changed for `retainMs` (Linkerd docs https://linkerd.io/2.19/reference/proxy-metrics/, Metric Expiry). */
  evictIdle(now: number, retainMs: number): void {
    for (const f of this.families) {
      if (!f.evict) continue;
      for (const [key, s] of f.series) {
        if (now - s.lastChange > retainMs) {
          s.evicted = true;
          f.series.delete(key);
        }
      }
    }
  }

  /**
   * Text exposition (format 0.0.4). `prefix` (already-rendered labels) is put before each series'
   * own labels: the target labels, for an aggregate endpoint scraped with honor_labels.
   */
  render(prefix = '', skip?: ReadonlySet<string>, out: string[] = []): string[] {
    for (const f of this.families) {
      if (skip?.has(f.name)) continue;
      const visible = [...f.series.values()].filter((s) => s.visible);
      if (visible.length === 0) continue;
      out.push(`# HELP ${f.typeName} ${f.help}`, `# TYPE ${f.typeName} ${f.type}`);
      for (const s of visible) renderSeries(f, s, prefix, out);
    }
    return out;
  }
}

/** Exposed values of a histogram: cumulative bucket counts (one per LE_TEXT entry, +Inf = count), count and sum. */
export function histValues(s: Hist): { buckets: number[]; count: number; sum: number } {
  let below = 0;
  const buckets = s.whole.map((w) => (below += w));
  return { buckets, count: below, sum: Math.round(s.sum) };
}

export function renderSeries(f: Family, s: Series, prefix: string, out: string[]): void {
  if (s instanceof Hist) {
    const base = joinLabels(prefix, s.labels);
    const sep = base === '' ? '' : ',';
    const h = histValues(s);
    for (let i = 0; i < LE_TEXT.length; i++) out.push(`${f.name}_bucket{${base}${sep}le="${LE_TEXT[i]}"} ${h.buckets[i]}`);
    out.push(`${f.name}_count${base === '' ? '' : `{${base}}`} ${h.count}`);
    out.push(`${f.name}_sum${base === '' ? '' : `{${base}}`} ${h.sum}`);
    return;
  }
  const labels = joinLabels(prefix, s.labels);
  out.push(`${f.name}${labels === '' ? '' : `{${labels}}`} ${formatValue(f, s.value)}`);
}
