/**
 * The module graph of src/, read with the TypeScript compiler's own parser: what docs/architecture.md
 * promises about it. Runtime imports (those that survive compilation) form no cycle; a kind's folder
 * imports no other kind's; and the one circle left, type-only (kinds name the `Config` type of
 * src/config/schema.ts, which assembles `slos` from the registered kinds), cannot feed back into
 * the schema: no kind's config section reaches schema.ts, so the section types never depend on
 * `Config`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'templates' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

interface Edge { readonly to: string; readonly typeOnly: boolean }

/** A module's static imports and re-exports of other src/ modules (path relative to src/). */
function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const edges: Edge[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      const clause = statement.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      // Erased by the compiler: `import type …`, or only `type` names and no default import.
      typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      specifier = statement.moduleSpecifier;
      const named = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : undefined;
      typeOnly = statement.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
    }
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier.text).replace(/\.js$/, '.ts');
    edges.push({ to: relative(SRC, target), typeOnly });
  }
  return edges;
}

const graph = new Map(sourceFiles(SRC).map((f) => [relative(SRC, f), importsOf(f)]));

/** A cycle of the graph restricted to `follow` edges, as a path that ends where it starts; none: undefined. */
function findCycle(follow: (e: Edge) => boolean): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | undefined => {
    if (state.get(m) === 'done') return undefined;
    if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'open');
    stack.push(m);
    for (const e of (graph.get(m) ?? []).filter(follow)) {
      const cycle = visit(e.to);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(m, 'done');
    return undefined;
  };
  for (const m of [...graph.keys()].sort()) {
    const cycle = visit(m);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every module a module reaches, through value and type imports. */
function reach(from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length) {
    for (const e of graph.get(todo.pop()!) ?? []) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        todo.push(e.to);
      }
    }
  }
  return seen;
}

const kindFolders = readdirSync(join(SRC, 'slo'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const folderOf = (module: string) => /^slo\/([^/]+)\//.exec(module)?.[1];

describe('the module graph of src/', () => {
  it('reads the graph it checks (the kinds, the registry and the schema are in it)', () => {
    expect(kindFolders.length).toBeGreaterThanOrEqual(7);
    expect(graph.get('config/schema.ts')!.map((e) => e.to)).toContain('slo/registry.ts');
    expect(graph.get('slo/registry.ts')!.filter((e) => !e.typeOnly).map((e) => folderOf(e.to)).filter(Boolean).sort()).toEqual([...kindFolders].sort());
  });

  it('has no cycle of runtime imports', () => {
    expect(findCycle((e) => !e.typeOnly)).toBeUndefined();
  });

  it('the cycle check finds a cycle when type imports count (the schema ↔ kinds circle documented in docs/architecture.md)', () => {
    const cycle = findCycle(() => true);
    expect(cycle).toBeDefined();
    expect(cycle).toContain('config/schema.ts');
  });

  it.each(kindFolders)('slo/%s imports no module of another kind', (folder) => {
    const modules = [...graph.keys()].filter((m) => folderOf(m) === folder);
    expect(modules.length).toBeGreaterThan(0);
    for (const m of modules) {
      const foreign = graph.get(m)!.map((e) => e.to).filter((to) => folderOf(to) !== undefined && folderOf(to) !== folder);
      expect(foreign, m).toEqual([]);
    }
  });

  it.each(kindFolders.filter((f) => existsSync(join(SRC, 'slo', f, 'config.ts'))))('the config section of slo/%s never reaches src/config/schema.ts, so its types do not depend on Config', (folder) => {
    const config = `slo/${folder}/config.ts`;
    expect(graph.has(config), config).toBe(true);
    expect(reach(config).has('config/schema.ts')).toBe(false);
  });
});
