import { describe, expect, it } from 'vitest';
import type { DatasetLookup } from '../../src/data/datasets/catalogue.ts';
import { parseRunRequest } from '../../src/training/run-request.ts';

/** The built-in datasets and one registered of 3 classes, as a store would know them. */
const datasets: DatasetLookup = {
  classNamesOf: (name) => ({ mnist: Array(10).fill(''), 'fashion-mnist': Array(10).fill(''), three: ['a', 'b', 'c'] })[name] ?? null,
  names: () => ['mnist', 'fashion-mnist', 'three'],
};

describe('the dataset of a run request', () => {
  it('leaves mnist, the default, out of the params and the name, so runs on it record what they always did', () => {
    const given = parseRunRequest({ values: { dataset: 'mnist', seed: 1 }, datasets });
    const blank = parseRunRequest({ values: { seed: 1 }, datasets });
    expect(given).toEqual(blank);
    expect(given.ok && given.value.params).not.toHaveProperty('dataset');
    expect(given.ok && given.value.name).toBe('cnn-e5-b64-lr0.001-s1');
  });

  it('records another dataset first in the params and the name; the presets keep ten outputs on a 10-class one', () => {
    const fashion = parseRunRequest({ values: { dataset: 'fashion-mnist', seed: 1, model: 'mlp' }, datasets });
    if (!fashion.ok) throw new Error(JSON.stringify(fashion.problems));
    expect(Object.keys(fashion.value.params)[0]).toBe('dataset');
    expect(fashion.value.name).toBe('fashion-mnist-mlp-e5-b64-lr0.001-s1');
    expect(fashion.value.params.layers!.at(-1)).toEqual({ type: 'dense', units: 10, activation: 'softmax' });
  });

  it('makes every preset as wide as the dataset has classes, and refuses a spec that is not on the model field', () => {
    const three = parseRunRequest({ values: { dataset: 'three', model: 'lenet5' }, datasets });
    expect(three.ok && three.value.params).toMatchObject({ dataset: 'three', model: 'lenet5' });
    expect(three.ok && three.value.params.layers!.at(-1)).toEqual({ type: 'dense', units: 3, activation: 'softmax' });
    const spec = JSON.stringify({ layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] });
    expect(parseRunRequest({ values: { dataset: 'three', model: spec }, datasets })).toEqual({
      ok: false,
      problems: [{ field: 'model', problem: `spec: the last layer has 10 units, but dataset 'three' has 3 classes; make it {"type":"dense","units":3,"activation":"softmax"}` }],
    });
  });

  it('refuses an unknown dataset, and MNIST\'s label decisions and crossed sevens on another', () => {
    expect(parseRunRequest({ values: { dataset: 'cifar' }, datasets })).toEqual({
      ok: false,
      problems: [{ field: 'dataset', problem: "must name a known dataset (mnist, fashion-mnist, three); got 'cifar' (digitlab datasets add NAME PATH registers one)" }],
    });
    const mnistOnly = parseRunRequest({ values: { dataset: 'fashion-mnist', labels: 'corrected', exclude: 'ambiguous', 'augment-crossed-sevens': 0.5 }, datasets });
    expect(mnistOnly.ok ? [] : mnistOnly.problems.map((p) => p.field)).toEqual(['labels', 'exclude', 'augment-crossed-sevens']);
  });
});
