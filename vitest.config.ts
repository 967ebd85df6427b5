import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each SLO kind's scenario tests sit beside it, in src/slo/<kind>/.
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Every promtool call runs on two engines (Prometheus 3 and Debian's 2.42): test/support/promtool.ts.
    // The timeout only catches a hang (every wait inside a test polls to its own deadline); CI's 2 cores
    // run two files at once, so a test of ~60 s alone may take twice that there.
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
