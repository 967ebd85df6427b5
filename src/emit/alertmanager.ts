/**
 * Alertmanager inhibit_rules for the tiered burn-rate alerts (the SRE Workbook's "alert
 * suppression"): while a faster tier fires for an SLI, the slower tiers of the same SLI stay
 * quiet, so one incident pages once. Tiers are told apart by the `long` window label.
 */
import { isAlert, type RuleGroup } from '../rules.js';
import { parseDuration } from '../promql/number.js';
import { GENERATED_HEADER, toYaml } from './rule-files.js';

export function inhibitRules(groups: readonly RuleGroup[], equalLabels: readonly string[]): Array<Record<string, unknown>> {
  const tiers = new Map<string, Set<string>>();
  const identity = new Map<string, Set<string>>();
  for (const g of groups)
    for (const r of g.rules)
      if (isAlert(r) && r.labels.long) {
        const set = tiers.get(r.alert) ?? new Set<string>();
        set.add(r.labels.long);
        tiers.set(r.alert, set);
        const ids = identity.get(r.alert) ?? new Set<string>();
        for (const l of r.inhibitEqual ?? []) ids.add(l);
        identity.set(r.alert, ids);
      }
  const rules: Array<Record<string, unknown>> = [];
  for (const [alert, longs] of [...tiers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ordered = [...longs].sort((a, b) => parseDuration(a) - parseDuration(b));
    ordered.slice(0, -1).forEach((long, i) => {
      const slower = ordered.slice(i + 1);
      rules.push({
        source_matchers: [`alertname="${alert}"`, `long="${long}"`],
        target_matchers: [`alertname="${alert}"`, slower.length === 1 ? `long="${slower[0]}"` : `long=~"${slower.join('|')}"`],
        equal: ['slo', 'sli', 'component', ...(identity.get(alert) ?? []), ...equalLabels],
      });
    });
  }
  return rules;
}

export function alertmanagerSnippet(groups: readonly RuleGroup[], equalLabels: readonly string[], configFile: string): string {
  return (
    GENERATED_HEADER('Alertmanager inhibit_rules: merge into the inhibit_rules list of alertmanager.yml', configFile) +
    toYaml({ inhibit_rules: inhibitRules(groups, equalLabels) })
  );
}
