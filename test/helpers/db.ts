import { openDb } from '../../db/client.ts';
import { createRun } from '../../src/store/store.ts';
import type { Hyperparameters } from '../../src/training/hyperparameters.ts';
import { REFERENCE_HYPERPARAMETERS } from '../../src/training/hyperparameters.ts';

/** A fresh store with the real migrations applied. */
export const memoryDb = () => openDb(':memory:');

/** Hyperparameters for a run small enough to train in a test: 1,600 images, one epoch. */
export function smallRunParams(overrides: Partial<Hyperparameters> = {}): Hyperparameters {
  return { ...REFERENCE_HYPERPARAMETERS, seed: 1, epochs: 1, trainLimit: 2000, testLimit: 500, ...overrides };
}

export function runningRun(db: ReturnType<typeof memoryDb>, overrides: Partial<Hyperparameters> = {}) {
  return createRun(db, { name: 'test run', params: smallRunParams(overrides), status: 'running' });
}
