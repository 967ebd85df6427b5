/**
 * Dead files, unused dependencies and unused exports (knip; `npm run deadcode`, run by .ci/run): each
 * fails the run. Unused locals and parameters are the compiler's (noUnusedLocals/noUnusedParameters
 * in tsconfig.json). An export only a test reaches through a computed import carries `@public`.
 */
const exportsSeverity = 'error';

export default {
  // src/index.ts and src/cli.ts are entries through package.json (main, bin).
  entry: [
    'bench/*.ts',
    'bench/*.mjs',
    'scripts/*.mjs',
    'tools/sim/index.ts',
    'test/**/*.test.ts',
    'src/**/*.test.ts',
    'examples/*.ts',
  ],
  project: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.{ts,mjs}', 'scripts/**/*.mjs', 'tools/**/*.ts', 'examples/**/*.ts'],
  // An export only its own file reads is still an unused export.
  ignoreExportsUsedInFile: false,
  // Programs the tests, benchmarks and scripts start (Debian packages, the engines' Go toolchain, util-linux).
  ignoreBinaries: ['promtool', 'prometheus', 'prometheus-alertmanager', 'amtool', 'go', 'kubectl', 'unshare', 'mount', 'umount', 'victoria-metrics', 'vmalert', 'dpkg-query'],
  rules: {
    exports: exportsSeverity,
    types: exportsSeverity,
    nsExports: exportsSeverity,
    nsTypes: exportsSeverity,
    enumMembers: exportsSeverity,
    duplicates: exportsSeverity,
  },
};
