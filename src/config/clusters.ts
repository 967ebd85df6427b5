/**
 * Multi-cluster configs: each entry of `clusters` is the shared settings deep-merged with its
 * overrides, named after the cluster and matched on the cluster label. Merging works on the
 * raw input (so defaults never override what the shared part set), and each merged config is
 * validated as a whole; an issue is reported in the override when the override set the value.
 */
import type { ConfigIssue, ConfigPath } from './errors.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps merge key by key; lists and scalars from the override replace. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
  return out;
}

const GLOBAL_KEYS = ['clusters'];

/** The raw config of cluster `index`, ready for the schema. */
export function mergedClusterInput(raw: Json, index: number, clusterLabel: string): Json {
  const entry = (raw.clusters as Json[])[index]!;
  const shared = Object.fromEntries(Object.entries(raw).filter(([k]) => !GLOBAL_KEYS.includes(k)));
  const merged = deepMerge(shared, entry.overrides ?? {}) as Json;
  const prometheus = isObject(merged.prometheus) ? merged.prometheus : {};
  const extraMatchers = isObject(prometheus.extraMatchers) ? prometheus.extraMatchers : {};
  return {
    ...merged,
    cluster: entry.name,
    prometheus: { ...prometheus, extraMatchers: { ...extraMatchers, [clusterLabel]: entry.name } },
  };
}

function has(root: unknown, path: ConfigPath): boolean {
  let cur = root;
  for (const seg of path) {
    if (!isObject(cur) && !Array.isArray(cur)) return false;
    const container = cur as Record<string | number, unknown>;
    if (!(seg in container)) return false;
    cur = container[seg];
  }
  return true;
}

/** Point an issue of cluster `index`'s merged config at the override that set the value, if any. */
export function relocate(issue: ConfigIssue, raw: Json, index: number): ConfigIssue {
  const overrides = ((raw.clusters as Json[])[index] ?? {}).overrides;
  const name = (raw.clusters as Json[])[index]?.name;
  for (let n = issue.path.length; n > 0; n--) {
    if (has(overrides, issue.path.slice(0, n))) {
      return { ...issue, path: ['clusters', index, 'overrides', ...issue.path], message: `${issue.message} (cluster ${String(name)})` };
    }
  }
  return { ...issue, message: `${issue.message} (in cluster ${String(name)})` };
}
