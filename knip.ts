/**
 * Dead files, unused dependencies and unused exports (knip; `npm run deadcode`, run by .ci/run).
 * Unused files, dependencies and unlisted packages fail the run. Unused exports and exported types
 * are listed as warnings until DEADCODE_STRICT=1 (`npm run deadcode:strict`, which also runs the
 * compiler's noUnusedLocals/noUnusedParameters, tsconfig.unused.json): the exports left in files
 * under restructuring are removed after it lands, then strict becomes the default.
 */
const strict = process.env.DEADCODE_STRICT === '1';
const exportsSeverity = strict ? 'error' : 'warn';

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
