/**
 * End-to-end harness: the simulator served on 127.0.0.1, optionally with backfilled history, and a
 * real Prometheus that scrapes it and evaluates a generated rule file. Everything started here is
 * stopped by Stack.stop() (call it in afterAll), temp files included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backfill, serveSimulator, simulatorScrapeConfigs, startPrometheus, writeOpenMetricsHistory,
  primaryEngine, type Engine, type LinkerdSimulator, type RunningPrometheus, type SimServer, type Sample,
} from '../../../tools/sim/index.js';
import { validateConfig } from '../../../src/config/load.js';
import { sleep, waitFor } from '../../support/wait.js';
import { generate } from '../../../src/generate.js';
import type { Config, ConfigInput } from '../../../src/config/schema.js';

export interface Bundle {
  readonly rules: string;
  /** Every grafana/**.json file of the bundle. */
  readonly dashboards: ReadonlyMap<string, string>;
}

export function bundleFor(input: ConfigInput | Config, file = 'e2e.yaml'): Bundle {
  return bundleOf(validateConfig(input, file), file);
}

export function bundleOf(config: Config, file: string): Bundle {
  const files = generate(config, file).files;
  const rules = files.get(`prometheus/linkerd-slo-${config.cluster}.rules.yaml`);
  if (!rules) throw new Error('no rule file in the bundle');
  const dashboards = new Map([...files].filter(([k]) => k.startsWith('grafana/') && k.endsWith('.json')));
  return { rules, dashboards };
}

export interface StackOptions {
  readonly sim: LinkerdSimulator;
  /** The rule file Prometheus evaluates; none when undefined (a store for another ruler). */
  readonly rules: string | undefined;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** Write the simulator's history from its start to now (this step) and backfill it before Prometheus starts. */
  readonly historyStepSeconds?: number;
  /** Only these families get history (all when omitted). */
  readonly historyFamilies?: readonly string[];
  readonly historySeries?: (family: string, labels: string) => boolean;
  /**
   * Backfill this OpenMetrics history (from writeOpenMetricsHistory) instead of simulating one. A
   * simulator's history can be written only once (it steps the simulator's clock up to now), so two
   * Prometheus over the same simulator share one file; the caller owns and removes it.
   */
  readonly historyFile?: string;
  /** `global.external_labels` (a Thanos sidecar refuses a Prometheus without any). */
  readonly externalLabels?: Record<string, string>;
  /** Job names of the two scrape jobs (linkerd.proxyJob / linkerd.controllerJob of the config). */
  readonly jobNames?: { readonly proxy?: string; readonly controller?: string };
  /** Prometheus and the promtool that backfills for it: the primary engine (Prometheus 3) by default. */
  readonly engine?: Engine;
  /** More prometheus.yml: remote_write to another store, external labels ... */
  readonly extraConfig?: Record<string, unknown>;
  /** More prometheus flags (e.g. --web.enable-remote-write-receiver). */
  readonly args?: readonly string[];
}

export interface Stack {
  readonly prom: RunningPrometheus;
  readonly server: SimServer;
  /** Bytes, samples and time of the backfill, when there was one. */
  readonly backfill?: { bytes: number; samples: number; ms: number };
  stop(): Promise<void>;
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const engine = o.engine ?? primaryEngine();
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-e2e-'));
  let server: SimServer | undefined;
  let prom: RunningPrometheus | undefined;
  const stop = async () => {
    await prom?.stop().catch(() => undefined);
    await server?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let info: Stack['backfill'];
    let dataDir: string | undefined;
    if (o.historyFile) {
      dataDir = join(dir, 'data');
      backfill(o.historyFile, dataDir, undefined, engine.promtool);
    } else if (o.historyStepSeconds) {
      const t0 = Date.now();
      const h = writeOpenMetricsHistory(o.sim, {
        until: Date.now(),
        stepSeconds: o.historyStepSeconds,
        file: join(dir, 'history.om'),
        ...(o.historyFamilies ? { families: o.historyFamilies } : {}),
        ...(o.historySeries ? { series: o.historySeries } : {}),
      });
      dataDir = join(dir, 'data');
      backfill(h.file, dataDir, undefined, engine.promtool);
      rmSync(h.file);
      info = { bytes: h.bytes, samples: h.samples, ms: Date.now() - t0 };
    }
    server = await serveSimulator(o.sim);
    prom = await startPrometheus({
      config: {
        global: {
          scrape_interval: o.scrapeInterval ?? '1s',
          evaluation_interval: o.evaluationInterval ?? '1s',
          ...(o.externalLabels ? { external_labels: o.externalLabels } : {}),
        },
        ...(o.rules !== undefined ? { rule_files: ['rules.yaml'] } : {}),
        scrape_configs: simulatorScrapeConfigs(server.sdUrl, o.scrapeInterval ?? '1s', o.jobNames),
        ...o.extraConfig,
      },
      files: o.rules !== undefined ? { 'rules.yaml': o.rules } : {},
      ...(o.args ? { args: o.args } : {}),
      binary: engine.prometheus,
      ...(dataDir ? { dataDir } : {}),
    });
    return { prom, server, ...(info ? { backfill: info } : {}), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export { sleep, waitFor };

/** Waits until Prometheus has scraped every simulated target at least `scrapes` times. */
export async function waitForScrapes(stack: Stack, sim: LinkerdSimulator, scrapes = 2, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `${scrapes} scrapes of every target`,
    async () => sim.targets.every((t) => (stack.server.scrapes.get(t.id)?.ok ?? 0) >= scrapes),
    timeoutMs,
  );
}

export interface PanelQuery {
  readonly file: string;
  readonly panel: string;
  readonly type: string;
  readonly expr: string;
}

interface PanelJson {
  readonly title?: string;
  readonly type?: string;
  readonly targets?: ReadonlyArray<{ readonly expr?: string }>;
  readonly panels?: readonly PanelJson[];
}

interface TemplateVar {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly current?: { readonly value?: unknown };
}

/**
 * Every panels[].targets[].expr of the dashboards (rows' nested panels included), with Grafana's
 * variables replaced: $__rate_interval/$__interval/$__range by durations, dashboard variables by
 * their current value or, for a label_values() query variable, its first value in Prometheus.
 * Identical queries are returned once.
 */
export async function dashboardQueries(dashboards: ReadonlyMap<string, string>, prom: RunningPrometheus, rangeSeconds: number): Promise<PanelQuery[]> {
  const seen = new Set<string>();
  const out: PanelQuery[] = [];
  for (const [file, text] of dashboards) {
    const d = JSON.parse(text) as { panels?: PanelJson[]; templating?: { list?: TemplateVar[] } };
    const vars = new Map<string, string>();
    for (const v of d.templating?.list ?? []) {
      if (v.type === 'datasource') continue;
      vars.set(v.name, await resolveVariable(v, prom));
    }
    const builtin: Record<string, string> = { __rate_interval: '1m', __interval: '5s', __range: `${Math.max(1, Math.round(rangeSeconds))}s`, __range_s: String(Math.round(rangeSeconds)) };
    const substitute = (expr: string) =>
      expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (m, a?: string, b?: string, c?: string) => {
        const name = a ?? b ?? c ?? '';
        return builtin[name] ?? vars.get(name) ?? m;
      });
    const walk = (panels: readonly PanelJson[] | undefined) => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? []) {
          if (!t.expr) continue;
          const expr = substitute(t.expr);
          if (seen.has(expr)) continue;
          seen.add(expr);
          out.push({ file, panel: p.title ?? '(untitled)', type: p.type ?? '?', expr });
        }
        walk(p.panels);
      }
    };
    walk(d.panels);
  }
  return out;
}

async function resolveVariable(v: TemplateVar, prom: RunningPrometheus): Promise<string> {
  const current = v.current?.value;
  if (typeof current === 'string' && current !== '' && current !== '$__all' && !current.startsWith('${')) return current;
  if (Array.isArray(current) && typeof current[0] === 'string' && current[0] !== '$__all') return current[0];
  const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
  const m = q ? /^label_values\((?:(.*),\s*)?(\w+)\)$/.exec(q.trim()) : null;
  if (m) {
    const values = await prom.api<string[]>(`label/${m[2]}/values`, m[1] ? { 'match[]': m[1] } : {});
    if (values[0] !== undefined) return values[0];
  }
  return '.*';
}

/** Whether a query_range result holds at least one finite value. */
export function hasData(result: readonly Sample[]): boolean {
  return result.some((s) => (s.values ?? []).some(([, v]) => Number.isFinite(Number(v))));
}
