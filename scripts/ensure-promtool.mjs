#!/usr/bin/env node
// npm test needs promtool and amtool (Debian's `prometheus` and `prometheus-alertmanager`), VictoriaMetrics
// and vmalert (`victoria-metrics`, test/e2e/vmalert.test.ts) and kubectl (`kubernetes-client`,
// test/kustomize.test.ts). Install the missing ones when we can (root + apt-get); otherwise fail with
// the exact command. Never skip silently.
import { spawnSync } from 'node:child_process';

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

// The preview browser test and the backtest HTML check need Debian's chromium; they are skipped,
// saying so, where it cannot be installed. playwright-core drives it; no browser is ever downloaded.
const chromium = process.env.LINKERD_SLO_CHROMIUM || '/usr/bin/chromium';
if (!has(chromium)) {
  const install = 'apt-get update && apt-get install -y --no-install-recommends chromium';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && has('apt-get', ['--version'])) {
    console.error(`chromium not found; installing Debian's package for the preview browser test: ${install}`);
    spawnSync('sh', ['-c', install], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!has(chromium)) console.error(`chromium not found at ${chromium}: the preview browser test will be skipped (run as root: ${install})`);
}

/** Debian package → whether what the tests run from it is on PATH. */
const needs = {
  prometheus: () => has('promtool'),
  'prometheus-alertmanager': () => has('amtool'),
  'victoria-metrics': () => has('victoria-metrics', ['-version']) && has('vmalert', ['-version']),
  'kubernetes-client': () => has('kubectl', ['version', '--client']),
};
const missing = () => Object.keys(needs).filter((p) => !needs[p]());
if (missing().length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing().join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && has('apt-get', ['--version'])) {
  console.error(`${missing().join(', ')} not found; installing Debian's packages: ${command}`);
  const r = spawnSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status === 0 && missing().length === 0) process.exit(0);
  console.error('installing the packages failed (see above)');
  process.exit(1);
}
console.error(
  `The tests need promtool (Prometheus 2.42+), amtool (Alertmanager 0.25+), victoria-metrics and vmalert (1.79+) and kubectl (1.20+). Run (as root):\n  ${command}\nor put them on PATH.`,
);
process.exit(1);
