/**
 * A small typed PromQL builder. Expressions are trees; text only comes out of format(),
 * which escapes every label value, so user input never becomes PromQL syntax.
 */
import { formatDuration, formatNumber, parseDuration } from './number.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';
/**
 * `grafana`: how the value is written in a Grafana panel query (see grafanaInert()): 'variable' for
 * a `$label` reference linkerd-slo writes on purpose, 'inert' for any other value.
 */
export interface Matcher { readonly label: string; readonly op: MatchOp; readonly value: string; readonly grafana?: 'variable' | 'inert' }

export type AggregateOp = 'sum' | 'min' | 'max' | 'avg' | 'count' | 'count_values' | 'topk' | 'bottomk' | 'quantile' | 'group';
export type BinaryOp =
  | 'or' | 'and' | 'unless'
  | '==' | '!=' | '>' | '<' | '>=' | '<='
  | '+' | '-' | '*' | '/' | '%' | '^';

export interface VectorMatching {
  readonly on?: readonly string[];
  readonly ignoring?: readonly string[];
  readonly groupLeft?: readonly string[];
  readonly groupRight?: readonly string[];
}

export type Expr =
  | { readonly kind: 'selector'; readonly metric?: string; readonly matchers: readonly Matcher[]; readonly range?: string; readonly offset?: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string; readonly grafana?: 'inert' }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly kind: 'aggregate'; readonly op: AggregateOp; readonly expr: Expr; readonly by?: readonly string[]; readonly without?: readonly string[]; readonly param?: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly lhs: Expr; readonly rhs: Expr; readonly bool?: boolean; readonly matching?: VectorMatching }
  | { readonly kind: 'paren'; readonly expr: Expr }
  | { readonly kind: 'subquery'; readonly expr: Expr; readonly range: string; readonly step: string; readonly offset?: string };

export type Selector = Extract<Expr, { kind: 'selector' }>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function assertLabel(name: string): string {
  if (!LABEL_NAME.test(name)) throw new Error(`invalid Prometheus label name "${name}"`);
  return name;
}

// ---- constructors -------------------------------------------------------------------------

export const eq = (label: string, value: string): Matcher => ({ label: assertLabel(label), op: '=', value });
export const neq = (label: string, value: string): Matcher => ({ label: assertLabel(label), op: '!=', value });
export const re = (label: string, pattern: string): Matcher => ({ label: assertLabel(label), op: '=~', value: pattern });
export const nre = (label: string, pattern: string): Matcher => ({ label: assertLabel(label), op: '!~', value: pattern });

/** A regular expression that matches exactly one of the given literal strings. */
export function anyOf(values: readonly string[]): string {
  return values.map(escapeRegex).join('|');
}

/** `label="v"` for one value, `label=~"a|b"` (exact alternatives, in the order given) for several. */
export function oneOf(label: string, values: readonly string[]): Matcher {
  if (values.length === 0) throw new Error(`oneOf(${label}) needs at least one value`);
  return values.length === 1 ? eq(label, values[0]!) : re(label, anyOf(values));
}

/** Escape RE2 metacharacters so a literal string matches only itself. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

export function selector(metric: string | undefined, matchers: readonly Matcher[] = []): Selector {
  if (metric !== undefined && !METRIC_NAME.test(metric)) throw new Error(`invalid metric name "${metric}"`);
  if (metric === undefined && !matchers.some((m) => m.op === '=' ? m.value !== '' : m.op === '=~' && !new RegExp(`^(?:${m.value})$`).test(''))) {
    throw new Error('a selector without a metric name needs a matcher that does not match the empty string');
  }
  return { kind: 'selector', metric, matchers };
}

/** Add matchers to a selector (e.g. the user's extra matchers); a later matcher on the same label and op wins. */
export function withMatchers(sel: Selector, extra: readonly Matcher[]): Selector {
  const out = sel.matchers.filter((m) => !extra.some((e) => e.label === m.label && e.op === m.op));
  return { ...sel, matchers: [...out, ...extra] };
}

export function range(sel: Selector, window: string): Selector {
  parseDuration(window);
  return { ...sel, range: window };
}

/** `sel offset d`: the selector's samples as they were d ago. */
export function offset(sel: Selector, by: string): Selector {
  parseDuration(by);
  return { ...sel, offset: by };
}

export const num = (value: number): Expr => ({ kind: 'number', value });
export const str = (value: string): Expr => ({ kind: 'string', value });
export const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });
export const paren = (expr: Expr): Expr => ({ kind: 'paren', expr });
/** `expr[range:step]` (`… offset d`): the expression evaluated at every step across the range (ending d ago). */
export function subquery(expr: Expr, rangeText: string, step: string, offsetBy?: string): Expr {
  parseDuration(rangeText);
  parseDuration(step);
  if (offsetBy !== undefined) parseDuration(offsetBy);
  return offsetBy === undefined ? { kind: 'subquery', expr, range: rangeText, step } : { kind: 'subquery', expr, range: rangeText, step, offset: offsetBy };
}

export const rate = (sel: Selector, window: string): Expr => call('rate', range(sel, window));
export const increase = (sel: Selector, window: string): Expr => call('increase', range(sel, window));
export const sumOverTime = (sel: Selector, window: string): Expr => call('sum_over_time', range(sel, window));
export const avgOverTime = (sel: Selector, window: string): Expr => call('avg_over_time', range(sel, window));
export const absent = (sel: Selector): Expr => call('absent', sel);
export const vector = (value: number): Expr => call('vector', num(value));

export function aggregate(op: AggregateOp, expr: Expr, opts: { by?: readonly string[]; without?: readonly string[]; param?: Expr } = {}): Expr {
  opts.by?.forEach(assertLabel);
  opts.without?.forEach(assertLabel);
  return { kind: 'aggregate', op, expr, ...opts };
}
export const sum = (expr: Expr, by?: readonly string[]): Expr => aggregate('sum', expr, by && by.length ? { by } : {});
export const max = (expr: Expr, by?: readonly string[]): Expr => aggregate('max', expr, by && by.length ? { by } : {});
export const min = (expr: Expr, by?: readonly string[]): Expr => aggregate('min', expr, by && by.length ? { by } : {});

export function binary(op: BinaryOp, lhs: Expr, rhs: Expr, opts: { bool?: boolean; matching?: VectorMatching } = {}): Expr {
  return { kind: 'binary', op, lhs, rhs, ...opts };
}
export const div = (a: Expr, b: Expr, matching?: VectorMatching): Expr => binary('/', a, b, matching ? { matching } : {});
export const mul = (a: Expr, b: Expr): Expr => binary('*', a, b);
export const sub = (a: Expr, b: Expr): Expr => binary('-', a, b);
export const gt = (a: Expr, b: Expr): Expr => binary('>', a, b);
export const gte = (a: Expr, b: Expr): Expr => binary('>=', a, b);
export const lt = (a: Expr, b: Expr): Expr => binary('<', a, b);
export const and = (a: Expr, b: Expr, matching?: VectorMatching): Expr => binary('and', a, b, matching ? { matching } : {});
export const or = (a: Expr, b: Expr): Expr => binary('or', a, b);

/**
 * `a or b or …` of one or more expressions, as a balanced tree: a left-deep chain of a thousand
 * terms makes every formatter and parser pass over it quadratic (generation time must grow
 * linearly with the workload list). Up to three terms it prints as the plain chain.
 */
export function union(exprs: readonly Expr[]): Expr {
  if (exprs.length === 0) throw new Error('union needs at least one expression');
  if (exprs.length <= 2) return exprs.length === 1 ? exprs[0]! : or(exprs[0]!, exprs[1]!);
  const mid = Math.ceil(exprs.length / 2);
  return or(union(exprs.slice(0, mid)), union(exprs.slice(mid)));
}

/** A kind the switch above it does not handle: a compile error while every kind is, a thrown error at run time otherwise. */
export function unknownKind(e: never): never {
  throw new Error(`unknown PromQL expression kind "${(e as { kind?: unknown }).kind}"`);
}

/** The direct subexpressions of an expression, in order (an aggregation's parameter, a subquery's inner expression included). */
function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'selector':
    case 'number':
    case 'string':
      return [];
    case 'call':
      return e.args;
    case 'aggregate':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'binary':
      return [e.lhs, e.rhs];
    case 'paren':
    case 'subquery':
      return [e.expr];
    default:
      return unknownKind(e);
  }
}

/** What a walk's visitor returns to leave a node's subexpressions unvisited. */
export const SKIP_CHILDREN = 'skip-children';

/**
 * Every node of an expression, depth-first, parents before children, left to right. `ancestors`:
 * the nodes above this one, outermost first (the walk's own stack: read it during the call, do not keep
 * it). A visitor that returns SKIP_CHILDREN leaves the node's subexpressions out.
 */
export function walk(e: Expr, visit: (node: Expr, ancestors: readonly Expr[]) => void | typeof SKIP_CHILDREN): void {
  const stack: Expr[] = [];
  const go = (node: Expr): void => {
    if (visit(node, stack) === SKIP_CHILDREN) return;
    stack.push(node);
    for (const c of children(node)) go(c);
    stack.pop();
  };
  go(e);
}

/** Every selector of an expression, in walk order. */
export function selectorsOf(e: Expr): Selector[] {
  const found: Selector[] = [];
  walk(e, (node) => {
    if (node.kind === 'selector') found.push(node);
  });
  return found;
}

/**
 * The expression with every node rebuilt bottom-up by f: f sees a copy of the node whose
 * subexpressions are already mapped (a leaf as it is), and what it returns takes the node's place.
 */
export function mapExpr(e: Expr, f: (node: Expr) => Expr): Expr {
  const m = (x: Expr): Expr => mapExpr(x, f);
  switch (e.kind) {
    case 'selector':
    case 'number':
    case 'string':
      return f(e);
    case 'call':
      return f({ ...e, args: e.args.map(m) });
    case 'aggregate':
      return f({ ...e, expr: m(e.expr), ...(e.param ? { param: m(e.param) } : {}) });
    case 'binary':
      return f({ ...e, lhs: m(e.lhs), rhs: m(e.rhs) });
    case 'paren':
    case 'subquery':
      return f({ ...e, expr: m(e.expr) });
    default:
      return unknownKind(e);
  }
}

/**
 * The expression as a Grafana panel query: every matcher value and string is written so Grafana
 * interpolates nothing in it (quote()), except the `$label` references marked 'variable'.
 */
export function grafanaInert(e: Expr): Expr {
  return mapExpr(e, (node) => {
    if (node.kind === 'string') return { ...node, grafana: 'inert' };
    if (node.kind !== 'selector') return node;
    return { ...node, matchers: node.matchers.map((m) => (m.grafana === 'variable' ? m : { ...m, grafana: 'inert' as const })) };
  });
}

/** `a and b and c` (left-associative). */
export function allOf(first: Expr, ...rest: Expr[]): Expr {
  return rest.reduce((acc, e) => and(acc, e), first);
}

// ---- formatting ---------------------------------------------------------------------------

/**
 * Go-style double-quoted string, as PromQL reads it. `grafana`: also written so that Grafana, which
 * interpolates $name, ${name...} and [[name]] anywhere in a panel query's text before sending it
 * (https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/), finds no
 * variable in it: a "$" before a letter, "_" or "{" and the first "[" of "[[" are written as the
 * escapes \x24 and \x5b, which Prometheus reads back as the same characters. ("$1", as in
 * label_replace, is left: no dashboard or Grafana variable name starts with a digit.)
 */
export function quote(value: string, grafana = false): string {
  let out = '"';
  const chars = Array.from(value);
  for (const [i, ch] of chars.entries()) {
    const code = ch.codePointAt(0)!;
    const next = chars[i + 1] ?? '';
    if (grafana && ch === '$' && /[A-Za-z_{]/.test(next)) out += '\\x24';
    else if (grafana && ch === '[' && next === '[') out += '\\x5b';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1, and: 2, unless: 2,
  '==': 3, '!=': 3, '>': 3, '<': 3, '>=': 3, '<=': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6,
};

function matchingText(m: VectorMatching | undefined): string {
  if (!m) return '';
  let s = '';
  if (m.on) s += ` on (${m.on.join(', ')})`;
  if (m.ignoring) s += ` ignoring (${m.ignoring.join(', ')})`;
  if (m.groupLeft) s += ` group_left (${m.groupLeft.join(', ')})`;
  if (m.groupRight) s += ` group_right (${m.groupRight.join(', ')})`;
  return s;
}

function needsParens(child: Expr, parentOp: BinaryOp, side: 'lhs' | 'rhs'): boolean {
  if (child.kind !== 'binary') return false;
  const c = PRECEDENCE[child.op];
  const p = PRECEDENCE[parentOp];
  if (c < p) return true;
  // ^ is right-associative, everything else left-associative.
  if (c === p) return parentOp === '^' ? side === 'lhs' : side === 'rhs';
  return false;
}

function operand(child: Expr, parentOp: BinaryOp, side: 'lhs' | 'rhs'): Expr {
  return needsParens(child, parentOp, side) ? paren(child) : child;
}

function groupingText(e: Extract<Expr, { kind: 'aggregate' }>): string {
  if (e.by) return ` by (${e.by.join(', ')})`;
  if (e.without) return ` without (${e.without.join(', ')})`;
  return '';
}

const inlineCache = new WeakMap<Expr, string>();

/** One-line rendering (memoised: format() asks for it at every level of the tree). */
export function inline(e: Expr): string {
  let text = inlineCache.get(e);
  if (text === undefined) {
    text = renderInline(e);
    inlineCache.set(e, text);
  }
  return text;
}

function renderInline(e: Expr): string {
  switch (e.kind) {
    case 'selector': {
      const ms = e.matchers.map((m) => `${m.label}${m.op}${quote(m.value, m.grafana === 'inert')}`).join(', ');
      const body = e.metric === undefined ? `{${ms}}` : ms ? `${e.metric}{${ms}}` : e.metric;
      const ranged = e.range ? `${body}[${formatDuration(parseDuration(e.range))}]` : body;
      return e.offset ? `${ranged} offset ${formatDuration(parseDuration(e.offset))}` : ranged;
    }
    case 'number':
      return formatNumber(e.value);
    case 'string':
      return quote(e.value, e.grafana === 'inert');
    case 'call':
      return `${e.fn}(${e.args.map(inline).join(', ')})`;
    case 'aggregate': {
      const args = e.param ? `${inline(e.param)}, ${inline(e.expr)}` : inline(e.expr);
      return `${e.op}${groupingText(e)} (${args})`;
    }
    case 'paren':
      return `(${inline(e.expr)})`;
    case 'subquery': {
      const inner = e.expr.kind === 'binary' ? `(${inline(e.expr)})` : inline(e.expr);
      const ranged = `${inner}[${formatDuration(parseDuration(e.range))}:${formatDuration(parseDuration(e.step))}]`;
      return e.offset ? `${ranged} offset ${formatDuration(parseDuration(e.offset))}` : ranged;
    }
    case 'binary': {
      const l = inline(operand(e.lhs, e.op, 'lhs'));
      const r = inline(operand(e.rhs, e.op, 'rhs'));
      return `${l} ${e.op}${e.bool ? ' bool' : ''}${matchingText(e.matching)} ${r}`;
    }
    default:
      return unknownKind(e);
  }
}

const MAX_LINE = 100;

/**
 * Expressions that read best on one line however long they are: a selector, a function of
 * selectors, an aggregation of those, or such a thing scaled by a number. Breaking
 * `rate(x{...}[5m])` across lines helps nobody.
 */
function isLeafy(e: Expr): boolean {
  switch (e.kind) {
    case 'selector':
    case 'number':
    case 'string':
      return true;
    case 'call':
      return e.args.every(isLeafy);
    case 'aggregate':
      return isLeafy(e.expr) && (!e.param || isLeafy(e.param));
    case 'binary':
      return (e.lhs.kind === 'number' && isLeafy(e.rhs)) || (e.rhs.kind === 'number' && isLeafy(e.lhs));
    case 'paren':
      return false;
    case 'subquery':
      return isLeafy(e.expr);
    default:
      return unknownKind(e);
  }
}

/**
 * Human-readable rendering: one line when it fits (or isLeafy), otherwise broken at binary operators,
 * parentheses, aggregation bodies and function arguments with two-space indentation (the layout
 * promtool's formatter uses). A selector, number, string or subquery is always one line.
 */
export function format(e: Expr, indent = 0): string {
  const pad = ' '.repeat(indent);
  const one = inline(e);
  if (indent + one.length <= MAX_LINE || isLeafy(e)) return pad + one;
  switch (e.kind) {
    case 'binary': {
      const l = format(operand(e.lhs, e.op, 'lhs'), indent);
      const r = format(operand(e.rhs, e.op, 'rhs'), indent);
      return `${l}\n${pad}${e.op}${e.bool ? ' bool' : ''}${matchingText(e.matching)}\n${r}`;
    }
    case 'paren':
      return `${pad}(\n${format(e.expr, indent + 2)}\n${pad})`;
    case 'aggregate': {
      const inner = e.param
        ? `${format(e.param, indent + 2)},\n${format(e.expr, indent + 2)}`
        : format(e.expr, indent + 2);
      return `${pad}${e.op}${groupingText(e)} (\n${inner}\n${pad})`;
    }
    case 'call':
      if (e.args.length === 0) return pad + one;
      return `${pad}${e.fn}(\n${e.args.map((a) => format(a, indent + 2)).join(',\n')}\n${pad})`;
    case 'selector':
    case 'number':
    case 'string':
    case 'subquery':
      return pad + one;
    default:
      return unknownKind(e);
  }
}

/**
 * The error and request rates of a counter ratio (bad over total events) over a window, summed by
 * `by`. `or 0 * total` keeps the error rate at 0 instead of absent when no failure series exist
 * (Linkerd's proxies only export series that were incremented, and evict idle ones after 10m:
 * linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0).
 */
export function ratioRates(bad: Selector, total: Selector, by: readonly string[]): { errorsRate(window: string): Expr; requestsRate(window: string): Expr } {
  const requests = (w: string) => sum(rate(total, w), by);
  return {
    errorsRate: (w) => or(sum(rate(bad, w), by), mul(num(0), requests(w))),
    requestsRate: requests,
  };
}
