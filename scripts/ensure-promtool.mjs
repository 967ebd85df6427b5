#!/usr/bin/env node
// npm test needs promtool (Debian's `prometheus` package). Install it when we can
// (root + apt-get); otherwise fail with the exact command. Never skip silently.
import { spawnSync } from 'node:child_process';

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
if (has('promtool')) process.exit(0);

const command = 'apt-get update && apt-get install -y --no-install-recommends prometheus';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && has('apt-get', ['--version'])) {
  console.error(`promtool not found; installing Debian's prometheus package: ${command}`);
  const r = spawnSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status === 0 && has('promtool')) process.exit(0);
  console.error('installing prometheus failed (see above)');
  process.exit(1);
}
console.error(`promtool is required by the tests and is not installed. Run (as root):\n  ${command}\nor put a promtool binary (Prometheus 2.42 or newer) on PATH.`);
process.exit(1);
