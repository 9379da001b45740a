import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/gpu is included on purpose: its suites skip, stating why, where no GPU is usable, and
    // run on the GPU machine (node node_modules/vitest/vitest.mjs run test/gpu).
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**'],
    pool: 'forks',
    // The engine already uses every core, so test files run one at a time: parallel files would
    // only oversubscribe the CPU and blur the event-loop measurements.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
