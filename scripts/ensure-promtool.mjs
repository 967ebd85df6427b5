#!/usr/bin/env node
// npm test needs promtool and amtool (Debian's `prometheus` and `prometheus-alertmanager`). Install them when we can
// (root + apt-get); otherwise fail with the exact command. Never skip silently.
import { spawnSync } from 'node:child_process';

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const ready = () => has('promtool') && has('amtool');
// Optional: the backtest test opens its HTML report in Debian's chromium; without it that one check prints "skipped".
if (!has('chromium') && typeof process.getuid === 'function' && process.getuid() === 0 && has('apt-get', ['--version'])) {
  console.error('chromium not found; installing Debian\'s package for the backtest HTML test (optional)');
  spawnSync('sh', ['-c', 'apt-get install -y --no-install-recommends chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
if (ready()) process.exit(0);

const command = 'apt-get update && apt-get install -y --no-install-recommends prometheus prometheus-alertmanager';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && has('apt-get', ['--version'])) {
  console.error(`promtool/amtool not found; installing Debian's packages: ${command}`);
  const r = spawnSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status === 0 && ready()) process.exit(0);
  console.error('installing the packages failed (see above)');
  process.exit(1);
}
console.error(`promtool and amtool are required by the tests. Run (as root):\n  ${command}\nor put promtool (Prometheus 2.42+) and amtool (Alertmanager 0.25+) on PATH.`);
process.exit(1);
