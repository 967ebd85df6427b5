/**
 * The server processes tests start (Prometheus, VictoriaMetrics, vmalert, Thanos, Mimir): their output
 * kept for error messages, readiness polled on 127.0.0.1, stopped with SIGTERM then SIGKILL, and
 * killed when the test process exits (a run that dies before its afterAll leaves nothing behind).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface Child {
  readonly child: ChildProcess;
  /** The last lines of its stdout and stderr. */
  readonly log: string[];
  /** Resolves with the exit code when the process exits. */
  readonly exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `binary args`, keeping the last `keepLines` lines of its output. */
export function startChild(binary: string, args: readonly string[], o: { cwd?: string; keepLines: number }): Child {
  const child = spawn(binary, args, { ...(o.cwd ? { cwd: o.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const log: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(line);
    if (log.length > o.keepLines) log.splice(0, log.length - o.keepLines);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, log, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`; returns once the process has exited (at once if it has). */
export async function stopChild(c: Child, graceMs: number): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  c.child.kill('SIGTERM');
  const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}

export interface ReadyOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Lines of output in the error message. */
  readonly logLines?: number;
}

/** Polls GET `url` until it answers 200; throws (with the last lines of output) if the process exits first or the time runs out. */
export async function waitReady(url: string, c: Child, what: string, o: ReadyOptions = {}): Promise<void> {
  const { timeoutMs = 30_000, pollMs = 100, logLines = 20 } = o;
  const deadline = Date.now() + timeoutMs;
  const tail = () => c.log.slice(-logLines).join('\n');
  let code: number | null | undefined;
  void c.exited.then((x) => (code = x));
  for (;;) {
    if (code !== undefined) throw new Error(`${what} exited (code ${code}) before it was ready:\n${tail()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms:\n${tail()}`);
    await sleep(pollMs);
  }
}

export interface ReadyServer {
  readonly child: Child;
  /** The last 60 lines of its output. */
  logs(): string;
  /** Stops the process and removes its directory (idempotent). */
  stop(): Promise<void>;
}

/**
 * A server run in its own temporary directory `dir`: started, polled until `readyUrl` answers 200,
 * and on failure stopped with the directory removed before the error is thrown (unless the caller
 * keeps it to try again on another port: `keepDirOnFailure`).
 */
export async function startReadyServer(o: {
  readonly what: string; readonly binary: string; readonly args: readonly string[]; readonly dir: string; readonly readyUrl: string;
  readonly timeoutMs: number; readonly pollMs: number; readonly graceMs: number; readonly keepDirOnFailure?: boolean;
}): Promise<ReadyServer> {
  const c = startChild(o.binary, o.args, { cwd: o.dir, keepLines: 400 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopChild(c, o.graceMs);
    rmSync(o.dir, { recursive: true, force: true });
  };
  try {
    await waitReady(o.readyUrl, c, o.what, { timeoutMs: o.timeoutMs, pollMs: o.pollMs, logLines: 60 });
  } catch (err) {
    if (o.keepDirOnFailure) await stopChild(c, o.graceMs);
    else await stop();
    throw err;
  }
  return { child: c, logs: () => c.log.slice(-60).join('\n'), stop };
}
