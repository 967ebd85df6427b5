/**
 * A real Prometheus (Prometheus 3 built by scripts/engines.mjs, or Debian's 2.42) for end-to-end tests and benchmarks: started on
 * 127.0.0.1 on a free port with a temporary config, rule files and TSDB directory, queried over
 * its HTTP API, and always stopped (SIGTERM, then SIGKILL) with its temporary files removed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { primary } from './engines.js';
import { startReadyServer } from './child.js';

export interface PrometheusOptions {
  /** prometheus.yml content (YAML text or an object). Rule file names are relative to the temp dir. */
  readonly config: string | Record<string, unknown>;
  /** Files written next to the config (e.g. rule files): name → content. */
  readonly files?: Readonly<Record<string, string>>;
  /** Existing TSDB directory (e.g. filled by promtool backfill); a fresh one inside the temp dir otherwise. */
  readonly dataDir?: string;
  readonly args?: readonly string[];
  readonly readyTimeoutMs?: number;
  /** The prometheus binary: the primary engine (Prometheus 3 when built, tools/sim/engines.ts) by default. */
  readonly binary?: string;
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  readonly values?: Array<[number, string]>;
}

export interface RuleHealth {
  readonly name: string;
  readonly type: 'recording' | 'alerting';
  readonly health: string;
  readonly lastError?: string;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  readonly query: string;
  readonly state?: string;
}

export interface RuleGroupStatus {
  readonly name: string;
  readonly file: string;
  readonly rules: RuleHealth[];
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  readonly interval: number;
}

export interface ActiveAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly port: number;
  /** Temp dir holding the config, the files and (unless dataDir was given) the TSDB. */
  readonly dir: string;
  readonly dataDir: string;
  readonly pid: number;
  /** GET /api/v1/<path>; returns `data`, throws on an API error. */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  query(expr: string, time?: number): Promise<Sample[]>;
  queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<Sample[]>;
  rules(): Promise<RuleGroupStatus[]>;
  alerts(): Promise<ActiveAlert[]>;
  /** Prometheus' own /metrics text. */
  selfMetrics(): Promise<string>;
  /** Last lines of its log. */
  logs(): string;
  stop(): Promise<void>;
}

export function prometheusVersion(binary = primary('prometheus')): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /version (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1];
}

export function requirePrometheus(binary = primary('prometheus')): string {
  const v = prometheusVersion(binary);
  if (!v) throw new Error(`${binary} not found: install Debian's prometheus package (apt-get install -y prometheus; npm test's ensure-promtool does) or put Prometheus 2.42+ on PATH`);
  return v;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = opts.binary ?? primary('prometheus');
  requirePrometheus(binary);
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-prom-'));
  try {
    for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), content);
    const configText = typeof opts.config === 'string' ? opts.config : dump(opts.config, { lineWidth: -1, noRefs: true });
    writeFileSync(join(dir, 'prometheus.yml'), configText);
    const dataDir = opts.dataDir ?? join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        return await launch(binary, dir, dataDir, port, opts);
      } catch (err) {
        lastError = err;
        if (!/address already in use/i.test(String(err))) break;
      }
    }
    throw lastError;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(binary: string, dir: string, dataDir: string, port: number, opts: PrometheusOptions): Promise<RunningPrometheus> {
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=info',
    ...(opts.args ?? []),
  ];
  const { child, logs, stop } = await startReadyServer({
    what: 'prometheus', binary, args, dir, readyUrl: `${url}/-/ready`, timeoutMs: opts.readyTimeoutMs ?? 30_000, pollMs: 100, graceMs: 5000,
    // startPrometheus tries another port in the same directory when this one was taken; it removes the directory when it gives up.
    keepDirOnFailure: true,
  });

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    // POST (form) for queries, which can be long; GET with a query string for the rest.
    const post = path === 'query' || path === 'query_range';
    const qs = new URLSearchParams(params).toString();
    const r = await fetch(`${url}/api/v1/${path}${!post && qs ? `?${qs}` : ''}`, {
      method: post ? 'POST' : 'GET',
      ...(post ? { body: qs, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await r.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (json.status !== 'success') throw new Error(`prometheus API ${path} ${JSON.stringify(params)}: ${json.errorType}: ${json.error}`);
    return json.data;
  };

  return {
    url,
    port,
    dir,
    dataDir,
    pid: child.child.pid!,
    api,
    query: async (expr, time) =>
      (await api<{ result: Sample[] }>('query', { query: expr, ...(time !== undefined ? { time: String(time / 1000) } : {}) })).result,
    queryRange: async (expr, startMs, endMs, step) =>
      (await api<{ result: Sample[] }>('query_range', { query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(step) })).result,
    rules: async () => (await api<{ groups: RuleGroupStatus[] }>('rules')).groups,
    alerts: async () => (await api<{ alerts: ActiveAlert[] }>('alerts')).alerts,
    selfMetrics: async () => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text(),
    logs,
    stop,
  };
}

/**
 * Scrape config for a simulator served by serveSimulator(): the linkerd-proxy and linkerd-controller
 * jobs discover one target per pod/container through http_sd, with the target labels the standard
 * Linkerd scrape config produces.
 */
export function simulatorScrapeConfigs(
  sdUrl: (job: 'linkerd-proxy' | 'linkerd-controller') => string,
  scrapeInterval = '1s',
  jobNames: { readonly proxy?: string; readonly controller?: string } = {},
): Array<Record<string, unknown>> {
  const name = { 'linkerd-proxy': jobNames.proxy ?? 'linkerd-proxy', 'linkerd-controller': jobNames.controller ?? 'linkerd-controller' };
  return (['linkerd-proxy', 'linkerd-controller'] as const).map((job) => ({
    job_name: name[job],
    scrape_interval: scrapeInterval,
    scrape_timeout: scrapeInterval,
    http_sd_configs: [{ url: sdUrl(job), refresh_interval: '5s' }],
  }));
}
