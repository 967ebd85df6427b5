// Writes the configuration reference, docs/configuration.md, from the schema (run after `npm run build`).
// With --check it writes nothing and exits 1 when the committed page differs from the schema.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_PAGE, configurationPage } from '../dist/docs.js';

const next = configurationPage();
if (process.argv.includes('--check')) {
  const current = existsSync(CONFIGURATION_PAGE) ? readFileSync(CONFIGURATION_PAGE, 'utf8') : '';
  if (next !== current) {
    console.error(`${CONFIGURATION_PAGE} is out of date with src/config/schema.ts: run npm run docs`);
    process.exit(1);
  }
} else {
  writeFileSync(CONFIGURATION_PAGE, next);
}
