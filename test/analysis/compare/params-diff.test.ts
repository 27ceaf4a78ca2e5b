import { describe, expect, it } from 'vitest';
import { paramsDiff } from '../../../src/analysis/compare/params-diff.ts';

describe('the params diff', () => {
  const a = { learningRate: 0.001, batchSize: 64, testLimit: null };
  const b = { learningRate: 0.003, batchSize: 64, testLimit: null, extra: 1 };

  it('keeps only differing keys, counting a missing key as null', () => {
    expect(paramsDiff(a, b)).toEqual({ learningRate: { a: 0.001, b: 0.003 }, extra: { a: null, b: 1 } });
  });

  it('shows every key on request', () => {
    expect(Object.keys(paramsDiff(a, b, { all: true }))).toEqual(['learningRate', 'batchSize', 'testLimit', 'extra']);
  });
});
