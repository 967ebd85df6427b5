/**
 * Recording rules do not exist in the history a backtest reads, so each alert expression is rewritten
 * to compute them itself: every selector of a recorded series is replaced by the recording rule's own
 * expression (recursively: recordings of recordings), on the typed AST, never on text.
 *
 * What a recording rule stores (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/):
 * its expression's result, renamed to `record`, with the rule's static labels set over the result's.
 * So a selector `record{m1, m2}` becomes
 *   - the `or` of every rule with that record name whose static labels satisfy the matchers on them
 *     (decided here, statically: those labels are constants);
 *   - each wrapped in label_replace() calls that set its static labels, as the rule evaluation does;
 *   - filtered by the matchers on labels the rule does not set: `and on (label)` (for = and =~) or
 *     `unless on (label)` (for != and !~) a vector of one sample per literal value. A regular
 *     expression is accepted when it is an alternation of literals (what the generator writes, see
 *     anyOf() in src/promql/ast.ts); any other one filters by label_replace() (regexFilter()).
 * A recorded selector with a range (`record[1h]`) reads the samples stored at each evaluation, which
 * is the subquery `(expr)[1h:<evaluation interval>]`: Prometheus aligns subquery steps to multiples
 * of the step (https://prometheus.io/blog/2019/01/28/subquery-support/), as a ruler's evaluations
 * are when the group's interval divides the hour. Within one evaluation interval of a real ruler
 * either way (a ruler's evaluations are shifted by a per-group offset).
 *
 * ("Expanding" a recording, here; inline() of src/promql prints an expression on one line.)
 */
import { binary, call, mapExpr, num, paren, selectorsOf, str, subquery, unknownKind, type Expr, type Matcher, type Selector } from '../promql/ast.js';
import { formatDuration } from '../promql/number.js';
import { matcherHolds } from '../promql/matchers.js';
import type { RecordingRule } from '../rules.js';

class RecordingExpansionError extends Error {
  override readonly name = 'RecordingExpansionError';
}

/** Whether a selector's matcher holds for a rule's static label value; a regex RE2 refuses (Prometheus would too) stops the expansion. */
function staticHolds(sel: Selector, m: Matcher, value: string): boolean {
  const holds = matcherHolds(m, value);
  if (holds === undefined) throw new RecordingExpansionError(`cannot expand the recording ${sel.metric}: the matcher ${m.label}${m.op}"${m.value}" is not a regular expression RE2 (Prometheus) accepts`);
  return holds;
}

/** `a|b\\.c` → ['a', 'b.c']; undefined when the expression is more than escaped literals joined by |. */
export function literalAlternatives(regex: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i]!;
    if (c === '\\') {
      const next = regex[++i];
      if (next === undefined || /[a-zA-Z0-9]/.test(next)) return undefined; // \d, \b...: classes, not literals
      cur += next;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else if ('.+*?()[]{}^$'.includes(c)) return undefined;
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** The label regexFilter() marks the series a regular expression matches with (removed again before the result is used). */
const REGEX_MARK = 'linkerd_slo_inline_match';

/**
 * `e` filtered by a regex matcher (=~ or !~) on a label it keeps, e.g. the recording by `addr`
 * read with addr=~"linkerd-dst-headless\\..+:8086". label_replace() writes the mark only on the
 * series whose label the regex matches, anchored as a matcher is (and a missing label reads as "", as
 * for a matcher: https://prometheus.io/docs/prometheus/latest/querying/functions/#label_replace);
 * `and on (mark)` / `unless on (mark)` a single marked sample then keeps or drops exactly those;
 * a last label_replace() removes the mark (an empty value deletes a label).
 */
function regexFilter(e: Expr, m: Matcher): Expr {
  const marked = call('label_replace', e, str(REGEX_MARK), str('1'), str(m.label), str(m.value));
  const one = call('label_replace', call('vector', num(1)), str(REGEX_MARK), str('1'), str(''), str(''));
  const filtered = binary(m.op === '=~' ? 'and' : 'unless', marked, one, { matching: { on: [REGEX_MARK] } });
  return call('label_replace', filtered, str(REGEX_MARK), str(''), str(''), str(''));
}

/** Every field of a node this rewrite knows; a node with another field (e.g. an offset added later) is refused, not misread. */
const KNOWN_FIELDS: Record<Expr['kind'], readonly string[]> = {
  selector: ['kind', 'metric', 'matchers', 'range', 'offset'],
  number: ['kind', 'value'],
  string: ['kind', 'value'],
  call: ['kind', 'fn', 'args'],
  aggregate: ['kind', 'op', 'expr', 'by', 'without', 'param'],
  binary: ['kind', 'op', 'lhs', 'rhs', 'bool', 'matching'],
  paren: ['kind', 'expr'],
  subquery: ['kind', 'expr', 'range', 'step', 'offset'],
};

function assertKnown(e: Expr): void {
  const known = KNOWN_FIELDS[e.kind];
  if (!known) throw new RecordingExpansionError(`cannot expand recordings in a PromQL node of kind "${(e as { kind: string }).kind}"`);
  const extra = Object.keys(e).filter((k) => !known.includes(k) && (e as unknown as Record<string, unknown>)[k] !== undefined);
  if (extra.length) throw new RecordingExpansionError(`cannot expand recordings in a ${e.kind} with ${extra.join(', ')}`);
}

/** A binary expression in parentheses, anything else as it is. */
const parenBinary = (e: Expr): Expr => (e.kind === 'binary' ? paren(e) : e);

export interface RecordingExpander {
  /** The expression with every recorded series replaced by what computes it. */
  expand(e: Expr): Expr;
  /** Names of recordings the expression reads (transitively). */
  recordsRead(e: Expr): ReadonlySet<string>;
}

/** `evaluationInterval`: seconds between a ruler's evaluations, the step of the subquery a recorded range becomes. */
export function recordingExpander(recordings: readonly RecordingRule[], evaluationInterval: number): RecordingExpander {
  const byRecord = new Map<string, RecordingRule[]>();
  for (const r of recordings) byRecord.set(r.record, [...(byRecord.get(r.record) ?? []), r]);
  const step = formatDuration(evaluationInterval);
  const cache = new Map<RecordingRule, Expr>();

  const ruleExpr = (rule: RecordingRule, stack: readonly string[]): Expr => {
    let e = cache.get(rule);
    if (!e) {
      if (stack.includes(rule.record)) throw new RecordingExpansionError(`recording ${rule.record} reads itself (via ${stack.join(' → ')})`);
      e = rewrite(rule.expr, [...stack, rule.record]);
      // The rule's static labels replace the result's, as rule evaluation does (sorted: one text every run).
      for (const [label, value] of Object.entries(rule.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
        e = call('label_replace', e, str(label), str(value), str(''), str(''));
      }
      cache.set(rule, e);
    }
    return e;
  };

  const replaceSelector = (sel: Selector, stack: readonly string[]): Expr | undefined => {
    const rules = sel.metric !== undefined ? byRecord.get(sel.metric) : undefined;
    if (!rules) return undefined;
    const parts: Expr[] = [];
    for (const rule of rules) {
      const statics = rule.labels ?? {};
      const onStatic = sel.matchers.filter((m) => m.label in statics);
      if (!onStatic.every((m) => staticHolds(sel, m, statics[m.label]!))) continue;
      let e = ruleExpr(rule, stack);
      for (const m of sel.matchers.filter((x) => !(x.label in statics))) {
        const values = m.op === '=' || m.op === '!=' ? [m.value] : literalAlternatives(m.value);
        if (!values) {
          e = regexFilter(e, m);
          continue;
        }
        // One sample per allowed (or refused) value of the label: `and on (label)` keeps, `unless on (label)` drops.
        const set = values.map((v) => call('label_replace', call('vector', num(1)), str(m.label), str(v), str(''), str(''))).reduce((a, b) => binary('or', a, b));
        e = binary(m.op === '=' || m.op === '=~' ? 'and' : 'unless', paren(e), set.kind === 'binary' ? paren(set) : set, { matching: { on: [m.label] } });
      }
      parts.push(e);
    }
    // No rule records this selection: the recorded selector would match nothing; so does this (an empty `vector(1) < 0`).
    let out: Expr = parts.length ? parts.reduce((a, b) => binary('or', a, b)) : binary('<', call('vector', num(1)), num(0));
    const inner = parts.length > 1 || out.kind === 'binary' ? paren(out) : out;
    if (sel.range) return subquery(inner, sel.range, step, sel.offset);
    // `recorded offset d` reads the recording's sample at the last evaluation at or before t - d: the
    // last step of a one-step subquery ending d ago (steps are aligned to the evaluation grid).
    if (sel.offset) return call('last_over_time', subquery(inner, step, step, sel.offset));
    return out;
  };

  /** Recordings replaced bottom-up; `stack`: the recordings being expanded, to refuse a cycle. */
  const rewrite = (e: Expr, stack: readonly string[]): Expr =>
    mapExpr(e, (node) => {
      assertKnown(node);
      switch (node.kind) {
        case 'selector':
          return replaceSelector(node, stack) ?? node;
        // A binary operand or subquery body that is a binary expression (a replaced selector's `or` among
        // them) is parenthesised, so the text keeps the tree's precedence.
        case 'binary':
          return { ...node, lhs: parenBinary(node.lhs), rhs: parenBinary(node.rhs) };
        case 'subquery':
          return { ...node, expr: parenBinary(node.expr) };
        case 'number':
        case 'string':
        case 'call':
        case 'aggregate':
        case 'paren':
          return node;
        default:
          return unknownKind(node);
      }
    });

  const reads = (e: Expr, out: Set<string>): void => {
    for (const sel of selectorsOf(e)) {
      if (sel.metric === undefined || !byRecord.has(sel.metric) || out.has(sel.metric)) continue;
      out.add(sel.metric);
      for (const r of byRecord.get(sel.metric)!) reads(r.expr, out);
    }
  };

  return {
    expand: (e) => rewrite(e, []),
    recordsRead: (e) => {
      const out = new Set<string>();
      reads(e, out);
      return out;
    },
  };
}
