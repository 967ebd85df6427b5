/**
 * The mesh: a panel-only kind, always registered, never enabled. It records nothing and alerts on
 * nothing; its standing rows are what the dashboards show that no SLO kind owns (scrape health and
 * controller internals, data-plane versions and limits). Being a kind, it reaches the dashboards,
 * their validation and `check` the way every kind's rows do, and the emitters stay free of any
 * Linkerd fact.
 */
import type { SloKind } from '../kind.js';
import { meshRows } from './panels.js';

export const mesh: SloKind = {
  id: 'mesh',
  title: 'Mesh signals no SLO owns',
  enabled: () => false,
  check: () => [],
  build: () => ({ ruleGroups: [], dashboardRows: [], runbooks: [] }),
  standingRows: (ctx) => meshRows(ctx),
};
