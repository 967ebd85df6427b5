/**
 * What the suites need of every kind, assembled from the registry (src/slo/registry.ts) and the
 * examples each kind's config section declares (ConfigSection.examples in its config.ts), so a new
 * kind is in every suite without a test being edited: the all-options config (test/docs.test.ts,
 * test/matrix.test.ts), the kinds-off defaults (DEFAULT_KINDS_OFF, test/support/bundle.ts) and the
 * kinds test/mutations.test.ts must break. test/new-kind.test.ts shows a kind defined in a test
 * joining each list.
 */
import { validateConfig } from '../../src/config/load.js';
import { GRAFANA_FORMATS, RULE_TARGETS, type Config, type ConfigInput } from '../../src/config/schema.js';
import { buildContext } from '../../src/generate.js';
import { isAlert } from '../../src/rules.js';
import type { SloKind } from '../../src/slo/kind.js';
import { KINDS } from '../../src/slo/registry.js';

export type Slos = NonNullable<ConfigInput['slos']>;
type Kinds = readonly SloKind[];

/** Every kind's section with every optional source and opt-in alert on (a kind without a config section has none). */
export function allOptionsSlos(kinds: Kinds = KINDS): Slos {
  return Object.fromEntries(kinds.flatMap((k) => (k.config ? [[k.config.key, k.config.examples.allOptions]] : []))) as Slos;
}

/** Every kind that is on by default, turned off: a test then turns on only the kind it tests. */
export function kindsOff(kinds: Kinds = KINDS): Slos {
  return Object.fromEntries(kinds.flatMap((k) => (k.config?.examples.off !== undefined ? [[k.config.key, k.config.examples.off]] : []))) as Slos;
}

/**
 * Every optional source and format: the shared settings that change what is generated (extra
 * matchers, rule labels, every rule target and dashboard format, runbook and Grafana links) and
 * every kind's all-options section.
 */
export function allOptionsInput(kinds: Kinds = KINDS): ConfigInput {
  return {
    cluster: 'prod-eu1',
    prometheus: { extraMatchers: { cluster: 'prod-eu1' }, ruleLabels: { team: 'platform' } },
    rules: { targets: [...RULE_TARGETS] },
    grafana: { formats: [...GRAFANA_FORMATS] },
    alerting: { runbookBaseUrl: 'https://example.com/runbooks', grafanaBaseUrl: 'https://grafana.example.com' },
    slos: allOptionsSlos(kinds),
  };
}

/**
 * The all-options config, validated. A kind the schema does not know (one defined in a test, not
 * registered) has its section parsed by its own schema and added, as the schema would.
 */
export function allOptionsConfig(kinds: Kinds = KINDS, overrides: Partial<ConfigInput> = {}): Config {
  const registered = new Set(KINDS.flatMap((k) => (k.config ? [k.config.key] : [])));
  const input = allOptionsInput(kinds);
  const known = Object.fromEntries(Object.entries(input.slos ?? {}).filter(([key]) => registered.has(key)));
  const config = validateConfig({ ...input, ...overrides, slos: known }, 'all-options.yaml');
  const unregistered = kinds.flatMap((k) => (k.config && !registered.has(k.config.key) ? [[k.config.key, k.config.schema.parse(k.config.examples.allOptions)]] : []));
  return { ...config, slos: { ...config.slos, ...Object.fromEntries(unregistered) } };
}

/** The kinds that raise an alert with every option on: each must have an independent scenario that a broken rule fails (test/mutations.test.ts). */
export function alertingKinds(kinds: Kinds = KINDS): string[] {
  const config = allOptionsConfig(kinds);
  const ctx = buildContext(config);
  return kinds.filter((k) => k.enabled(config) && k.build(ctx).ruleGroups.some((g) => g.rules.some(isAlert))).map((k) => k.id);
}
