/**
 * Module customization hooks (https://nodejs.org/docs/latest-v20.x/api/module.html#customization-hooks),
 * registered by load.ts before it imports a config module. They run on Node's hooks thread and
 * write nothing to disk:
 * - load: a `.ts`/`.mts` file is transpiled in memory (types are the user's tsc's job), so a
 *   TypeScript config and the `.ts` files it imports load from where they are, and their relative
 *   and package imports resolve exactly as they would for the user's own code.
 * - resolve: `import ... from 'linkerd-slo'` falls back to this very package when the config's
 *   directory cannot resolve it (linkerd-slo installed globally or run through npx).
 */
import { readFile } from 'node:fs/promises';
import { createRequire, type InitializeHook, type LoadHook, type ResolveHook } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface HooksData {
  /** file: URL of the typescript package linkerd-slo itself resolves, if any. */
  readonly typescript?: string;
}

type TypeScript = typeof import('typescript');

/** Prefix of a TypeScript syntax error's message: `<prefix><file>:<line>:<column>: <message>`. */
export const TS_SYNTAX_ERROR = 'linkerd-slo: TypeScript syntax error at ';

let typescriptUrl: string | undefined;
const SELF = new URL('../index.js', import.meta.url).href;
const TS_FILE = /\.m?ts$/;

export const initialize: InitializeHook<HooksData> = (data) => {
  typescriptUrl = data?.typescript;
};

async function typescriptFor(file: string): Promise<TypeScript> {
  // linkerd-slo's own copy first, else the one installed beside the user's config.
  const url = typescriptUrl ?? pathToFileURL(createRequire(file).resolve('typescript')).href;
  return ((await import(url)) as { default: TypeScript }).default;
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (specifier === 'linkerd-slo' && (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return { url: SELF, format: 'module', shortCircuit: true };
    throw err;
  }
};

export const load: LoadHook = async (url, context, nextLoad) => {
  const parsed = new URL(url);
  if (parsed.protocol !== 'file:' || !TS_FILE.test(parsed.pathname)) return nextLoad(url, context);
  const file = fileURLToPath(parsed);
  const ts = await typescriptFor(file);
  const out = ts.transpileModule(await readFile(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    reportDiagnostics: true,
  });
  const syntax = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax) {
    const pos = syntax.file && syntax.start !== undefined ? syntax.file.getLineAndCharacterOfPosition(syntax.start) : { line: 0, character: 0 };
    // Errors cross the thread boundary as message text only; load.ts parses this exact shape.
    throw new SyntaxError(`${TS_SYNTAX_ERROR}${file}:${pos.line + 1}:${pos.character + 1}: ${ts.flattenDiagnosticMessageText(syntax.messageText, ' ')}`);
  }
  return { format: 'module', source: out.outputText, shortCircuit: true };
};
