/**
 * Grafana Mimir's ruler refuses a rule group of more than 20 rules by default
 * (`-ruler.max-rules-per-rule-group`, `ruler_max_rules_per_rule_group` in the per-tenant limits;
 * grafana/mimir `pkg/util/validation/limits.go`), and `mimirtool rules load` fails with "per-user
 * rules per rule group limit exceeded". A group of this bundle can hold more: one SLI's recordings for
 * every control-plane component. Groups are split only where no rule reads another across the cut:
 * rules of one group are evaluated in order, rules of different groups independently, so a roll-up in
 * another group than the 5m ratio it reads would lag one evaluation behind.
 */
import { selectorsOf, type Selector } from '../promql/ast.js';
import { isAlert, type RecordingRule, type Rule, type RuleGroup } from '../rules.js';

/** Whether a selector may select what a recording rule writes (unknown labels count as a match). */
function mayRead(sel: Selector, rec: RecordingRule): boolean {
  if (sel.metric !== rec.record) return false;
  return sel.matchers.every((m) => m.op !== '=' || rec.labels?.[m.label] === undefined || rec.labels[m.label] === m.value);
}

/** For each rule, the indexes of the recording rules of the same list it reads. */
function readsOf(rules: readonly Rule[]): number[][] {
  return rules.map((reader, i) =>
    rules.flatMap((written, j) => (j !== i && !isAlert(written) && selectorsOf(reader.expr).some((sel) => mayRead(sel, written)) ? [j] : [])),
  );
}

/** The rules of a group in sets no rule outside reads from (a union-find over "reads"), in first-rule order. */
function independentSets(rules: readonly Rule[]): Rule[][] {
  const parent = rules.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  readsOf(rules).forEach((read, i) => read.forEach((j) => (parent[root(i)] = root(j))));
  const sets = new Map<number, Rule[]>();
  rules.forEach((r, i) => {
    const k = root(i);
    sets.set(k, [...(sets.get(k) ?? []), r]);
  });
  return [...sets.values()];
}

/**
 * A set too large for one group, in layers: the rules that read no other rule of the set, then those
 * that read only the first layer, and so on; each layer cut into pieces of at most `max` (rules of one
 * layer do not read each other). A layer in a later group than the one it reads sees that group's
 * previous evaluation: one evaluation interval of lag per layer boundary that falls between groups.
 */
function layered(set: readonly Rule[], max: number): Rule[][] {
  const reads = readsOf(set);
  const depth: number[] = [];
  const depthOf = (i: number): number => (depth[i] ??= reads[i]!.length ? 1 + Math.max(...reads[i]!.map(depthOf)) : 0);
  const layers: Rule[][] = [];
  set.forEach((r, i) => (layers[depthOf(i)] ??= []).push(r));
  return layers.flatMap((layer) => Array.from({ length: Math.ceil(layer.length / max) }, (_, k) => layer.slice(k * max, (k + 1) * max)));
}

/**
 * Each group of more than `max` rules, as consecutive groups `<name>-1`, `<name>-2` … of at most `max`
 * rules each, filled in order with whole independent sets; a set larger than `max` is cut between its
 * layers (layered()). `max` 0 means no limit.
 */
export function splitForRuleLimit(groups: readonly RuleGroup[], max: number): RuleGroup[] {
  if (max <= 0) return [...groups];
  return groups.flatMap((g) => {
    if (g.rules.length <= max) return [g];
    const parts: Rule[][] = [];
    for (const piece of independentSets(g.rules).flatMap((set) => (set.length <= max ? [set] : layered(set, max)))) {
      const last = parts[parts.length - 1];
      if (last && last.length + piece.length <= max) last.push(...piece);
      else parts.push([...piece]);
    }
    return parts.map((rules, i) => ({ ...g, name: `${g.name}-${i + 1}`, rules }));
  });
}
