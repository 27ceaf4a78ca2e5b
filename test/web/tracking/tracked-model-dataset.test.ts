import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDataset } from '../../../src/data/datasets/catalogue.ts';
import { loadImportedModel } from '../../../src/store/imported-runs.ts';
import { selectBackend } from '../../../src/training/backend.ts';
import { brightnessOnnx, fourClassIdxSet } from '../../helpers/brightness-onnx.ts';
import { tempDir } from '../../helpers/datasets.ts';
import { webApp } from '../../helpers/web.ts';

const { app, db } = webApp();
const dataset = tempDir('idx-four');

async function trackedRun(): Promise<number> {
  const res = await app.request('/api/tracking/runs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'four-class script', params: { seed: 1 }, dataset: 'four' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

const putModel = (id: number, bytes: Uint8Array) =>
  app.request(`/api/tracking/runs/${id}/model?scale=unit`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(bytes) });

beforeAll(async () => {
  await selectBackend('wasm');
  registerDataset(db, 'four', fourClassIdxSet(dataset));
});
afterAll(() => rmSync(dataset, { recursive: true, force: true }));

describe("a tracked run's model on a 4-class dataset", () => {
  it('is taken with its 4 outputs, fed as its script says', async () => {
    const id = await trackedRun();
    const res = await putModel(id, brightnessOnnx(4));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, inputScale: 'unit' });
    expect(loadImportedModel(db, id)).toMatchObject({ framework: 'onnx', inputScale: 'unit' });
  });

  it('is refused with a 422 naming both counts when it has 10 outputs, and nothing is stored', async () => {
    const id = await trackedRun();
    const res = await putModel(id, brightnessOnnx(10));
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/10 outputs per image, but dataset 'four' has 4 classes/);
    expect(loadImportedModel(db, id)).toBeFalsy();
  });
});
