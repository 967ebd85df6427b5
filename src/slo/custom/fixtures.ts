/**
 * Input series for a custom SLO's generated promtool test (out/tests/): label sets that satisfy the
 * user's own selectors (one good series, one bad), solved from their matchers.
 */
import type { Selector } from '../../promql/ast.js';
import { matcherHolds } from '../../promql/matchers.js';
import type { FixtureSeries } from '../promtool-tests.js';
import type { CustomSelectors } from './selectors.js';

type Labels = Record<string, string>;

/** Whether a series matches a selector; undefined when a regex cannot be evaluated here. */
export function seriesMatches(labels: Labels, sel: Selector): boolean | undefined {
  if ((labels.__name__ ?? '') !== (sel.metric ?? '')) return false;
  let result: boolean | undefined = true;
  for (const m of sel.matchers) {
    const holds = matcherHolds(m, labels[m.label] ?? '');
    if (holds === false) return false;
    if (holds === undefined) result = undefined;
  }
  return result;
}

/** A few strings a regex probably matches: its first alternative with classes and wildcards filled in. */
function samplesFor(pattern: string): string[] {
  let depth = 0;
  let first = pattern;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      first = pattern.slice(0, i);
      break;
    }
  }
  const simplified = first
    .replace(/\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)\?/g, '')
    .replace(/\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)/g, '$1')
    .replace(/\[\^?([^\]\\])[^\]]*\]/g, '$1')
    .replace(/\.\*|\.\?/g, '')
    .replace(/\.\+/g, 'x')
    .replace(/\\d/g, '0')
    .replace(/\\w/g, 'x')
    .replace(/\\(.)/g, '$1')
    .replace(/\./g, '0')
    .replace(/[*?]|\{\d+(,\d*)?\}/g, '')
    .replace(/\+/g, '')
    .replace(/^\^|\$$/g, '');
  return [simplified, first.replace(/\\(.)/g, '$1')];
}

const FILLERS = ['', 'x', 'other', '0', '200', 'ok', 'success', 'failure', 'true', 'false'];

/** Labels of one series that matches every selector in `all` and none of `none`; undefined if not found. */
export function solveLabels(all: readonly Selector[], none: readonly Selector[] = []): Labels | undefined {
  const metric = all[0]?.metric;
  if (!metric || all.some((s) => s.metric !== metric)) return undefined;
  const labels: Labels = { __name__: metric };
  const mentioned = [...new Set(all.flatMap((s) => s.matchers.map((m) => m.label)))];
  for (const label of mentioned) {
    const ms = all.flatMap((s) => s.matchers.filter((m) => m.label === label));
    const candidates = [
      ...ms.filter((m) => m.op === '=').map((m) => m.value),
      ...ms.filter((m) => m.op === '=~').flatMap((m) => samplesFor(m.value)),
      ...FILLERS,
    ];
    const value = candidates.find((v) => ms.every((m) => matcherHolds(m, v) === true));
    if (value === undefined) return undefined;
    if (value !== '') labels[label] = value;
  }
  const ok = (l: Labels) => all.every((s) => seriesMatches(l, s) === true) && none.every((s) => seriesMatches(l, s) === false);
  if (ok(labels)) return labels;
  // Break one matcher of each selector that must not match, keeping the ones that must.
  let current = labels;
  for (const bad of none) {
    if (seriesMatches(current, bad) === false) continue;
    let fixed: Labels | undefined;
    for (const m of bad.matchers) {
      const keep = all.flatMap((s) => s.matchers.filter((k) => k.label === m.label));
      const tries = [
        ...(m.op === '!=' ? [m.value] : []),
        ...(m.op === '!~' ? samplesFor(m.value) : []),
        ...FILLERS.filter((f) => f !== ''),
        `${m.value}-other`,
        '',
      ];
      for (const v of tries) {
        const next = { ...current };
        if (v === '') delete next[m.label];
        else next[m.label] = v;
        if (matcherHolds(m, v) === false && keep.every((k) => matcherHolds(k, v) === true) && all.every((s) => seriesMatches(next, s) === true)) {
          fixed = next;
          break;
        }
      }
      if (fixed) break;
    }
    if (!fixed) return undefined;
    current = fixed;
  }
  return ok(current) ? current : undefined;
}

/** Input series for the generated promtool test: healthy traffic, then every event bad. */
export function customFixture(sel: CustomSelectors): FixtureSeries[] | undefined {
  const { total } = sel;
  const pick = (...series: Array<[Labels | undefined, number, number]>): FixtureSeries[] | undefined =>
    series.every(([l]) => l) ? series.map(([labels, healthy, outage]) => ({ labels: labels!, healthy, outage })) : undefined;
  if (sel.bad) {
    if (sel.bad.metric === total.metric) {
      // One series that is good (in total, not bad) and one that is bad (in both).
      return pick([solveLabels([total], [sel.bad]), 1, 0], [solveLabels([total, sel.bad]), 0, 1]);
    }
    return pick([solveLabels([total], [sel.bad]), 1, 1], [solveLabels([sel.bad], [total]), 0, 1]);
  }
  if (sel.good) {
    if (sel.good.metric === total.metric) {
      return pick([solveLabels([total, sel.good]), 1, 0], [solveLabels([total], [sel.good]), 0, 1]);
    }
    return pick([solveLabels([sel.good], [total]), 1, 0], [solveLabels([total], [sel.good]), 1, 1]);
  }
  return undefined;
}
