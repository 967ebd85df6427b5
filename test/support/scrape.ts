/**
 * Reading a Prometheus text exposition in tests (the simulator's /metrics, a real proxy scrape), and
 * where the real proxy scrape lives when ../shared sits beside the project (it is read only then).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ScrapeLine { readonly name: string; readonly labels: Record<string, string>; readonly value: number }

/** Every sample line of an exposition (comments and blank lines skipped); throws on a line it cannot read. */
export function parseExposition(text: string): ScrapeLine[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]!] = p[2]!;
    return { name: m[1]!, labels, value: Number(m[3]) };
  });
}

/** A real Linkerd 2.11 proxy scrape (linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`), in ../shared/anchors. */
export const PROXY_SCRAPE = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'anchors', 'linkerd-proxy-scrape', 'sampleMetrics.txt');

/** Whether the real scrape is present; prints that the tests reading it are skipped when it is not. */
export function proxyScrapePresent(): boolean {
  const present = existsSync(PROXY_SCRAPE);
  if (!present) console.log(`skipped: ${PROXY_SCRAPE} not found (the anchors live in ../shared beside the project)`);
  return present;
}
