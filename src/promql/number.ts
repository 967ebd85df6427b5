/**
 * Numbers as a human would write them in PromQL: 0.001 rather than
 * 0.0009999999999999432 (what (100 - 99.9) / 100 gives in binary floating point).
 */
export function cleanNumber(value: number, significantDigits = 12): number {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  if (value === 0) return 0;
  return Number(value.toPrecision(significantDigits));
}

export function formatNumber(value: number, significantDigits = 12): string {
  const n = cleanNumber(value, significantDigits);
  const s = String(n);
  // JS prints 1e-7 for tiny values; PromQL accepts that form, keep it.
  return s;
}

/** 1 - objective, computed in percent space so 99.9 gives exactly 0.001. */
export function errorBudget(objectivePercent: number): number {
  return cleanNumber((100 - objectivePercent) / 100);
}

/** Prometheus durations: read in every unit Prometheus accepts (y, w, d, h, m, s, ms), printed by formatDuration. */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text);
  if (!m || text === '') throw new Error(`invalid duration "${text}" (expected e.g. 5m, 1h, 30d)`);
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let seconds = 0;
  units.forEach((u, i) => {
    const v = m[i + 1];
    if (v !== undefined) seconds += Number(v) * UNIT_SECONDS[u]!;
  });
  if (seconds <= 0) throw new Error(`duration must be greater than zero: "${text}"`);
  return seconds;
}

export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** A duration as the rules print it (formatDuration of its seconds): 1h30m → 90m, 60m → 1h, 1w → 7d. */
export function normalDuration(d: string): string {
  return formatDuration(parseDuration(d));
}

/**
 * A number of seconds as a Prometheus duration in one unit: the largest of d, h, m, s that divides it
 * exactly (5400 → 90m, never 1h30m; weeks are written as days); an error for a fraction of a second.
 */
export function formatDuration(seconds: number): string {
  for (const u of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[u]!;
    if (seconds >= size && seconds % size === 0) {
      // 1w is fine in PromQL but people read days more easily.
      if (u === 'w') return `${seconds / UNIT_SECONDS.d!}d`;
      return `${seconds / size}${u}`;
    }
  }
  throw new Error(`cannot express ${seconds}s as a whole Prometheus duration`);
}
