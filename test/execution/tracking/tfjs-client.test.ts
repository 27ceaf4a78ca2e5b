import { serve, type ServerType } from '@hono/node-server';
import * as tf from '@tensorflow/tfjs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun, tfjsCallback } from '../../../clients/typescript/digitlab-tracking.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { loadImportedModel } from '../../../src/store/imported-runs.ts';
import { epochHistory, getRun } from '../../../src/store/store.ts';
import { epochScalarHistory } from '../../../src/store/tracked-runs.ts';
import { webApp } from '../../helpers/web.ts';

const web = webApp();
let server: ServerType;
let url = '';

beforeAll(async () => {
  await tf.setBackend('cpu');
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: web.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A tfjs script's own data: the first images of MNIST, one-hot, as its author would load them. */
function mnistTensors(split: 'train' | 'test', limit: number) {
  const data = loadMnist(split, { limit });
  return { x: tf.tensor4d(Float32Array.from(data.images, (v) => v / 255), [limit, 28, 28, 1]), y: tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10), labels: data.labels };
}

describe('the TypeScript tracking client', () => {
  it('logs a tfjs model.fit through its callback: every epoch, the test probabilities and the model as ONNX', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 32, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const train = mnistTensors('train', 1000);
    const test = mnistTensors('test', 500);

    const run = await startRun(url, { name: 'tfjs-mlp', params: { lr: 0.003, epochs: 2, seed: 4 } });
    const probabilities = await run.track(async () => {
      await model.fit(train.x, train.y, { epochs: 2, batchSize: 100, validationSplit: 0.2, callbacks: [tfjsCallback(run, { batchesPerEpoch: 8 })] });
      const predicted = (model.predict(test.x) as tf.Tensor).dataSync() as Float32Array;
      await run.logTestPredictions(predicted);
      await run.logModel(model, { scale: 'unit' });
      return predicted;
    });

    const stored = getRun(web.db, run.id);
    expect(stored).toMatchObject({ status: 'completed', source: 'tracked', backend: 'tfjs', seed: 4 });
    let correct = 0;
    test.labels.forEach((label, i) => {
      const row = probabilities.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === label) correct++;
    });
    expect(stored.testAccuracy).toBeCloseTo(correct / 500, 10);
    const epochs = epochHistory(web.db, run.id);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs.every((e) => e.valAccuracy !== null && e.valLoss !== null && e.seconds > 0)).toBe(true);
    expect(epochScalarHistory(web.db, run.id).size).toBe(0);
    // The model went up as ONNX, fed the test images as the script said it feeds them.
    expect(loadImportedModel(web.db, run.id)).toMatchObject({ framework: 'onnx', inputLayout: 'nhwc', inputScale: 'unit' });
  });

  it('keeps the feed a script names for its model, over what a trial batch would suggest, and refuses one it cannot read', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const run = await startRun(url, { name: 'normalised', params: {} });
    await run.logModel(model, { normalize: [0.5, 0.25] });
    expect(loadImportedModel(web.db, run.id)).toMatchObject({ inputScale: 'normalize:0.5,0.25' });
    await expect(run.logModel(model, { scale: 'sideways' as 'unit' })).rejects.toThrow(/scale must be one of auto, unit, byte; got 'sideways'/);
    expect(getRun(web.db, run.id).status).toBe('running');
    await run.end('cancelled');
  });

  it('fails the run with the error when the training throws, and rethrows it', async () => {
    const run = await startRun(url, { name: 'broken', params: {} });
    await expect(run.track(async () => { throw new RangeError('the batch does not fit'); })).rejects.toThrow('the batch does not fit');
    expect(getRun(web.db, run.id)).toMatchObject({ status: 'failed', error: 'RangeError: the batch does not fit' });
  });
});
