#!/usr/bin/env node
/** The linkerd-slo command line. I/O lives here and in the writer; the core is pure. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadConfigFile } from './config/load.js';
import { lateConfigFailure, safeText } from './config/module-fence.js';
import { ConfigError } from './config/errors.js';
import { configJsonSchema } from './config/schema.js';
import { generateBundle, OWNED_DIRS } from './generate.js';
import { runChecks, formatReport, formatReportJson } from './check/check.js';
import { prometheusClient } from './check/prometheus-client.js';
import { printable } from './check/terminal.js';
import { durationFlag, RANGES, refuseValuelessFlags, responseCap } from './cli-flags.js';
import { checkOutputFile, writeOutputFile, type InputFile } from './output-file.js';
import { assertBundlePath, checkOutputDir, diffBundle, MANIFEST, writeBundle } from './writer.js';
import { describeErrno } from './writer/durable.js';
import { importOpenSlo } from './openslo/import.js';
import { EXIT, UserError } from './errors.js';
import { exportOpenSlo } from './openslo/export.js';
import { bundleDashboards, runPreview } from './preview/index.js';
import { BACKFILL_DESCRIBE, backfillOptions, runBackfill } from './backfill-command.js';
import { BACKTEST_DESCRIBE, backtestOptions, runBacktest } from './backtest-command.js';
import { clusterHasData, presenceQuery } from './backtest/index.js';
import { REPORT_DESCRIBE, reportOptions, runReport } from './report-command.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };


/** `--debug` (anywhere on the command line) or LINKERD_SLO_DEBUG=1: print stack traces of failures. */
const DEBUG = hideBin(process.argv).includes('--debug') || process.env.LINKERD_SLO_DEBUG === '1';

// `linkerd-slo ... | head` closes stdout early; that is not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  fail(err);
});

/** Every failure ends here: one line on stderr (a stack trace only with --debug) and a documented exit code. */
function fail(err: unknown): never {
  // A config module's code that outlived its loading (a late throw, rejection or exit) is the config's fault.
  err = lateConfigFailure(err) ?? err;
  if (DEBUG && err instanceof Error) process.stderr.write(`${err.stack ?? err.message}\n`);
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.stderr.write(`error: invalid configuration; nothing was written\n`);
    process.exit(EXIT.config);
  }
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const errno = err as NodeJS.ErrnoException;
  if (typeof errno?.code === 'string' && typeof errno.syscall === 'string') {
    // A file-system failure outside the writer (import-openslo --out, export-openslo --out, ...).
    process.stderr.write(`error: cannot ${errno.syscall} ${errno.path ?? ''}: ${describeErrno(err)}\n`.replace(' :', ':'));
    process.exit(EXIT.output);
  }
  const message = safeText(err).split('\n')[0];
  process.stderr.write(`error: internal error: ${message}${DEBUG ? '' : ' (a bug in linkerd-slo; rerun with --debug for the stack trace)'}\n`);
  process.exit(EXIT.internal);
}

/** A flag given without a value (`--out ""`) would mean the current directory: refuse it. */
function nonEmpty(name: string, value: unknown): string {
  if (Array.isArray(value)) throw new UserError(`--${name} is given ${value.length} times; give it once`, EXIT.config);
  if (typeof value !== 'string' || value.trim() === '') throw new UserError(`--${name} needs a value`, EXIT.config);
  return value;
}

// Whatever escapes a command's own handling still ends in one line.
process.on('uncaughtException', (err) => fail(err));
process.on('unhandledRejection', (err) => fail(err));

const configOption = {
  alias: 'c',
  type: 'string',
  default: 'linkerd-slo.yaml',
  describe: 'Config file: YAML (linkerd-slo.yaml) or TypeScript (linkerd-slo.config.ts)',
} as const;

const maxResponseOption = {
  type: 'number',
  default: 256,
  describe: 'Largest Prometheus answer read, in megabytes; a larger one fails with exit 3 (backtest splits its range first)',
} as const;

/** The config as an input a command's --out must never replace. */
const configInput = (file: string): InputFile => ({ path: resolve(file), what: 'the config file' });

try {
  refuseValuelessFlags(hideBin(process.argv));
} catch (err) {
  fail(err);
}

await yargs(hideBin(process.argv))
  .scriptName('linkerd-slo')
  .usage('$0 <command> [options]\n\nCompile one config into Prometheus rules, PrometheusRule objects, runbooks and Grafana dashboards for Linkerd.')
  .command(
    'generate',
    'Generate the monitoring bundle into the output directory',
    (y) =>
      y
        .option('config', configOption)
        .option('out', { alias: 'o', type: 'string', default: 'out', describe: 'Output directory (linkerd-slo deletes only files it wrote there; see docs/output-directory.md)' })
        .option('check', { type: 'boolean', default: false, describe: 'Write nothing; exit 1 and list the files that differ from what would be generated' })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'Adopt an output directory without a manifest (older linkerd-slo), the home directory or a repository root, and overwrite files in the way; never deletes files linkerd-slo did not write',
        })
        .option('lock-timeout', { type: 'number', default: 30, describe: 'Seconds to wait for another run writing the same output directory' }),
    async (argv) => {
      try {
        const outArg = nonEmpty('out', argv.out).replace(/\/+$/, '') || '/';
        const lockTimeout = argv['lock-timeout'];
        if (!Number.isFinite(lockTimeout) || lockTimeout < 0) throw new UserError('--lock-timeout needs a number of seconds (0 or more)', EXIT.config);
        const outDir = resolve(outArg);
        const options = { ownedDirs: OWNED_DIRS, label: outArg, configFile: nonEmpty('config', argv.config), force: argv.force, lockTimeoutMs: lockTimeout * 1000 };
        // An unsafe --out is refused before the config is even read (the writer checks again).
        await checkOutputDir(outDir, { ...options, force: argv.force || argv.check });
        const loaded = await loadConfigFile(resolve(argv.config));
        const file = loaded.file;
        const { files } = generateBundle(loaded, file);
        if (argv.check) {
          const drift = await diffBundle(outDir, files, options);
          if (drift.recovered) process.stderr.write(`note: finished an interrupted earlier run in ${outArg}/ first\n`);
          const lines = [
            ...drift.changed.map((f) => `  changed: ${outArg}/${f}`),
            ...drift.missing.map((f) => `  missing: ${outArg}/${f}`),
            ...drift.stale.map((f) => `  stale:   ${outArg}/${f}`),
          ];
          if (lines.length) {
            // Output of a linkerd-slo without the manifest: the plain run would refuse it until adopted once.
            const adopt = drift.missing.includes(MANIFEST) && drift.missing.length <= files.size ? ' --force   (once: adopts output written without a manifest)' : '';
            process.stderr.write(`${outArg}/ is out of date with ${file}:\n${lines.join('\n')}\nrun: linkerd-slo generate --config ${argv.config} --out ${outArg}${adopt}\n`);
            process.exit(EXIT.drift);
          }
          process.stdout.write(`${outArg}/ is up to date (${files.size} files)\n`);
          return;
        }
        const result = await writeBundle(outDir, files, options);
        if (result.recovered) process.stderr.write(`note: finished an interrupted earlier run in ${outArg}/ first\n`);
        for (const f of result.kept) process.stderr.write(`warning: kept ${outArg}/${f}: linkerd-slo no longer generates it, but it was edited since; delete it yourself if it is no longer needed\n`);
        process.stdout.write(`wrote ${files.size} files to ${outArg}/:\n${[...files.keys()].map((f) => `  ${f}`).join('\n')}\n`);
        if (result.pruned.length) process.stdout.write(`removed ${result.pruned.length} files it no longer generates:\n${result.pruned.map((f) => `  ${f}`).join('\n')}\n`);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'validate',
    'Check the config and every PromQL expression it produces; write nothing',
    (y) => y.option('config', configOption),
    async (argv) => {
      try {
        const loaded = await loadConfigFile(resolve(argv.config));
        const file = loaded.file;
        const gen = generateBundle(loaded, file);
        // The same containment check as generate: a file name that would leave --out fails here too.
        for (const rel of gen.files.keys()) assertBundlePath(rel, OWNED_DIRS);
        const rules = gen.groups.reduce((n, g) => n + g.rules.length, 0);
        process.stdout.write(`${file}: ok (${gen.groups.length} rule groups, ${rules} rules, ${gen.files.size} files)\n`);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'import-openslo <files..>',
    'Convert OpenSLO v1 SLO/SLI documents (Prometheus ratioMetric) into a config with slos.custom; alerting comes from alerting.windows',
    (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'OpenSLO YAML files (multi-document)' })
        .option('cluster', { type: 'string', demandOption: true, describe: 'Cluster name of the new config (the required `cluster` key)' })
        .option('out', { alias: 'o', type: 'string', describe: 'Write the config to this file instead of stdout' }),
    async (argv) => {
      try {
        const out = argv.out === undefined ? undefined : { path: nonEmpty('out', argv.out), label: `--out ${argv.out}`, inputs: argv.files.map((f) => ({ path: resolve(f), what: 'the input file' })) };
        if (out) await checkOutputFile(out);
        const sources = await Promise.all(
          argv.files.map(async (f) => {
            try {
              return { file: f, text: await readFile(resolve(f), 'utf8') };
            } catch (err) {
              const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
              throw new ConfigError([{ file: f, path: [], message: `cannot read OpenSLO file: ${reason}` }]);
            }
          }),
        );
        const result = importOpenSlo(sources, { cluster: argv.cluster });
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        if (out) {
          await writeOutputFile(out, result.yaml);
          process.stdout.write(`wrote ${argv.out}: ${result.slos.length} custom SLO(s): ${result.slos.map((s) => s.name).join(', ')}\n`);
        } else {
          process.stdout.write(result.yaml);
        }
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'export-openslo',
    'Write the config\'s ratio SLOs (control-plane success rate and latency, workloads and routes, custom) as OpenSLO v1 SLO documents',
    (y) =>
      y
        .option('config', configOption)
        .option('out', { alias: 'o', type: 'string', describe: 'Write the documents to this file instead of stdout' }),
    async (argv) => {
      try {
        const out = argv.out === undefined ? undefined : { path: nonEmpty('out', argv.out), label: `--out ${argv.out}`, inputs: [configInput(argv.config)] };
        if (out) await checkOutputFile(out);
        const { file, config } = await loadConfigFile(resolve(argv.config));
        const text = exportOpenSlo(config, file);
        if (out) {
          await writeOutputFile(out, text);
          process.stdout.write(`wrote ${argv.out}: ${(text.match(/^kind: SLO$/gm) ?? []).length} OpenSLO SLO documents\n`);
        } else {
          process.stdout.write(text);
        }
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'check',
    "Check the generated rules and panels against your Prometheus: selectors that match nothing, renamed metrics, PodMonitor job names, missing labels, scrape interval. Credentials from LINKERD_SLO_PROMETHEUS_TOKEN or LINKERD_SLO_PROMETHEUS_USERNAME/PASSWORD, never from the URL",
    (y) =>
      y
        .option('config', configOption)
        .option('prometheus-url', { type: 'string', demandOption: true, describe: 'Base URL of the Prometheus (or Thanos Query / Mimir Prometheus API) to check against; no user:password@ (use the environment variables)' })
        .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Report format' })
        .option('lookback', { type: 'string', default: '1h', describe: 'How far back a series counts as present (a Prometheus duration)' })
        .option('timeout', { type: 'string', default: '30s', describe: 'How long to wait for each Prometheus answer (a duration, at most 1d)' })
        .option('max-response-mb', maxResponseOption),
    async (argv) => {
      let report;
      try {
        // Flags and credentials first: they fail fast and without touching the config or the network.
        durationFlag('--lookback', argv.lookback, RANGES.history);
        const limits = { maxResponseBytes: responseCap(argv['max-response-mb']) };
        const client = prometheusClient(argv['prometheus-url'], process.env, durationFlag('--timeout', argv.timeout, RANGES.timeout) * 1000, limits);
        const loaded = await loadConfigFile(resolve(argv.config));
        const gen = generateBundle(loaded, loaded.file);
        // Every cluster, with its own version and settings (a multi-cluster config: each cluster's selectors).
        const inputs = gen.clusters.map((c, i) => ({ config: loaded.clusters[i]!, groups: c.groups, dashboardRows: c.dashboardRows }));
        report = await runChecks(inputs, client, argv.lookback);
      } catch (err) {
        fail(err);
      }
      process.stdout.write(argv.format === 'json' ? formatReportJson(report) : formatReport(report));
      process.exitCode = report.findings.some((f) => f.severity === 'blind') ? EXIT.drift : EXIT.ok;
    },
  )
  .command(
    'preview',
    'Render every generated dashboard from a real Prometheus to static HTML pages (and PNGs with --png); see docs/preview.md. Credentials as for check',
    (y) =>
      y
        .option('config', configOption)
        .option('prometheus-url', { type: 'string', demandOption: true, describe: 'Base URL of the Prometheus API to query (no user:password@; use the environment variables)' })
        .option('from', { type: 'string', default: '6h', describe: 'Start of the time range: a duration before --to (6h, now-6h) or an RFC 3339 time' })
        .option('to', { type: 'string', default: 'now', describe: 'End of the time range: now, now-<duration> or an RFC 3339 time' })
        .option('out', { alias: 'o', type: 'string', default: 'preview', describe: 'Directory for the pages (index.html and <dashboard uid>.html; files of the same names are replaced)' })
        .option('png', { type: 'boolean', default: false, describe: 'Also write <uid>.png per dashboard through the system Chromium (needs playwright-core and chromium)' })
        .option('scrape-interval', { type: 'string', describe: "The data source's scrape interval for $__rate_interval (default: the proxy job's, from Prometheus' targets; else 15s)" })
        .option('timeout', { type: 'string', default: '30s', describe: 'How long to wait for each Prometheus answer (a duration, at most 1d)' })
        .option('max-response-mb', maxResponseOption),
    async (argv) => {
      try {
        const limits = { maxResponseBytes: responseCap(argv['max-response-mb']) };
        const client = prometheusClient(argv['prometheus-url'], process.env, durationFlag('--timeout', argv.timeout, RANGES.timeout) * 1000, limits);
        const nowSeconds = Math.floor(Date.now() / 1000);
        const timeFlag = (flag: string, text: string, base: number): number => {
          if (text === 'now') return nowSeconds;
          const rel = /^(?:now-)?(.+)$/.exec(text)!;
          if (/^now-/.test(text) || /^\d+(?:\.\d+)?[smhdwy]/.test(text)) return base - durationFlag(flag, rel[1]!, RANGES.history);
          const t = Date.parse(text);
          if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(t)) throw new UserError(`${flag}: expected now, now-<duration>, a duration or an RFC 3339 time, not ${JSON.stringify(printable(text).slice(0, 40))}`, EXIT.config);
          return Math.floor(t / 1000);
        };
        const to = timeFlag('--to', nonEmpty('to', argv.to), nowSeconds);
        const from = timeFlag('--from', nonEmpty('from', argv.from), to);
        if (from >= to) throw new UserError('--from must be before --to', EXIT.config);
        const outArg = nonEmpty('out', argv.out);
        const loaded = await loadConfigFile(resolve(argv.config));
        const gen = generateBundle(loaded, loaded.file);
        let scrape = argv['scrape-interval'] !== undefined ? durationFlag('--scrape-interval', argv['scrape-interval'], RANGES.scrapeInterval) : undefined;
        if (scrape === undefined) {
          const proxyJob = loaded.clusters[0]!.linkerd.proxyJob;
          scrape = (await client.targets()).find((t) => t.job === proxyJob && t.scrapeIntervalSeconds)?.scrapeIntervalSeconds ?? 15;
        }
        const result = await runPreview({ client, dashboards: bundleDashboards(gen.files), outDir: resolve(outArg), outLabel: outArg, inputs: [configInput(argv.config)], from, to, scrapeIntervalSeconds: scrape, png: argv.png, generator: `linkerd-slo ${pkg.version}` });
        // After the pages (whose outputs are checked before any query), the clusters generate wrote for: one whose series are absent is said so, not shown as quiet panels.
        const isFleet = loaded.config.clusters !== undefined;
        for (const c of loaded.clusters) {
          if (await clusterHasData(client, presenceQuery(c.linkerd.proxyJob, c.prometheus.extraMatchers), from, to)) continue;
          process.stderr.write(`warning: ${isFleet ? `cluster ${printable(c.cluster)}: ` : ''}no series of job ${printable(c.linkerd.proxyJob)}${isFleet ? ' with its cluster label' : ''} in the range: its panels have no data\n`);
        }
        for (const p of result.pages) {
          process.stdout.write(`${outArg}/${p.uid}.html: ${p.panels} panels, ${p.empty.length} without data${p.png ? `; ${outArg}/${p.uid}.png` : ''}\n`);
          for (const e of p.errors) process.stderr.write(`warning: ${p.uid}: ${printable(e)}\n`);
        }
        process.stdout.write(`${outArg}/index.html: ${result.pages.length} dashboards (queries ${result.ms.query} ms, rendering ${result.ms.render} ms${argv.png ? `, screenshots ${result.ms.png} ms` : ''})\n`);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'backtest',
    BACKTEST_DESCRIBE,
    (y) => backtestOptions(y.option('config', configOption), maxResponseOption),
    async (argv) => {
      try {
        await runBacktest(argv, {
          nonEmpty, maxResponseBytes: responseCap, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t),
          stderrIsTty: Boolean(process.stderr.isTTY), setExitCode: (code) => (process.exitCode = code), nowSeconds: Date.now() / 1000,
        });
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'backfill',
    BACKFILL_DESCRIBE,
    (y) => backfillOptions(y.option('config', configOption).option('max-response-mb', maxResponseOption)),
    async (argv) => {
      try {
        await runBackfill(argv, { nonEmpty, maxResponseBytes: responseCap, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), nowSeconds: Math.floor(Date.now() / 1000) });
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'report',
    REPORT_DESCRIBE,
    (y) => reportOptions(y.option('config', configOption), maxResponseOption),
    async (argv) => {
      try {
        await runReport(argv, { nonEmpty, maxResponseBytes: responseCap, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), nowSeconds: Date.now() / 1000 });
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'schema',
    'Print the JSON Schema of the config file (for yaml-language-server and other editors)',
    (y) => y,
    () => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    },
  )
  .option('debug', { type: 'boolean', default: false, global: true, describe: 'Print stack traces of failures (for bug reports)' })
  .demandCommand(1, 'name a command: generate, validate, check, backtest, backfill, report, preview, schema, import-openslo or export-openslo')
  .strict()
  .recommendCommands()
  .version(pkg.version)
  .alias('h', 'help')
  .alias('v', 'version')
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => {
    if (err) fail(err);
    const text = (msg ?? 'invalid command line').replace(/\s*\n\s*/g, '; ');
    const unknownCommand = /^Did you mean/.test(text) ? `unknown command "${hideBin(process.argv)[0]}"; ` : '';
    process.stderr.write(`error: ${unknownCommand}${unknownCommand ? text[0]!.toLowerCase() + text.slice(1) : text} (run linkerd-slo --help for usage)\n`);
    process.exit(EXIT.config);
  })
  .parseAsync();
