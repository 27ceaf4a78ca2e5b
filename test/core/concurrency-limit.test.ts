import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/core/concurrency-limit.ts';

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the rest in order of arrival, and passes on results and failures', async () => {
    const limit = new ConcurrencyLimit(2);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      most = Math.max(most, ++now);
      await new Promise((resolve) => setTimeout(resolve, 5));
      now--;
      if (i === 3) throw new Error('task 3 failed');
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit.run(task(i))));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 1, 2, 'task 3 failed', 4, 5]);
    expect([limit.running, limit.waiting]).toEqual([0, 0]);
  });

  it('refuses a limit that is not a whole number from 1', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(/whole number from 1; got 0/);
  });
});
