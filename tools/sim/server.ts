/**
 * The simulator live, over HTTP on 127.0.0.1 (ephemeral port), for a real Prometheus to scrape:
 *   GET /targets/<id>/metrics   one proxy or controller container (503 while the scenario takes it down)
 *   GET /sd/<job>               Prometheus http_sd_configs target list: one target per pod (or
 *                               container) with the target labels the standard scrape config
 *                               produces and __metrics_path__ pointing at its endpoint
 *   GET /metrics                every target at once, target labels included (scrape with honor_labels);
 *                               ?family=<name> (repeatable) keeps only those families
 * Each request first advances the simulation to the wall clock.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LinkerdSimulator } from './simulator.js';
import type { Job } from './target.js';

export interface SimServer {
  readonly url: string;
  readonly port: number;
  /** URL of the http_sd target list of a job. */
  sdUrl(job: Job): string;
  /** Successful and failed scrapes served so far, per target id. */
  readonly scrapes: ReadonlyMap<string, { ok: number; failed: number }>;
  close(): Promise<void>;
}

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export async function serveSimulator(sim: LinkerdSimulator, opts: { clock?: () => number } = {}): Promise<SimServer> {
  const clock = opts.clock ?? Date.now;
  const scrapes = new Map<string, { ok: number; failed: number }>();
  let base = '';

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string, type = TEXT) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'method not allowed\n');
    sim.advanceTo(clock());
    const path = url.pathname;
    if (path === '/metrics') {
      // ?family=a&family=b limits the output to those families.
      const families = url.searchParams.getAll('family');
      return send(200, sim.aggregateExposition(undefined, families.length ? new Set(families) : undefined));
    }
    const sd = /^\/sd\/([^/]+)$/.exec(path);
    if (sd) {
      const job = decodeURIComponent(sd[1]!) as Job;
      const host = new URL(base).host;
      const groups = sim.targetsOf(job).map((t) => {
        const { job: _job, ...labels } = t.labels;
        void _job;
        return { targets: [host], labels: { ...labels, __metrics_path__: t.path } };
      });
      return send(200, JSON.stringify(groups), 'application/json');
    }
    const m = /^\/targets\/(.+)\/metrics$/.exec(path);
    if (m) {
      const target = sim.target(decodeURIComponent(m[1]!));
      if (!target) return send(404, 'no such target\n');
      const count = scrapes.get(target.id) ?? { ok: 0, failed: 0 };
      scrapes.set(target.id, count);
      if (sim.isDown(target)) {
        count.failed++;
        return send(503, 'target down (scenario)\n');
      }
      count.ok++;
      return send(200, sim.exposition(target));
    }
    return send(404, 'not found\n');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${(err as Error).stack ?? String(err)}\n`);
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    sdUrl: (job) => `${base}/sd/${encodeURIComponent(job)}`,
    scrapes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
