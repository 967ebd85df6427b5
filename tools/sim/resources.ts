/**
 * A proxy's own process: process_* of the version (linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs`
 * (2.15–2.17), kubert-prometheus-process (2.18+)) and proxy_build_info. CPU follows the proxy's
 * throughput; resident memory its series count (and a scenario's growth); the kubelet's working set
 * (cadvisor.ts) follows resident memory.
 */
import type { SimFacts } from './linkerd.js';
import type { SimPod } from './mesh.js';
import { labelText, type Registry, type Scalar } from './registry.js';
import { workingSetOf } from './cadvisor.js';

/**
 * Proxy pinned by each Linkerd release (`.proxy-version` at the linkerd/linkerd2 tag), as proxy_build_info
 * shows it: from v2.205 (2.14) a `version` label without the "v" (LINKERD2_PROXY_VERSION is `${VERSION#v}`
 * in linkerd/linkerd2-proxy `.github/workflows/release.yml`); before, only the build commit, the commit of
 * the linkerd/linkerd2-proxy tag `release/<version>` (git_sha = git_version, as in the real v2.175.0 scrape
 * in linkerd/linkerd2 `testutil/prommatch/testdata/sampleMetrics.txt`).
 */
const PROXY_BUILD: Record<string, { version: string } | { commit: string }> = {
  '2.10': { commit: 'acf250f' }, '2.11': { commit: 'd10ed8f' }, '2.12': { commit: '20bfadf' }, '2.13': { commit: 'd6f20a6' },
  '2.14': { version: '2.207.0' }, '2.15': { version: '2.221.0' }, '2.16': { version: '2.246.0' }, '2.17': { version: '2.268.0' },
  '2.18': { version: '2.294.0' }, '2.19': { version: '2.326.0' }, '2.20': { version: '2.359.0' },
};

export function registerProcessFamilies(reg: Registry, f: SimFacts): void {
  reg.family('process_start_time_seconds', 'gauge', 'Time that the process started (in seconds since the UNIX epoch)');
  reg.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', { int: false, decimals: 2 });
  reg.family('process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.');
  reg.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
  reg.family('process_open_fds', 'gauge', 'Number of open file descriptors.');
  reg.family('process_max_fds', 'gauge', 'Maximum number of open file descriptors.');
  if (f.processThreads) reg.family('process_threads', 'gauge', 'Number of OS threads in the process.');
  if (f.processUptime) reg.family('process_uptime_seconds_total', 'counter', 'Total time since the process started (in seconds)', { int: false, typeName: 'process_uptime_seconds' });
  reg.family('proxy_build_info', 'gauge', 'Proxy build info');
}

/** What does not change while the proxy runs: start time, fd limit, threads, build. */
export function startProcess(reg: Registry, f: SimFacts, pod: SimPod, podStart: number, start: number): void {
  reg.scalar(reg.get('process_start_time_seconds')!, '', start).set(podStart, start);
  reg.scalar(reg.get('process_max_fds')!, '', start).set(1048576, start);
  if (f.processThreads) reg.scalar(reg.get('process_threads')!, '', start).set(pod.controlPlane ? 4 : 2, start);
  const pinned = PROXY_BUILD[f.version]!;
  const build: Record<string, string> = 'version' in pinned
    ? { date: '', git_sha: 'unknown', profile: 'release', vendor: 'linkerd.io', version: pinned.version }
    : { git_branch: 'HEAD', git_sha: pinned.commit, git_version: pinned.commit, profile: 'release', rust_version: 'rustc 1.59.0' };
  reg.scalar(reg.get('proxy_build_info')!, labelText(build), start).set(1, start);
}

/** CPU of `dt` seconds: a base, a share per request per second, and a scenario's extra cores. */
export function advanceProcessCpu(reg: Registry, dt: number, now: number, throughput: number, extraCpu: number): void {
  reg.scalar(reg.get('process_cpu_seconds_total')!, '', now).add((0.002 + 0.0004 * throughput + extraCpu) * dt, now);
}

/** Memory and fds at `now`: a base, 2 KiB per series, and the scenario's growth so far. */
export function processGauges(
  reg: Registry, f: SimFacts, p: { rssBase: number; growth: number; startSec: number }, now: number, workingSet: Scalar | undefined,
): void {
  const series = reg.families.reduce((n, fam) => n + fam.series.size, 0);
  const rss = p.rssBase + 2048 * series + p.growth;
  reg.scalar(reg.get('process_resident_memory_bytes')!, '', now).set(Math.round(rss), now);
  workingSet?.set(workingSetOf(rss), now);
  reg.scalar(reg.get('process_virtual_memory_bytes')!, '', now).set(Math.round(rss * 5 + 60e6), now);
  reg.scalar(reg.get('process_open_fds')!, '', now).set(20 + Math.min(200, Math.round(series / 20)), now);
  if (f.processUptime) reg.scalar(reg.get('process_uptime_seconds_total')!, '', now).set(now / 1000 - p.startSec, now);
}
