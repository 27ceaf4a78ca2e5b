import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';
import { divergedLoss, LOSS_CEILING, modelCollapse } from '../../src/training/degenerate-model.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { epochHistory, validationConfusions } from '../../src/store/store.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';
import { webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

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
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm' });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/^training diverged: .*clip ceiling/);
    expect(epochHistory(db, run.id)).toHaveLength(1);
  }, 120_000);
});

describe('a batch-norm run whose validation predictions collapse while its training loss falls', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('completes, and its page flags the degenerate model instead', async () => {
    // Sigmoid units vary little around 0.5, which batch norm stretches in training; at momentum 0.999
    // its moving statistics are still near 0 and 1 after 25 steps, so inference sees ~0.5 everywhere.
    const layers = [
      { type: 'flatten' },
      { type: 'dense', units: 64, activation: 'sigmoid' },
      { type: 'batchNormalization', momentum: 0.999 },
      { type: 'dense', units: 10, activation: 'softmax' },
    ] as const;
    const { app, db } = webApp();
    const run = runningRun(db, { model: 'lagging-bn', layers: structuredClone(layers) as never, seed: 2 });
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm' });
    expect(ended.status).toBe('completed');
    const [epoch] = epochHistory(db, run.id);
    expect(epoch!.loss).toBeLessThan(Math.log(10));
    expect(modelCollapse(validationConfusions(db, run.id)[0]!.counts)).toMatch(/^the model predicts \d for 9\d% of 400 images$/);
    expect(await (await app.request(`/runs/${run.id}`)).text()).toMatch(/Degenerate model: the model predicts \d for \d+% of 500 images/);
  }, 120_000);
});
