/**
 * Reading user-written PromQL back into our typed Selector, with @prometheus-io/lezer-promql.
 * Only what an SLO needs is accepted: a plain counter selector (`metric{label="value", ...}`),
 * or, for importers, a selector wrapped in rate()/irate()/increase() and an optional sum()
 * without grouping, which is unambiguously "this counter".
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { eq, neq, nre, re, selector, type MatchOp, type Matcher, type Selector } from './ast.js';
import { regexProblem } from './matchers.js';

/** A query that is not (or not unambiguously) a counter selector; the message says why. */
export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Go string unquoting as PromQL does it: "…" and '…' with escapes, `…` raw. */
function unquotePromQLString(literal: string): string {
  const q = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== q) throw new SelectorParseError(`unterminated string ${literal}`);
  const body = literal.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (next !== undefined && next in simple) {
      out += simple[next];
      continue;
    }
    const hex = (len: number) => {
      const digits = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) throw new SelectorParseError(`invalid escape \\${next}${digits} in ${literal}`);
      i += len;
      return parseInt(digits, 16);
    };
    if (next === 'x') out += String.fromCharCode(hex(2));
    else if (next === 'u') out += String.fromCodePoint(hex(4));
    else if (next === 'U') out += String.fromCodePoint(hex(8));
    else if (next !== undefined && /[0-7]/.test(next)) {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) throw new SelectorParseError(`invalid octal escape \\${digits} in ${literal}`);
      out += String.fromCharCode(parseInt(digits, 8));
      i += 2;
    } else {
      throw new SelectorParseError(`invalid escape \\${next ?? ''} in ${literal}`);
    }
  }
  return out;
}

const children = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
};

function parseTree(query: string): SyntaxNode {
  if (query.trim() === '') throw new SelectorParseError('the query is empty');
  const tree = parser.parse(query);
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = node.from;
    },
  });
  if (error !== undefined) throw new SelectorParseError(`not valid PromQL (syntax error at character ${error + 1})`);
  const top = tree.topNode.firstChild;
  if (!top) throw new SelectorParseError('the query is empty');
  return top;
}

function unwrapParens(node: SyntaxNode): SyntaxNode {
  let cur = node;
  while (cur.name === 'ParenExpr' && cur.firstChild) cur = cur.firstChild;
  return cur;
}

/** What a non-selector node is, in words, for error messages. */
function describeNode(node: SyntaxNode, query: string): string {
  const text = query.slice(node.from, node.to);
  switch (node.name) {
    case 'MatrixSelector':
      return `a range selector (${text}); write the counter without [range]: linkerd-slo chooses the windows`;
    case 'OffsetExpr':
      return 'a selector with offset; offsets are not supported';
    case 'StepInvariantExpr':
      return 'a selector with an @ modifier; @ is not supported';
    case 'FunctionCall':
      return `a function call (${text})`;
    case 'AggregateExpr':
      return `an aggregation (${text})`;
    case 'BinaryExpr':
      return `a binary expression (${text})`;
    case 'SubqueryExpr':
      return `a subquery (${text})`;
    case 'UnaryExpr':
      return `a unary expression (${text})`;
    case 'NumberDurationLiteral':
    case 'StringLiteral':
      return `a literal (${text})`;
    default:
      return `${node.name} (${text})`;
  }
}

const MATCH_OPS: Record<string, MatchOp> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

function matcherFrom(node: SyntaxNode, query: string): Matcher | { metric: string } {
  const [nameNode, opNode, valueNode] = children(node);
  if (!nameNode) throw new SelectorParseError(`cannot read matcher ${query.slice(node.from, node.to)}`);
  if (node.name === 'QuotedLabelName') {
    // {"metric.name"}: a quoted metric name (Prometheus 3 UTF-8 names).
    const metric = unquotePromQLString(query.slice(nameNode.from, nameNode.to));
    if (!METRIC_NAME.test(metric)) throw new SelectorParseError(`metric name "${metric}" is not a classic Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`);
    return { metric };
  }
  const label = node.name === 'QuotedLabelMatcher' ? unquotePromQLString(query.slice(nameNode.from, nameNode.to)) : query.slice(nameNode.from, nameNode.to);
  if (!LABEL_NAME.test(label)) throw new SelectorParseError(`label name "${label}" is not a classic Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
  const op = opNode?.firstChild ? MATCH_OPS[opNode.firstChild.name] : undefined;
  if (!op || !valueNode) throw new SelectorParseError(`cannot read matcher ${query.slice(node.from, node.to)}`);
  const value = unquotePromQLString(query.slice(valueNode.from, valueNode.to));
  const bad = op === '=~' || op === '!~' ? regexProblem(value) : undefined;
  if (bad) throw new SelectorParseError(`the regular expression of ${label}${op} is not one Prometheus accepts (RE2 syntax): ${bad}`);
  switch (op) {
    case '=':
      return eq(label, value);
    case '!=':
      return neq(label, value);
    case '=~':
      return re(label, value);
    case '!~':
      return nre(label, value);
  }
}

function selectorFrom(node: SyntaxNode, query: string): Selector {
  let metric: string | undefined;
  const matchers: Matcher[] = [];
  for (const c of children(node)) {
    if (c.name === 'Identifier') metric = query.slice(c.from, c.to);
    else if (c.name === 'LabelMatchers') {
      for (const m of children(c)) {
        const parsed = matcherFrom(m, query);
        if ('metric' in parsed) {
          if (metric !== undefined) throw new SelectorParseError('the metric name is given twice');
          metric = parsed.metric;
        } else matchers.push(parsed);
      }
    }
  }
  // {__name__="x", ...} is the same as x{...}.
  const nameIndex = matchers.findIndex((m) => m.label === '__name__' && m.op === '=');
  if (metric === undefined && nameIndex >= 0) {
    metric = matchers[nameIndex]!.value;
    matchers.splice(nameIndex, 1);
  }
  if (metric === undefined) throw new SelectorParseError('the selector names no metric; write the counter\'s name, e.g. http_requests_total{job="api"}');
  if (!METRIC_NAME.test(metric)) throw new SelectorParseError(`metric name "${metric}" is not a classic Prometheus metric name`);
  if (matchers.some((m) => m.label === '__name__')) throw new SelectorParseError('matchers on __name__ are not supported besides the metric name itself');
  return selector(metric, matchers);
}

/** A plain vector selector, e.g. `http_requests_total{job="api",code=~"5.."}`; anything else throws SelectorParseError. */
export function parseSelector(query: string): Selector {
  const node = unwrapParens(parseTree(query));
  if (node.name !== 'VectorSelector') throw new SelectorParseError(`expected a plain counter selector such as http_requests_total{job="api"}, found ${describeNode(node, query)}`);
  return selectorFrom(node, query);
}

const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase']);

export interface CounterQuery {
  readonly selector: Selector;
  /** What was stripped around the selector, e.g. "sum(rate(…))"; undefined for a plain selector. */
  readonly stripped?: string;
}

/**
 * A counter selector, possibly inside rate()/irate()/increase() and one sum() without grouping
 * (all of which only say "the rate of this counter"). Grouping, other functions and arithmetic
 * change the meaning and are refused.
 */
export function parseCounterQuery(query: string): CounterQuery {
  let node = unwrapParens(parseTree(query));
  const wrappers: string[] = [];
  if (node.name === 'AggregateExpr') {
    const kids = children(node);
    const op = kids.find((k) => k.name === 'AggregateOp')?.firstChild?.name;
    const modifier = kids.find((k) => k.name === 'AggregateModifier');
    const args = children(kids.find((k) => k.name === 'FunctionCallBody') ?? node).filter((k) => k.name !== 'AggregateOp' && k.name !== 'AggregateModifier');
    if (op !== 'Sum') throw new SelectorParseError(`expected a counter selector, optionally inside rate() and sum(), found ${describeNode(node, query)}`);
    if (modifier) {
      throw new SelectorParseError(
        `"${query.slice(modifier.from, modifier.to)}" groups the ratio, which would make one SLO per group; write one SLO per group with matchers instead`,
      );
    }
    if (args.length !== 1) throw new SelectorParseError(`expected sum() of one expression, found ${describeNode(node, query)}`);
    wrappers.push('sum');
    node = unwrapParens(args[0]!);
  }
  if (node.name === 'FunctionCall') {
    const kids = children(node);
    const fnNode = kids.find((k) => k.name === 'FunctionIdentifier');
    const fn = fnNode ? query.slice(fnNode.from, fnNode.to) : '';
    const args = children(kids.find((k) => k.name === 'FunctionCallBody') ?? node);
    if (!COUNTER_FUNCTIONS.has(fn)) throw new SelectorParseError(`expected a counter selector, optionally inside rate() and sum(), found ${describeNode(node, query)}`);
    const arg = args.length === 1 ? unwrapParens(args[0]!) : undefined;
    if (!arg || arg.name !== 'MatrixSelector') throw new SelectorParseError(`expected ${fn}() of a range selector, found ${describeNode(node, query)}`);
    const inner = children(arg).find((k) => k.name === 'VectorSelector');
    if (!inner) throw new SelectorParseError(`expected ${fn}() of a plain range selector, found ${describeNode(arg, query)}`);
    wrappers.push(fn);
    node = inner;
  } else if (wrappers.length) {
    throw new SelectorParseError(`expected sum(rate(<counter>[window])), found ${describeNode(node, query)} inside sum()`);
  }
  if (node.name !== 'VectorSelector') throw new SelectorParseError(`expected a counter selector, optionally inside rate() and sum(), found ${describeNode(node, query)}`);
  const sel = selectorFrom(node, query);
  return wrappers.length ? { selector: sel, stripped: `${wrappers.join('(')}(…${')'.repeat(wrappers.length)}` } : { selector: sel };
}
