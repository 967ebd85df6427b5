/**
 * Helpers for the queries of dashboard panels, shared by the kinds' rows and the emitters' own:
 * legends and groupings that keep the series of several clusters (extra matchers) apart, optional
 * exporters' metrics, and 0 instead of no data.
 */
import { binary, call, num, type Expr } from '../promql/ast.js';
import type { BuildContext } from './kind.js';

/** `{{cluster}} ` for every extra-matcher label, so series of several clusters stay apart in legends. */
export function legendPrefix(ctx: BuildContext): string {
  const keys = ctx.clusterLabels;
  return keys.length ? `${keys.map((k) => `{{${k}}}`).join(' ')} ` : '';
}

export const extraKeys = (ctx: BuildContext): string[] => [...ctx.clusterLabels];

/** `e or on () vector(0)`: 0 instead of no data, without adding a series when e has one (any labels). */
export function orZero(e: Expr): Expr {
  return binary('or', e, call('vector', num(0)), { matching: { on: [] } });
}
