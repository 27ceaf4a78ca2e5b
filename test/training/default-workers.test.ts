import { describe, expect, it } from 'vitest';
import { presetSpec } from '../../src/models/model-presets.ts';
import { defaultWorkers } from '../../src/training/steppers.ts';

const reference = { backend: 'wasm', cores: 2, trainCount: 48_000, batchSize: 64, freshModel: true, spec: presetSpec('reference') };

describe('the default worker threads of a run', () => {
  it('shares a step across the cores when it has the work to pay for the exchange', () => {
    expect(defaultWorkers(reference)).toBe(2);
    expect(defaultWorkers({ ...reference, cores: 4 })).toBe(4);
    expect(defaultWorkers({ ...reference, spec: presetSpec('batchnorm-cnn') })).toBe(2);
  });

  it('keeps a small network on one thread, unless its batches are large enough to share', () => {
    expect(defaultWorkers({ ...reference, spec: presetSpec('lenet5') })).toBe(1);
    expect(defaultWorkers({ ...reference, spec: presetSpec('mlp') })).toBe(1);
    // 0.23 M multiply-adds an image times 512 images is past the bar.
    expect(defaultWorkers({ ...reference, spec: presetSpec('mlp'), batchSize: 512 })).toBe(2);
  });

  it('trains on one where sharing cannot work: another engine, a model to continue, a last batch of one', () => {
    expect(defaultWorkers({ ...reference, backend: 'cpu' })).toBe(1);
    expect(defaultWorkers({ ...reference, freshModel: false })).toBe(1);
    expect(defaultWorkers({ ...reference, trainCount: 64 * 10 + 1 })).toBe(1);
  });
});
