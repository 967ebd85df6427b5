/**
 * The pure core: validated config → every output file, as text, in memory.
 * Nothing here touches the file system; the writer does that.
 */
import { eq, selector, withMatchers, inline, format, type Expr, type Matcher, type Selector } from './promql/ast.js';
import { assertValidPromQL } from './promql/validate.js';
import { factsFor } from './linkerd/catalog.js';
import { configJsonSchema, type Config } from './config/schema.js';
import type { BuildContext, KindOutput, SloKind } from './slo/kind.js';
import { KINDS } from './slo/registry.js';
import { ruleName, splitGroups, type RuleGroup } from './rules.js';
import { withAfterFailureExemptions } from './linkerd/lint.js';
import { GENERATED_HEADER, kustomization, mimirRuleFile, prometheusRuleFile, prometheusRuleObject, prometheusRuleObjects, ruleFileFeatures, thanosRuleFile, toYaml } from './emit/rule-files.js';
import { dashboardUidFor } from './dashboard-model.js';
import { buildDashboards, grafanaFiles } from './emit/dashboards/index.js';
import type { DashboardRow } from './dashboard-model.js';
import { alertmanagerSnippet, maintenanceSnippet, type MaintenanceCluster } from './emit/alertmanager.js';
import { sourceName } from './text.js';

/**
 * The top-level directories a bundle path may start with; the writer refuses any other path. Inside
 * them linkerd-slo owns only the files its manifest lists (docs/output-directory.md).
 */
export const OWNED_DIRS = ['prometheus', 'kubernetes', 'thanos', 'mimir', 'grafana', 'runbooks', 'alertmanager', 'tests', 'schema'] as const;

export type Bundle = ReadonlyMap<string, string>;

/** Where a cluster sits in a multi-cluster bundle (absent for a single-cluster config). */
export interface FleetPosition {
  /** The fleet's name (the shared config's `cluster`). */
  readonly fleet: string;
  readonly clusterLabel: string;
}

export function buildContext(config: Config, fleet?: FleetPosition): BuildContext {
  const extra: Matcher[] = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
  const withExtra = (sel: Selector): Selector => withMatchers(sel, extra);
  // Multi-cluster runbooks live in runbooks/<cluster>/ (versions and namespaces may differ).
  const runbooks = config.alerting.runbookBaseUrl.replace(/\/+$/, '') + (fleet ? `/${config.cluster}` : '');
  const grafana = config.alerting.grafanaBaseUrl?.replace(/\/+$/, '');
  const dashboardUrl = grafana
    ? `${grafana}/d/${dashboardUidFor(fleet ? fleet.fleet : config.cluster, 'overview')}${fleet ? `?var-${fleet.clusterLabel}=${encodeURIComponent(config.cluster)}` : ''}`
    : undefined;
  return {
    config,
    facts: factsFor(config.linkerd.version),
    proxySelector: (metric, matchers = []) => withExtra(selector(metric, [eq('job', config.linkerd.proxyJob), ...matchers])),
    controllerSelector: (metric, matchers = []) => withExtra(selector(metric, [eq('job', config.linkerd.controllerJob), ...matchers])),
    recordedSelector: (record, matchers = []) => withExtra(selector(record, matchers)),
    exporterSelector: (metric, matchers = []) => withExtra(selector(metric, matchers)),
    clusterLabels: Object.keys(config.prometheus.extraMatchers),
    clusterMatchers: extra,
    ruleLabels: { ...config.prometheus.ruleLabels },
    runbookUrl: (alert) => `${runbooks}/${alert}.md`,
    ...(dashboardUrl ? { dashboardUrl } : {}),
  };
}

/** How to generate: by default with every registered kind (src/slo/registry.ts). */
export interface GenerateOptions {
  /** The SLO kinds to build, in output order (tests and embedders may add their own). */
  readonly kinds?: readonly SloKind[];
}

export interface Generated {
  readonly groups: readonly RuleGroup[];
  readonly outputs: readonly KindOutput[];
  /**
   * Every row of every dashboard of this cluster (the kinds' and the dashboards' own), before the
   * extra matchers become Grafana variables: what allExpressions and `check` read.
   */
  readonly dashboardRows: readonly DashboardRow[];
  readonly files: Bundle;
}

/** Every expression we emit is parsed before anything is written; a failure is our bug. */
function validateAll(groups: readonly RuleGroup[], outputs: readonly KindOutput[]): void {
  for (const g of groups) for (const r of g.rules) assertValidPromQL(`${g.name}/${ruleName(r)}`, format(r.expr));
  for (const o of outputs)
    for (const row of o.dashboardRows)
      for (const p of row.panels) p.queries.forEach((q, i) => assertValidPromQL(`dashboard panel "${row.title} / ${p.title}" query ${i + 1}`, format(q.expr)));
}

interface ClusterBuild {
  readonly config: Config;
  /** Labels the alerts of the kinds carry that say what fired. */
  readonly alertLabels: readonly string[];
  readonly ctx: BuildContext;
  readonly outputs: readonly KindOutput[];
  readonly groups: readonly RuleGroup[];
  /** Group name → id of the SLO kind that made it (PrometheusRule objects are split by kind). */
  readonly kindOfGroup: ReadonlyMap<string, string>;
  readonly standingRows: readonly DashboardRow[];
}

/** Names the kind a row came from (DashboardRow.kind): the v2 dashboards' tabs and conditional rows. */
function tagRow(row: DashboardRow, k: SloKind, config: Config): DashboardRow {
  return { ...row, kind: { id: k.id, title: k.title, state: !k.config ? 'always' : k.enabled(config) ? 'on' : 'off' } };
}

function tagRows(o: KindOutput, k: SloKind, config: Config): KindOutput {
  return { ...o, dashboardRows: o.dashboardRows.map((r) => tagRow(r, k, config)) };
}

function buildCluster(config: Config, kinds: readonly SloKind[], fleet?: FleetPosition): ClusterBuild {
  const ctx = buildContext(config, fleet);
  const enabled = kinds.filter((k) => k.enabled(config));
  const outputs = enabled.map((k) => tagRows(k.build(ctx), k, config));
  // Rows every kind shows whatever its state; on its dashboard they follow what the enabled kinds built.
  const standingRows = kinds.flatMap((k) => (k.standingRows?.(ctx) ?? []).map((r) => tagRow(r, k, config)));
  // In a multi-cluster bundle every group name carries its cluster: the global ruler loads them all.
  // Every rule also names its cluster as a rule label (the value its aggregations keep anyway), so
  // the global ruler, which loads every cluster's rules, sees distinct rules, and alert routing can
  // use it without relying on external labels.
  const groups = outputs
    .flatMap((o) => o.ruleGroups)
    .map((g) => ({ ...g, rules: g.rules.map(withAfterFailureExemptions) }))
    .map((g) =>
      fleet
        ? {
            ...g,
            name: g.name.replace(/^(linkerd-slo-)?/, `linkerd-slo-${config.cluster}-`),
            rules: g.rules.map((r) => ({ ...r, labels: { ...r.labels, [fleet.clusterLabel]: config.cluster } })),
          }
        : g,
    );
  validateAll(groups, outputs);
  const kindOfGroup = new Map<string, string>();
  let i = 0;
  outputs.forEach((o, k) => o.ruleGroups.forEach(() => kindOfGroup.set(groups[i++]!.name, enabled[k]!.id)));
  return { config, ctx, outputs, groups, kindOfGroup, standingRows, alertLabels: kinds.flatMap((k) => k.alertLabels ?? []) };
}

const sorted = (files: Map<string, string>): Bundle => new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));

function testFile(name: string, ruleFiles: readonly string[], tests: readonly unknown[], configFile: string): string {
  return (
    GENERATED_HEADER(`promtool unit tests for this bundle: promtool test rules out/tests/${name}.test.yaml`, configFile) +
    toYaml({ rule_files: ruleFiles.map((f) => `../prometheus/${f}`), evaluation_interval: '1m', tests })
  );
}

/** Rule files of one set of groups in every configured target format. */
function ruleTargetFiles(
  files: Map<string, string>,
  name: string,
  groups: readonly RuleGroup[],
  kindOfGroup: ReadonlyMap<string, string>,
  config: Config,
  configFile: string,
  mimir: { readonly namespace: string; readonly sourceTenants: readonly string[]; readonly maxRulesPerGroup: number },
  global = false,
): void {
  const targets = new Set(config.rules.targets);
  if (groups.length === 0) return;
  const features = ruleFileFeatures(config, 'prometheus', global);
  if (targets.has('prometheus')) files.set(`prometheus/${name}.rules.yaml`, prometheusRuleFile(groups, configFile, features));
  if (targets.has('prometheus-operator')) {
    // A split multi-cluster bundle's global groups are named <group>-global.
    const kindOf = (g: RuleGroup) => kindOfGroup.get(g.name) ?? kindOfGroup.get(g.name.replace(/-global$/, '')) ?? 'rules';
    // The global objects may be read by a ThanosRuler, for which the operator drops group labels.
    const objectFeatures = global ? ruleFileFeatures(config, 'operator-global', true) : features;
    for (const o of prometheusRuleObjects(groups, kindOf, name, objectFeatures)) {
      files.set(`kubernetes/${o.name}.prometheusrule.yaml`, prometheusRuleObject(o.groups, o.name, config, configFile, objectFeatures));
    }
  }
  if (targets.has('thanos')) files.set(`thanos/${name}.rules.yaml`, thanosRuleFile(groups, config.rules.thanos, configFile, ruleFileFeatures(config, 'thanos', global)));
  // Mimir's ruler has its own release numbers: only keep_firing_for, which Mimir reads.
  if (targets.has('mimir')) files.set(`mimir/${mimir.namespace}.yaml`, mimirRuleFile(groups, mimir.namespace, mimir.sourceTenants, configFile, global, mimir.maxRulesPerGroup));
}

/**
 * kustomization.yaml in every directory of Kubernetes manifests (PrometheusRules, dashboard
 * ConfigMaps, GrafanaDashboards), listing what it holds; namespaces: each object's namespace.
 */
function addKustomizations(files: Map<string, string>, namespaces: ReadonlyMap<string, string>, configFile: string): void {
  const dirs = new Map<string, { resources: string[]; namespaces: string[] }>();
  for (const path of files.keys()) {
    const dir = ['kubernetes/', 'grafana/configmap/', 'grafana/operator/'].find((d) => path.startsWith(d) && !path.slice(d.length).includes('/'));
    if (!dir || !path.endsWith('.yaml')) continue;
    const entry = dirs.get(dir) ?? { resources: [], namespaces: [] };
    entry.resources.push(path.slice(dir.length));
    entry.namespaces.push(namespaces.get(dir) ?? '');
    dirs.set(dir, entry);
  }
  for (const [dir, e] of dirs) files.set(`${dir}kustomization.yaml`, kustomization(e.resources, e.namespaces, configFile));
}

/** The namespace of each manifest directory's objects; '' where clusters of a fleet disagree. */
function manifestNamespaces(config: Config, clusters: readonly Config[]): Map<string, string> {
  const rules = [...new Set([config, ...clusters].map((c) => c.kubernetes.namespace))];
  const grafana = config.grafana.namespace ?? config.kubernetes.namespace;
  return new Map([
    ['kubernetes/', rules.length === 1 ? rules[0]! : ''],
    ['grafana/configmap/', grafana],
    ['grafana/operator/', grafana],
  ]);
}

/** What the maintenance snippet needs of one cluster's build. */
function maintenanceCluster(config: Config, groups: readonly RuleGroup[]): MaintenanceCluster {
  return { cluster: config.cluster, groups, matchers: config.prometheus.extraMatchers, severities: config.alerting.severities, windows: config.alerting.maintenance };
}

/** A single-cluster bundle (the config has no `clusters`). */
export function generate(config: Config, configPath: string, options: GenerateOptions = {}): Generated {
  // Headers name the config by its base name: the output must not depend on the working directory.
  const configFile = sourceName(configPath);
  const build = buildCluster(config, options.kinds ?? KINDS);
  const { ctx, outputs, groups, kindOfGroup, standingRows, alertLabels } = build;
  const name = `linkerd-slo-${config.cluster}`;
  const files = new Map<string, string>();
  ruleTargetFiles(files, name, groups, kindOfGroup, config, configFile, { namespace: `${config.rules.mimir.namespace}-${config.cluster}`, sourceTenants: config.rules.mimir.sourceTenants, maxRulesPerGroup: config.rules.mimir.maxRulesPerGroup });
  files.set(`alertmanager/${name}.inhibit-rules.yaml`, alertmanagerSnippet(groups, Object.keys(config.prometheus.extraMatchers), configFile));
  const maintenance = maintenanceSnippet([maintenanceCluster(config, groups)], configFile);
  if (maintenance) files.set(`alertmanager/${name}.maintenance.yaml`, maintenance);
  // Grafana: four dashboards in the configured formats (src/emit/dashboards/).
  const grafana = grafanaFiles({ ctx, outputs, groups, standingRows, alertLabels }, configFile);
  for (const [path, text] of grafana.files) files.set(path, text);
  for (const o of outputs) for (const r of o.runbooks) files.set(`runbooks/${r.alert}.md`, `${r.markdown}\n`);
  const unitTests = outputs.flatMap((o) => o.unitTests ?? []);
  if (unitTests.length && config.rules.targets.includes('prometheus')) {
    files.set(`tests/${name}.test.yaml`, testFile(name, [`${name}.rules.yaml`], unitTests, configFile));
  }
  files.set('schema/linkerd-slo.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  addKustomizations(files, manifestNamespaces(config, [config]), configFile);
  return { groups, outputs, dashboardRows: grafana.dashboards.flatMap((d) => d.rows), files: sorted(files) };
}

export interface GeneratedFleet extends Generated {
  readonly clusters: readonly Generated[];
}

/**
 * A bundle for a resolved config: the single-cluster bundle, or for `clusters:` one bundle per
 * cluster (its selectors match its cluster label, every aggregation keeps it) plus a global
 * bundle for the global ruler: with split evaluation the long-window roll-ups and ticket alerts
 * of every cluster, otherwise every cluster's rules (for setups that evaluate centrally).
 */
export function generateBundle(resolved: { readonly config: Config; readonly clusters: readonly Config[] }, configPath: string, options: GenerateOptions = {}): GeneratedFleet {
  const { config } = resolved;
  const configFile = sourceName(configPath);
  if (!config.clusters) {
    const single = generate(resolved.clusters[0] ?? config, configFile, options);
    return { ...single, clusters: [single] };
  }
  const fleet: FleetPosition = { fleet: config.cluster, clusterLabel: config.multiCluster.clusterLabel };
  const split = config.multiCluster.split;
  const builds = resolved.clusters.map((c) => buildCluster(c, options.kinds ?? KINDS, fleet));
  const files = new Map<string, string>();
  const globalName = `linkerd-slo-${config.cluster}-global`;
  const globalGroups: RuleGroup[] = [];
  const clusters: Generated[] = [];
  for (const b of builds) {
    const name = `linkerd-slo-${b.config.cluster}`;
    const { local, global } = split ? splitGroups(b.groups) : { local: [...b.groups], global: [...b.groups] };
    globalGroups.push(...global);
    const mine = new Map<string, string>();
    // A cluster's own namespace evaluates in its own tenant: no source_tenants.
    ruleTargetFiles(mine, name, local, b.kindOfGroup, b.config, configFile, { namespace: `${config.rules.mimir.namespace}-${b.config.cluster}`, sourceTenants: [], maxRulesPerGroup: config.rules.mimir.maxRulesPerGroup });
    for (const o of b.outputs) for (const r of o.runbooks) mine.set(`runbooks/${b.config.cluster}/${r.alert}.md`, `${r.markdown}\n`);
    const unitTests = b.outputs.flatMap((o) => o.unitTests ?? []);
    if (unitTests.length && config.rules.targets.includes('prometheus')) {
      mine.set(`tests/${name}.test.yaml`, testFile(name, split ? [`${name}.rules.yaml`, `${globalName}.rules.yaml`] : [`${name}.rules.yaml`], unitTests, configFile));
    }
    for (const [k, v] of mine) files.set(k, v);
    // This cluster's own dashboards (not written: the fleet shares one set), for allExpressions and check.
    const own = buildDashboards({ ctx: b.ctx, outputs: b.outputs, groups: b.groups, standingRows: b.standingRows, alertLabels: b.alertLabels }, configFile);
    clusters.push({ groups: b.groups, outputs: b.outputs, dashboardRows: own.flatMap((d) => d.rows), files: sorted(mine) });
  }
  // The global ruler: Thanos Ruler / Mimir namespace / a central Prometheus, whichever targets are on.
  const fleetKinds = new Map(builds.flatMap((b) => [...b.kindOfGroup]));
  ruleTargetFiles(files, globalName, globalGroups, fleetKinds, config, configFile, { namespace: `${config.rules.mimir.namespace}-global`, sourceTenants: config.rules.mimir.sourceTenants, maxRulesPerGroup: config.rules.mimir.maxRulesPerGroup }, true);
  const allGroups = builds.flatMap((b) => b.groups);
  files.set(
    `alertmanager/linkerd-slo-${config.cluster}.inhibit-rules.yaml`,
    alertmanagerSnippet(allGroups, Object.keys(builds[0]!.config.prometheus.extraMatchers), configFile),
  );
  const maintenance = maintenanceSnippet(builds.map((b) => maintenanceCluster(b.config, b.groups)), configFile);
  if (maintenance) files.set(`alertmanager/linkerd-slo-${config.cluster}.maintenance.yaml`, maintenance);
  // One set of dashboards for the fleet, with a multi-value cluster variable (All = every cluster),
  // built from every cluster's build: each with its own version, recordings and kind rows.
  const members = builds.map((b) => ({
    ctx: { ...b.ctx, config: { ...b.config, cluster: config.cluster } },
    outputs: b.outputs,
    groups: b.groups,
    standingRows: b.standingRows,
    alertLabels: b.alertLabels,
    fleetLabel: fleet.clusterLabel,
  }));
  for (const [path, text] of grafanaFiles({ ...members[0]!, fleetMembers: members }, configFile).files) files.set(path, text);
  files.set('schema/linkerd-slo.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  addKustomizations(files, manifestNamespaces(config, resolved.clusters), configFile);
  return { groups: allGroups, outputs: builds.flatMap((b) => b.outputs), dashboardRows: clusters.flatMap((c) => c.dashboardRows), files: sorted(files), clusters };
}

/** Every PromQL expression of a generation, for tests and `validate`. */
export function allExpressions(gen: Generated): Array<{ name: string; expr: Expr; text: string }> {
  const out: Array<{ name: string; expr: Expr; text: string }> = [];
  for (const g of gen.groups) for (const r of g.rules) out.push({ name: `${g.name}/${ruleName(r)}`, expr: r.expr, text: format(r.expr) });
  for (const row of gen.dashboardRows)
    for (const p of row.panels) for (const q of p.queries) out.push({ name: `${row.title}/${p.title}`, expr: q.expr, text: inline(q.expr) });
  return out;
}
