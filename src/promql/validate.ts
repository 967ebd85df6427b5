/**
 * In-process PromQL checks: the lezer grammar (syntax) plus codemirror-promql's Parser
 * (value types, arity, binary-operator rules). Loaded through createRequire because
 * codemirror-promql is CommonJS-only and two copies of @codemirror/state must not meet.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { EditorState } = require('@codemirror/state') as typeof import('@codemirror/state');
const { promQLLanguage, LanguageType } = require('@prometheus-io/codemirror-promql') as {
  promQLLanguage: (t: unknown) => import('@codemirror/language').LRLanguage;
  LanguageType: { PromQL: unknown };
};
const { Parser } = require('@prometheus-io/codemirror-promql/dist/cjs/parser/index.js') as {
  Parser: new (s: import('@codemirror/state').EditorState) => {
    tree: import('@lezer/common').Tree;
    analyze(): void;
    getDiagnostics(): Array<{ from: number; to: number; message: string }>;
  };
};

const language = promQLLanguage(LanguageType.PromQL);

export interface PromQLProblem { readonly from: number; readonly to: number; readonly message: string }

/**
 * Expressions that differ only inside string literals (matcher values) have the same validity
 * here, so a bundle for 50 clusters parses each shape once. Only successes are cached; a
 * failure is always re-analysed on its own text for exact positions.
 */
const validShapes = new Set<string>();
/** The expression with every string literal ("…", '…', `…`) emptied: what the text-level checks below may read. */
const shapeOf = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (m) => m[0]!.repeat(2));

export function validatePromQL(expr: string): PromQLProblem[] {
  if (expr.trim() === '') return [{ from: 0, to: 0, message: 'empty expression' }];
  const shape = shapeOf(expr);
  if (validShapes.has(shape)) return [];
  const problems: PromQLProblem[] = [];
  // One complete parse serves both checks. The editor's analyzer ignores errors at the end of
  // input (the user may still be typing), so every error node is collected from the tree too.
  // The editor state itself gets no language: its own parse runs on a 20 ms budget and keeps a
  // truncated tree on a busy machine (spurious "expected type matrix" errors).
  const tree = language.parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError) problems.push({ from: node.from, to: node.to, message: 'syntax error' });
    },
  });
  const p = new Parser(EditorState.create({ doc: expr }));
  p.tree = tree;
  p.analyze();
  for (const d of p.getDiagnostics()) {
    if (d.message !== 'unexpected expression') problems.push({ from: d.from, to: d.to, message: d.message });
  }
  // Gaps promtool closes but the editor parser does not (@prometheus-io/codemirror-promql 0.314.0 against promtool `check rules`; the cases are in test/promql.test.ts).
  // They read the shape: a label value such as `a)[5m]` or `x[0s]` is a string, not a range (and the
  // answer must not depend on which expressions of the same shape were validated before).
  if (/\)\s*\[\d+[smhdwy]\]/.test(shape)) problems.push({ from: 0, to: expr.length, message: 'range selector after a non-selector' });
  if (/\[0+[smhdwy]\]/.test(shape)) problems.push({ from: 0, to: expr.length, message: 'zero-length range' });
  if (problems.length === 0) validShapes.add(shape);
  return problems;
}

export class InvalidPromQLError extends Error {
  constructor(readonly ruleName: string, readonly expr: string, readonly problems: readonly PromQLProblem[]) {
    super(
      `generated PromQL for ${ruleName} is invalid (this is a bug in linkerd-slo, please report it):\n` +
        problems.map((p) => `  at ${p.from}-${p.to}: ${p.message}: ${JSON.stringify(expr.slice(Math.max(0, p.from - 20), p.to + 20))}`).join('\n') +
        `\n  expression: ${expr}`,
    );
  }
}

export function assertValidPromQL(ruleName: string, expr: string): void {
  const problems = validatePromQL(expr);
  if (problems.length) throw new InvalidPromQLError(ruleName, expr, problems);
}
