// `npm run generate [-- --check]`: every shipped example into its out/ folder.
import { spawnSync } from 'node:child_process';

const EXAMPLES = [
  ['examples/linkerd-slo.yaml', 'out'],
  ['examples/multi-cluster.yaml', 'out/multi-cluster'],
];
const extra = process.argv.slice(2);
let status = 0;
for (const [config, out] of EXAMPLES) {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'generate', '--config', config, '--out', out, ...extra], { stdio: 'inherit' });
  status ||= r.status ?? 1;
}
process.exit(status);
