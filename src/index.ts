/** Library entry point: `import { defineConfig } from 'linkerd-slo'`. */
export { defineConfig, ConfigSchema, configJsonSchema, DEFAULT_WINDOWS } from './config/schema.js';
export type { Config, ConfigInput } from './config/schema.js';
export { loadConfigFile, parseYamlConfig, validateConfig, resolveConfig } from './config/load.js';
export type { LoadedConfig } from './config/load.js';
export { ConfigError } from './config/errors.js';
// generateBundle: every cluster's bundle plus the global one for `clusters:` configs (generate is one cluster).
export { generate, generateBundle, allExpressions, OWNED_DIRS } from './generate.js';
export type { Generated, GeneratedFleet, GenerateOptions, Bundle } from './generate.js';
export type { SloKind, BuildContext, KindOutput, ConfigSection } from './slo/kind.js';
export { writeBundle, diffBundle } from './writer.js';
export { validatePromQL } from './promql/validate.js';
export { importOpenSlo, OpenSloImportError } from './openslo/import.js';
export { exportOpenSlo } from './openslo/export.js';
