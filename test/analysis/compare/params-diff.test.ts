import { describe, expect, it } from 'vitest';
import { layerwiseParams, paramsDiff } from '../../../src/analysis/compare/params-diff.ts';
import { presetSpec } from '../../../src/models/model-presets.ts';

describe('the params diff', () => {
  const a = { learningRate: 0.001, batchSize: 64, testLimit: null };
  const b = { learningRate: 0.003, batchSize: 64, testLimit: null, extra: 1 };

  it('keeps only differing keys, counting a missing key as null', () => {
    expect(paramsDiff(a, b)).toEqual({ learningRate: { a: 0.001, b: 0.003 }, extra: { a: null, b: 1 } });
  });

  it('shows every key on request', () => {
    expect(Object.keys(paramsDiff(a, b, { all: true }))).toEqual(['learningRate', 'batchSize', 'testLimit', 'extra']);
  });

  it('diffs two networks layer by layer, an inserted dropout as one row of its own', () => {
    // The reference run records no layers; the other records reference-dropout's.
    const reference = { learningRate: 0.001 };
    const dropout = { learningRate: 0.001, model: 'reference-dropout', layers: presetSpec('reference-dropout').layers };
    const [a, b] = layerwiseParams([reference, dropout]) as [Record<string, unknown>, Record<string, unknown>];
    expect(paramsDiff(a, b)).toEqual({
      model: { a: null, b: 'reference-dropout' },
      'layer 3': { a: null, b: 'dropout 0.25' },
      'layer 6': { a: null, b: 'dropout 0.25' },
      'layer 9': { a: null, b: 'dropout 0.5' },
    });
    expect(a['layer 1']).toBe('conv2d 32 3x3 relu');
    expect(b['layer 10']).toBe('dense 10 softmax');
  });

  it('leaves params without networks as they are', () => {
    expect(layerwiseParams([a, b])).toEqual([a, b]);
  });
});
