/**
 * Thanos Ruler and Mimir (monolithic, filesystem storage) built by scripts/engines.mjs, started on
 * 127.0.0.1 on free ports in a temporary directory, and always stopped (SIGTERM, then SIGKILL) with
 * the directory removed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { freePort } from '../../../tools/sim/index.js';
import { startReadyServer } from '../../../tools/sim/child.js';

export interface Server {
  readonly url: string;
  readonly dir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `binary args` in a fresh temp dir (files written first) and waits for GET readyPath = 200. */
async function startServer(what: string, binary: string, dir: string, args: readonly string[], url: string, readyPath: string, timeoutMs: number): Promise<Server> {
  const { logs, stop } = await startReadyServer({ what, binary, args, dir, readyUrl: `${url}${readyPath}`, timeoutMs, pollMs: 250, graceMs: 10_000 });
  return { url, dir, logs, stop };
}

export interface ThanosRuleOptions {
  readonly binary: string;
  readonly rules: string;
  /** The Thanos Querier's HTTP address (host:port) the ruler queries. */
  readonly query: string;
  /** Its StoreAPI port, when the querier was told it before the ruler started. */
  readonly grpcPort?: number;
}

export type ThanosServer = Server & { readonly grpc: string };

async function startThanos(what: string, binary: string, dir: string, args: readonly string[], grpcPort?: number): Promise<ThanosServer> {
  const [http, grpc] = [await freePort(), grpcPort ?? (await freePort())];
  const all = [...args, `--http-address=127.0.0.1:${http}`, `--grpc-address=127.0.0.1:${grpc}`, '--log.level=warn'];
  const server = await startServer(what, binary, dir, all, `http://127.0.0.1:${http}`, '/-/ready', 60_000);
  return { ...server, grpc: `127.0.0.1:${grpc}` };
}

/** `thanos sidecar` in front of a Prometheus (which must have external labels): its StoreAPI for a querier. */
export async function startThanosSidecar(binary: string, prometheusUrl: string): Promise<ThanosServer> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-thanos-sidecar-'));
  return startThanos('thanos sidecar', binary, dir, ['sidecar', `--prometheus.url=${prometheusUrl}`, `--tsdb.path=${join(dir, 'data')}`]);
}

/**
 * `thanos query` over StoreAPI endpoints, deduplicating on `replicaLabels` (which it then drops from
 * the answers), as a ruler's --query target.
 */
export async function startThanosQuery(binary: string, endpoints: readonly string[], replicaLabels: readonly string[]): Promise<ThanosServer> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-thanos-query-'));
  writeFileSync(join(dir, 'endpoints.yaml'), dump({ endpoints: endpoints.map((address) => ({ address })) }));
  const args = ['query', `--endpoint.sd-config-file=${join(dir, 'endpoints.yaml')}`, ...replicaLabels.map((l) => `--query.replica-label=${l}`)];
  return startThanos('thanos query', binary, dir, args);
}

/**
 * `thanos rule` as Thanos documents it (thanos.io/tip/components/rule.md): it keeps its recordings and
 * ALERTS in its own TSDB, serves them on its StoreAPI to the querier it queries, and evaluates every
 * group each second. Not the stateless mode (remote write): Thanos 0.42.4's stateless ruler never
 * notifies its remote-write WAL watcher of new samples (cmd/thanos/rule.go opens the agent DB without
 * SetWriteNotified), so the watcher ships them only every 15 s (prometheus tsdb/wlog/watcher.go
 * readTimeout), and alerts reading the ruler's own recordings see them up to 15 s late.
 */
export async function startThanosRule(o: ThanosRuleOptions): Promise<ThanosServer> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-thanos-rule-'));
  writeFileSync(join(dir, 'rules.yaml'), o.rules);
  const args = [
    'rule',
    `--data-dir=${join(dir, 'data')}`,
    `--rule-file=${join(dir, 'rules.yaml')}`,
    '--eval-interval=1s',
    `--query=${o.query}`,
    '--label=ruler="thanos"',
  ];
  return startThanos('thanos rule', o.binary, dir, args, o.grpcPort);
}

/**
 * Mimir monolithic (-target=all) with filesystem block and rule storage, every ring in memory (no
 * memberlist port), usage reporting off, on 127.0.0.1. The ruler evaluates each second without the
 * default 1m evaluation delay, so its alerts are comparable with a Prometheus scraping the same data.
 */
export async function startMimir(binary: string, limits: Record<string, unknown> = {}): Promise<Server & { readonly grpcPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-mimir-'));
  const [http, grpc] = [await freePort(), await freePort()];
  const ring = { kvstore: { store: 'inmemory' }, instance_addr: '127.0.0.1' };
  const config = {
    target: 'all',
    multitenancy_enabled: true,
    usage_stats: { enabled: false },
    server: { http_listen_address: '127.0.0.1', http_listen_port: http, grpc_listen_address: '127.0.0.1', grpc_listen_port: grpc, log_level: 'warn' },
    common: { storage: { backend: 'filesystem', filesystem: { dir: join(dir, 'common') } } },
    blocks_storage: { storage_prefix: 'blocks', tsdb: { dir: join(dir, 'tsdb') }, bucket_store: { sync_dir: join(dir, 'tsdb-sync') } },
    ruler_storage: { storage_prefix: 'rules' },
    ruler: { rule_path: join(dir, 'ruler'), evaluation_interval: '1s', poll_interval: '1s', ring },
    alertmanager_storage: { storage_prefix: 'alertmanager' },
    compactor: { data_dir: join(dir, 'compactor'), sharding_ring: ring },
    distributor: { ring },
    ingester: { ring: { ...ring, replication_factor: 1, min_ready_duration: '0s', final_sleep: '0s' } },
    store_gateway: { sharding_ring: { ...ring, replication_factor: 1 } },
    query_scheduler: { service_discovery_mode: 'dns' },
    // The query-frontend tells the scheduler where queriers send answers: by default the address of the
    // machine's first network interface, where nothing listens (we listen on 127.0.0.1 only), so every
    // query hangs; the querier logs "error notifying frontend about finished query ... connection refused".
    frontend: { address: '127.0.0.1' },
    querier: { ring },
    limits: { ruler_evaluation_delay_duration: '0s', ...limits },
    activity_tracker: { filepath: '' },
  };
  writeFileSync(join(dir, 'mimir.yaml'), dump(config, { lineWidth: -1 }));
  const server = await startServer('mimir', binary, dir, [`-config.file=${join(dir, 'mimir.yaml')}`], `http://127.0.0.1:${http}`, '/ready', 120_000);
  return { ...server, grpcPort: grpc };
}
