import { describe, expect, it } from 'vitest';
import { aggregate, anyOf, binary, call, div, eq, escapeRegex, format, gt, inline, mapExpr, num, paren, quote, rate, re, selector, SKIP_CHILDREN, str, subquery, sum, walk, withMatchers, type Expr } from '../src/promql/ast.js';
import { cleanNumber, errorBudget, formatDuration, parseDuration } from '../src/promql/number.js';
import { validatePromQL } from '../src/promql/validate.js';

describe('PromQL builder', () => {
  it('escapes label values so user input cannot break out of the string', () => {
    const hostile = 'a"} or vector(1) or up{x="\\\n';
    const sel = selector('up', [eq('job', hostile)]);
    const text = inline(sel);
    expect(text).toBe('up{job="a\\"} or vector(1) or up{x=\\"\\\\\\n"}');
    expect(validatePromQL(text)).toEqual([]);
  });

  it('escapes regex metacharacters of literal values', () => {
    expect(escapeRegex('linkerd-dst-headless.linkerd.svc.')).toBe('linkerd-dst-headless\\.linkerd\\.svc\\.');
    expect(anyOf(['a.b', 'c|d'])).toBe('a\\.b|c\\|d');
    expect(inline(selector('x', [re('addr', escapeRegex('a.b') + '.+')]))).toBe('x{addr=~"a\\\\.b.+"}');
  });

  it('rejects invalid label and metric names', () => {
    expect(() => eq('bad-label', 'x')).toThrow(/invalid Prometheus label name/);
    expect(() => selector('bad-metric')).toThrow(/invalid metric name/);
  });

  it('extra matchers replace a matcher on the same label and add the rest', () => {
    const sel = withMatchers(selector('up', [eq('job', 'a'), eq('cluster', 'x')]), [eq('cluster', 'prod'), eq('env', 'p')]);
    expect(inline(sel)).toBe('up{job="a", cluster="prod", env="p"}');
  });

  it('adds parentheses only where precedence needs them', () => {
    const a = selector('a');
    const b = selector('b');
    expect(inline(div(sum(rate(a, '5m')), num(0.001)))).toBe('sum (rate(a[5m])) / 0.001');
    expect(inline(gt(div(a, b), num(1)))).toBe('a / b > 1');
    expect(inline(div(a, div(b, a)))).toBe('a / (b / a)');
  });

  it('formats long expressions over lines and keeps leaf expressions whole', () => {
    const long = selector('response_total', [eq('job', 'linkerd-proxy'), eq('namespace', 'linkerd'), eq('direction', 'inbound'), eq('classification', 'failure')]);
    const text = format(div(sum(rate(long, '5m'), ['cluster']), sum(rate(long, '1h'), ['cluster'])));
    expect(text.split('\n')).toEqual([
      `sum by (cluster) (${inline(rate(long, '5m'))})`,
      '/',
      `sum by (cluster) (${inline(rate(long, '1h'))})`,
    ]);
    expect(validatePromQL(text)).toEqual([]);
  });
});

describe('numbers and durations', () => {
  it('prints clean numbers', () => {
    expect((100 - 99.9) / 100).not.toBe(0.001); // the float noise this guards against
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(99.95)).toBe(0.0005);
    expect(errorBudget(99.999)).toBe(0.00001);
    expect(cleanNumber(0.1 + 0.2)).toBe(0.3);
  });

  it('parses and prints durations', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('30d')).toBe(2592000);
    expect(formatDuration(86400)).toBe('1d');
    expect(formatDuration(604800)).toBe('7d');
    expect(formatDuration(5400)).toBe('90m');
    expect(() => parseDuration('5x')).toThrow(/invalid duration/);
    expect(() => parseDuration('0s')).toThrow(/greater than zero/);
  });
});

describe('in-process PromQL validation', () => {
  it.each([
    ['rate(x[5m]', /syntax/],
    ['sum by le (x)', /syntax/],
    ['rate(x)', /matrix/],
    ['sum(rate(x[5m]))[5m]', /range selector/],
    ['rate(x[0s])', /zero-length/],
  ])('rejects %s', (expr, message) => {
    const problems = validatePromQL(expr);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.message).join(' ')).toMatch(message);
  });

  it('accepts valid expressions', () => {
    expect(validatePromQL('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))')).toEqual([]);
    expect(validatePromQL('sum(rate(a[5m])) or 0 * sum(rate(b[5m]))')).toEqual([]);
  });

  it.each([
    'sum(rate(x{env="a)[5m]"}[5m]))',
    'rate(x{env="x[0s]"}[5m])',
    "rate(x{env='a)[5m]'}[5m])",
    'label_replace(vector(1), "a", "x)[1h]", "", "")',
  ])('reads no range inside a string literal, whatever was validated before: %s', (expr) => {
    // Alone and after an expression of the same shape (the cache of valid shapes must give the same answer).
    expect(validatePromQL(expr)).toEqual([]);
    expect(validatePromQL(expr.replace(/(["'])[^"']*\1/g, '$1ok$1'))).toEqual([]);
    expect(validatePromQL(expr)).toEqual([]);
  });

  it('still finds a real range after a non-selector next to a string', () => {
    expect(validatePromQL('sum(rate(x{env="a"}[5m]))[5m]').map((p) => p.message)).toContain('range selector after a non-selector');
  });
});

it('quote() produces Go-style strings', () => {
  expect(quote('tab\there')).toBe('"tab\\there"');
  expect(quote('\u0001')).toBe('"\\x01"');
});

it('an invalid generated expression fails the run and names the rule', async () => {
  const { assertValidPromQL, InvalidPromQLError } = await import('../src/promql/validate.js');
  expect(() => assertValidPromQL('group-x/my_rule', 'sum(rate(x[5m])')).toThrow(InvalidPromQLError);
  expect(() => assertValidPromQL('group-x/my_rule', 'sum(rate(x[5m])')).toThrow(/group-x\/my_rule is invalid \(this is a bug in linkerd-slo/);
  expect(() => assertValidPromQL('ok', 'sum(rate(x[5m]))')).not.toThrow();
});

describe('walk and mapExpr reach every kind of expression', () => {
  const at = (name: string) => selector(name);
  /**
   * One node of every kind, each with a distinct selector in every place a subexpression can be, and
   * that node written by hand with those selectors renamed to `<name>_x`. A Record over Expr['kind']:
   * a new kind of expression does not compile until it is added here.
   */
  const everyKind: Record<Expr['kind'], { readonly node: Expr; readonly inside: readonly string[]; readonly renamed: string }> = {
    selector: { node: at('alone'), inside: [], renamed: 'alone_x' },
    number: { node: num(2), inside: [], renamed: '2' },
    string: { node: str('s'), inside: [], renamed: '"s"' },
    call: { node: call('clamp_min', at('call_a'), at('call_b')), inside: ['call_a', 'call_b'], renamed: 'clamp_min(call_a_x, call_b_x)' },
    aggregate: { node: aggregate('topk', at('agg_expr'), { param: at('agg_param') }), inside: ['agg_param', 'agg_expr'], renamed: 'topk (agg_param_x, agg_expr_x)' },
    binary: { node: binary('+', at('lhs'), at('rhs')), inside: ['lhs', 'rhs'], renamed: 'lhs_x + rhs_x' },
    paren: { node: paren(at('paren_inner')), inside: ['paren_inner'], renamed: '(paren_inner_x)' },
    subquery: { node: subquery(at('sub_inner'), '1h', '1m'), inside: ['sub_inner'], renamed: 'sub_inner_x[1h:1m]' },
  };
  const kinds = Object.entries(everyKind);

  it.each(kinds)('walk visits a %s and every subexpression of it, parent first', (kind, { node, inside }) => {
    const seen: string[] = [];
    walk(node, (n) => {
      seen.push(n.kind === 'selector' ? n.metric! : n.kind);
    });
    expect(seen).toEqual(kind === 'selector' ? ['alone'] : [kind, ...inside]);
  });

  it.each(kinds)('mapExpr rebuilds a %s with every subexpression mapped', (_kind, { node, renamed }) => {
    expect(inline(mapExpr(node, (n) => (n.kind === 'selector' ? selector(`${n.metric}_x`) : n)))).toBe(renamed);
  });

  it('walk reaches every kind in one tree, and hands each node its ancestors', () => {
    const tree = call('f', ...Object.values(everyKind).map((k) => k.node));
    const visited = new Set<string>();
    const above = new Map<string, string>();
    walk(tree, (n, ancestors) => {
      visited.add(n.kind);
      if (n.kind === 'selector') above.set(n.metric!, ancestors.map((a) => a.kind).join(' > '));
    });
    expect([...visited].sort()).toEqual(['aggregate', 'binary', 'call', 'number', 'paren', 'selector', 'string', 'subquery']);
    expect(above.get('sub_inner')).toBe('call > subquery');
    expect(above.get('agg_param')).toBe('call > aggregate');
    expect(above.get('alone')).toBe('call');
  });

  it('a visitor that returns SKIP_CHILDREN leaves the subexpressions of that node out', () => {
    const seen: string[] = [];
    walk(binary('or', call('absent', at('skipped')), at('kept')), (n) => {
      if (n.kind === 'selector') seen.push(n.metric!);
      return n.kind === 'call' ? SKIP_CHILDREN : undefined;
    });
    expect(seen).toEqual(['kept']);
  });

  it('a node of a kind the switches do not know is an error, not skipped', () => {
    const unknown = { kind: 'at-modifier', expr: at('x') } as unknown as Expr;
    expect(() => walk(unknown, () => undefined)).toThrow('unknown PromQL expression kind "at-modifier"');
    expect(() => mapExpr(unknown, (n) => n)).toThrow('unknown PromQL expression kind "at-modifier"');
    expect(() => format(unknown)).toThrow('unknown PromQL expression kind "at-modifier"');
  });
});
