/**
 * Where scripts/engines.mjs put the engines it built from the Go module proxy (versions pinned in
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
const stampOf = (p: Pin): string => JSON.stringify({ module: p.module, version: p.version, binaries: p.binaries, ldflags: p.ldflags });

/** The engine (pins entry) that builds this binary. */
export function engineOf(binary: EngineBinary): { readonly name: string; readonly pin: Pin } {
  const found = Object.entries(pins()).find(([, p]) => binary in p.binaries);
  if (!found) throw new Error(`scripts/engines.json builds no ${binary}`);
  return { name: found[0], pin: found[1] };
}

/** Path of the built binary, or undefined when scripts/engines.mjs has not built it (or was told to skip it). */
export function enginePath(binary: EngineBinary): string | undefined {
  const { name, pin } = engineOf(binary);
  const dir = join(cacheRoot(), `${name}-${pin.version}`);
  const stamp = join(dir, '.built');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== stampOf(pin)) return undefined;
  const path = join(dir, binary);
  return existsSync(path) ? path : undefined;
}

/** The release a binary is built from, for test names and skip messages ("Prometheus 3.16.0"). */
export function engineRelease(binary: EngineBinary): string {
  return engineOf(binary).pin.release;
}
