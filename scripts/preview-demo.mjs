#!/usr/bin/env node
// npm run preview:demo: the example bundle's dashboards rendered from the project's own simulated
// mesh, for the README and docs/preview.md. A real Prometheus gets 100 minutes of history: a healthy
// hour, then a destination outage (every response fails for 15 minutes) and an identity issuer
// certificate about to expire (2 days left). Raw metrics are backfilled with promtool from the
// simulator (tools/sim, run through bench/ts-loader.mjs); the recording rules are backfilled level by level with
// `promtool tsdb create-blocks-from rules` (a rule reading another rule's series needs that one
// first); then Prometheus runs the full rule file and keeps scraping the simulator live. Finally the
// real CLI runs: linkerd-slo preview --png. PNGs go to docs/img/preview-<dashboard>.png.
// With --v2 <dir>: the same example with grafana.formats [v2] (schema v2 dashboards), pages and PNGs
// in <dir>, docs/img left alone.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import { parseYamlConfig } from '../dist/config/load.js';
import { generate } from '../dist/generate.js';
import { Scenario, backfill, serveSimulator, simulatorFor, simulatorScrapeConfigs, startPrometheus, writeOpenMetricsHistory } from '../tools/sim/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'linkerd-slo.yaml');
const STEP = 30; // seconds between history samples, and the recording rules' evaluation interval while backfilling
const HISTORY_MINUTES = 100;
const OUTAGE = { from: 60 * 60, to: 75 * 60 }; // seconds after the start: a healthy hour, then 15 minutes of outage
const log = (s) => process.stderr.write(`${s}\n`);
const v2Index = process.argv.indexOf('--v2');
const v2Out = v2Index >= 0 ? resolve(process.argv[v2Index + 1] ?? '') : undefined;
if (v2Index >= 0 && !process.argv[v2Index + 1]) throw new Error('--v2 needs a directory for the pages');

const config = parseYamlConfig(readFileSync(EXAMPLE, 'utf8'), 'examples/linkerd-slo.yaml');
const files = generate(config, 'examples/linkerd-slo.yaml').files;
const rulesText = files.get(`prometheus/linkerd-slo-${config.cluster}.rules.yaml`);

/** Recording rules grouped by dependency level: level 0 reads only scraped series. */
function recordingLevels(groups) {
  const records = groups.flatMap((g) => g.rules.filter((r) => r.record));
  const names = new Set(records.map((r) => r.record));
  const level = new Map();
  const levelOf = (name, seen = new Set()) => {
    if (level.has(name)) return level.get(name);
    if (seen.has(name)) throw new Error(`recording rules depend on each other in a cycle at ${name}`);
    seen.add(name);
    let l = 0;
    for (const r of records.filter((x) => x.record === name)) {
      for (const dep of names) if (dep !== name && new RegExp(`(^|[^\\w:])${dep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w:])`).test(r.expr)) l = Math.max(l, levelOf(dep, seen) + 1);
    }
    level.set(name, l);
    return l;
  };
  const out = [];
  for (const g of groups) {
    for (const r of g.rules.filter((x) => x.record)) {
      const l = levelOf(r.record);
      (out[l] ??= []).push(r);
    }
  }
  return out.map((rules, i) => ({ name: `level-${i}`, rules }));
}

const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-preview-demo-'));
let prom;
let server;
try {
  const t0 = Date.now();
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP * 1000;
  const start = end - HISTORY_MINUTES * 60_000;
  const sim = simulatorFor(config, {
    start,
    // The identity issuer certificate expires two days after "now".
    issuerNotAfter: Math.floor(end / 1000) + 2 * 86400,
    scenario: new Scenario(start, [{ kind: 'cp-errors', component: 'destination', ratio: 1, from: OUTAGE.from, to: OUTAGE.to }], 'demo'),
  });
  const data = join(dir, 'data');
  const h = writeOpenMetricsHistory(sim, { until: end, stepSeconds: STEP, file: join(dir, 'history.om') });
  backfill(h.file, data);
  rmSync(h.file);
  log(`history: ${h.series} series, ${h.samples} samples over ${HISTORY_MINUTES} min, backfilled in ${Date.now() - t0} ms`);

  const groups = load(rulesText).groups;
  const levels = recordingLevels(groups);
  for (const [i, group] of levels.entries()) {
    const t = Date.now();
    prom = await startPrometheus({ config: { global: { evaluation_interval: `${STEP}s` } }, dataDir: data });
    const file = join(dir, `level${i}.yaml`);
    writeFileSync(file, dump({ groups: [group] }, { lineWidth: -1 }));
    const out = join(dir, `level${i}-blocks`);
    const r = spawnSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'rules', `--url=${prom.url}`, `--start=${Math.floor(start / 1000)}`, `--end=${Math.floor(end / 1000)}`, `--eval-interval=${STEP}s`, `--output-dir=${out}`, '--quiet', file],
      { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`promtool create-blocks-from rules failed: ${(r.stderr ?? '').slice(-2000)}`);
    await prom.stop();
    prom = undefined;
    for (const e of readdirSync(out, { withFileTypes: true })) if (e.isDirectory() && /^[0-9A-Z]{26}$/.test(e.name)) renameSync(join(out, e.name), join(data, e.name));
    rmSync(out, { recursive: true, force: true });
    log(`recording rules level ${i}: ${group.rules.length} rules backfilled in ${Date.now() - t} ms`);
  }

  // Live from here: the simulator goes on from `end`, scraped every 10 s, with every rule evaluated.
  server = await serveSimulator(sim);
  prom = await startPrometheus({
    config: {
      global: { scrape_interval: '10s', evaluation_interval: '10s' },
      rule_files: ['rules.yaml'],
      scrape_configs: simulatorScrapeConfigs(server.sdUrl, '10s', { proxy: config.linkerd.proxyJob, controller: config.linkerd.controllerJob }),
    },
    files: { 'rules.yaml': rulesText },
    dataDir: data,
  });
  // Two scrapes and rule evaluations of the present.
  await new Promise((r) => setTimeout(r, 25_000));

  const pages = v2Out ?? join(ROOT, 'preview');
  let previewConfig = EXAMPLE;
  if (v2Out) {
    previewConfig = join(dir, 'linkerd-slo.yaml');
    writeFileSync(previewConfig, dump({ ...load(readFileSync(EXAMPLE, 'utf8')), grafana: { ...load(readFileSync(EXAMPLE, 'utf8')).grafana, formats: ['v2'] } }));
  }
  const cli = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'cli.js'), 'preview', '--config', previewConfig, '--prometheus-url', prom.url, '--from', `${HISTORY_MINUTES - 5}m`, '--out', pages, '--png', '--timeout', '120s'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  process.stdout.write(cli.stdout);
  if (cli.status !== 0) throw new Error(`linkerd-slo preview exited with ${cli.status}`);
  const img = join(ROOT, 'docs', 'img');
  mkdirSync(img, { recursive: true });
  for (const f of v2Out ? [] : readdirSync(pages).filter((n) => n.endsWith('.png'))) {
    const name = `preview-${f.replace(/^linkerd-slo-[a-z0-9]+(?:-[a-z0-9]+)*?(-control-plane|-proxies|-certificates)?\.png$/, (_, part) => (part ? part.slice(1) : 'slos'))}.png`;
    copyFileSync(join(pages, f), join(img, name));
    log(`wrote docs/img/${name}`);
  }
  log(`preview:demo done in ${Math.round((Date.now() - t0) / 1000)} s; pages in preview/`);
} finally {
  await prom?.stop().catch(() => undefined);
  await server?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
