import { describe, expect, it } from 'vitest';
import { outcomesWhere } from '../../src/analysis/test-outcomes.ts';

const probabilitiesFor = (predicted: number[], confidences: number[]) => {
  const probabilities = new Float32Array(predicted.length * 10);
  predicted.forEach((p, i) => (probabilities[i * 10 + p] = confidences[i]!));
  return probabilities;
};

describe('test outcomes', () => {
  const labels = Uint8Array.from([1, 1, 2, 2, 3]);
  const predicted = Uint8Array.from([1, 7, 7, 2, 7]);
  const predictions = { predicted, probabilities: probabilitiesFor([...predicted], [0.9, 0.6, 0.8, 0.99, 0.7]) };

  it('selects every mistake, most confident first', () => {
    expect(outcomesWhere(predictions, labels, { wrong: true }).map((o) => o.index)).toEqual([2, 4, 1]);
  });

  it('selects one confusion-matrix cell', () => {
    const cell = outcomesWhere(predictions, labels, { label: 2, predicted: 7 });
    expect(cell).toHaveLength(1);
    expect(cell[0]).toMatchObject({ index: 2, label: 2, predicted: 7 });
    expect(cell[0]!.confidence).toBeCloseTo(0.8);
    expect(cell[0]!.probabilities).toHaveLength(10);
  });
});
