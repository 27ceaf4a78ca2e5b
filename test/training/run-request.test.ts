import { describe, expect, it } from 'vitest';
import { RUN_FIELDS } from '../../src/training/run-request-fields.ts';
import { defaultRunName, requestValueOf } from '../../src/training/run-request-naming.ts';
import { parseHyperparameters, parseRunRequest, parseTags } from '../../src/training/run-request.ts';

describe('a run request', () => {
  it("defaults to DESIGN.md's reference experiment: 5 epochs, batch 64, validation split 0.2, Adam at lr 0.001, the reference CNN", () => {
    const parsed = parseHyperparameters({});
    expect(parsed.ok).toBe(true);
    const hp = parsed.ok ? parsed.value : undefined;
    expect(hp).toEqual({ epochs: 5, batchSize: 64, validationSplit: 0.2, learningRate: 0.001, seed: expect.any(Number), trainLimit: null, testLimit: null });
    // Adam and the reference network are what a run records nothing for.
    expect(hp).not.toHaveProperty('optimizer');
    expect(hp).not.toHaveProperty('model');
    expect(Number.isInteger(hp!.seed)).toBe(true);
  });

  it('reads text from a form or command line and JSON numbers alike', () => {
    const fromText = parseHyperparameters({ epochs: '2', 'learning-rate': ' 0.003 ', threads: '2', seed: '7', optimizer: 'sgd', momentum: '0.8' });
    const fromJson = parseHyperparameters({ epochs: 2, 'learning-rate': 0.003, threads: 2, seed: 7, optimizer: 'sgd', momentum: 0.8 });
    expect(fromText).toEqual(fromJson);
    // The threads field is recorded under the key runs have always had.
    expect(fromText).toMatchObject({ ok: true, value: { epochs: 2, learningRate: 0.003, workers: 2, seed: 7, optimizer: 'sgd', momentum: 0.8 } });
  });

  it('records params in the order runs always have: a recipe is grouped by its params as JSON', () => {
    const parsed = parseHyperparameters({
      augment: 'shift=1', 'early-stopping': 2, 'label-smoothing': 0.1, 'lr-schedule': 'step', 'weight-decay': 0.01, momentum: 0.5, optimizer: 'sgd',
      model: 'mlp', exclude: 'ambiguous', labels: 'corrected', threads: 2, 'augment-crossed-sevens': 0.1, 'test-limit': 100, 'train-limit': 1000,
    });
    expect(Object.keys(parsed.ok ? parsed.value : {})).toEqual([
      'epochs', 'batchSize', 'validationSplit', 'learningRate', 'seed', 'trainLimit', 'testLimit', 'augmentCrossedSevens', 'workers',
      'labels', 'exclude', 'model', 'layers', 'optimizer', 'momentum', 'weightDecay', 'lrSchedule', 'labelSmoothing', 'earlyStopping', 'augment',
    ]);
  });

  it('gives every bad field its own {field, problem} at once, in words that name no flag', () => {
    const parsed = parseRunRequest({
      values: { epochs: '0', 'learning-rate': 'fast', optimizer: 'lbfgs', model: 'resnet', augment: 'spin=3', 'batch-size': '64' },
      tags: ['no value'],
    });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        { field: 'epochs', problem: "must be a whole number from 1 to 1000; got '0'" },
        { field: 'learning-rate', problem: "must be a number from 1e-7 to 10; got 'fast'" },
        { field: 'optimizer', problem: "must be one of adam, sgd, rmsprop, adamw; got 'lbfgs'" },
        { field: 'model', problem: expect.stringMatching(/^takes a preset \(reference, mlp, .*\), a .json spec file or a spec inline; got 'resnet'$/) },
        { field: 'augment', problem: expect.stringMatching(/^takes kind=amount pairs .*; got 'spin=3'$/) },
        { field: 'tags', problem: "takes key=value (key: letters, digits, _ . -); got 'no value'" },
      ],
    });
    for (const { problem } of parsed.ok ? [] : parsed.problems) expect(problem).not.toMatch(/--/);
  });

  it('refuses an augmentation kind given twice rather than letting the last one win', () => {
    expect(parseHyperparameters({ augment: 'rotate=10,rotate=20' })).toEqual({
      ok: false,
      problems: [{ field: 'augment', problem: "gives rotate twice ('rotate=10', 'rotate=20'); give each kind once" }],
    });
    // A zero still counts as given: 'shift=0,shift=2' is as ambiguous as any other repeat.
    expect(parseHyperparameters({ augment: 'shift=0, shift=2' })).toMatchObject({ ok: false, problems: [{ field: 'augment' }] });
    expect(parseHyperparameters({ augment: 'shift=2,rotate=10' })).toMatchObject({ ok: true, value: { augment: { shift: 2, rotate: 10 } } });
  });

  it('puts each check across fields beside the field that does not fit', () => {
    expect(parseHyperparameters({ optimizer: 'adamw', momentum: 0.9, 'validation-split': 0, 'early-stopping': 2 })).toEqual({
      ok: false,
      problems: [
        { field: 'momentum', problem: 'applies to the sgd and rmsprop optimizers, not adamw' },
        { field: 'early-stopping', problem: 'needs a validation split above 0' },
      ],
    });
    expect(parseHyperparameters({ 'train-limit': 1, 'validation-split': 0.5 })).toEqual({
      ok: false,
      problems: [{ field: 'validation-split', problem: 'leaves no training images of the 1' }],
    });
    expect(parseHyperparameters({ 'batch-size': 2, threads: 3 })).toEqual({
      ok: false,
      problems: [{ field: 'threads', problem: 'needs at least 3 images per batch, one per thread; the batch size is 2' }],
    });
  });

  it('names a run from what sets it apart unless a name is given, which must be 1 to 200 characters', () => {
    const named = parseRunRequest({ values: { epochs: 1, seed: 3, optimizer: 'sgd' }, tags: ['purpose=test'] });
    expect(named).toMatchObject({ ok: true, value: { name: 'cnn-e1-b64-lr0.001-sgd-s3', tags: { purpose: 'test' } } });
    expect(parseRunRequest({ values: {}, name: '  mine ' })).toMatchObject({ ok: true, value: { name: 'mine' } });
    for (const name of ['   ', 'x'.repeat(201)]) {
      expect(parseRunRequest({ values: {}, name })).toEqual({ ok: false, problems: [{ field: 'name', problem: 'must be 1 to 200 characters' }] });
    }
    for (const name of ['a\0b', 'line\nbreak', 'half \ud800 a pair']) {
      expect(parseRunRequest({ values: {}, name })).toEqual({
        ok: false,
        problems: [{ field: 'name', problem: 'must be printable text: no control characters (such as NUL) and no lone surrogates' }],
      });
    }
    expect(parseRunRequest({ values: {}, name: 'Ziffer sieben é 😀' })).toMatchObject({ ok: true });
    expect(parseTags(['a=1', 'b.c=x=y'])).toEqual({ ok: true, value: { a: '1', 'b.c': 'x=y' } });
  });

  it('gives back, field by field, the values that reproduce a run, which parse to the same hyperparameters', () => {
    const parsed = parseHyperparameters({ model: 'mlp', epochs: 2, threads: 2, augment: 'shift=2,rotate=10', 'lr-schedule': 'cosine', seed: 9 });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const values = Object.fromEntries(
      (Object.keys(RUN_FIELDS) as (keyof typeof RUN_FIELDS)[]).flatMap((field) => {
        const value = requestValueOf(parsed.value, field);
        return value === null ? [] : [[field, value]];
      }),
    );
    expect(values).toEqual({ model: 'mlp', epochs: '2', 'batch-size': '64', 'validation-split': '0.2', 'learning-rate': '0.001', seed: '9', threads: '2', 'lr-schedule': 'cosine', augment: 'shift=2,rotate=10' });
    expect(parseHyperparameters(values)).toEqual(parsed);
    expect(defaultRunName(parsed.value)).toBe('mlp-e2-b64-lr0.001-cosine-aug-s9');
  });
});
