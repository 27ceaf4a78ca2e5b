import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { layersModelToOnnx } from '../../src/models/onnx/onnx-export.ts';
import { findDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { fourClassIdxSet } from '../helpers/brightness-onnx.ts';
import { loadImportedModel, loadImportedModelFacts } from '../../src/store/imported-runs.ts';
import { listRuns, loadTestEmbeddings } from '../../src/store/store.ts';
import { readModel } from '../../src/training/model-read.ts';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { webApp } from '../helpers/web.ts';

/**
 * An MLP of 784 -> 12,000 -> 4 as ONNX: 9.5 M weights, about 38 MB, near the 50 MB a model may be.
 * It reads a 4-class dataset of 8 test images, so predicting its test set stays quick.
 */
function largeOnnx(): Uint8Array<ArrayBuffer> {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 12_000, activation: 'relu' }), tf.layers.dense({ units: 4, activation: 'softmax' })],
  });
  const bytes = layersModelToOnnx(model, 'large');
  model.dispose();
  return bytes as Uint8Array<ArrayBuffer>;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'model-stalls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const onnx = largeOnnx();
const onnxFile = path.join(dir, 'large.onnx');
writeFileSync(onnxFile, onnx);
// A store in a file, as `serve` has: its large writes go to a connection in a thread of their own.
const { app, db, explainer } = webApp(openDb(path.join(dir, 'store.sqlite')));
registerDataset(db, 'four', fourClassIdxSet(path.join(dir, 'four')));
const test = findDataset(db, 'four').load('test');

/**
 * What the server no longer does on its event loop, timed in place on this machine as loaded as it
 * is now: loading the model, finding its convention, hashing it (readModel), and the blob's write.
 */
async function inPlace(predictAll: boolean): Promise<number> {
  const started = performance.now();
  await readModel({ file: onnxFile, conventions: { layout: 'auto', scale: 'auto', output: 'auto' }, test: { ...test, classes: 4 }, predictAll });
  const scratch = openDb(':memory:');
  scratch.$client.exec('create table blobs (data blob)');
  scratch.$client.prepare('insert into blobs values (?)').run(onnx);
  return performance.now() - started;
}

describe('a model near the size limit', () => {
  expect(onnx.length).toBeGreaterThan(35_000_000);

  it("logged to a tracked run is read and stored off the event loop, and the run's page does not read it", async () => {
    const created = await app.request('/api/tracking/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'script', dataset: 'four' }) });
    const { id } = (await created.json()) as { id: number };
    const put = () => app.request(`/api/tracking/runs/${id}/model`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: onnx });
    const { result, longestStall } = await longestStallDuring(put);
    expect(result.status, await result.clone().text()).toBe(200);
    expect(loadImportedModel(db, id)!.modelData!.equals(onnx)).toBe(true);
    // Measured at load 2: the old route held the loop 830 ms; this one 47 to 190 ms on a first PUT (the
    // in-process client's body and first-use costs included), 28 to 46 ms on later ones. The work moved
    // off the loop takes 500 to 700 ms in place.
    const moved = await inPlace(false);
    expect(longestStall, `the work moved off the loop takes ${Math.round(moved)} ms in place`).toBeLessThan(moved / 2);

    // Pages ask for the model's facts: SQLite answers them without reading the 38 MB blob.
    let started = performance.now();
    const facts = loadImportedModelFacts(db, id)!;
    const factsMs = performance.now() - started;
    started = performance.now();
    loadImportedModel(db, id);
    const wholeMs = performance.now() - started;
    expect(facts).toMatchObject({ framework: 'onnx', hasModel: true });
    expect(factsMs, `the whole row took ${wholeMs.toFixed(1)} ms`).toBeLessThan(wholeMs / 5);
    expect((await app.request(`/runs/${id}`)).status).toBe(200);

    // Ending the run embeds the test images through the model: it is loaded and run off the loop too
    // (the old route held it 222 ms on these 8 images).
    const json = { 'Content-Type': 'application/json' };
    const probabilities = test.labels.reduce<number[][]>((rows, label) => [...rows, [0, 1, 2, 3].map((k) => (k === label ? 0.7 : 0.1))], []);
    expect((await app.request(`/api/tracking/runs/${id}/predictions`, { method: 'PUT', headers: json, body: JSON.stringify({ probabilities }) })).status).toBe(200);
    const end = await longestStallDuring(() => app.request(`/api/tracking/runs/${id}/end`, { method: 'POST', headers: json, body: JSON.stringify({ status: 'completed' }) }));
    expect(end.result.status, await end.result.clone().text()).toBe(200);
    expect(loadTestEmbeddings(db, id)?.dimensions).toBe(12_000);
    expect(end.longestStall, `the work moved off the loop takes ${Math.round(moved)} ms in place`).toBeLessThan(moved / 2);
  }, 120_000);

  it('imported from the web form is read, predicted and stored off the event loop', async () => {
    const form = new FormData();
    form.set('file', new File([onnx], 'large.onnx'));
    form.set('name', 'large import');
    form.set('dataset', 'four');
    // Encoded before the measurement: the client's work is not the server's stall.
    const encoded = new Request('http://localhost/runs/import', { method: 'POST', body: form });
    const headers = { Origin: 'http://localhost', 'Content-Type': encoded.headers.get('content-type')! };
    const body = new Uint8Array(await encoded.arrayBuffer());
    const { result, longestStall } = await longestStallDuring(() => app.request('/runs/import', { method: 'POST', body, headers }));
    expect(result.status, await result.clone().text()).toBe(303);
    const run = listRuns(db).find((r) => r.name === 'large import')!;
    expect(run.status).toBe('completed');
    expect(loadImportedModelFacts(db, run.id)).toMatchObject({ framework: 'onnx', hasModel: true });
    const moved = await inPlace(true);
    expect(longestStall, `the work moved off the loop takes ${Math.round(moved)} ms in place`).toBeLessThan(moved / 2);

    // Reading with it later (own digits, explanations) loads its 38 MB from the store in a thread and
    // moves it to the model thread without a copy.
    const read = await longestStallDuring(() => explainer.probabilities(run, new Float32Array(784).fill(0.3), 1));
    expect(read.result).toHaveLength(4);
    expect(read.longestStall).toBeLessThan(moved / 2);
  }, 120_000);
});
