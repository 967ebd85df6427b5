/**
 * Every command as careful as generate (issue 20): the single files and pages the other commands
 * write are owned like generate's bundle (never the config or an input, never through a symlink,
 * atomic), a flag without its value is an error, a FIFO in --out cannot block generate, and remote
 * work is bounded: answers capped in size, a server that never answers ends the run with exit 3,
 * oversized plans refused before they are built, durations range-checked. Values from Prometheus stay
 * inert: label_values answers in PromQL, C1/bidi controls in backtest's JSON, short credentials in
 * echoed errors.
 *
 * The real CLI (node dist/cli.js) runs against real HTTP servers on 127.0.0.1 that behave as a
 * broken or hostile Prometheus would: one that never answers, one that answers huge, one whose label
 * values are PromQL. Each failure must be one stderr line with its documented exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { CLI, EXAMPLE, tempDirs } from './support/cli.js';
import { browserMissing } from './support/browser.js';
import { validatePromQL } from '../src/promql/validate.js';
import { chromiumFlags, launchBrowser } from '../src/preview/browser.js';

const tmp = tempDirs('command-safety');
const HOSTILE = 'a"} or vector(1337) or absent(x{y="';
/** C1 control (8-bit CSI) and a bidi override, as a label value a scrape could carry. */
const EVIL_NAMESPACE = 'ns\u009b2J\u202eevil';

interface Run { status: number | null; stdout: string; stderr: string }

/** The real CLI, asynchronously (the servers answer from this process), killed after `killMs`. */
function run(args: string[], opts: { cwd: string; env?: Record<string, string>; killMs?: number }): Promise<Run> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killMs ?? 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      clearTimeout(timer);
      ok({ status, stdout, stderr });
    });
  });
}

/** Exactly one line on stderr, `error: ...`, with the exit code; returns it. */
function oneLine(r: Run, status: number): string {
  expect(r.status, r.stderr).toBe(status);
  const lines = r.stderr.split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  return lines[0]!;
}

// ---- a Prometheus that misbehaves on request, on 127.0.0.1 --------------------------------------

const seen = { queries: [] as string[], requests: 0 };
let stalled: ServerResponse[] = [];
let server: Server;
let base = '';
let closedUrl = '';

const json = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** A vector of `n` series, about 100 bytes each: big answers without big test code. */
const bigVector = (n: number) => ({
  status: 'success',
  data: { resultType: 'vector', result: Array.from({ length: n }, (_, i) => ({ metric: { __name__: 'response_total', pod: `web-${i}-${'x'.repeat(40)}` }, value: [1_700_000_000, '1'] })) },
});

async function params(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  if (req.method !== 'POST') return url.searchParams;
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const scenarios: Record<string, (req: IncomingMessage, res: ServerResponse, p: URLSearchParams, path: string) => void> = {
  stall: (_req, res) => void stalled.push(res),
  // About 3 MB, streamed without a Content-Length (the cap must count bytes as they come).
  'huge-chunked': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(bigVector(30_000)));
  },
  'huge-declared': (_req, res) => {
    const body = JSON.stringify(bigVector(30_000));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  },
  // label_values answers PromQL; every query is recorded.
  'hostile-labels': (_req, res, p, path) => {
    if (p.get('query')) seen.queries.push(p.get('query')!);
    if (p.get('match[]')) seen.queries.push(p.get('match[]')!);
    if (path.includes('/label/')) return json(res, { status: 'success', data: [HOSTILE] });
    if (path.endsWith('/query_range')) return json(res, { status: 'success', data: { resultType: 'matrix', result: [] } });
    return json(res, { status: 'success', data: { resultType: 'vector', result: [] } });
  },
  // Every alert expression holds at every step, for a series whose labels carry controls.
  'evil-series': (_req, res, p, path) => {
    if (!path.endsWith('/query_range')) return json(res, { status: 'success', data: { resultType: 'vector', result: [] } });
    const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(p.get(k)));
    const values: Array<[number, string]> = [];
    for (let t = start!; t <= end!; t += step!) values.push([t, '1']);
    json(res, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { namespace: EVIL_NAMESPACE }, values }] } });
  },
  // A proxy that echoes the Authorization header in its error.
  echo: (req, res) => json(res, { status: 'error', errorType: 'bad_data', error: `denied for ${req.headers.authorization}` }, 400),
};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build`');
  server = createServer(async (req, res) => {
    seen.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const [, scenario, ...rest] = url.pathname.split('/');
    const handle = scenarios[scenario ?? ''];
    if (!handle) return json(res, { status: 'error', error: `no scenario ${scenario}` }, 404);
    handle(req, res, await params(req, url), `/${rest.join('/')}`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // A port that was just free: listen, note it, close.
  const closed = createServer();
  await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
  closedUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
  await new Promise((ok) => closed.close(ok));
});

afterAll(async () => {
  stalled.forEach((r) => r.destroy());
  stalled = [];
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok));
});

/** A directory with the example config (cfg.yaml) and a small config the backtest can plan (bt.yaml). */
function workdir(): string {
  const dir = tmp();
  copyFileSync(EXAMPLE, join(dir, 'cfg.yaml'));
  writeFileSync(join(dir, 'bt.yaml'), dump({ cluster: 'bt', slos: { controlPlaneSuccessRate: { components: ['destination'], clientSide: { enabled: false } } } }));
  return dir;
}

describe('every --out is owned like generate\'s', () => {
  it('export-openslo --out the config itself is refused (exit 4); the config is unchanged', async () => {
    const dir = workdir();
    const before = readFileSync(join(dir, 'cfg.yaml'), 'utf8');
    const line = oneLine(await run(['export-openslo', '-c', 'cfg.yaml', '--out', 'cfg.yaml'], { cwd: dir }), 4);
    expect(line).toMatch(/^error: refusing --out cfg\.yaml: it is the config file .*cfg\.yaml, which this command reads and never overwrites/);
    expect(readFileSync(join(dir, 'cfg.yaml'), 'utf8')).toBe(before);
  });

  it('export-openslo --out a hard link of the config is refused too', async () => {
    const dir = workdir();
    linkSync(join(dir, 'cfg.yaml'), join(dir, 'same.yaml'));
    oneLine(await run(['export-openslo', '-c', 'cfg.yaml', '--out', 'same.yaml'], { cwd: dir }), 4);
  });

  it('import-openslo --out one of its inputs is refused; the input is unchanged', async () => {
    const dir = workdir();
    const exported = await run(['export-openslo', '-c', 'cfg.yaml', '--out', 'slos.yaml'], { cwd: dir });
    expect(exported.status, exported.stderr).toBe(0);
    const before = readFileSync(join(dir, 'slos.yaml'), 'utf8');
    const line = oneLine(await run(['import-openslo', 'slos.yaml', '--cluster', 'x', '--out', 'slos.yaml'], { cwd: dir }), 4);
    expect(line).toMatch(/it is the input file .*slos\.yaml/);
    expect(readFileSync(join(dir, 'slos.yaml'), 'utf8')).toBe(before);
  });

  it('backtest --out the config is refused before anything is sent', async () => {
    const dir = workdir();
    const before = readFileSync(join(dir, 'bt.yaml'), 'utf8');
    const line = oneLine(await run(['backtest', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--from', '1h', '--out', 'bt.yaml'], { cwd: dir }), 4);
    expect(line).toMatch(/refusing --out bt\.yaml: it is the config file/);
    expect(readFileSync(join(dir, 'bt.yaml'), 'utf8')).toBe(before);
  });

  it('export-openslo --out a symlink is refused: the file it points to is untouched, the link stays', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'victim.txt'), 'precious\n');
    symlinkSync('victim.txt', join(dir, 'link.yaml'));
    const line = oneLine(await run(['export-openslo', '-c', 'cfg.yaml', '--out', 'link.yaml'], { cwd: dir }), 4);
    expect(line).toMatch(/refusing --out link\.yaml: it is a symbolic link/);
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(lstatSync(join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
  });

  it('preview -o pv with pv/index.html a symlink is refused before any query; the target is untouched', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'victim.txt'), 'precious\n');
    mkdirSync(join(dir, 'pv'));
    symlinkSync('../victim.txt', join(dir, 'pv', 'index.html'));
    const requests = seen.requests;
    const line = oneLine(await run(['preview', '-c', 'cfg.yaml', '--prometheus-url', `${base}/hostile-labels`, '--scrape-interval', '15s', '-o', 'pv'], { cwd: dir }), 4);
    expect(line).toMatch(/refusing --out pv \(index\.html\): it is a symbolic link/);
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(readdirSync(join(dir, 'pv'))).toEqual(['index.html']);
    expect(seen.requests).toBe(requests);
  });

  it('a written file replaces the old one whole and leaves no temporary file', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'slos.yaml'), 'old\n');
    const r = await run(['export-openslo', '-c', 'cfg.yaml', '--out', 'slos.yaml'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const stdout = await run(['export-openslo', '-c', 'cfg.yaml'], { cwd: dir });
    expect(readFileSync(join(dir, 'slos.yaml'), 'utf8')).toBe(stdout.stdout);
    expect(readdirSync(dir).sort()).toEqual(['bt.yaml', 'cfg.yaml', 'slos.yaml']);
  });

  it('-o with nothing after it is an error, not the default (nothing written, nothing printed)', async () => {
    const dir = workdir();
    const exported = await run(['export-openslo', '-c', 'cfg.yaml', '-o'], { cwd: dir });
    expect(oneLine(exported, 2)).toBe('error: -o needs a value');
    expect(exported.stdout).toBe('');
    const previewed = await run(['preview', '-c', 'cfg.yaml', '--prometheus-url', `${base}/hostile-labels`, '--scrape-interval', '15s', '-o'], { cwd: dir });
    expect(oneLine(previewed, 2)).toBe('error: -o needs a value');
    expect(existsSync(join(dir, 'preview'))).toBe(false);
    expect(oneLine(await run(['backtest', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--out', '--dry-run'], { cwd: dir }), 2)).toBe('error: --out needs a value');
  });
});

describe("FIFOs in generate's --out", () => {
  const mkfifo = (path: string) => expect(spawnSync('mkfifo', [path]).status).toBe(0);

  it('a FIFO where a generated file was: --check reports it changed, generate replaces it; neither blocks', async () => {
    const dir = workdir();
    expect((await run(['generate', '-c', 'cfg.yaml', '--out', 'out'], { cwd: dir })).status).toBe(0);
    const file = join(dir, 'out', 'alertmanager', readdirSync(join(dir, 'out', 'alertmanager'))[0]!);
    rmSync(file);
    mkfifo(file);
    const checked = await run(['generate', '-c', 'cfg.yaml', '--out', 'out', '--check'], { cwd: dir, killMs: 30_000 });
    expect(checked.status, checked.stderr).toBe(1);
    expect(checked.stderr).toMatch(/changed: out\/alertmanager\//);
    const generated = await run(['generate', '-c', 'cfg.yaml', '--out', 'out'], { cwd: dir, killMs: 30_000 });
    expect(generated.status, generated.stderr).toBe(0);
    expect(lstatSync(file).isFile()).toBe(true);
  });

  it('a FIFO as the manifest: one line, exit 4, no hang', async () => {
    const dir = workdir();
    expect((await run(['generate', '-c', 'cfg.yaml', '--out', 'out'], { cwd: dir })).status).toBe(0);
    rmSync(join(dir, 'out', '.linkerd-slo-manifest.json'));
    mkfifo(join(dir, 'out', '.linkerd-slo-manifest.json'));
    const line = oneLine(await run(['generate', '-c', 'cfg.yaml', '--out', 'out'], { cwd: dir, killMs: 30_000 }), 4);
    expect(line).toMatch(/\.linkerd-slo-manifest\.json is not a regular file/);
  });
});

describe('remote work is bounded', () => {
  it('an answer over --max-response-mb fails in one line (exit 3), streamed or declared', async () => {
    const dir = workdir();
    for (const scenario of ['huge-chunked', 'huge-declared']) {
      const line = oneLine(await run(['check', '-c', 'bt.yaml', '--prometheus-url', `${base}/${scenario}`, '--max-response-mb', '1'], { cwd: dir }), 3);
      expect(line).toMatch(new RegExp(`^error: the answer of ${base}/${scenario}/api/v1/query is larger than 1 MB \\(--max-response-mb\\)`));
    }
  });

  it('a server that never answers: backtest ends with exit 3 after one request, without splitting it down', async () => {
    const dir = workdir();
    const requests = seen.requests;
    const r = await run(['backtest', '-c', 'bt.yaml', '--prometheus-url', `${base}/stall`, '--from', '1d', '--timeout', '1s', '--concurrency', '1'], { cwd: dir, killMs: 30_000 });
    expect(oneLine(r, 3)).toMatch(new RegExp(`^error: no answer from ${base}/stall/api/v1/query_range within \\d+(\\.\\d+)?s \\(--timeout\\)$`));
    expect(seen.requests - requests).toBe(1);
  });

  it('a plan over --max-queries is refused before it is built, --dry-run too (exit 2)', async () => {
    const dir = workdir();
    const line = oneLine(await run(['backtest', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--from', '30d', '--step', '1s', '--max-queries', '100', '--dry-run'], { cwd: dir }), 2);
    expect(line).toMatch(/^error: the backtest needs at least \d+ range queries, more than --max-queries 100;/);
    // The default bound applies as well: 100 years at 1 s would be millions of queries.
    expect(oneLine(await run(['backtest', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--from', '100y', '--step', '1s', '--dry-run'], { cwd: dir }), 2)).toMatch(/more than --max-queries 20000;/);
  });

  it('durations out of range are one line (exit 2): --from 100000y, --timeout 25d, --step 30d', async () => {
    const dir = workdir();
    const bt = (...args: string[]) => run(['backtest', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--dry-run', ...args], { cwd: dir });
    expect(oneLine(await bt('--from', '100000y'), 2)).toMatch(/^error: --from 100000y: must be at most /);
    expect(oneLine(await bt('--step', '30d'), 2)).toMatch(/^error: --step 30d: must be at most /);
    expect(oneLine(await run(['check', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--timeout', '25d'], { cwd: dir }), 2)).toMatch(/^error: --timeout 25d: must be at most 1d$/);
  });

  it('preview against a closed port: exit 3 in one line, no pages (a config whose dashboards have no query variable)', async () => {
    const dir = workdir();
    const line = oneLine(await run(['preview', '-c', 'bt.yaml', '--prometheus-url', closedUrl, '--scrape-interval', '15s', '-o', 'pv'], { cwd: dir }), 3);
    expect(line).toBe(`error: cannot reach ${closedUrl}: connection refused (ECONNREFUSED)`);
    expect(existsSync(join(dir, 'pv')) ? readdirSync(join(dir, 'pv')) : []).toEqual([]);
  });
});

describe('values from Prometheus stay inert', () => {
  it('a label_values answer that is PromQL reaches every query only as a string', async () => {
    const dir = workdir();
    seen.queries = [];
    const r = await run(['preview', '-c', 'cfg.yaml', '--prometheus-url', `${base}/hostile-labels`, '--scrape-interval', '15s', '-o', 'pv'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const panelQueries = seen.queries.filter((q) => q.includes('cluster'));
    expect(panelQueries.length).toBeGreaterThan(10);
    for (const q of panelQueries) {
      expect(validatePromQL(q), q).toEqual([]);
      // Outside string literals nothing of the value remains.
      expect(q.replace(/"(?:[^"\\]|\\.)*"/g, '""'), q).not.toMatch(/vector\(1337\)|absent\(x/);
    }
    expect(panelQueries.some((q) => q.includes('cluster="a\\"} or vector(1337) or absent(x{y=\\""'))).toBe(true);
  });

  it('backtest --format json escapes C1 and bidi controls of label values; the JSON still holds them', async () => {
    const dir = workdir();
    const r = await run(['backtest', '-c', 'bt.yaml', '--prometheus-url', `${base}/evil-series`, '--from', '2h', '--format', 'json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('ns\\u009b2J\\u202eevil');
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain(EVIL_NAMESPACE);
  });

  it('a credential shorter than 3 characters never appears in an echoed error', async () => {
    const dir = workdir();
    for (const env of [{ LINKERD_SLO_PROMETHEUS_TOKEN: 'Q7' }, { LINKERD_SLO_PROMETHEUS_USERNAME: 'ops', LINKERD_SLO_PROMETHEUS_PASSWORD: 'Zk' }] as Array<Record<string, string>>) {
      const r = await run(['check', '-c', 'bt.yaml', '--prometheus-url', `${base}/echo`], { cwd: dir, env });
      const line = oneLine(r, 3);
      expect(line).not.toMatch(/Q7|Zk/);
      expect(line).toMatch(/server text not shown: a credential shorter than 3 characters/);
    }
  });
});

describe('--png and the sandbox', () => {
  it('Chromium keeps its sandbox unless it runs as root, where it cannot start with one', () => {
    expect(chromiumFlags(1000)).not.toContain('--no-sandbox');
    expect(chromiumFlags(0)).toContain('--no-sandbox');
  });

  const missing = browserMissing();
  if (missing) console.log(`CSP browser test skipped: ${missing}`);
  it.skipIf(missing !== undefined)('in Chromium, markup that escaping missed runs no script and fetches nothing; the page still draws', async () => {
    const dir = workdir();
    const r = await run(['preview', '-c', 'bt.yaml', '--prometheus-url', `${base}/hostile-labels`, '--scrape-interval', '15s', '-o', 'pv'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const page = join(dir, 'pv', readdirSync(join(dir, 'pv')).find((f) => f !== 'index.html' && f.endsWith('.html'))!);
    // As if a value had slipped through escaping: an inline script, an event handler, a beacon.
    const injected = `<script>console.error('injected script ran')</script><img src="x" onerror="console.error('injected handler ran')"><img src="${base}/beacon.png">`;
    writeFileSync(page, readFileSync(page, 'utf8').replace('</body>', `${injected}</body>`));
    const requests = seen.requests;
    const browser = await launchBrowser();
    try {
      const report = await browser.open(page);
      expect(report.errors.join('\n')).not.toMatch(/injected (script|handler) ran/);
      expect(report.errors.join('\n')).toMatch(/Content Security Policy/);
      expect(report.panels.length).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
    expect(seen.requests).toBe(requests);
  }, 120_000);
});
