#!/usr/bin/env node
/** The linkerd-slo command line. I/O lives here and in the writer; the core is pure. */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadConfigFile } from './config/load.js';
import { ConfigError } from './config/errors.js';
import { configJsonSchema } from './config/schema.js';
import { generateBundle, OWNED_DIRS } from './generate.js';
import { runCheck, formatReport, formatReportJson } from './check/check.js';
import { prometheusClient } from './check/prometheus-client.js';
import { printable } from './check/terminal.js';
import { parseDuration } from './promql/number.js';
import { diffBundle, writeBundle } from './writer.js';
import { importOpenSlo } from './openslo/import.js';
import { EXIT, UserError } from './errors.js';
import { exportOpenSlo } from './openslo/export.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const EXIT_DRIFT = 1;
const EXIT_CONFIG = 2;

function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.stderr.write(`error: invalid configuration; nothing was written\n`);
    process.exit(EXIT_CONFIG);
  }
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(EXIT.internal);
}

const configOption = {
  alias: 'c',
  type: 'string',
  default: 'linkerd-slo.yaml',
  describe: 'Config file: YAML (linkerd-slo.yaml) or TypeScript (linkerd-slo.config.ts)',
} as const;

/** A duration flag in seconds, or one line naming the flag (exit 2). */
function durationFlag(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UserError(`${flag}: ${printable((err as Error).message)}`, EXIT.config);
  }
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
        .option('out', { alias: 'o', type: 'string', default: 'out', describe: 'Output directory' })
        .option('check', { type: 'boolean', default: false, describe: 'Write nothing; exit 1 and list the files that differ from what would be generated' }),
    async (argv) => {
      try {
        const loaded = await loadConfigFile(resolve(argv.config));
        const file = loaded.file;
        const { files } = generateBundle(loaded, file);
        const outDir = resolve(argv.out);
        if (argv.check) {
          const drift = await diffBundle(outDir, files, OWNED_DIRS);
          const lines = [
            ...drift.changed.map((f) => `  changed: ${argv.out}/${f}`),
            ...drift.missing.map((f) => `  missing: ${argv.out}/${f}`),
            ...drift.stale.map((f) => `  stale:   ${argv.out}/${f}`),
          ];
          if (lines.length) {
            process.stderr.write(`${argv.out}/ is out of date with ${file}:\n${lines.join('\n')}\nrun: linkerd-slo generate --config ${argv.config} --out ${argv.out}\n`);
            process.exit(EXIT_DRIFT);
          }
          process.stdout.write(`${argv.out}/ is up to date (${files.size} files)\n`);
          return;
        }
        await writeBundle(outDir, files, OWNED_DIRS);
        process.stdout.write(`wrote ${files.size} files to ${argv.out}/:\n${[...files.keys()].map((f) => `  ${f}`).join('\n')}\n`);
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
        if (argv.out) {
          await writeFile(resolve(argv.out), result.yaml);
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
    'Write the config\'s ratio SLOs (control-plane success rate and latency, custom) as OpenSLO v1 SLO documents',
    (y) =>
      y
        .option('config', configOption)
        .option('out', { alias: 'o', type: 'string', describe: 'Write the documents to this file instead of stdout' }),
    async (argv) => {
      try {
        const { file, config } = await loadConfigFile(resolve(argv.config));
        const text = exportOpenSlo(config, file);
        if (argv.out) {
          await writeFile(resolve(argv.out), text);
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
        .option('timeout', { type: 'string', default: '30s', describe: 'How long to wait for each Prometheus answer (a duration)' }),
    async (argv) => {
      let report;
      try {
        // Flags and credentials first: they fail fast and without touching the config or the network.
        durationFlag('--lookback', argv.lookback);
        const client = prometheusClient(argv['prometheus-url'], process.env, durationFlag('--timeout', argv.timeout) * 1000);
        const loaded = await loadConfigFile(resolve(argv.config));
        const gen = generateBundle(loaded, loaded.file);
        report = await runCheck({ config: loaded.clusters[0]!, groups: gen.groups, outputs: gen.outputs }, client, argv.lookback);
      } catch (err) {
        fail(err);
      }
      process.stdout.write(argv.format === 'json' ? formatReportJson(report) : formatReport(report));
      process.exitCode = report.findings.some((f) => f.severity === 'blind') ? EXIT.drift : EXIT.ok;
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
  .demandCommand(1, 'name a command: generate, validate, schema, import-openslo or export-openslo')
  .strict()
  .recommendCommands()
  .version(pkg.version)
  .alias('h', 'help')
  .alias('v', 'version')
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => {
    if (err) fail(err);
    process.stderr.write(`${msg}\nrun linkerd-slo --help for usage\n`);
    process.exit(EXIT_CONFIG);
  })
  .parseAsync();
