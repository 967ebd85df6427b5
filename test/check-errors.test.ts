/**
 * `linkerd-slo check` against servers that are not quite Prometheus: each malformed answer, an
 * unreachable or stalled server, a redirect to another origin, credentials that must not leak and
 * label values that carry terminal escape sequences. The real CLI (node dist/cli.js) runs against
 * real HTTP servers on 127.0.0.1; every failure must be one stderr line with a documented exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';

const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-check-errors-'));
const CONFIG = join(dir, 'linkerd-slo.yaml');
const TOKEN = 'tok-Zq9xVw3k';

/** A vector sample as the Prometheus HTTP API encodes it (https://prometheus.io/docs/prometheus/latest/querying/api/#instant-vectors). */
const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const one = vector([{ metric: {}, value: [1_700_000_000, '1'] }]);
const noTargets = { status: 'success', data: { activeTargets: [] } };
const EVIL_JOB = '\u001b[31mred\u001b[0m\u001b]0;pwned\u0007\u009b2Jjob';

type Handler = (req: IncomingMessage, res: ServerResponse, query: string) => void;
const json = (body: unknown, status = 200) => (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
/** Answers queries correctly so that check reaches the targets API, then answers that with `targets`. */
const queriesThen = (targets: unknown): Handler => (req, res, query) => json(query ? one : targets)(req, res);

const seenAuthorization: Record<string, string | undefined> = {};
let stalled: ServerResponse[] = [];
const scenarios: Record<string, Handler> = {
  'no-data': json({ status: 'success' }),
  'result-null': json({ status: 'success', data: { resultType: 'vector', result: null } }),
  matrix: json({ status: 'success', data: { resultType: 'matrix', result: [] } }),
  'no-metric': json(vector([{ value: [1, '1'] }])),
  'bad-value': json(vector([{ metric: {}, value: [1, 'one'] }])),
  'status-missing': json({ data: { resultType: 'vector', result: [] } }),
  'body-array': json([1, 2]),
  'status-error': json({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3:\n\u001b[2Jboom' }),
  'targets-no-labels': queriesThen({ status: 'success', data: { activeTargets: [{ health: 'up', scrapeInterval: '10s' }] } }),
  'targets-null': queriesThen({ status: 'success', data: { activeTargets: null } }),
  html: (_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><body>Grafana</body></html>');
  },
  // A proxy that echoes the request's Authorization header (and an escape sequence) in its error.
  'echo-500': (req, res) => json({ status: 'error', error: `upstream said no to ${req.headers.authorization} \u001b[31m` }, 500)(req, res),
  'plain-404': (_, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found');
  },
  stall: (_, res) => {
    stalled.push(res);
  },
  // job="linkerd-proxy" matches nothing; the jobs that exist carry terminal escape sequences.
  'evil-labels': (req, res, query) => {
    if (!query) return json(noTargets)(req, res);
    if (/by \(job\)/.test(query)) return json(vector([{ metric: { job: EVIL_JOB }, value: [1, '3'] }]))(req, res);
    if (query.includes('job="')) return json(vector([]))(req, res);
    return json(one)(req, res);
  },
};

let server: Server;
let target: Server;
let base = '';
let targetBase = '';

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<[Server, string]> {
  const s = createServer(handler);
  return new Promise((ok) => s.listen(0, '127.0.0.1', () => ok([s, `http://127.0.0.1:${(s.address() as { port: number }).port}`])));
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build`');
  writeFileSync(
    CONFIG,
    dump({
      cluster: 'check',
      linkerd: { version: '2.18' },
      slos: {
        controlPlaneLatency: { enabled: false },
        controlPlaneAvailability: { enabled: false },
        proxyResources: { enabled: false },
        certificates: { issuer: { enabled: false } },
      },
    }),
  );
  // The redirect target is another origin (another port): fetch must not carry Authorization there.
  [target, targetBase] = await listen((req, res) => {
    seenAuthorization.target = req.headers.authorization;
    json(req.url?.includes('/api/v1/targets') ? noTargets : vector([]))(req, res);
  });
  [server, base] = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, scenario, ...rest] = url.pathname.split('/');
    if (scenario === 'redirect') {
      seenAuthorization.origin = req.headers.authorization;
      res.writeHead(302, { Location: `${targetBase}/${rest.join('/')}${url.search}` });
      return res.end();
    }
    const handle = scenarios[scenario ?? ''];
    if (!handle) return json({ status: 'error', error: `no scenario ${scenario}` }, 404)(req, res);
    handle(req, res, url.pathname.endsWith('/query') ? (url.searchParams.get('query') ?? '') : '');
  });
});

afterAll(async () => {
  stalled.forEach((r) => r.destroy());
  stalled = [];
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok));
  await new Promise((ok) => target?.close(ok));
});

interface Run { status: number | null; stdout: string; stderr: string }

/** The real CLI, asynchronously: the servers answer from this same process. */
function check(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [CLI, 'check', '--config', CONFIG, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => ok({ status, stdout, stderr }));
  });
}

/** Exactly one line on stderr, `error: ...`, no stack frame, no control characters. */
function expectOneLine(r: Run, status: number): string {
  expect(r.status, r.stderr).toBe(status);
  const lines = r.stderr.split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(lines[0]).toMatch(/^error: /);
  expect(r.stderr).not.toMatch(/\n\s+at |[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  return lines[0]!;
}

describe('a server that is not quite the Prometheus API: exit 3, one line naming what is wrong', () => {
  const cases: Array<[string, string]> = [
    ['no-data', '/api/v1/query: "data" is missing, expected an object'],
    ['result-null', '/api/v1/query: "data.result" is null, expected a list'],
    ['matrix', '/api/v1/query: "data.resultType" is the string "matrix", expected "vector"'],
    ['no-metric', '/api/v1/query: "data.result[0].metric" is missing, expected an object of label strings'],
    ['bad-value', '/api/v1/query: "data.result[0].value" is a list of 2, expected [<time>, "<value>"]'],
    ['status-missing', '/api/v1/query: "status" is missing, expected "success"'],
    ['body-array', '/api/v1/query: the body is a list of 2, expected an object'],
    ['html', '/api/v1/query: the body is not JSON (text/html); is this the Prometheus API?'],
    ['targets-no-labels', '/api/v1/targets: "data.activeTargets[0].labels" is missing, expected an object of label strings'],
    ['targets-null', '/api/v1/targets: "data.activeTargets" is null, expected a list'],
  ];
  for (const [scenario, tail] of cases) {
    it(scenario, async () => {
      const line = expectOneLine(await check(['--prometheus-url', `${base}/${scenario}`]), 3);
      expect(line).toBe(`error: unexpected response from ${base}/${scenario}${tail}`);
    });
  }

  it('an API error is printed as one line without the escape sequences it carried', async () => {
    const line = expectOneLine(await check(['--prometheus-url', `${base}/status-error`]), 3);
    expect(line).toBe(`error: ${base}/status-error/api/v1/query: bad_data: parse error at char 3: boom`);
  });

  it('a 404 says where the API lives instead of echoing the page', async () => {
    const line = expectOneLine(await check(['--prometheus-url', `${base}/plain-404`]), 3);
    expect(line).toMatch(new RegExp(`^error: ${base}/plain-404/api/v1/query: HTTP 404: not the Prometheus API here`));
  });

  it('a server that never answers hits --timeout', async () => {
    const line = expectOneLine(await check(['--prometheus-url', `${base}/stall`, '--timeout', '300ms']), 3);
    expect(line).toBe(`error: no answer from ${base}/stall/api/v1/query within 0.3s (--timeout)`);
  });

  it('an unreachable server: exit 3, the URL and the reason', async () => {
    // A port that was just free: listen, note it, close.
    const [closed, url] = await listen(() => undefined);
    await new Promise((ok) => closed.close(ok));
    const line = expectOneLine(await check(['--prometheus-url', `${url}/`]), 3);
    expect(line).toBe(`error: cannot reach ${url}: connection refused (ECONNREFUSED)`);
  });
});

describe('credentials never reach the terminal', () => {
  it('a URL with user:password@ is refused without echoing either (exit 2)', async () => {
    const r = await check(['--prometheus-url', `http://admin:hunter2@${base.slice('http://'.length)}/no-data`]);
    const line = expectOneLine(r, 2);
    expect(line).toContain('must not contain a user name or password');
    expect(r.stderr + r.stdout).not.toMatch(/hunter2|admin/);
  });

  it('an unparseable URL is not echoed (it may hold a password)', async () => {
    const r = await check(['--prometheus-url', 'http://admin:hunter2@[::1']);
    expectOneLine(r, 2);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a token with a line break is refused naming the variable, not the value', async () => {
    const r = await check(['--prometheus-url', `${base}/no-data`], { LINKERD_SLO_PROMETHEUS_TOKEN: `${TOKEN}\nX-Injected: 1` });
    const line = expectOneLine(r, 2);
    expect(line).toMatch(/^error: LINKERD_SLO_PROMETHEUS_TOKEN contains a control character/);
    expect(r.stderr).not.toContain(TOKEN);
  });

  it('a password with a control character is refused the same way', async () => {
    const r = await check(['--prometheus-url', `${base}/no-data`], { LINKERD_SLO_PROMETHEUS_USERNAME: 'u', LINKERD_SLO_PROMETHEUS_PASSWORD: 'pa\rss' });
    expect(expectOneLine(r, 2)).toMatch(/^error: LINKERD_SLO_PROMETHEUS_PASSWORD contains a control character/);
  });

  it('a server that echoes the Authorization header in its error: the token is blanked', async () => {
    const r = await check(['--prometheus-url', `${base}/echo-500`], { LINKERD_SLO_PROMETHEUS_TOKEN: TOKEN });
    const line = expectOneLine(r, 3);
    expect(line).toBe(`error: ${base}/echo-500/api/v1/query: HTTP 500: upstream said no to Bearer ***`);
  });

  it('Authorization goes to the configured origin but not across a redirect to another origin', async () => {
    delete seenAuthorization.origin;
    delete seenAuthorization.target;
    const r = await check(['--prometheus-url', `${base}/redirect`, '--format', 'json'], { LINKERD_SLO_PROMETHEUS_TOKEN: TOKEN });
    // The target answers empty vectors: every selector is missing, so alerts are blind (exit 1), but the check ran.
    expect(r.status, r.stderr).toBe(1);
    expect(seenAuthorization.origin).toBe(`Bearer ${TOKEN}`);
    expect('target' in seenAuthorization).toBe(true);
    expect(seenAuthorization.target).toBeUndefined();
  });
});

describe('flags', () => {
  it('--lookback banana is one line, exit 2', async () => {
    const line = expectOneLine(await check(['--prometheus-url', `${base}/no-data`, '--lookback', 'banana']), 2);
    expect(line).toBe('error: --lookback: invalid duration "banana" (expected e.g. 5m, 1h, 30d)');
  });

  it('--timeout 0s is one line, exit 2', async () => {
    const line = expectOneLine(await check(['--prometheus-url', `${base}/no-data`, '--timeout', '0s']), 2);
    expect(line).toBe('error: --timeout: duration must be greater than zero: "0s"');
  });

  it('a URL that is not http(s) is one line, exit 2', async () => {
    expect(expectOneLine(await check(['--prometheus-url', 'file:///etc/passwd']), 2)).toBe('error: --prometheus-url must be an http:// or https:// URL, not file:');
  });
});

describe('label values with terminal escape sequences', () => {
  it('the text report shows them without any control character', async () => {
    const r = await check(['--prometheus-url', `${base}/evil-labels`]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('jobs seen: redjob');
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('the JSON report keeps the exact value, with every control character escaped', async () => {
    const r = await check(['--prometheus-url', `${base}/evil-labels`, '--format', 'json']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const report = JSON.parse(r.stdout) as { findings: Array<{ message: string }> };
    expect(report.findings.some((f) => f.message.includes(`jobs seen: ${EVIL_JOB}`))).toBe(true);
  });
});
