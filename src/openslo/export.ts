/**
 * linkerd-slo config → OpenSLO v1 (`linkerd-slo export-openslo`): one kind SLO document per SLI
 * instance of every enabled ratio SLO (as the kinds declare them: SloKind.ratioSlis), with an inline ratioMetric SLI whose queries are the raw
 * counter selectors our rules read (the user's extra matchers included), targetPercent, a rolling
 * timeWindow and budgetingMethod Occurrences. Deterministic: same config, same bytes.
 *
 *   control-plane success rate → control-plane-success-rate-{server,client}-<component> (bad / total)
 *   control-plane latency      → control-plane-latency-<component> (good = fast buckets / total)
 *   workloads                  → workload-{success-rate,latency}-<namespace>-<kind>-<name>,
 *                                route-success-rate-<protocol>-<…> (src/slo/workloads/openslo.ts)
 *   custom                     → <name> (errors → bad, or good / total)
 *
 * Not exported, because OpenSLO cannot carry them: the multiwindow, multi-burn-rate alert table, the
 * low-traffic guard, absent-metrics alerts, and the non-ratio alerts (certificates, availability,
 * resources, latency spikes). The header of the output says so.
 */
import { dump } from 'js-yaml';
import { inline, type Selector } from '../promql/ast.js';
import { formatDuration, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/errors.js';
import { buildContext } from '../generate.js';
import type { RatioSliDeclaration, SloKind } from '../slo/kind.js';
import { KINDS } from '../slo/registry.js';
import { OPENSLO_API_VERSION } from './import.js';
import { sourceName } from '../text.js';

/** Our period as OpenSLO duration shorthand (one integer and one unit). */
function openSloDuration(period: string): string {
  const text = formatDuration(parseDuration(period));
  if (!/^\d+[mhd]$/.test(text)) throw new Error(`period ${period} cannot be written as an OpenSLO duration (whole minutes, hours or days)`);
  return text;
}

function metricSource(sel: Selector) {
  return { metricSource: { type: 'Prometheus', spec: { query: inline(sel) } } };
}

function document(s: RatioSliDeclaration) {
  return {
    apiVersion: OPENSLO_API_VERSION,
    kind: 'SLO',
    metadata: { name: s.name, displayName: s.displayName },
    spec: {
      description: s.description,
      service: s.service,
      indicator: {
        metadata: { name: `${s.name}-sli`.slice(0, 63).replace(/-+$/, '') },
        spec: {
          ratioMetric: {
            counter: true,
            ...(s.bad ? { bad: metricSource(s.bad) } : { good: metricSource(s.good!) }),
            total: metricSource(s.total),
          },
        },
      },
      timeWindow: [{ duration: openSloDuration(s.period), isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ displayName: `${s.objective}% over ${openSloDuration(s.period)}`, targetPercent: s.objective }],
    },
  };
}

/**
 * Every ratio SLI of the config, in output order: what each enabled kind declares
 * (SloKind.ratioSlis). Two SLOs of one name would be one OpenSLO object, so that is an error.
 */
function ratioSlis(config: Config, kinds: readonly SloKind[] = KINDS): RatioSliDeclaration[] {
  const ctx = buildContext(config);
  const out = kinds.filter((k) => k.enabled(config)).flatMap((k) => k.ratioSlis?.(ctx) ?? []);
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.name)) {
      throw new ConfigError([{ file: '(config)', path: s.path, message: `"${s.name}" is also the name of another exported SLO (a built-in one or an earlier custom one); rename it` }]);
    }
    seen.add(s.name);
  }
  return out;
}

/** Why a native-histogram config exports no latency SLO (src/slo/latency/openslo.ts). */
const NATIVE_LATENCY_NOTE = [
  '# Latency SLOs are not exported: on native histograms (linkerd.histograms: native) response_latency_ms has no',
  '# _bucket series, so no counter selector counts the fast responses. Their good events per second are',
  '# histogram_fraction(0, <thresholdMs>, h) * histogram_count(h), h = sum(rate(response_latency_ms{...}[w])).',
];

/** The config's ratio SLOs as a multi-document OpenSLO v1 YAML stream. */
export function exportOpenSlo(config: Config, configFile: string): string {
  const docs = ratioSlis(config).map(document);
  const header = [
    `# OpenSLO v1 SLOs of cluster ${config.cluster}, exported by linkerd-slo from ${sourceName(configFile)}.`,
    '# Not expressible in OpenSLO and therefore not exported: the multiwindow, multi-burn-rate alert table',
    '# (alerting.windows), the low-traffic guard, absent-metrics alerts, and the non-SLO alerts (certificates,',
    '# availability, resources, latency spikes). Queries are raw counter selectors; take rate() over any window.',
    ...(config.linkerd.histograms === 'native' ? NATIVE_LATENCY_NOTE : []),
  ].join('\n');
  if (docs.length === 0) return `${header}\n# (no ratio SLO is enabled)\n`;
  return `${header}\n${docs.map((d) => `---\n${dump(d, { lineWidth: -1, noRefs: true, quotingType: '"' })}`).join('')}`;
}
