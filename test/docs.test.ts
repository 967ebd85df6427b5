import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configReference, spliceReference } from '../src/docs.js';

const README = readFileSync(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');

it('the README config reference is generated from the schema and up to date (npm run docs)', () => {
  expect(spliceReference(README)).toBe(README);
});

it('the reference covers every SLO section and its fields', () => {
  const table = configReference();
  expect(table).toContain('| `slos.controlPlaneSuccessRate.objective` | number (> 0, < 100) | `99.9` |');
  expect(table).toContain('| `cluster` (required) |');
});

it('the README starts with the two commands of a fresh machine', () => {
  const firstScreen = README.split('\n').slice(0, 15).join('\n');
  expect(firstScreen).toContain('npm ci && npm run generate');
  expect(firstScreen).toContain('npm test');
});
