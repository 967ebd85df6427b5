/** Custom SLOs as OpenSLO ratio SLOs: their own counter selectors (errors → bad, or good) over total, extra matchers added. */
import type { Selector } from '../../promql/ast.js';
import { ConfigError } from '../../config/errors.js';
import type { BuildContext, RatioSliDeclaration } from '../kind.js';
import { parseCustomSelectors } from './selectors.js';

export function customSlis(ctx: BuildContext): RatioSliDeclaration[] {
  const { config } = ctx;
  // A parsed selector always names its metric (selectors.ts).
  const withExtra = (s: Selector) => ctx.exporterSelector(s.metric!, s.matchers);
  return config.slos.custom.map((slo, i) => {
    const path = ['slos', 'custom', i];
    const { selectors, issues } = parseCustomSelectors(slo, path);
    if (!selectors) throw new ConfigError(issues.map((issue) => ({ ...issue, file: '(config)' })));
    return {
      name: slo.name,
      displayName: slo.name,
      description: slo.description ?? `Custom SLO ${slo.name} (cluster ${config.cluster}).`,
      service: config.cluster,
      objective: slo.objective,
      period: slo.period,
      ...(selectors.bad ? { bad: withExtra(selectors.bad) } : { good: withExtra(selectors.good!) }),
      total: withExtra(selectors.total),
      path: [...path, 'name'],
    };
  });
}
