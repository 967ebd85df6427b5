/**
 * Reading a config file: YAML (js-yaml, safe schema: never executes anything) or a
 * TypeScript/JavaScript module exporting defineConfig({...}). Every problem is collected,
 * located (file, path, line:column) and thrown as one ConfigError before anything is written.
 */
import { existsSync } from 'node:fs';
import { setImmediate } from 'node:timers';
import { readFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import { extname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load as loadYaml, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { ConfigError, closest, type ConfigIssue, type ConfigPath, type LocatedIssue } from './errors.js';
import { quote } from '../text.js';
import { yamlLocator, type Locator } from './positions.js';
import { checkConfig } from '../slo/registry.js';
import { mergedClusterInput, relocate } from './clusters.js';
import { parseDuration } from '../promql/number.js';
import { EXIT, UserError } from '../errors.js';
import { TS_SYNTAX_ERROR, type HooksData } from './ts-hooks.js';
import { guardLateExit, MODULE_MARK, plainData, safeText, trackTimers } from './module-fence.js';

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
    const raw = await importConfigModule(resolve(file), display);
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

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${quote(v)}`;
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
          message: `unknown key ${quote(key)}` + (hint ? ` (did you mean "${hint}"?)` : known.length ? ` (expected one of: ${known.join(', ')})` : ''),
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

/** How long a config module may take to evaluate; LINKERD_SLO_CONFIG_TIMEOUT (a duration: 500ms, 30s) overrides it. */
const DEFAULT_CONFIG_TIMEOUT = '10s';
const TS_EXTENSIONS = new Set(['.ts', '.mts']);

let hooksRegistered = false;
let moduleLoads = 0;

function resolveFrom(from: string, specifier: string): string | undefined {
  try {
    return pathToFileURL(createRequire(from).resolve(specifier)).href;
  } catch {
    return undefined;
  }
}

function configTimeout(env: NodeJS.ProcessEnv): { ms: number; text: string } {
  const text = env.LINKERD_SLO_CONFIG_TIMEOUT || DEFAULT_CONFIG_TIMEOUT;
  try {
    return { ms: parseDuration(text) * 1000, text };
  } catch (err) {
    throw new UserError(`LINKERD_SLO_CONFIG_TIMEOUT: ${(err as Error).message}`, EXIT.config);
  }
}

const firstLine = (text: string): string => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/**
 * Load linkerd-slo.config.ts (or .mts/.js/.mjs). TypeScript is transpiled in memory by the hooks in
 * ts-hooks.ts, so nothing is written beside the user's file and its imports resolve as they would
 * for the user. The module runs in this process, so it is fenced: a time limit (a ref'd timer keeps
 * Node from exiting 13 on a top-level await that never settles), and process.exit() turned into an
 * error while it evaluates. A synchronous endless loop cannot be interrupted this way.
 */
async function importConfigModule(file: string, display: string): Promise<unknown> {
  const timeout = configTimeout(process.env);
  const ownTypescript = resolveFrom(import.meta.url, 'typescript');
  if (TS_EXTENSIONS.has(extname(file)) && !ownTypescript && !resolveFrom(file, 'typescript')) {
    throw new UserError(
      `${display}: a TypeScript config needs the typescript package, which is not installed: run \`npm install --save-dev typescript\`, or write the config as YAML or .mjs`,
      EXIT.config,
    );
  }
  if (!hooksRegistered) {
    const hooks = new URL('./ts-hooks.js', import.meta.url);
    // Run from source (vitest, tsx) there is no compiled hooks module, and that host loads .ts itself.
    if (existsSync(hooks)) register<HooksData>(hooks, { data: { typescript: ownTypescript } });
    hooksRegistered = true;
  }
  // A fresh module instance per load: the ESM cache would otherwise return the first evaluation.
  const url = `${pathToFileURL(file).href}?${MODULE_MARK}${++moduleLoads}`;
  guardLateExit(display);

  const { exit, exitCode } = process;
  let exitCalled: UserError | undefined;
  process.exit = ((code?: number | string | null) => {
    // linkerd-slo's own exit (the CLI failing on something the module left behind) still exits.
    if (!String(new Error().stack ?? '').includes(MODULE_MARK)) return exit(code);
    exitCalled = new UserError(`${display}: the config called process.exit(${code ?? ''}); a config must only export its settings`, EXIT.config);
    throw exitCalled;
  }) as typeof process.exit;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`${display}: the config did not finish loading within ${timeout.text} (does it await something that never settles?); LINKERD_SLO_CONFIG_TIMEOUT sets the limit`, EXIT.config)),
      timeout.ms,
    );
  });
  const timers = trackTimers();
  try {
    const mod = (await Promise.race([import(url), timedOut])) as { default?: unknown };
    // One turn of the event loop: a promise the module left rejected is reported now (as the
    // config's fault, see lateConfigFailure), before anything is validated or printed.
    await new Promise((done) => setImmediate(done));
    if (exitCalled) throw exitCalled;
    const left = timers.pending();
    if (left > 0) {
      throw new UserError(`${display}: the config left ${left} timer(s) running after it loaded (setTimeout/setInterval/setImmediate); a config must only export its settings`, EXIT.config);
    }
    if (mod.default === undefined) {
      throw new ConfigError([{ file: display, path: [], message: 'the module has no default export; use `export default defineConfig({ ... })`' }]);
    }
    return plainData(mod.default, display);
  } catch (err) {
    throw exitCalled ?? importFailure(err, display, url);
  } finally {
    timers.stop();
    clearTimeout(timer);
    process.exit = exit;
    process.exitCode = exitCode;
  }
}

/** One located line for whatever importing a config module threw (even a Proxy whose every trap throws). */
function importFailure(err: unknown, display: string, url: string): Error {
  try {
    return describeImportFailure(err, display, url);
  } catch {
    return new UserError(`${display}: the config threw a value that cannot be read`, EXIT.config);
  }
}

function describeImportFailure(err: unknown, display: string, url: string): Error {
  if (err instanceof UserError || err instanceof ConfigError) return err;
  const message = safeText(err);
  const at = message.indexOf(TS_SYNTAX_ERROR);
  if (at >= 0) {
    const m = /^(.*):(\d+):(\d+): (.*)$/s.exec(message.slice(at + TS_SYNTAX_ERROR.length));
    if (m) return new ConfigError([{ file: relative(process.cwd(), m[1]!) || m[1]!, path: [], line: Number(m[2]), column: Number(m[3]), message: firstLine(m[4]!) }]);
  }
  // Our cache-busting query is noise in Node's own messages ("Cannot find module ... imported from ...").
  const text = firstLine(message.split(url).join(fileURLToPath(url)).replace(/\?linkerd-slo-load=\d+/g, ''));
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_')) return new UserError(`${display}: cannot load the config: ${text}`, EXIT.config);
  if (err instanceof SyntaxError) return new UserError(`${display}: SyntaxError: ${text}`, EXIT.config);
  return new UserError(`${display}: the config threw: ${text || (err instanceof Error ? err.name : 'an empty value')}`, EXIT.config);
}
