import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';
import { divergedLoss, LOSS_CEILING, modelCollapse } from '../../src/training/degenerate-model.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { epochHistory } from '../../src/store/store.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';

/** A confusion matrix whose every image (10 per class) is predicted as `predicted(label)`. */
const confusionOf = (predicted: (label: number) => number) =>
  Array.from({ length: 10 }, (_, label) => Array.from({ length: 10 }, (_, p) => (p === predicted(label) ? 10 : 0)));

describe('the degenerate-model detector', () => {
  it('calls a model collapsed when one class takes nearly every prediction, and not otherwise', () => {
    expect(modelCollapse(confusionOf(() => 7))).toBe('the model predicts 7 for 100% of 100 images');
    expect(modelCollapse(confusionOf((label) => label))).toBeNull();
    expect(modelCollapse(confusionOf((label) => (label < 8 ? 3 : label)))).toBeNull(); // 80%
    expect(modelCollapse(null)).toBeNull();
  });

  it('calls a loss at the clip ceiling diverged, and a merely bad one not', () => {
    expect(divergedLoss(14.2)).toMatch(/near the clip ceiling of 16\.12/);
    expect(divergedLoss(Math.log(10))).toBeNull();
    expect(LOSS_CEILING).toBeCloseTo(16.118, 3);
  });
});

describe('a run trained with learning rate 10', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('fails with the reason, keeping its epoch, instead of passing as completed', async () => {
    const db = memoryDb();
    const run = runningRun(db, { learningRate: 10 });
    const ended = await executeRun(db, run.id, { backend: 'wasm' });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/^training diverged: .*(clip ceiling|predicts \d for)/);
    expect(epochHistory(db, run.id)).toHaveLength(1);
  }, 120_000);
});
