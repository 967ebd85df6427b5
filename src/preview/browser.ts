/**
 * The system's Chromium (Debian's `chromium` package), driven by playwright-core: never a browser
 * build downloaded by Playwright. Used for --png and by the browser test to look at the pages.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT, UserError } from '../errors.js';

/** Where Chromium is looked for: LINKERD_SLO_CHROMIUM, else Debian's path. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LINKERD_SLO_CHROMIUM || '/usr/bin/chromium';
}

/** Flags for a quiet, reproducible headless run: no GPU, no network of its own, no first-run or sync. */
const FLAGS = ['--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions', '--hide-scrollbars'];

/**
 * The pages hold data from Prometheus, so Chromium keeps its sandbox wherever it can. It cannot run
 * sandboxed as root (containers, CI): there, and only there, it runs with --no-sandbox, and what
 * still contains a page is its Content-Security-Policy (only the page's own scripts run, by hash;
 * nothing is fetched: default-src 'none') and the browser context being offline (docs/preview.md).
 */
export function chromiumFlags(uid: number | undefined = process.getuid?.()): string[] {
  return uid === 0 ? [...FLAGS, '--no-sandbox'] : FLAGS;
}

export interface PageReport {
  /** console errors and uncaught exceptions, in order. */
  readonly errors: string[];
  readonly panels: Array<{
    id: string;
    type: string;
    title: string;
    state: string;
    grid: [number, number, number, number];
    drawnSeries?: number;
    drawnPoints?: number;
    rect: { x: number; y: number; w: number; h: number };
    text: string;
    /** Characters of the title the header shows before cutting it (all of them when it fits). */
    titleShown?: number;
  }>;
}

export interface Browser {
  /** Opens a page file, waits for its charts, reports what it shows; with `png`, hands it a full-page screenshot to write. */
  open(file: string, png?: (bytes: Buffer) => Promise<void>): Promise<PageReport>;
  close(): Promise<void>;
}

type PlaywrightCore = typeof import('playwright-core');

export async function launchBrowser(opts: { width?: number; timeoutMs?: number } = {}): Promise<Browser> {
  let pw: PlaywrightCore;
  try {
    pw = await import('playwright-core');
  } catch {
    throw new UserError('--png needs the optional package playwright-core: run npm install playwright-core@1.65.1 (it uses the system Chromium; it downloads no browser)', EXIT.output);
  }
  const executable = chromiumPath();
  if (!existsSync(executable)) {
    throw new UserError(`--png needs Chromium at ${executable}: install Debian's package (apt-get install chromium) or set LINKERD_SLO_CHROMIUM to a Chromium binary`, EXIT.output);
  }
  const profile = mkdtempSync(join(tmpdir(), 'linkerd-slo-chromium-'));
  const timeout = opts.timeoutMs ?? 60_000;
  let context: Awaited<ReturnType<PlaywrightCore['chromium']['launchPersistentContext']>>;
  try {
    context = await pw.chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: chromiumFlags(),
      ignoreDefaultArgs: ['--enable-automation'],
      viewport: { width: opts.width ?? 1600, height: 900 },
      deviceScaleFactor: 1,
      timeout,
      offline: true,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new UserError(`cannot start Chromium (${executable}): ${(err as Error).message.split('\n')[0]}`, EXIT.output);
  }
  return {
    async open(file, png) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout });
        await page.waitForSelector('body[data-rendered="true"]', { timeout });
        const panels = await page.$$eval('.panel', (els) =>
          els.map((el) => {
            // The longest start of the title that fits the width the header gives it (a Range per length).
            const titleShownOf = (h: Element | null): number | undefined => {
              const node = h?.firstChild;
              if (!h || !node || node.nodeType !== 3) return undefined;
              const width = (h as HTMLElement).clientWidth;
              const text = node.textContent ?? '';
              const range = document.createRange();
              let n = 0;
              while (n < text.length) {
                range.setStart(node, 0);
                range.setEnd(node, n + 1);
                if (range.getBoundingClientRect().width > width + 0.5) break;
                n++;
              }
              return n;
            };
            const r = el.getBoundingClientRect();
            const g = (el.getAttribute('data-grid') ?? '0,0,0,0').split(',').map(Number) as [number, number, number, number];
            const num = (a: string) => (el.hasAttribute(a) ? Number(el.getAttribute(a)) : undefined);
            return {
              id: el.id,
              type: el.getAttribute('data-type') ?? '',
              title: el.getAttribute('data-title') ?? '',
              state: el.getAttribute('data-state') ?? '',
              grid: g,
              ...(num('data-drawn-series') !== undefined ? { drawnSeries: num('data-drawn-series')! } : {}),
              ...(num('data-drawn-points') !== undefined ? { drawnPoints: num('data-drawn-points')! } : {}),
              rect: { x: r.x, y: r.y, w: r.width, h: r.height },
              text: (el.querySelector('.body') as HTMLElement | null)?.innerText ?? '',
              ...(titleShownOf(el.querySelector('header h3')) !== undefined ? { titleShown: titleShownOf(el.querySelector('header h3'))! } : {}),
            };
          }),
        );
        if (png) await png(await page.screenshot({ fullPage: true }));
        return { errors, panels };
      } finally {
        await page.close();
      }
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
