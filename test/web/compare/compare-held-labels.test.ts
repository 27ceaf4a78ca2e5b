import { describe, expect, it } from 'vitest';
import { RunQueue } from '../../../src/execution/queue.ts';
import { storeOn } from '../../../src/store/open-store.ts';
import { createApp } from '../../../src/web/app.tsx';
import { TestImages } from '../../../src/web/test-images.ts';
import { completeWithoutTraining } from '../../analysis/fake-runs.ts';
import { memoryDb, runningRun } from '../../helpers/db.ts';

describe('the compare routes', () => {
  it("score runs against the test labels the server holds, not a fresh read of the IDX file (which took longer than the rest of the page)", async () => {
    const store = storeOn(memoryDb());
    // 300 zeros, then ones: unlike MNIST's first 500 test labels, so the figures say which labels were used.
    const labels = new Uint8Array(500).fill(1, 300);
    const held = new TestImages(() => ({ images: new Uint8Array(500 * 784), labels, count: 500, rows: 28, cols: 28, imagesSha256: '', labelsSha256: '' }));
    const app = createApp({ ...store, queue: new RunQueue(store), images: held });
    const [a, b] = [runningRun(store.db, { testLimit: 500 }), runningRun(store.db, { testLimit: 500 })];
    for (const run of [a, b]) completeWithoutTraining(store.db, run, { images: 500 }); // every prediction is class 0
    const answer = await (await app.request(`/api/compare?a=${a.id}&b=${b.id}`)).json();
    expect(answer.a.testAccuracy).toBe(300 / 500);
    const page = await app.request(`/compare?runs=${a.id},${b.id}`);
    expect(page.status).toBe(200);
  });
});
