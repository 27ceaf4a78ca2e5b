import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../backend.ts';
import { buildModel } from '../../model.ts';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './protocol.ts';

/**
 * One model replica on its own thread and wasm backend. Every replica starts from the same seeded
 * weights and applies the same averaged gradients with the same Adam state, so all replicas stay
 * bit-identical without ever exchanging weights.
 */
const init = workerData as ReplicaInit;
const port = parentPort!;
const reply = (message: ReplicaReply) => port.postMessage(message);

await selectBackend('wasm');
const model = buildModel(init.spec, init.seed);
const optimizer = tf.train.adam(init.learningRate);
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const sizes = variables.map((v) => v.size);
const count = sizes.reduce((a, b) => a + b, 0);
const gradients = new Float32Array(init.gradients);
const barrier = new Int32Array(init.barrier);
const averaged = new Float32Array(count);

function waitForAllReplicas(): void {
  const generation = Atomics.load(barrier, 1);
  if (Atomics.add(barrier, 0, 1) === init.replicas - 1) {
    Atomics.store(barrier, 0, 0);
    Atomics.add(barrier, 1, 1);
    Atomics.notify(barrier, 1);
  } else {
    while (Atomics.load(barrier, 1) === generation) Atomics.wait(barrier, 1, generation);
  }
}

function step(request: Extract<ReplicaRequest, { kind: 'step' }>): number {
  const own = init.rank * count;
  const loss = tf.tidy(() => {
    const x = tf.tensor4d(request.x, [request.rows, 28, 28, 1]);
    const y = tf.tensor2d(request.y, [request.rows, 10]);
    const { value, grads } = tf.variableGrads(
      () => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar,
      variables,
    );
    let offset = own;
    for (const v of variables) {
      gradients.set(grads[v.name]!.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return value.dataSync()[0]!;
  });
  waitForAllReplicas();
  // Every replica sums the rows in rank order, so all of them compute identical averages.
  averaged.fill(0);
  for (let r = 0; r < init.replicas; r++) {
    const weight = request.weights[r]!;
    const row = gradients.subarray(r * count, (r + 1) * count);
    for (let i = 0; i < count; i++) averaged[i] = averaged[i]! + weight * row[i]!;
  }
  // A second barrier: no replica may overwrite its row for the next step while another still reads.
  waitForAllReplicas();
  tf.tidy(() => {
    let offset = 0;
    const named = variables.map((v, i) => {
      const tensor = tf.tensor(averaged.subarray(offset, offset + sizes[i]!), v.shape);
      offset += sizes[i]!;
      return { name: v.name, tensor };
    });
    optimizer.applyGradients(named);
  });
  return loss;
}

port.on('message', (request: ReplicaRequest) => {
  try {
    if (request.kind === 'step') reply({ kind: 'step', loss: step(request) });
    else if (request.kind === 'memory') reply({ kind: 'memory', tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() });
    else reply({ kind: 'weights', values: variables.map((v) => v.dataSync() as Float32Array), shapes: variables.map((v) => v.shape) });
  } catch (err) {
    reply({ kind: 'error', message: (err as Error).stack ?? String(err) });
  }
});
reply({ kind: 'ready', parameterCount: count });
