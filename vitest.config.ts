import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Training on a slice of MNIST takes seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps its engine in module state: one process per test file keeps them apart.
    pool: 'forks',
  },
});
