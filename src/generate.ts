/**
 * The pure core: validated config → every output file, as text, in memory.
 * Nothing here touches the file system; the writer does that.
 */
import { eq, selector, withMatchers, inline, format, type Expr, type Matcher, type Selector } from './promql/ast.js';
import { assertValidPromQL } from './promql/validate.js';
import { factsFor } from './linkerd/catalog.js';
import { configJsonSchema, type Config } from './config/schema.js';
import type { BuildContext, KindOutput } from './slo/kind.js';
import { KINDS } from './slo/registry.js';
import { ruleName, type RuleGroup } from './rules.js';
import { GENERATED_HEADER, prometheusRuleFile, prometheusRuleObject, toYaml } from './emit/rule-files.js';
import { grafanaFiles } from './emit/dashboards/index.js';
import { alertmanagerSnippet } from './emit/alertmanager.js';

/** Directories under the output root that the generator owns (and prunes). */
export const OWNED_DIRS = ['prometheus', 'kubernetes', 'grafana', 'runbooks', 'alertmanager', 'tests', 'schema'] as const;

export type Bundle = ReadonlyMap<string, string>;

export function buildContext(config: Config): BuildContext {
  const extra: Matcher[] = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
  const withExtra = (sel: Selector): Selector => withMatchers(sel, extra);
  const base = config.alerting.runbookBaseUrl.replace(/\/+$/, '');
  return {
    config,
    facts: factsFor(config.linkerd.version),
    proxySelector: (metric, matchers = []) => withExtra(selector(metric, [eq('job', config.linkerd.proxyJob), ...matchers])),
    controllerSelector: (metric, matchers = []) => withExtra(selector(metric, [eq('job', config.linkerd.controllerJob), ...matchers])),
    recordedSelector: (record, matchers = []) => withExtra(selector(record, matchers)),
    ruleLabels: { ...config.prometheus.ruleLabels },
    runbookUrl: (alert) => `${base}/${alert}.md`,
  };
}

export interface Generated {
  readonly groups: readonly RuleGroup[];
  readonly outputs: readonly KindOutput[];
  readonly files: Bundle;
}

/** Every expression we emit is parsed before anything is written; a failure is our bug. */
function validateAll(groups: readonly RuleGroup[], outputs: readonly KindOutput[]): void {
  for (const g of groups) for (const r of g.rules) assertValidPromQL(`${g.name}/${ruleName(r)}`, format(r.expr));
  for (const o of outputs)
    for (const row of o.dashboardRows)
      for (const p of row.panels) p.queries.forEach((q, i) => assertValidPromQL(`dashboard panel "${row.title} / ${p.title}" query ${i + 1}`, format(q.expr)));
}

export function generate(config: Config, configFile: string): Generated {
  const ctx = buildContext(config);
  const outputs = KINDS.filter((k) => k.enabled(config)).map((k) => k.build(ctx));
  const groups = outputs.flatMap((o) => o.ruleGroups);
  validateAll(groups, outputs);

  const name = `linkerd-slo-${config.cluster}`;
  const files = new Map<string, string>();
  files.set(`prometheus/${name}.rules.yaml`, prometheusRuleFile(groups, configFile));
  files.set(`kubernetes/${name}.prometheusrule.yaml`, prometheusRuleObject(groups, config, configFile));
  files.set(`alertmanager/${name}.inhibit-rules.yaml`, alertmanagerSnippet(groups, Object.keys(config.prometheus.extraMatchers), configFile));
  // Grafana: four dashboards in the configured formats (src/emit/dashboards/).
  for (const [path, text] of grafanaFiles({ ctx, outputs, groups }, configFile)) files.set(path, text);
  for (const o of outputs) for (const r of o.runbooks) files.set(`runbooks/${r.alert}.md`, `${r.markdown}\n`);
  const unitTests = outputs.flatMap((o) => o.unitTests ?? []);
  if (unitTests.length) {
    files.set(
      `tests/${name}.test.yaml`,
      GENERATED_HEADER('promtool unit tests for this bundle: promtool test rules ' + `out/tests/${name}.test.yaml`, configFile) +
        toYaml({ rule_files: [`../prometheus/${name}.rules.yaml`], evaluation_interval: '1m', tests: unitTests }),
    );
  }
  files.set('schema/linkerd-slo.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return { groups, outputs, files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** Every PromQL expression of a generation, for tests and `validate`. */
export function allExpressions(gen: Generated): Array<{ name: string; expr: Expr; text: string }> {
  const out: Array<{ name: string; expr: Expr; text: string }> = [];
  for (const g of gen.groups) for (const r of g.rules) out.push({ name: `${g.name}/${ruleName(r)}`, expr: r.expr, text: format(r.expr) });
  for (const o of gen.outputs)
    for (const row of o.dashboardRows)
      for (const p of row.panels) for (const q of p.queries) out.push({ name: `${row.title}/${p.title}`, expr: q.expr, text: inline(q.expr) });
  return out;
}
