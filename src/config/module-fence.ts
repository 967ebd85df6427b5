/**
 * What keeps a TypeScript/JavaScript config module, which runs in linkerd-slo's own process, from
 * ending the run in anything but one located line and exit 2 (load.ts fences the evaluation itself
 * with a time limit and a process.exit() that throws):
 * - whatever it throws or exports is read defensively: a value whose toString() throws, a Proxy
 *   whose traps throw, a getter that throws, a cycle or absurd nesting become a ConfigError at the
 *   path where they were met, and the export is copied into plain data once, so nothing of the
 *   module runs after loading;
 * - timers it leaves running (setTimeout/setInterval/setImmediate, e.g. a delayed process.exit(0))
 *   are cancelled and refused, and promises it leaves rejected while loading are refused;
 * - anything that still reaches the process later from the module's code (an exit, a throw or a
 *   rejection in a callback) is recognised by the module's URL in the stack and reported as the
 *   config's fault (lateConfigFailure), not as an internal error.
 */
import { ConfigError, type ConfigPath } from './errors.js';
import { EXIT, UserError } from '../errors.js';

/** The query string load.ts puts on every config module's URL; it marks the module's frames in stacks. */
export const MODULE_MARK = 'linkerd-slo-load=';

/** A thrown or exported value as text, even when its toString() or message getter throws. */
export function safeText(value: unknown): string {
  try {
    if (value instanceof Error) return String(value.message);
    return String(value);
  } catch {
    return 'a value that cannot be shown (its toString() throws)';
  }
}

const MAX_DEPTH = 64;

/**
 * The exported config as plain data (objects, arrays, strings, numbers, booleans, null): read once,
 * here, so a Proxy, a getter or a cycle fails at its path instead of inside the validator.
 */
export function plainData(value: unknown, file: string): unknown {
  const seen = new Set<object>();
  const fail = (path: ConfigPath, message: string): never => {
    throw new ConfigError([{ file, path, message }]);
  };
  const copy = (v: unknown, path: Array<string | number>): unknown => {
    if (v === null || typeof v !== 'object') return typeof v === 'function' ? fail(path, 'is a function; the config must export plain settings') : v;
    if (path.length > MAX_DEPTH) fail(path, `is nested more than ${MAX_DEPTH} levels deep`);
    if (seen.has(v)) fail(path, 'refers back to an object that contains it (a cycle); the config must be plain data');
    seen.add(v);
    /** Runs one read of the module's value (a trap or getter may run); a throw fails at `at`. */
    const read = <T,>(at: Array<string | number>, f: () => T): T => {
      try {
        return f();
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        return fail(at, `cannot be read: it threw ${safeText(err)}`);
      }
    };
    try {
      if (read(path, () => Array.isArray(v))) {
        const items = v as unknown[];
        return Array.from({ length: read(path, () => items.length) }, (_, i) => copy(read([...path, i], () => items[i]), [...path, i]));
      }
      const out: Record<string, unknown> = {};
      for (const key of read(path, () => Object.keys(v))) out[key] = copy(read([...path, key], () => (v as Record<string, unknown>)[key]), [...path, key]);
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return copy(value, []);
}

type TimerFn = (...args: never[]) => unknown;

/** Every timer created through the globals while tracking is on, until it fires or is cleared. */
export function trackTimers(): { pending(): number; stop(): void } {
  const g = globalThis as unknown as Record<string, TimerFn>;
  const names = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'] as const;
  const original = Object.fromEntries(names.map((n) => [n, g[n]])) as Record<(typeof names)[number], (...args: unknown[]) => unknown>;
  const live = new Map<unknown, 'clearTimeout' | 'clearInterval' | 'clearImmediate'>();
  const make = (create: 'setTimeout' | 'setInterval' | 'setImmediate', clear: 'clearTimeout' | 'clearInterval' | 'clearImmediate', once: boolean) =>
    (fn: unknown, ...rest: unknown[]) => {
      if (typeof fn !== 'function') return original[create](fn, ...rest); // Node's own TypeError
      const handle: unknown = original[create]((...args: unknown[]) => {
        if (once) live.delete(handle);
        return (fn as (...a: unknown[]) => unknown)(...args);
      }, ...rest);
      live.set(handle, clear);
      return handle;
    };
  g.setTimeout = make('setTimeout', 'clearTimeout', true) as TimerFn;
  g.setInterval = make('setInterval', 'clearInterval', false) as TimerFn;
  g.setImmediate = make('setImmediate', 'clearImmediate', true) as TimerFn;
  for (const clear of ['clearTimeout', 'clearInterval', 'clearImmediate'] as const) {
    g[clear] = ((handle: unknown) => {
      live.delete(handle);
      return original[clear](handle);
    }) as TimerFn;
  }
  return {
    pending: () => live.size,
    stop: () => {
      for (const n of names) g[n] = original[n] as TimerFn;
      for (const [handle, clear] of live) original[clear](handle);
    },
  };
}

let loadedDisplay: string | undefined;
let exitGuarded = false;

/** Whether a failure came from a loaded config module's own code (its URL is in the stack), or is a non-Error a config threw. */
function fromConfig(err: unknown): boolean {
  if (loadedDisplay === undefined) return false;
  if (err instanceof UserError || err instanceof ConfigError) return false; // already the one line
  if (!(err instanceof Error)) return true; // linkerd-slo only ever throws Errors
  try {
    return String(err.stack ?? '').includes(MODULE_MARK);
  } catch {
    return true;
  }
}

/** For the CLI's last-resort handlers: a late failure of the config module as one line and exit 2, or undefined. */
export function lateConfigFailure(err: unknown): UserError | undefined {
  let config: boolean;
  try {
    config = fromConfig(err);
  } catch {
    config = loadedDisplay !== undefined; // a value whose traps throw: no part of linkerd-slo throws those
  }
  if (!config) return undefined;
  return new UserError(`${loadedDisplay}: the config failed in code it left running: ${safeText(err)}; a config must only export its settings`, EXIT.config);
}

/**
 * From the moment a module config starts loading: a process.exit() from its code outside the
 * evaluation (a callback the fence did not see) ends the run as a config error instead of with
 * the exit code the config chose.
 */
export function guardLateExit(display: string): void {
  loadedDisplay = display;
  if (exitGuarded) return;
  exitGuarded = true;
  const exit = process.exit;
  process.exit = ((code?: number | string | null) => {
    if (!String(new Error().stack ?? '').includes(MODULE_MARK)) return exit(code);
    process.stderr.write(`error: ${loadedDisplay}: the config called process.exit(${code ?? ''}) after it was loaded; a config must only export its settings\n`);
    return exit(EXIT.config);
  }) as typeof process.exit;
}
