import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';

describe('digitlab dataset', () => {
  it('prints class balance and crossed-seven prevalence of both splits', async () => {
    const result = await runCliCaptured(['dataset', '--json']);
    expect(result.code).toBe(0);
    const facts = result.lastJson();
    expect(facts.train.count).toBe(60000);
    expect(facts.test.classCounts.reduce((a: number, b: number) => a + b, 0)).toBe(10000);
    expect(facts.train.classCounts[7]).toBe(6265);
    expect(facts.test.crossedSevens).toMatchObject({ sevens: 1028 });
    expect(facts.train.crossedSevens.share).toBeCloseTo(facts.train.crossedSevens.crossed / 6265, 12);
  });
});
