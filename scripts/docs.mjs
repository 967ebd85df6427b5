// Rewrites the config reference in README.md from the schema (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { spliceReference } from '../dist/docs.js';

const readme = readFileSync('README.md', 'utf8');
const next = spliceReference(readme);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md config reference is out of date: run npm run docs');
    process.exit(1);
  }
} else {
  writeFileSync('README.md', next);
}
