import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each SLO kind's scenario tests sit beside it, in src/slo/<kind>/.
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Every promtool call runs on two engines (Prometheus 3 and Debian's 2.42): test/support/promtool.ts.
    // The timeouts only catch a hang (every wait inside a test polls to its own deadline); with two
    // files at once on CI's 2 cores a test of ~60 s alone may take twice that there.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: ONE file at a time on a 2-core machine, with
    // one core idle while a file waits on a live Prometheus, Thanos or Mimir (61 min for the suite,
    // measured 2026-12-07). Two files at once; the engine comparisons measure their own poll gaps.
    maxWorkers: 2,
  },
});
