/**
 * A small /metrics endpoint on 127.0.0.1 for a real Prometheus to scrape: `render(n)` gives the
 * Prometheus text exposition of the n-th scrape (1, 2, ...), so counters can grow between scrapes.
 */
import { createServer } from 'node:http';

export interface ExpositionServer {
  /** host:port, for a scrape config's static_configs targets. */
  readonly target: string;
  close(): Promise<void>;
}

export async function serveExposition(render: (scrape: number) => string): Promise<ExpositionServer> {
  let scrape = 0;
  const server = createServer((_, res) => {
    scrape++;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(render(scrape));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    target: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
