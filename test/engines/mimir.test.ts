/**
 * Mimir ruler for real: Mimir monolithic (built by scripts/engines.mjs; filesystem storage, on
 * 127.0.0.1) receives the samples a Prometheus 3 scrapes from the simulator by remote write (its own
 * recordings and ALERTS are not sent: Mimir's ruler must compute them), the generated Mimir namespace
 * is loaded with `mimirtool rules load` for the tenant, and the ruler's alerts, read from its API, must
 * be Prometheus' alerts episode for episode over the outage. `mimirtool rules check` and `lint` must
 * accept every Mimir file the generator writes (example bundles included).
 *
 * A long build: LINKERD_SLO_QUICK=1 skips this suite locally (never under CI=true).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enginePath, engineRelease, engineSkip, primaryEngine, type ActiveAlert } from '../../tools/sim/index.js';
import { validateConfig } from '../../src/config/load.js';
import { generate } from '../../src/generate.js';
import { startStack, waitForScrapes, type Stack } from '../e2e/support/harness.js';
import { sleep, waitFor } from '../support/wait.js';
import { startMimir, type Server } from './support/servers.js';
import { CLUSTER, expectSameEpisodes, fastConfig, outageSimulator, watchOutage, type Watched } from './support/outage.js';

const skip = engineSkip('mimir') ?? engineSkip('mimirtool');
if (skip) console.log(`test/engines/mimir.test.ts skipped: ${skip}`);

const TENANT = 'e2e-tenant';
const NAMESPACE_PREFIX = 'slo-e2e';
const repo = join(import.meta.dirname, '..', '..');

function mimirtool(args: readonly string[], cwd?: string): { ok: boolean; output: string } {
  const r = spawnSync(enginePath('mimirtool')!, args, { encoding: 'utf8', cwd, timeout: 60_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Every Mimir file the generator writes for the committed examples. */
function committedMimirFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (dir.endsWith('/mimir') && e.name.endsWith('.yaml')) out.push(p);
    }
  };
  walk(join(repo, 'out'));
  return out;
}

describe.skipIf(skip)(`mimirtool ${engineRelease('mimirtool')} accepts every Mimir file`, () => {
  const files = skip ? [] : committedMimirFiles();

  it('the examples have Mimir files at all', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('rules check', () => {
    const r = mimirtool(['rules', 'check', ...files]);
    expect(r.ok, r.output).toBe(true);
  });

  it('rules lint --dry-run changes nothing', () => {
    const r = mimirtool(['rules', 'lint', '--dry-run', ...files]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).not.toMatch(/would be (re)?linted|changed/i);
  });
});

/**
 * How far apart an episode may start or end on the two engines, in ms, before the watch's own lag:
 * Prometheus scrapes and evaluates every second; Mimir gets the samples by remote write (a batch at
 * least every second) and its ruler evaluates every second at its own phase. One evaluation, one
 * remote-write batch and one scrape; the test adds the longest gap between two looks of the watch
 * (250 ms nominally, more on a loaded machine).
 */
const ENGINE_TOLERANCE_MS = 3_000;

describe.skipIf(skip)(`Mimir ${engineRelease('mimir')} ruler over the outage scenario, beside ${primaryEngine().name}`, () => {
  let mimir: Server | undefined;
  let stack: Stack | undefined;
  let watched: Watched;
  let loaded = '';
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-mimirtool-'));
  const config = validateConfig(fastConfig({ targets: ['prometheus', 'mimir'], mimir: { namespace: NAMESPACE_PREFIX } }), 'e2e.yaml');
  const files = generate(config, 'e2e.yaml').files;
  const mimirFile = `mimir/${NAMESPACE_PREFIX}-${CLUSTER}.yaml`;

  const mimirApi = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${mimir!.url}/prometheus/api/v1/${path}`, { headers: { 'X-Scope-OrgID': TENANT }, signal: AbortSignal.timeout(10_000) });
    const json = (await r.json()) as { status: string; data: T; error?: string };
    if (json.status !== 'success') throw new Error(`mimir ${path}: ${json.error}`);
    return json.data;
  };

  beforeAll(async () => {
    // Mimir refuses a rule group of more than 20 rules by default (-ruler.max-rules-per-rule-group): the
    // generator splits larger groups (rules.mimir.maxRulesPerGroup), so a default Mimir loads the bundle.
    const parsed = load(files.get(mimirFile)!) as { namespace: string; groups: Array<{ name: string; rules: unknown[] }> };
    expect(parsed.groups.filter((g) => g.rules.length > 20).map((g) => g.name)).toEqual([]);
    mimir = await startMimir(enginePath('mimir')!);
    const sim = outageSimulator(0);
    // Prometheus evaluates the plain rule file and remote-writes what it scrapes, not what it records.
    stack = await startStack({
      sim,
      rules: files.get(`prometheus/linkerd-slo-${CLUSTER}.rules.yaml`)!,
      extraConfig: {
        remote_write: [{
          url: `${mimir.url}/api/v1/push`,
          headers: { 'X-Scope-OrgID': TENANT },
          queue_config: { batch_send_deadline: '1s' },
          write_relabel_configs: [{ source_labels: ['__name__'], regex: '.*:.*|ALERTS|ALERTS_FOR_STATE', action: 'drop' }],
        }],
      },
    });
    await waitForScrapes(stack, sim, 2);
    await waitFor('samples in Mimir', async () => (await mimirApi<{ result: unknown[] }>('query?query=up')).result.length > 0, 60_000);
    // Loaded only once samples arrive, or its absent() alerts would see the empty tenant.
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, files.get(mimirFile)!);
    const r = mimirtool(['rules', 'load', `--address=${mimir.url}`, `--id=${TENANT}`, file]);
    if (!r.ok) throw new Error(`mimirtool rules load: ${r.output}`);
    loaded = mimirtool(['rules', 'list', `--address=${mimir.url}`, `--id=${TENANT}`]).output;
    // The 1m long window full of healthy traffic before the outage (Mimir has no backfilled history).
    await sleep(65_000);
    const sources = [
      { name: 'prometheus', alerts: () => stack!.prom.alerts() },
      { name: 'mimir', alerts: async () => (await mimirApi<{ alerts: ActiveAlert[] }>('alerts')).alerts },
    ];
    watched = await watchOutage(sim, sources);
  }, 400_000);

  afterAll(async () => {
    await stack?.stop();
    await mimir?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mimirtool loaded the namespace of the file for the tenant', () => {
    const namespace = (load(files.get(mimirFile)!) as { namespace: string }).namespace;
    expect(namespace).toBe(`${NAMESPACE_PREFIX}-${CLUSTER}`);
    expect(loaded).toContain(namespace);
  });

  it('fires nothing while healthy, like Prometheus', () => {
    expect(watched.firingBeforeOnset.get('mimir')).toEqual([]);
    expect(watched.firingBeforeOnset.get('prometheus')).toEqual([]);
  });

  it('fires the same alerts as Prometheus, episode for episode, each start and end within one evaluation (and remote-write batch) of Prometheus\'s', () => {
    expectSameEpisodes(watched, 'mimir', 'Mimir ruler', ENGINE_TOLERANCE_MS);
  });
});
