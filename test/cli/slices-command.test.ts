import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';
import { loadMnist } from '../../src/data/mnist.ts';

describe('digitlab slices', () => {
  it('prints the crossed sevens of the test split as JSON', async () => {
    const result = await runCliCaptured(['slices', 'crossed-seven', '--split', 'test', '--json']);
    expect(result.code).toBe(0);
    const slice = result.lastJson();
    const test = loadMnist('test');
    expect(slice).toMatchObject({ slice: 'crossed-seven', split: 'test', classCount: 1028 });
    expect(slice.indices).toHaveLength(slice.count);
    expect(slice.count).toBeGreaterThan(0);
    expect(slice.indices.every((i: number) => test.labels[i] === 7)).toBe(true);
  });

  it('rejects an unknown slice with exit code 2', async () => {
    const result = await runCliCaptured(['slices', 'round-nine']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('crossed-seven');
  });
});
