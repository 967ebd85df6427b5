/** Why the browser tests cannot run here (they print it and skip), or undefined when they can. */
import { existsSync } from 'node:fs';
import { chromiumPath } from '../../src/preview/browser.js';

export function browserMissing(): string | undefined {
  if (!existsSync(chromiumPath())) return `no Chromium at ${chromiumPath()} (apt-get install chromium)`;
  try {
    import.meta.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed';
  }
  return undefined;
}
