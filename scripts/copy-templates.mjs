// Copies every templates/ folder under src/ (each SLO kind's annotation and runbook templates) to
// the same place under dist/, where the compiled module that renders them looks for them.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = 'src';
const DIST = 'dist';

function templateDirs(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name === 'templates') found.push(path);
    else found.push(...templateDirs(path));
  }
  return found;
}

for (const dir of templateDirs(SRC)) {
  const target = join(DIST, relative(SRC, dir));
  rmSync(target, { recursive: true, force: true });
  cpSync(dir, target, { recursive: true });
}
