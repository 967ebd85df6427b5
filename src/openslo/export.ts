/**
 * linkerd-slo config → OpenSLO v1 (`linkerd-slo export-openslo`): one kind SLO document per SLI
 * instance of every enabled ratio SLO, with an inline ratioMetric SLI whose queries are the raw
 * counter selectors our rules read (the user's extra matchers included), targetPercent, a rolling
 * timeWindow and budgetingMethod Occurrences. Deterministic: same config, same bytes.
 *
 *   control-plane success rate → control-plane-success-rate-{server,client}-<component> (bad / total)
 *   control-plane latency      → control-plane-latency-<component> (good = fast buckets / total)
 *   custom                     → <name> (errors → bad, or good / total)
 *
 * Not exported, because OpenSLO cannot carry them: the multiwindow, multi-burn-rate alert table, the
 * low-traffic guard, absent-metrics alerts, and the non-ratio alerts (certificates, availability,
 * resources, latency spikes). The header of the output says so.
 */
import { dump } from 'js-yaml';
import { inline, withMatchers, eq, type Selector } from '../promql/ast.js';
import { formatDuration, parseDuration } from '../promql/number.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/errors.js';
import { buildContext } from '../generate.js';
import { clientSelectors, runningComponents, serverMatchers, serverSelectors } from '../linkerd/control-plane.js';
import { leMatcher } from '../linkerd/latency-buckets.js';
import { parseCustomSelectors } from '../slo/custom/index.js';
import { OPENSLO_API_VERSION } from './import.js';
import { sourceName } from '../text.js';

interface RatioSli {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly service: string;
  readonly objective: number;
  readonly period: string;
  readonly bad?: Selector;
  readonly good?: Selector;
  readonly total: Selector;
}

const CONTROL_PLANE_SERVICE = 'linkerd-control-plane';

/** Our period as OpenSLO duration shorthand (one integer and one unit). */
function openSloDuration(period: string): string {
  const text = formatDuration(parseDuration(period));
  if (!/^\d+[mhd]$/.test(text)) throw new Error(`period ${period} cannot be written as an OpenSLO duration (whole minutes, hours or days)`);
  return text;
}

function metricSource(sel: Selector) {
  return { metricSource: { type: 'Prometheus', spec: { query: inline(sel) } } };
}

function document(s: RatioSli) {
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

/** Every ratio SLI of the config, in output order. */
export function ratioSlis(config: Config): RatioSli[] {
  const ctx = buildContext(config);
  const { facts } = ctx;
  const available = <T extends string>(cs: readonly T[]): T[] => runningComponents(cs, facts);
  const out: RatioSli[] = [];

  const sr = config.slos.controlPlaneSuccessRate;
  if (sr.enabled) {
    for (const component of available(sr.components)) {
      const s = serverSelectors(ctx, component, sr.ports[component]);
      out.push({
        name: `control-plane-success-rate-server-${component}`,
        displayName: `Control-plane success rate (server side): ${component}`,
        description: `Share of ${component} responses on its serving port (${sr.ports[component]}) that succeed, counted by the inbound side of its own pods' Linkerd proxies (cluster ${config.cluster}).`,
        service: CONTROL_PLANE_SERVICE,
        objective: sr.objective,
        period: sr.period,
        bad: s.bad,
        total: s.total,
      });
    }
    if (sr.clientSide.enabled) {
      for (const component of available(sr.clientSide.components)) {
        const s = clientSelectors(ctx, component);
        out.push({
          name: `control-plane-success-rate-client-${component}`,
          displayName: `Control-plane success rate (client side): ${component}`,
          description: `Share of every meshed proxy's calls to ${component} that succeed (control_response_total, cluster ${config.cluster}).`,
          service: CONTROL_PLANE_SERVICE,
          objective: sr.clientSide.objective,
          period: sr.period,
          bad: s.bad,
          total: s.total,
        });
      }
    }
  }

  const lat = config.slos.controlPlaneLatency;
  if (lat.enabled) {
    for (const component of available(lat.components)) {
      const thresholdMs = lat.componentThresholdMs[component] ?? lat.thresholdMs;
      const m = serverMatchers(ctx, component, lat.ports[component]);
      const bucket = (le: ReturnType<typeof eq>) => ctx.proxySelector('response_latency_ms_bucket', [...m.pod, m.port, le]);
      out.push({
        name: `control-plane-latency-${component}`,
        displayName: `Control-plane latency: ${component} within ${thresholdMs} ms`,
        description: `Share of ${component} responses whose time to first byte is at most ${thresholdMs} ms, from its own pods' Linkerd proxies (cluster ${config.cluster}).`,
        service: CONTROL_PLANE_SERVICE,
        objective: lat.objective,
        period: lat.period,
        good: bucket(leMatcher(thresholdMs)),
        total: bucket(eq('le', '+Inf')),
      });
    }
  }

  const extra = Object.entries(config.prometheus.extraMatchers).map(([k, v]) => eq(k, v));
  const builtIn = new Set(out.map((s) => s.name));
  config.slos.custom.forEach((slo, i) => {
    const { selectors, issues } = parseCustomSelectors(slo, ['slos', 'custom', i]);
    if (!selectors) throw new ConfigError(issues.map((issue) => ({ ...issue, file: '(config)' })));
    if (builtIn.has(slo.name)) {
      throw new ConfigError([{ file: '(config)', path: ['slos', 'custom', i, 'name'], message: `"${slo.name}" is also the name of an exported built-in SLO; rename the custom SLO` }]);
    }
    out.push({
      name: slo.name,
      displayName: slo.name,
      description: slo.description ?? `Custom SLO ${slo.name} (cluster ${config.cluster}).`,
      service: config.cluster,
      objective: slo.objective,
      period: slo.period,
      ...(selectors.bad ? { bad: withMatchers(selectors.bad, extra) } : { good: withMatchers(selectors.good!, extra) }),
      total: withMatchers(selectors.total, extra),
    });
  });
  return out;
}

/** The config's ratio SLOs as a multi-document OpenSLO v1 YAML stream. */
export function exportOpenSlo(config: Config, configFile: string): string {
  const docs = ratioSlis(config).map(document);
  const header = [
    `# OpenSLO v1 SLOs of cluster ${config.cluster}, exported by linkerd-slo from ${sourceName(configFile)}.`,
    '# Not expressible in OpenSLO and therefore not exported: the multiwindow, multi-burn-rate alert table',
    '# (alerting.windows), the low-traffic guard, absent-metrics alerts, and the non-SLO alerts (certificates,',
    '# availability, resources, latency spikes). Queries are raw counter selectors; take rate() over any window.',
  ].join('\n');
  if (docs.length === 0) return `${header}\n# (no ratio SLO is enabled)\n`;
  return `${header}\n${docs.map((d) => `---\n${dump(d, { lineWidth: -1, noRefs: true, quotingType: '"' })}`).join('')}`;
}
