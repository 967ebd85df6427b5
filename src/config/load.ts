/**
 * Reading a config file: YAML (js-yaml, safe schema: never executes anything) or a
 * TypeScript/JavaScript module exporting defineConfig({...}). Every problem is collected,
 * located (file, path, line:column) and thrown as one ConfigError before anything is written.
 */
import { readFile, writeFile, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { load as loadYaml, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { ConfigError, closest, type ConfigIssue, type ConfigPath, type LocatedIssue } from './errors.js';
import { yamlLocator, type Locator } from './positions.js';
import { checkConfig } from '../slo/registry.js';
import { mergedClusterInput, relocate } from './clusters.js';

export interface LoadedConfig {
  readonly file: string;
  /** The config as written (for multi-cluster configs: the shared settings, `cluster` names the fleet). */
  readonly config: Config;
  /** One config per cluster: [config] itself for a single-cluster config. */
  readonly clusters: readonly Config[];
}

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  const display = relative(process.cwd(), file) || file;
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError([{ file: display, path: [], message: `cannot read config: ${reason}` }]);
  }
  if (MODULE_EXTENSIONS.has(extname(file))) {
    const raw = await importConfigModule(file, source, display);
    return { file: display, ...resolveConfig(raw, display) };
  }
  return { file: display, ...resolveYamlConfig(source, display) };
}

/** Parse and validate YAML text; `file` is only used in messages. */
export function parseYamlConfig(source: string, file: string): Config {
  return resolveYamlConfig(source, file).config;
}

function resolveYamlConfig(source: string, file: string): { config: Config; clusters: Config[] } {
  let raw: unknown;
  try {
    raw = loadYaml(source, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const mark = (err as YAMLException & { mark?: { line: number; column: number } }).mark;
      throw new ConfigError([
        { file, path: [], line: mark ? mark.line + 1 : undefined, column: mark ? mark.column + 1 : undefined, message: `invalid YAML: ${err.reason}` },
      ]);
    }
    throw err;
  }
  return resolveConfig(raw, file, yamlLocator(source));
}

/** Validate an already-parsed config object (from YAML or from defineConfig). */
export function validateConfig(raw: unknown, file: string, locate?: Locator): Config {
  return resolveConfig(raw, file, locate).config;
}

function parseOne(raw: unknown): { config?: Config; issues: ConfigIssue[] } {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) return { issues: parsed.error.issues.flatMap((i) => describeIssue(i, raw)) };
  return { config: parsed.data, issues: checkConfig(parsed.data) };
}

/** Validate a config and, for a multi-cluster config, every cluster's merged config. */
export function resolveConfig(raw: unknown, file: string, locate?: Locator): { config: Config; clusters: Config[] } {
  if (raw === undefined || raw === null) {
    throw new ConfigError([{ file, path: [], line: 1, column: 1, message: 'the config is empty; at least "cluster: <name>" is required' }]);
  }
  const base = parseOne(raw);
  if (!base.config || base.issues.length) throw new ConfigError(base.issues.map((i) => locateIssue(i, file, locate)));
  const config = base.config;
  if (!config.clusters) return { config, clusters: [config] };
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  config.clusters.forEach((c, i) => {
    if (names.has(c.name)) issues.push({ path: ['clusters', i, 'name'], message: `cluster "${c.name}" is listed twice` });
    names.add(c.name);
  });
  const clusters: Config[] = [];
  config.clusters.forEach((_, i) => {
    const one = parseOne(mergedClusterInput(raw as Record<string, unknown>, i, config.multiCluster.clusterLabel));
    issues.push(...one.issues.map((issue) => relocate(issue, raw as Record<string, unknown>, i)));
    if (one.config) clusters.push(one.config);
  });
  if (issues.length) throw new ConfigError(issues.map((i) => locateIssue(i, file, locate)));
  return { config, clusters };
}

function locateIssue(issue: ConfigIssue, file: string, locate?: Locator): LocatedIssue {
  const pos = locate?.(issue.path, issue.atKey);
  return { ...issue, file, line: pos?.line, column: pos?.column };
}

function valueAt(root: unknown, path: ConfigPath): { found: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !(seg in (cur as Record<string | number, unknown>))) return { found: false };
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return { found: true, value: cur };
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Keys a strict object at `path` of the schema accepts. */
function knownKeysAt(path: ConfigPath): string[] {
  type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown; valueType?: unknown; in?: unknown };
  const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
  const unwrap = (s: unknown): unknown => {
    let cur = s;
    for (;;) {
      const d = defOf(cur);
      if (d.innerType) cur = d.innerType;
      else if (d.type === 'pipe' && d.in) cur = d.in;
      else return cur;
    }
  };
  let node = unwrap(ConfigSchema);
  for (const seg of path) {
    const d = defOf(node);
    if (d.type === 'object' && d.shape && typeof seg === 'string' && seg in d.shape) node = unwrap(d.shape[seg]);
    else if (d.type === 'array' && d.element) node = unwrap(d.element);
    else if (d.type === 'record' && d.valueType) node = unwrap(d.valueType);
    else return [];
  }
  const d = defOf(node);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue[] {
  const path = issue.path as ConfigPath;
  const at = valueAt(raw, path);
  const found = at.found ? describeValue(at.value) : 'nothing (the key is missing)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(path);
      return issue.keys.map((key) => {
        const hint = closest(key, known);
        return {
          path: [...path, key],
          atKey: true,
          message: `unknown key "${key}"` + (hint ? ` (did you mean "${hint}"?)` : known.length ? ` (expected one of: ${known.join(', ')})` : ''),
        };
      });
    }
    case 'invalid_type':
      return [{ path, message: `expected ${issue.expected}, found ${found}` }];
    case 'invalid_value':
      return [{ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${found}` }];
    case 'invalid_union':
      return [{ path, message: `${issue.message}, found ${found}` }];
    default:
      return [{ path, message: `${issue.message.replace(/^Invalid input: /, '')}, found ${found}` }];
  }
}

/**
 * Load linkerd-slo.config.ts: TypeScript is transpiled (types are the user's tsc's job) into a
 * temporary module beside the original, so its imports resolve as they would for the user.
 */
async function importConfigModule(file: string, source: string, display: string): Promise<unknown> {
  let target = resolve(file);
  let cleanup: string | undefined;
  if (extname(file) === '.ts' || extname(file) === '.mts') {
    const ts = (await import('typescript')).default;
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      reportDiagnostics: true,
    });
    const syntax = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
    if (syntax) {
      const pos = syntax.file && syntax.start !== undefined ? syntax.file.getLineAndCharacterOfPosition(syntax.start) : undefined;
      throw new ConfigError([
        { file: display, path: [], line: pos ? pos.line + 1 : undefined, column: pos ? pos.character + 1 : undefined, message: ts.flattenDiagnosticMessageText(syntax.messageText, '\n') },
      ]);
    }
    cleanup = join(dirname(target), `.${basename(file)}.${process.pid}.${Date.now()}.mjs`);
    await writeFile(cleanup, out.outputText);
    target = cleanup;
  }
  try {
    const mod = (await import(pathToFileURL(target).href)) as { default?: unknown };
    if (mod.default === undefined) {
      throw new ConfigError([{ file: display, path: [], message: 'the module has no default export; use `export default defineConfig({ ... })`' }]);
    }
    return mod.default;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([{ file: display, path: [], message: `cannot load config module: ${(err as Error).message}` }]);
  } finally {
    if (cleanup) await unlink(cleanup).catch(() => undefined);
  }
}
