import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each SLO kind's scenario tests sit beside it, in src/slo/<kind>/.
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Every promtool call runs on two engines (Prometheus 3 and Debian's 2.42): test/support/promtool.ts.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
