import { describe, expect, it } from 'vitest';
import { planSweep } from '../../../src/analysis/sweeps/sweep-plan.ts';
import { datasetLookup, registerDataset } from '../../../src/data/datasets/catalogue.ts';
import { memoryDb } from '../../helpers/db.ts';
import { tempDir, writePictureFolder } from '../../helpers/datasets.ts';

describe('a sweep over datasets', () => {
  it('takes the dataset as an axis, each run recorded as train records it (mnist left out), a registered one with its own softmax', () => {
    const db = memoryDb();
    registerDataset(db, 'shapes', writePictureFolder(tempDir('sweep-shapes'), 2));
    const planned = planSweep({ dataset: 'mnist,fashion-mnist,shapes', epochs: '1' }, { datasets: datasetLookup(db) });
    if (!planned.ok) throw new Error(JSON.stringify(planned.problems));
    expect(planned.plan.axes).toEqual({ dataset: ['mnist', 'fashion-mnist', 'shapes'] });
    const [mnist, fashion, shapes] = planned.plan.runs;
    expect(mnist!.params.dataset).toBeUndefined();
    expect(mnist!.params.layers).toBeUndefined();
    expect(fashion!.params).toMatchObject({ dataset: 'fashion-mnist' });
    expect(fashion!.name).toMatch(/^fashion-mnist-/);
    expect(shapes!.params.layers!.at(-1)).toEqual({ type: 'dense', units: 4, activation: 'softmax' });
  });

  it('refuses an unknown dataset on the axis, and a registered one when planned without the store', () => {
    expect(planSweep({ dataset: 'mnist,cifar' })).toEqual({
      ok: false,
      problems: [{ field: 'dataset', problem: "must name a known dataset (mnist, fashion-mnist); got 'cifar' (digitlab datasets add NAME PATH registers one)" }],
    });
  });
});
