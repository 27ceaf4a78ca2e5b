import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { createRun, type Run } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

/** One small model (2,000 images, 1 epoch, 200 test images), behind one app. */
const TEST_COUNT = 200;
const { db, app } = webApp();
let run: Run;

beforeAll(async () => {
  const created = createRun(db, { name: 'explain stalls', params: smallRunParams({ testLimit: TEST_COUNT, seed: 5 }), status: 'running' });
  run = await executeRun(storeOn(db), created.id, { backend: 'wasm' });
  expect(run.status, run.error ?? '').toBe('completed');
}, 300_000);

describe('explanations', () => {
  it('are computed off the event loop: sixteen at once leave the server answering, and each is a 28x28 map', async () => {
    const { result, longestStall } = await longestStallDuring(() =>
      Promise.all(Array.from({ length: 16 }, (_, i) => app.request(`/runs/${run.id}/explain/test/${i}.png?method=ig`))),
    );
    for (const response of result) {
      expect(response.status).toBe(200);
      const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
      expect([png.width, png.height]).toEqual([28, 28]);
    }
    // Generous for a loaded machine; in place, sixteen integrated-gradients maps held it for seconds (8.5 s measured).
    expect(longestStall).toBeLessThan(500);
  }, 300_000);

  it("show in the image's why panel with the predicted class, for either method", async () => {
    for (const method of ['ig', 'occlusion']) {
      const response = await app.request(`/runs/${run.id}/why/test/3?method=${method}`);
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toContain(`/runs/${run.id}/explain/test/3.png?method=${method}`);
    }
  }, 120_000);

  it('answer 409 with the reason for a run without a model', async () => {
    const bare = recordCompletedRun(db, loadMnist('test', { limit: TEST_COUNT }).labels, { seed: 9 });
    const response = await app.request(`/runs/${bare.id}/explain/test/0.png`);
    expect(response.status).toBe(409);
  });
});
