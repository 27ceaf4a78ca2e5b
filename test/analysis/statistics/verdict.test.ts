import { describe, expect, it } from 'vitest';
import { verdict } from '../../../src/analysis/statistics/verdict.ts';

describe('the plain-words verdict', () => {
  it.each([
    [0.003, 0.21, 'B is better by 0.3 points; this could be chance, p = 0.21'],
    [-0.012, 0.0031, 'B is worse by 1.2 points; unlikely to be chance, p = 0.0031'],
    [0.107, 1e-9, 'B is better by 10.7 points; unlikely to be chance, p < 0.001'],
    [0.0004, 0.6, 'B is better by 0.04 points; this could be chance, p = 0.6'],
    [0, 1, 'A and B are equally accurate (p = 1)'],
  ])('says %f with p %f as %j', (difference, p, sentence) => {
    expect(verdict(difference, p)).toBe(sentence);
  });
});
