// Writes the generated pages of docs/ (run after `npm run build`): the configuration reference,
// docs/configuration.md, from the schema, and docs/slo-kinds.md from src/slo/README.md and each kind
// folder's README.md. With --check it writes nothing and exits 1 when a committed page is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_PAGE, configurationPage, SLO_KINDS_PAGE, sloKindsPage } from '../dist/docs.js';

const pages = [
  { file: CONFIGURATION_PAGE, text: configurationPage(), from: 'src/config/schema.ts' },
  { file: SLO_KINDS_PAGE, text: await sloKindsPage('.'), from: 'src/slo/README.md and src/slo/<kind>/README.md' },
];
let stale = false;
for (const page of pages) {
  if (process.argv.includes('--check')) {
    const current = existsSync(page.file) ? readFileSync(page.file, 'utf8') : '';
    if (page.text !== current) {
      console.error(`${page.file} is out of date with ${page.from}: run npm run docs`);
      stale = true;
    }
  } else {
    writeFileSync(page.file, page.text);
  }
}
if (stale) process.exit(1);
