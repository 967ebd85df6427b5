/**
 * The one interface every SLO kind implements. A kind reads its own config section and
 * contributes rule groups, dashboard rows and a runbook; it never touches another kind.
 */
import type { ConfigSection } from '../config/section.js';
import type { Config } from '../config/schema.js';
import type { ConfigIssue, ConfigPath } from '../config/errors.js';
import type { LinkerdFacts } from '../linkerd/catalog.js';
import type { RuleGroup } from '../rules.js';
import type { DashboardRow } from '../dashboard-model.js';
import type { Matcher, Selector } from '../promql/ast.js';
import type { PromtoolTest } from './promtool-tests.js';

export interface BuildContext {
  readonly config: Config;
  readonly facts: LinkerdFacts;
  /** A selector on a proxy metric: proxy job plus the user's extra matchers. */
  proxySelector(metric: string, matchers?: readonly Matcher[]): Selector;
  /** A selector on a control-plane container metric (linkerd-controller job). */
  controllerSelector(metric: string, matchers?: readonly Matcher[]): Selector;
  /** A selector on one of our own recording rules (extra matchers and rule labels apply). */
  recordedSelector(record: string, matchers?: readonly Matcher[]): Selector;
  /**
   * A selector on a metric of another exporter (kube-state-metrics, cAdvisor, cert-manager,
   * x509-certificate-exporter, node-exporter): no job, the user's extra matchers added.
   */
  exporterSelector(metric: string, matchers?: readonly Matcher[]): Selector;
  /**
   * The labels of prometheus.extraMatchers (e.g. cluster), in config order: every aggregation keeps
   * them (`by`), so the series of several clusters in one Prometheus stay apart.
   */
  readonly clusterLabels: readonly string[];
  /** prometheus.extraMatchers as matchers, for a selector a helper above cannot build (no metric name). */
  readonly clusterMatchers: readonly Matcher[];
  /** Labels every rule carries (config.prometheus.ruleLabels). */
  readonly ruleLabels: Readonly<Record<string, string>>;
  /** Where an alert's runbook page (out/runbooks/<alert>.md) is published. */
  runbookUrl(alert: string): string;
  /** The SLO overview dashboard of this cluster, when alerting.grafanaBaseUrl is set. */
  readonly dashboardUrl?: string;
}

/**
 * One ratio SLI as OpenSLO can carry it (`linkerd-slo export-openslo`): raw counter selectors of
 * bad (or good) and all events, the objective and the period.
 */
export interface RatioSliDeclaration {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly service: string;
  readonly objective: number;
  readonly period: string;
  readonly bad?: Selector;
  readonly good?: Selector;
  readonly total: Selector;
  /** Where the SLO is configured, for errors about it (e.g. a name another SLO already has). */
  readonly path: ConfigPath;
}

/** One runbook page per alert: out/runbooks/<alert>.md. */
export interface Runbook {
  readonly alert: string;
  readonly markdown: string;
}

export interface KindOutput {
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboardRows: readonly DashboardRow[];
  readonly runbooks: readonly Runbook[];
  /** promtool unit tests for the user's bundle, written to out/tests/. */
  readonly unitTests?: readonly PromtoolTest[];
}

/** A kind's section of the configuration, `slos.<key>` (src/config/section.ts). */
export type { ConfigSection };

export interface SloKind<Section extends ConfigSection = ConfigSection> {
  /** Stable id, used in file names and the `slo` label. */
  readonly id: string;
  readonly title: string;
  /** Its config section; a kind with none (e.g. one that is always on) reads only the shared settings. */
  readonly config?: Section;
  /**
   * Labels its alerts carry, besides alertname, severity, slo, sli and component, that say what
   * fired (e.g. certificate): the overview's firing-alerts table shows them.
   */
  readonly alertLabels?: readonly string[];
  enabled(config: Config): boolean;
  /** Semantic checks the schema cannot express (e.g. an objective no alert could fire for). */
  check(config: Config): ConfigIssue[];
  build(ctx: BuildContext): KindOutput;
  /**
   * Rows the kind shows on its dashboards whether or not it is enabled (a kind that is off can say
   * so, or still show the raw signals). They follow the rows of build() (unless a row takes a place,
   * DashboardRow.order) and are validated and checked like them.
   */
  standingRows?(ctx: BuildContext): readonly DashboardRow[];
  /** Its SLIs as OpenSLO ratio SLOs, when the kind is enabled (none: the kind exports nothing). */
  ratioSlis?(ctx: BuildContext): readonly RatioSliDeclaration[];
}
