import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Training on a slice of MNIST takes seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps its engine in module state: one process per test file keeps them apart.
    pool: 'forks',
    // Vitest's default (cores - 1) is one fork on two cores, but most files spend their time
    // waiting on child processes (serve, train, Chromium): two forks took the suite from 14 to 10 min.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
  },
});
