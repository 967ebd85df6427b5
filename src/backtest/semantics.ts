/**
 * Prometheus' alerting-rule state machine, applied to the evaluations of one alert expression on the
 * evaluation grid. Mirrors rules/alerting.go (AlertingRule.Eval) of prometheus/prometheus v2.42:
 *   - a label set first returned at evaluation t becomes pending with activeAt = t;
 *   - pending becomes firing at the first evaluation t where t - activeAt >= `for` (at once when `for` is 0);
 *   - a label set no longer returned: pending is dropped at once; firing resolves at that evaluation,
 *     unless keep_firing_for is set: then it keeps firing until t - (first evaluation without it) >= keep_firing_for;
 *   - a label set returned again while still kept firing stays the same firing alert.
 * Intervals are [start, end) in epoch seconds, `end` being the evaluation at which the state ended
 * (the ALERTS series of that state has no sample there); an open interval ends at the last evaluation + step.
 */

export interface StateIntervals {
  readonly pending: Array<[number, number]>;
  readonly firing: Array<[number, number]>;
}

export interface AlertTiming {
  /** `for`, seconds (0: fires at the first evaluation that returns the series). */
  readonly forSeconds: number;
  /** `keep_firing_for`, seconds (0: resolves at the first evaluation without the series). */
  readonly keepFiringForSeconds?: number;
}

/**
 * `evaluations`: every evaluation time (seconds, ascending, evenly spaced by `step`); `active`: the times
 * at which the expression returned this label set.
 */
export function alertStates(evaluations: readonly number[], active: ReadonlySet<number>, timing: AlertTiming, step: number): StateIntervals {
  const pending: Array<[number, number]> = [];
  const firing: Array<[number, number]> = [];
  const keep = timing.keepFiringForSeconds ?? 0;
  let activeAt: number | undefined;
  let firedAt: number | undefined;
  let absentSince: number | undefined;
  for (const t of evaluations) {
    if (active.has(t)) {
      absentSince = undefined;
      if (activeAt === undefined) activeAt = t;
      if (firedAt === undefined && t - activeAt >= timing.forSeconds) {
        firedAt = t;
        if (t > activeAt) pending.push([activeAt, t]);
      }
      continue;
    }
    if (activeAt === undefined) continue;
    if (firedAt === undefined) {
      pending.push([activeAt, t]);
      activeAt = undefined;
      continue;
    }
    absentSince ??= t;
    if (keep > 0 && t - absentSince < keep) continue;
    firing.push([firedAt, t]);
    activeAt = firedAt = absentSince = undefined;
  }
  const end = evaluations.length ? evaluations[evaluations.length - 1]! + step : 0;
  if (activeAt !== undefined) {
    if (firedAt === undefined) pending.push([activeAt, end]);
    else firing.push([firedAt, end]);
  }
  return { pending, firing };
}

/** Firing intervals that start within `gap` seconds of the previous one's end: a flapping alert. */
export function flaps(firing: ReadonlyArray<readonly [number, number]>, gap: number): number {
  let n = 0;
  for (let i = 1; i < firing.length; i++) if (firing[i]![0] - firing[i - 1]![1] <= gap) n++;
  return n;
}
