/**
 * Thanos Ruler and Mimir (monolithic, filesystem storage) built by scripts/engines.mjs, started on
 * 127.0.0.1 on free ports in a temporary directory, and always stopped (SIGTERM, then SIGKILL) with
 * the directory removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { freePort } from '../../../tools/sim/index.js';
import { sleep } from '../../support/wait.js';

export interface Server {
  readonly url: string;
  readonly dir: string;
  logs(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Starts `binary args` in a fresh temp dir (files written first) and waits for GET readyPath = 200. */
async function startServer(what: string, binary: string, dir: string, args: readonly string[], url: string, readyPath: string, timeoutMs: number): Promise<Server> {
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const log: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(line);
    if (log.length > 400) log.splice(0, log.length - 400);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (c) => { code = c; running.delete(child); resolve(); }));
  const logs = () => log.slice(-60).join('\n');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (code === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (code !== undefined) {
      await stop();
      throw new Error(`${what} exited (code ${code}) before it was ready:\n${logs()}`);
    }
    try {
      if ((await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const text = logs();
      await stop();
      throw new Error(`${what} not ready after ${timeoutMs} ms:\n${text}`);
    }
    await sleep(250);
  }
  return { url, dir, logs, stop };
}

export interface ThanosRuleOptions {
  readonly binary: string;
  readonly rules: string;
  /** Prometheus HTTP API the ruler queries (host:port). */
  readonly query: string;
  /** Remote-write URL for what the ruler records (stateless mode: its alerts read them back through `query`). */
  readonly remoteWrite: string;
}

/**
 * `thanos rule` in stateless mode (docs: thanos.io/tip/components/rule.md, "Stateless Ruler via
 * Remote Write"): it evaluates every group of the rule file each second against `query` and
 * remote-writes its recordings there, so its alerts read its own recordings, as in production.
 */
export async function startThanosRule(o: ThanosRuleOptions): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-thanos-'));
  writeFileSync(join(dir, 'rules.yaml'), o.rules);
  writeFileSync(join(dir, 'remote-write.yaml'), dump({ remote_write: [{ name: 'e2e', url: o.remoteWrite, queue_config: { batch_send_deadline: '1s' } }] }));
  const [http, grpc] = [await freePort(), await freePort()];
  const args = [
    'rule',
    `--data-dir=${join(dir, 'data')}`,
    `--rule-file=${join(dir, 'rules.yaml')}`,
    '--eval-interval=1s',
    `--query=${o.query}`,
    `--remote-write.config-file=${join(dir, 'remote-write.yaml')}`,
    `--http-address=127.0.0.1:${http}`,
    `--grpc-address=127.0.0.1:${grpc}`,
    '--log.level=info',
  ];
  return startServer('thanos rule', o.binary, dir, args, `http://127.0.0.1:${http}`, '/-/ready', 60_000);
}

/**
 * Mimir monolithic (-target=all) with filesystem block and rule storage, every ring in memory (no
 * memberlist port), usage reporting off, on 127.0.0.1. The ruler evaluates each second without the
 * default 1m evaluation delay, so its alerts are comparable with a Prometheus scraping the same data.
 */
export async function startMimir(binary: string): Promise<Server & { readonly grpcPort: number }> {
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
    limits: { ruler_evaluation_delay_duration: '0s' },
    activity_tracker: { filepath: '' },
  };
  writeFileSync(join(dir, 'mimir.yaml'), dump(config, { lineWidth: -1 }));
  const server = await startServer('mimir', binary, dir, [`-config.file=${join(dir, 'mimir.yaml')}`], `http://127.0.0.1:${http}`, '/ready', 120_000);
  return { ...server, grpcPort: grpc };
}
