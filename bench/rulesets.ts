/**
 * The rule sets the benchmarks compare, all for the same SLI: the destination controller's
 * success rate as its own proxy counts it.
 *  - ours: linkerd-slo's generated rules for that SLI alone (server side, destination; every other
 *    SLO kind disabled), and the full example bundle for reference;
 *  - naive: awesome-prometheus-alerts' LinkerdHighErrorRate, the most copied public Linkerd rule
 *    (error ratio > 10% over 1m for 1m, per workload, over every response_total series);
 *  - Sloth-shaped: the 17 rules Sloth v0.16 generates for a 99.9%/30d SLI (SLI recordings for
 *    5m…3d read raw counters, 30d as an average of 5m ratios, meta recordings, page and ticket
 *    alerts), with the SLI query Sloth users write for Linkerd: every inbound response of the
 *    linkerd-destination deployment (slok/sloth `internal/prometheus/recording_rules.go` and
 *    `alert_rules.go` at v0.16.0 give the structure).
 */
import { dump } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlConfig, validateConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';
import type { Config } from '../src/config/schema.js';
import { ROOT, parseRuleFile, type GroupYaml } from './common.js';

export interface RuleSet {
  readonly name: string;
  readonly text: string;
  readonly groups: GroupYaml[];
}

function ruleFileOf(config: Config, file: string): string {
  const text = generate(config, file).files.get(`prometheus/linkerd-slo-${config.cluster}.rules.yaml`);
  if (!text) throw new Error('no rule file generated');
  return text;
}

/** Our rules for the destination server-side success rate only (every other SLO kind disabled). */
export function oursSameSli(cluster = 'bench'): RuleSet {
  const defaults = validateConfig({ cluster }, 'bench.yaml') as unknown as { slos: Record<string, unknown> };
  const slos: Record<string, unknown> = {};
  for (const [kind, value] of Object.entries(defaults.slos)) {
    if (kind === 'controlPlaneSuccessRate') continue;
    if (value && typeof value === 'object' && !Array.isArray(value) && 'enabled' in value) slos[kind] = { enabled: false };
  }
  slos.controlPlaneSuccessRate = { components: ['destination'], clientSide: { enabled: false } };
  const config = validateConfig({ cluster, slos }, 'bench.yaml');
  const text = ruleFileOf(config, 'bench.yaml');
  return { name: 'linkerd-slo (this SLI)', text, groups: parseRuleFile(text) };
}

/** The whole example bundle (every SLO kind of examples/linkerd-slo.yaml). */
export function oursExample(): { set: RuleSet; config: Config } {
  const config = parseYamlConfig(readFileSync(join(ROOT, 'examples', 'linkerd-slo.yaml'), 'utf8'), 'examples/linkerd-slo.yaml');
  const text = ruleFileOf(config, 'examples/linkerd-slo.yaml');
  return { set: { name: 'linkerd-slo (whole example bundle)', text, groups: parseRuleFile(text) }, config };
}

/**
 * The example bundle's committed rule file at a git revision (out/ is generated from
 * examples/linkerd-slo.yaml), so one run can compare a change with the bundle before it.
 */
export function oursExampleAt(rev: string): RuleSet {
  const text = execFileSync('git', ['show', `${rev}:out/prometheus/linkerd-slo-prod-eu1.rules.yaml`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { name: `linkerd-slo (whole example bundle at ${rev})`, text, groups: parseRuleFile(text) };
}

const NAIVE_EXPR =
  'sum(rate(response_total{classification="failure"}[1m])) by (deployment, statefulset, daemonset) / sum(rate(response_total[1m])) by (deployment, statefulset, daemonset) * 100 > 10 and sum(rate(response_total[1m])) by (deployment, statefulset, daemonset) > 0';

export function naive(): RuleSet {
  const groups: GroupYaml[] = [
    { name: 'awesome-prometheus-alerts-linkerd', rules: [{ alert: 'LinkerdHighErrorRate', expr: NAIVE_EXPR, for: '1m', labels: { severity: 'warning' } }] },
  ];
  return { name: 'naive (awesome-prometheus-alerts)', text: dump({ groups }, { lineWidth: -1 }), groups };
}

/** Sloth's generated rule shape for one SLI (objective 99.9%, 30d, Google windows). */
export function slothShaped(opts: { objective?: number; selector?: string } = {}): RuleSet {
  const objective = (opts.objective ?? 99.9) / 100;
  const budget = 1 - objective; // Sloth writes the binary result, e.g. 0.0009999999999999432
  const sel = opts.selector ?? 'direction="inbound",namespace="linkerd",deployment="linkerd-destination"';
  const ids = 'sloth_id="linkerd-destination-requests-availability", sloth_service="linkerd-destination", sloth_slo="requests-availability"';
  const labels = { sloth_id: 'linkerd-destination-requests-availability', sloth_service: 'linkerd-destination', sloth_slo: 'requests-availability' };
  const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
  const sli = windows.map((w) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: `(sum(rate(response_total{${sel},classification="failure"}[${w}])))\n/\n(sum(rate(response_total{${sel}}[${w}])))\n`,
    labels: { ...labels, sloth_window: w },
  }));
  sli.push({
    record: 'slo:sli_error:ratio_rate30d',
    expr: `sum_over_time(slo:sli_error:ratio_rate5m{${ids}}[30d])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{${ids}}[30d])\n`,
    labels: { ...labels, sloth_window: '30d' },
  });
  const meta = [
    { record: 'slo:objective:ratio', expr: `vector(${objective})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(1-${objective})`, labels },
    { record: 'slo:time_period:days', expr: 'vector(30)', labels },
    { record: 'slo:current_burn_rate:ratio', expr: `slo:sli_error:ratio_rate5m{${ids}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${ids}}\n`, labels },
    { record: 'slo:period_burn_rate:ratio', expr: `slo:sli_error:ratio_rate30d{${ids}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${ids}}\n`, labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio{${ids}}`, labels },
    { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...labels, sloth_mode: 'cli-gen-prom', sloth_objective: String(objective * 100), sloth_spec: 'prometheus/v1', sloth_version: 'v0.16.0' } },
  ];
  const pair = (short: string, long: string, factor: number) =>
    `(\n    max(slo:sli_error:ratio_rate${short}{${ids}} > (${factor} * ${budget})) without (sloth_window)\n    and\n    max(slo:sli_error:ratio_rate${long}{${ids}} > (${factor} * ${budget})) without (sloth_window)\n)`;
  const alerts = [
    { alert: 'LinkerdDestinationHighErrorRate', expr: `${pair('5m', '1h', 14.4)}\nor\n${pair('30m', '6h', 6)}\n`, labels: { sloth_severity: 'page', severity: 'critical' } },
    { alert: 'LinkerdDestinationHighErrorRate', expr: `${pair('2h', '1d', 3)}\nor\n${pair('6h', '3d', 1)}\n`, labels: { sloth_severity: 'ticket', severity: 'warning' } },
  ];
  const groups: GroupYaml[] = [
    { name: 'sloth-slo-sli-recordings-linkerd-destination-requests-availability', rules: sli },
    { name: 'sloth-slo-meta-recordings-linkerd-destination-requests-availability', rules: meta },
    { name: 'sloth-slo-alerts-linkerd-destination-requests-availability', rules: alerts },
  ];
  return { name: 'Sloth-shaped', text: dump({ groups }, { lineWidth: -1 }), groups };
}
