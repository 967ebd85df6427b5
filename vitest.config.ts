import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each SLO kind's scenario tests sit beside it, in src/slo/<kind>/.
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
