/**
 * VictoriaMetrics single-node and vmalert (Debian's `victoria-metrics` package, 1.79+) for the
 * end-to-end tests (test/e2e/vmalert.test.ts) and the rule-cost benchmark (bench/rule-cost.ts):
 * VictoriaMetrics on 127.0.0.1 with a temporary storage directory, history imported from the
 * simulator's OpenMetrics file, optionally scraping the simulator live (-promscrape.config), and
 * vmalert run in replay mode (rules evaluated over a past range, results written back through
 * remote write) or live. Everything started here is stopped by stop(), temp files included.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dump, load } from 'js-yaml';
import { freePort, type Sample } from './prometheus.js';
import { startChild, stopChild as stopWithin, waitReady, type Child } from './child.js';

/** Spawns a Debian VictoriaMetrics binary, keeping the last 300 lines of its output. */
const start = (binary: string, args: readonly string[]): Child => startChild(binary, args, { keepLines: 300 });
const stopChild = (c: Child): Promise<void> => stopWithin(c, 5000);

export function victoriaMetricsVersion(): string | undefined {
  // Debian's build prints nothing for -version; the package version is what matters.
  if (spawnSync('victoria-metrics', ['-help'], { encoding: 'utf8' }).error || spawnSync('vmalert', ['-help'], { encoding: 'utf8' }).error) return undefined;
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'victoria-metrics'], { encoding: 'utf8' });
  return dpkg.status === 0 && dpkg.stdout ? dpkg.stdout : 'unknown';
}

export function requireVictoriaMetrics(): string {
  const v = victoriaMetricsVersion();
  if (!v) throw new Error('victoria-metrics/vmalert not found: install Debian\'s victoria-metrics package (apt-get install -y victoria-metrics; npm test\'s ensure-promtool does)');
  return v;
}

/** The subset of the Prometheus query API both engines answer. */
export interface QueryApi {
  readonly url: string;
  query(expr: string, timeMs: number): Promise<Sample[]>;
  queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<Sample[]>;
}

export function queryApi(url: string, extra: Record<string, string> = {}): QueryApi {
  const api = async (path: string, params: Record<string, string>): Promise<Sample[]> => {
    const r = await fetch(`${url}/api/v1/${path}`, {
      method: 'POST',
      body: new URLSearchParams({ ...params, ...extra }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await r.json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (json.status !== 'success') throw new Error(`${url} ${path} ${params.query}: ${json.error}`);
    return json.data.result;
  };
  return {
    url,
    query: (expr, t) => api('query', { query: expr, time: String(t / 1000) }),
    queryRange: (expr, s, e, step) => api('query_range', { query: expr, start: String(s / 1000), end: String(e / 1000), step: String(step) }),
  };
}

export interface VictoriaMetrics extends QueryApi {
  /** Imports an OpenMetrics history file (timestamps in seconds) through /api/v1/import/prometheus. */
  importOpenMetrics(file: string): Promise<number>;
  /** Makes everything ingested so far searchable (/internal/force_flush). */
  flush(): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * `scrapeConfig`: a Prometheus-style scrape configuration ({ scrape_configs: [...] }) VictoriaMetrics
 * follows itself (its -promscrape.config), e.g. the simulator's live /metrics.
 */
export async function startVictoriaMetrics(o: { scrapeConfig?: Record<string, unknown> } = {}): Promise<VictoriaMetrics> {
  requireVictoriaMetrics();
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const scrape: string[] = [];
  if (o.scrapeConfig) {
    writeFileSync(join(dir, 'scrape.yaml'), dump(o.scrapeConfig, { lineWidth: -1, noRefs: true }));
    // The simulator's aggregate /metrics of a large mesh exceeds the default 16 MB limit per scrape.
    scrape.push(`-promscrape.config=${join(dir, 'scrape.yaml')}`, '-promscrape.maxScrapeSize=1GB');
  }
  const c = start('victoria-metrics', [
    ...scrape,
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=10y',
    // Data written seconds ago must be queryable at once (the default hides the last 30 s), and
    // replayed results must not come from a response cache filled before they were written.
    '-search.latencyOffset=0s',
    '-search.disableCache',
    '-loggerLevel=WARN',
  ]);
  const stop = async () => {
    await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${url}/health`, c, 'victoria-metrics');
  } catch (err) {
    await stop();
    throw err;
  }
  const post = async (body: string) => {
    const r = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body, signal: AbortSignal.timeout(120_000) });
    if (r.status >= 300) throw new Error(`import: HTTP ${r.status}: ${(await r.text()).slice(0, 500)}`);
  };
  return {
    ...queryApi(url),
    async importOpenMetrics(file) {
      // The Prometheus text format wants millisecond timestamps; OpenMetrics (promtool's backfill input) has seconds.
      let lines: string[] = [];
      let size = 0;
      let samples = 0;
      const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const line of rl) {
        if (line === '' || line.startsWith('#')) continue;
        const cut = line.lastIndexOf(' ');
        lines.push(`${line.slice(0, cut)} ${Math.round(Number(line.slice(cut + 1)) * 1000)}`);
        size += line.length;
        samples++;
        if (size > 8 << 20) {
          await post(lines.join('\n'));
          lines = [];
          size = 0;
        }
      }
      if (lines.length) await post(lines.join('\n'));
      return samples;
    },
    async flush() {
      const r = await fetch(`${url}/internal/force_flush`, { signal: AbortSignal.timeout(30_000) });
      if (r.status !== 200) throw new Error(`force_flush: HTTP ${r.status}`);
    },
    logs: () => c.log.slice(-40).join('\n'),
    stop,
  };
}

export interface ReplayOptions {
  /** Rule file text (Prometheus format). */
  readonly rules: string;
  /** Prometheus-compatible query endpoint (VictoriaMetrics or Prometheus). */
  readonly datasourceUrl: string;
  /** Remote-write receiver (vmalert appends /api/v1/write). */
  readonly remoteWriteUrl: string;
  readonly fromMs: number;
  readonly toMs: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Common vmalert flags: query step = the group's interval (vmalert's default -datasource.queryStep
 * is 5m, which would let every rule see 5-minute-old samples).
 */
const COMMON_FLAGS = ['-datasource.queryStep=0s'];

/**
 * `vmalert -replay.timeFrom/-replay.timeTo`: evaluates every rule over the range at its group's
 * interval and writes the recordings (and ALERTS / ALERTS_FOR_STATE) to remote write. Rules that
 * read another rule's recordings must be replayed after it was written: call once per dependency
 * level (ruleLevels) and flush the storage in between.
 */
export async function replay(o: ReplayOptions, timeoutMs = 120_000): Promise<{ ms: number; samples: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-vmalert-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), o.rules);
    const t0 = Date.now();
    const c = start('vmalert', [
      `-rule=${join(dir, 'rules.yaml')}`,
      `-datasource.url=${o.datasourceUrl}`,
      `-remoteWrite.url=${o.remoteWriteUrl}`,
      `-replay.timeFrom=${rfc3339(o.fromMs)}`,
      `-replay.timeTo=${rfc3339(o.toMs)}`,
      '-replay.rulesDelay=0s',
      '-replay.disableProgressBar',
      '-remoteWrite.flushInterval=100ms',
      `-httpListenAddr=127.0.0.1:${await freePort()}`,
      ...COMMON_FLAGS,
      '-loggerLevel=INFO',
    ]);
    const timer = setTimeout(() => c.child.kill('SIGKILL'), timeoutMs);
    const code = await c.exited;
    clearTimeout(timer);
    const text = c.log.join('\n');
    if (code !== 0) throw new Error(`vmalert replay exited with ${code}:\n${c.log.slice(-30).join('\n')}`);
    const failed = c.log.filter((l) => /\berror\b/.test(l));
    if (failed.length) throw new Error(`vmalert replay reported errors:\n${failed.slice(0, 10).join('\n')}`);
    return { ms: Date.now() - t0, samples: Number(/Imported (\d+) samples/.exec(text)?.[1] ?? 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LiveVmalert {
  readonly url: string;
  rules(): Promise<Array<{ group: string; name: string; type: string; lastError: string; lastEvaluation: string; state?: string }>>;
  alerts(): Promise<Array<{ name: string; state: string; labels: Record<string, string>; activeAt: string }>>;
  /** vmalert's own /metrics text (vmalert_iteration_duration_seconds per group, ...). */
  selfMetrics(): Promise<string>;
  logs(): string;
  stop(): Promise<void>;
}

/** vmalert evaluating live; with remoteReadUrl it restores alert state (ALERTS_FOR_STATE written by replay). */
export async function startVmalert(o: { rules: string; datasourceUrl: string; remoteWriteUrl: string; remoteReadUrl?: string; evaluationInterval: string }): Promise<LiveVmalert> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-vmalert-'));
  writeFileSync(join(dir, 'rules.yaml'), o.rules);
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkPort = (sink.address() as AddressInfo).port;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const c = start('vmalert', [
    `-rule=${join(dir, 'rules.yaml')}`,
    `-datasource.url=${o.datasourceUrl}`,
    `-remoteWrite.url=${o.remoteWriteUrl}`,
    ...(o.remoteReadUrl ? [`-remoteRead.url=${o.remoteReadUrl}`] : []),
    `-evaluationInterval=${o.evaluationInterval}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    // vmalert 1.79 needs a notifier for alerting rules: a local sink that accepts and drops them.
    `-notifier.url=http://127.0.0.1:${sinkPort}`,
    '-loggerLevel=INFO',
    ...COMMON_FLAGS,
  ]);
  const stop = async () => {
    await stopChild(c);
    await new Promise((r) => sink.close(r));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${url}/health`, c, 'vmalert');
  } catch (err) {
    await stop();
    throw err;
  }
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    return ((await r.json()) as { data: T }).data;
  };
  return {
    url,
    rules: async () =>
      (await get<{ groups: Array<{ name: string; rules: Array<{ name: string; type: string; lastError: string; lastEvaluation: string; state?: string }> }> }>('/api/v1/rules')).groups.flatMap((g) =>
        g.rules.map((r) => ({ group: g.name, ...r })),
      ),
    alerts: async () => (await get<{ alerts: Array<{ name: string; state: string; labels: Record<string, string>; activeAt: string }> }>('/api/v1/alerts')).alerts,
    selfMetrics: async () => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text(),
    logs: () => c.log.slice(-40).join('\n'),
    stop,
  };
}

interface RuleYaml {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly [k: string]: unknown;
}
interface GroupYaml {
  readonly name: string;
  readonly interval?: string;
  readonly rules: RuleYaml[];
}

/**
 * A rule as `vmalert -replay` can run it: annotations that call the `query` template function dropped
 * (vmalert refuses them in replay mode: "`query` template isn't supported in replay mode"; live vmalert
 * evaluates them). That does not change when an alert's expression holds, which is what replays compare.
 */
function forReplay(rule: RuleYaml): RuleYaml {
  const annotations = rule.annotations as Record<string, string> | undefined;
  if (!annotations) return rule;
  return { ...rule, annotations: Object.fromEntries(Object.entries(annotations).filter(([, text]) => !/\|\s*query\b/.test(text))) };
}

/**
 * A rule file cut into dependency levels: level 0 reads only scraped metrics, level n reads
 * recordings of levels < n. Each level keeps the group names and intervals; every level's file is a
 * valid rule file of its own.
 */
export function ruleLevels(rulesText: string): string[] {
  const groups = (load(rulesText) as { groups: GroupYaml[] }).groups.map((g) => ({ ...g, rules: g.rules.map(forReplay) }));
  const rules = groups.flatMap((g) => g.rules);
  const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
  const deps = new Map(rules.map((r) => [r, [...new Set([...r.expr.matchAll(/[a-zA-Z_:][\w:]*/g)].map((m) => m[0]).filter((n) => recorded.has(n)))]]));
  // Fixpoint: a rule's level is one above the highest level of any rule recording a name it reads.
  const ruleLevel = new Map(rules.map((r) => [r, 0]));
  for (let changed = true, rounds = 0; changed; rounds++) {
    if (rounds > 100) throw new Error('recording rules form a cycle');
    changed = false;
    const nameLevel = new Map<string, number>();
    for (const r of rules) if (r.record) nameLevel.set(r.record, Math.max(nameLevel.get(r.record) ?? 0, ruleLevel.get(r)!));
    for (const r of rules) {
      const l = Math.max(0, ...deps.get(r)!.map((n) => nameLevel.get(n)! + 1));
      if (l !== ruleLevel.get(r)) {
        ruleLevel.set(r, l);
        changed = true;
      }
    }
  }
  const byLevel: GroupYaml[][] = [];
  for (const g of groups) {
    const split = new Map<number, RuleYaml[]>();
    for (const r of g.rules) {
      const l = ruleLevel.get(r)!;
      split.set(l, [...(split.get(l) ?? []), r]);
    }
    for (const [l, rules] of split) (byLevel[l] ??= []).push({ name: g.name, ...(g.interval ? { interval: g.interval } : {}), rules });
  }
  return byLevel.filter(Boolean).map((gs) => dump({ groups: gs }, { lineWidth: -1, noRefs: true }));
}
