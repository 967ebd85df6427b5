/** Shared by the e2e query test (test/e2e/example-bundle.test.ts) and the browser test (test/preview-browser.test.ts). */

/**
 * Panels that must be empty while nothing is wrong: they list problems. Keyed by panel title; the
 * test fails if one of them shows data (the list is stale) or any other panel is empty.
 */
export const EMPTY_WHEN_HEALTHY: Readonly<Record<string, string>> = {
  'Firing alerts': 'lists firing alerts (ALERTS{alertstate="firing"}); (b) proves none fires',
  'Firing Linkerd SLO alerts': 'lists firing alerts; (b) proves none fires',
  'Certificate refresh errors': 'only proxies with failed certificate refreshes (> 0); the simulated proxies renew fine',
  'Proxies with failing control-plane calls': 'only proxies with failing control-plane calls (> 0); none fail in a healthy mesh',
  'Firing workload and route alerts': 'lists firing alerts; (b) proves none fires',
};

/**
 * Queries that list problems inside a panel whose other queries draw data: empty while nothing is
 * wrong, and the test fails if one shows data. Matched on the query text (the panel has data anyway).
 */
export const QUERIES_EMPTY_WHEN_HEALTHY: ReadonlyArray<{ readonly pattern: RegExp; readonly why: string }> = [
  { pattern: /count_values\b[^"]*\("spent"/, why: 'counts the budgets spent ("exhausted N×"); no budget is spent in a healthy mesh' },
];
