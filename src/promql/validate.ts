/**
 * In-process PromQL checks: the lezer grammar (syntax) plus codemirror-promql's Parser
 * (value types, arity, binary-operator rules). Loaded through createRequire because
 * codemirror-promql is CommonJS-only and two copies of @codemirror/state must not meet.
 */
import { createRequire } from 'node:module';
import { parser } from '@prometheus-io/lezer-promql';

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

export function validatePromQL(expr: string): PromQLProblem[] {
  const problems: PromQLProblem[] = [];
  if (expr.trim() === '') return [{ from: 0, to: 0, message: 'empty expression' }];
  // The editor's analyzer ignores errors at the end of input (the user may still be typing),
  // so collect every error node from the raw grammar as well.
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) problems.push({ from: node.from, to: node.to, message: 'syntax error' });
    },
  });
  const state = EditorState.create({ doc: expr, extensions: [language] });
  const p = new Parser(state);
  // The editor state parses with a 20 ms budget and keeps a truncated tree when a busy machine runs
  // it out (spurious "expected type matrix" errors, even after ensureSyntaxTree); analyse a complete
  // parse by the same parser instead.
  p.tree = language.parser.parse(expr);
  p.analyze();
  for (const d of p.getDiagnostics()) {
    if (d.message !== 'unexpected expression') problems.push({ from: d.from, to: d.to, message: d.message });
  }
  // Gaps promtool closes but the editor parser does not (shared/reference/tooling.md §1.4).
  if (/\)\s*\[\d+[smhdwy]\]/.test(expr)) problems.push({ from: 0, to: expr.length, message: 'range selector after a non-selector' });
  if (/\[0+[smhdwy]\]/.test(expr)) problems.push({ from: 0, to: expr.length, message: 'zero-length range' });
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
