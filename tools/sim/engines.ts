/**
 * The engines the tests and benchmarks run. Where scripts/engines.mjs put the engines it built from the Go module proxy (versions pinned in
 * scripts/engines.json): ${LINKERD_SLO_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/linkerd-slo-engines}/<engine>-<version>/<binary>.
 * A binary counts as built only when its engine's .built stamp matches the pins (a half or stale build is absent).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type EngineBinary = 'prometheus' | 'promtool' | 'pint' | 'thanos' | 'mimir' | 'mimirtool';

interface Pin {
  readonly module: string;
  readonly version: string;
  readonly release: string;
  readonly binaries: Readonly<Record<string, string>>;
  readonly ldflags: string;
  /** Go build tags the engine's own release build uses. */
  readonly tags?: readonly string[];
  readonly long: boolean;
}

const pinsFile = join(import.meta.dirname, '..', '..', 'scripts', 'engines.json');


function pins(): Record<string, Pin> {
  const all = JSON.parse(readFileSync(pinsFile, 'utf8')) as Record<string, Pin>;
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('$')));
}

function cacheRoot(): string {
  if (process.env.LINKERD_SLO_ENGINES_DIR) return process.env.LINKERD_SLO_ENGINES_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'linkerd-slo-engines');
}

/** Same stamp text as scripts/engines.mjs writes after a complete build. */
const stampOf = (p: Pin): string => JSON.stringify({ module: p.module, version: p.version, binaries: p.binaries, ldflags: p.ldflags, tags: p.tags });
/** Same directory as scripts/engines.mjs builds into: <engine>-<version>[+<tag>.<tag>]. */
const dirOf = (name: string, p: Pin): string => join(cacheRoot(), `${name}-${p.version}${p.tags ? `+${p.tags.join('.')}` : ''}`);

/** The engine (pins entry) that builds this binary. */
function engineOf(binary: EngineBinary): { readonly name: string; readonly pin: Pin } {
  const found = Object.entries(pins()).find(([, p]) => binary in p.binaries);
  if (!found) throw new Error(`scripts/engines.json builds no ${binary}`);
  return { name: found[0], pin: found[1] };
}

/** Path of the built binary, or undefined when scripts/engines.mjs has not built it (or was told to skip it). */
export function enginePath(binary: EngineBinary): string | undefined {
  const { name, pin } = engineOf(binary);
  const dir = dirOf(name, pin);
  const stamp = join(dir, '.built');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== stampOf(pin)) return undefined;
  const path = join(dir, binary);
  return existsSync(path) ? path : undefined;
}

/** The release a binary is built from, for test names and skip messages ("Prometheus 3.16.0"). */
export function engineRelease(binary: EngineBinary): string {
  return engineOf(binary).pin.release;
}

/** Debian's Prometheus 2.42 (package `prometheus`): the oldest engine supported, on PATH. */
export const DEBIAN = { prometheus: 'prometheus', promtool: 'promtool' } as const;

/**
 * The primary engine: the built Prometheus 3 (or its promtool). Without a build, CI=true fails with the
 * command to run; elsewhere Debian's 2.42 on PATH stands in, saying so once.
 */
export function primary(binary: 'prometheus' | 'promtool'): string {
  const built = enginePath(binary);
  if (built) return built;
  const how = `run \`node scripts/engines.mjs\` (npm test does) to build Prometheus ${engineRelease(binary)}`;
  if (process.env.CI === 'true') throw new Error(`${binary} ${engineRelease(binary)} is not built: ${how}`);
  if (!warned.has(binary)) {
    warned.add(binary);
    console.warn(`${binary} ${engineRelease(binary)} is not built (${how}): using Debian's ${DEBIAN[binary]} from PATH instead`);
  }
  return DEBIAN[binary];
}
const warned = new Set<string>();

/** A Prometheus server and the promtool of the same release (backfilled blocks must be readable by it). */
export interface Engine {
  /** "Prometheus 3.16.0", "Prometheus 2.42 (Debian)". */
  readonly name: string;
  readonly prometheus: string;
  readonly promtool: string;
}

/** The primary engine: Prometheus 3 when built (see primary()). */
export function primaryEngine(): Engine {
  const prometheus = primary('prometheus');
  const built = prometheus !== DEBIAN.prometheus;
  return { name: built ? `Prometheus ${engineRelease('prometheus')}` : 'Prometheus (Debian, standing in)', prometheus, promtool: primary('promtool') };
}

export const DEBIAN_ENGINE: Engine = { name: 'Prometheus 2.42 (Debian)', ...DEBIAN };

/**
 * Every engine a scenario runs on: the primary one, then Debian's 2.42 when the primary is a different
 * build. Locally without a build only Debian's runs (primary() says so).
 */
export function allEngines(): Engine[] {
  const p = primaryEngine();
  return p.prometheus === DEBIAN.prometheus ? [DEBIAN_ENGINE] : [p, DEBIAN_ENGINE];
}

/**
 * Why a suite needing this binary cannot run here, or undefined when it can. Locally,
 * LINKERD_SLO_QUICK=1 skips the suites of the long builds (Thanos, Mimir); under CI=true it is
 * ignored and a missing engine that CI builds throws instead of skipping.
 */
export function engineSkip(binary: EngineBinary): string | undefined {
  const { pin } = engineOf(binary);
  const ci = process.env.CI === 'true';
  if (pin.long && process.env.LINKERD_SLO_QUICK === '1' && !ci) return `${binary} suites skipped: LINKERD_SLO_QUICK=1`;
  if (enginePath(binary)) return undefined;
  const reason = `${binary} ${pin.release} is not built (node scripts/engines.mjs builds it)`;
  if (ci) throw new Error(reason);
  return reason;
}
