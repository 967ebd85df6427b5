/**
 * pint's online checks (promql/series, promql/rate, promql/range_query, alerts/count, labels/conflict …)
 * over the example bundle's rule file, against the Prometheus 3 of the end-to-end suites: it loads the
 * same file, holds the simulated mesh's history (backfilled) and scrapes the simulator live, so every
 * series the rules read exists as on a real cluster, recordings included.
 *
 * Required (docs/linting.md): no Bug; every other finding is one docs/linting.md explains. Prometheus
 * keeps 30d (the example's period), as docs/linting.md asks of users (with its default 15d pint
 * rightly reports every 30d range, promql/range_query). What stays is pint reading the warm-up of
 * recordings on a Prometheus started minutes ago as series that come and go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlConfig } from '../../src/config/load.js';
import { primaryEngine, simulatorFor } from '../../tools/sim/index.js';
import { EXAMPLE, tempDirs } from '../support/cli.js';
import { engineRelease, engineSkip } from '../support/engines.js';
import { bundleOf, startStack, waitFor, waitForScrapes, type Stack } from '../e2e/support/harness.js';
import { describeProblems, FORMATS, pintLint, textProblems, type PintRun } from './support/pint.js';

const skip = engineSkip('pint');
if (skip) console.log(`test/engines/pint-online.test.ts skipped: ${skip}`);

const tmp = tempDirs('pint-online');
/** Simulated history before the live scrapes (backfilled at HISTORY_STEP_S). */
const HISTORY_S = 2 * 3600;
const HISTORY_STEP_S = 30;
/** The example's SLO period. */
const RETENTION = '30d';

describe.skipIf(skip)(`pint ${engineRelease('pint')} online checks against ${primaryEngine().name} holding the simulated history`, () => {
  let stack: Stack | undefined;
  let run: PintRun;

  beforeAll(async () => {
    const config = parseYamlConfig(readFileSync(EXAMPLE, 'utf8'), 'examples/linkerd-slo.yaml');
    const bundle = bundleOf(config, 'examples/linkerd-slo.yaml');
    const sim = simulatorFor(config, { start: Date.now() - HISTORY_S * 1000 });
    stack = await startStack({
      sim,
      rules: bundle.rules,
      historyStepSeconds: HISTORY_STEP_S,
      jobNames: { proxy: config.linkerd.proxyJob, controller: config.linkerd.controllerJob },
      // What docs/linting.md asks of users: keep the longest SLO period (pint promql/range_query).
      args: [`--storage.tsdb.retention.time=${RETENTION}`],
    });
    await waitForScrapes(stack, sim, 3);
    const prom = stack.prom;
    // Recordings exist once every group has evaluated after the first scrapes.
    const since = Date.now();
    await waitFor('every rule group evaluated', async () => ((await prom.rules()).every((g) => Date.parse(g.lastEvaluation) > since) ? true : undefined), 30_000);
    // The 1h-3d request counts sum whole 5-minute tiles of the 5m recordings (subqueries aligned to
    // 5 minutes): they appear at the first tile boundary after the rules started. Until then pint only
    // notes that a recording makes them and skips their checks.
    await waitFor('the long-window recordings', async () => ((await prom.query('count(linkerd_slo:sli_requests:rate3d)')).length ? true : undefined), 420_000);
    const dir = tmp();
    const rules = join(dir, 'linkerd-slo-prod-eu1.rules.yaml');
    writeFileSync(rules, bundle.rules);
    const pintConfig = `prometheus "e2e" {\n  uri     = "${prom.url}"\n  timeout = "2m"\n}\n${FORMATS[0].parser}`;
    run = pintLint(dir, 'online', pintConfig, [rules], false);
    console.log(`pint lint (online) over the example bundle: ${run.entries} rules, ${run.ms} ms, ${run.problems.length} findings`);
    for (const line of describeProblems(run.problems)) console.log(`  ${line}`);
  }, 900_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports no Bug', () => {
    expect(run.entries).toBeGreaterThan(0);
    expect(describeProblems(run.problems.filter((p) => p.severity === 'Bug' || p.severity === 'Fatal')), run.stderr).toEqual([]);
  });

  it('reports nothing else but what a Prometheus started minutes ago shows of the recordings (docs/linting.md)', () => {
    const problems = textProblems(run.stderr);
    expect(problems.length).toBe(run.problems.length);
    const explained = problems.filter(
      (p) =>
        p.check === 'promql/series' &&
        // A recording of this bundle that began after Prometheus' first scrape ("up"): pint reads the
        // warm-up as a metric that comes and goes.
        (/The `linkerd_slo:[a-z_:0-9]+` metric is only sometimes present/.test(p.text) ||
          // A recording pint could not find in Prometheus: it checks the rule that makes it instead.
          /didn't have any series for the `linkerd_slo:[a-z_:0-9]+` metric .* but found a recording rule that generates it/.test(p.text)),
    );
    expect(problems.filter((p) => !explained.includes(p)).map((p) => p.text)).toEqual([]);
  });
});
