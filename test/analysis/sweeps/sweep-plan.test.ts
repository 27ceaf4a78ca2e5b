import { describe, expect, it } from 'vitest';
import { planSweep } from '../../../src/analysis/sweeps/sweep-plan.ts';

const tenValues = (from: number) => Array.from({ length: 10 }, (_, i) => from + i).join(',');

describe('planning a sweep', () => {
  it('refuses a grid of 8 x 10^8 runs by counting it, without building it', () => {
    const options = {
      epochs: tenValues(1),
      'batch-size': tenValues(10),
      'train-limit': tenValues(100),
      'test-limit': tenValues(100),
      threads: '1,2,3,4,5,6,7,8',
      'learning-rate': '0.001,0.002,0.003,0.004,0.005,0.006,0.007,0.008,0.009,0.01',
      'validation-split': '0.1,0.11,0.12,0.13,0.14,0.15,0.16,0.17,0.18,0.19',
      seeds: 100,
    };
    expect(planSweep(options)).toEqual({ ok: false, problems: [{ field: null, problem: 'the grid has 800000000 runs; at most 200 are queued at once' }] });
  });

  it('takes models, optimizers and augmentations as axes, each run recorded as train records it', () => {
    const planned = planSweep({ model: 'reference,mlp', optimizer: 'adam,sgd', augment: 'shift=2;shift=2,rotate=10', epochs: '1', seeds: 2 });
    if (!planned.ok) throw new Error(JSON.stringify(planned.problems));
    const { plan } = planned;
    expect(plan.axes).toEqual({ model: ['reference', 'mlp'], optimizer: ['adam', 'sgd'], augment: ['shift=2', 'shift=2,rotate=10'] });
    expect(plan.runs).toHaveLength(16);
    // The reference network on Adam records nothing new, so it groups with every older default run.
    expect(plan.runs[0]!.params).not.toHaveProperty('model');
    expect(plan.runs[0]!.params).not.toHaveProperty('optimizer');
    expect(plan.runs.at(-1)!.params).toMatchObject({ model: 'mlp', optimizer: 'sgd', augment: { shift: 2, rotate: 10 }, seed: 2 });
    expect(plan.name).toBe('model reference,mlp x optimizer adam,sgd x augment shift=2,shift=2,rotate=10 x 2 seed(s)');
  });

  it('refuses a model axis with an unknown preset, naming what is allowed', () => {
    expect(planSweep({ model: 'reference,resnet' })).toEqual({
      ok: false,
      problems: [{ field: 'model', problem: expect.stringMatching(/^takes a preset \(reference, mlp, .*; got 'resnet'/) }],
    });
  });
});
