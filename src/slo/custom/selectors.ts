/** A custom SLO's counter selectors, parsed from the config (shared by its rules and its OpenSLO mapping). */
import type { Selector } from '../../promql/ast.js';
import { parseSelector, SelectorParseError } from '../../promql/parse.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';

export type CustomSlo = Config['slos']['custom'][number];

/** The parsed selectors of one custom SLO (before the user's extra matchers are added). */
export interface CustomSelectors {
  readonly bad?: Selector;
  readonly good?: Selector;
  readonly total: Selector;
}

/** Parse one SLO's selectors; problems come back as config issues located at the field. */
export function parseCustomSelectors(slo: CustomSlo, path: ReadonlyArray<string | number>): { selectors?: CustomSelectors; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const parse = (field: 'errors' | 'good' | 'total'): Selector | undefined => {
    const text = slo[field];
    if (text === undefined) return undefined;
    try {
      return parseSelector(text);
    } catch (err) {
      if (!(err instanceof SelectorParseError)) throw err;
      issues.push({ path: [...path, field], message: `${err.message}: ${JSON.stringify(text)}` });
      return undefined;
    }
  };
  if (slo.errors !== undefined && slo.good !== undefined) {
    issues.push({ path: [...path, 'good'], atKey: true, message: 'set either errors (bad events) or good (good events), not both' });
  } else if (slo.errors === undefined && slo.good === undefined) {
    issues.push({ path, message: 'needs errors (a counter selector of bad events) or good (of good events), next to total' });
  }
  const bad = parse('errors');
  const good = parse('good');
  const total = parse('total');
  if (issues.length || !total) return { issues };
  return { selectors: { ...(bad ? { bad } : {}), ...(good ? { good } : {}), total }, issues };
}
