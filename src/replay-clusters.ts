/** The clusters a history command (backtest, report) replays, from the config file. */
import { resolve } from 'node:path';
import { loadConfigFile } from './config/load.js';
import { generateBundle } from './generate.js';
import { printable } from './check/terminal.js';
import { EXIT, UserError } from './errors.js';

/**
 * Every cluster generate writes rules for, each with its own groups (its version, objectives, cluster
 * label), or only `--cluster` (its value checked by `nonEmpty`, cli.ts' rule for every flag).
 */
export async function clustersToReplay(configPath: string, cluster: string | undefined, nonEmpty: (name: string, value: unknown) => string) {
  const loaded = await loadConfigFile(resolve(configPath));
  const gen = generateBundle(loaded, loaded.file);
  const members = gen.clusters.map((c, i) => ({ config: loaded.clusters[i]!, groups: c.groups }));
  const wanted = cluster === undefined ? undefined : nonEmpty('cluster', cluster);
  const chosen = wanted === undefined ? members : members.filter((m) => m.config.cluster === wanted);
  if (!chosen.length) throw new UserError(`--cluster: ${JSON.stringify(printable(wanted!))} is not a cluster of ${loaded.file} (its clusters: ${members.map((m) => printable(m.config.cluster)).join(', ')})`, EXIT.config);
  return { loaded, chosen };
}
