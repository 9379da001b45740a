import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/gpu/**', 'node_modules/**'],
    pool: 'forks',
    // The engine already uses every core, so test files run one at a time: parallel files would
    // only oversubscribe the CPU and blur the event-loop measurements.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
