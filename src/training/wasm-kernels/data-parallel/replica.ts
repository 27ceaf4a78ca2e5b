import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../backend.ts';
import { modelPredictor } from '../../../models/probability-fn.ts';
import { buildModel } from '../../../models/model.ts';
import { trainingOptimizer } from '../../recipe.ts';
import { lossWithCounts } from '../../step-loss.ts';
import type { ReplicaInit, ReplicaReply, ReplicaRequest, ShardResult } from './protocol.ts';

/**
 * One model replica on its own thread and backend (wasm, or cpu for a single replica). Every replica starts from the same seeded
 * weights and applies the same summed gradients with the same Adam state, so all replicas stay
 * bit-identical without ever exchanging weights.
 */
const init = workerData as ReplicaInit;
const port = parentPort!;
const reply = (message: ReplicaReply) => port.postMessage(message);

await selectBackend(init.backend);
const model = buildModel(init.spec, init.seed, init.rank);
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const optimizer = trainingOptimizer(init.recipe);
const predict = modelPredictor(model);
const sizes = variables.map((v) => v.size);
const count = sizes.reduce((a, b) => a + b, 0);
const gradients = new Float32Array(init.gradients);
const barrier = new Int32Array(init.barrier);

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

/**
 * Each replica differentiates its shard's mean loss scaled by the shard's share of the batch, so
 * the replicas' gradients sum to the whole batch's. Returns that scaled loss.
 */
function step(request: Extract<ReplicaRequest, { kind: 'step' }>): ShardResult {
  const share = request.share;
  const result = tf.tidy(() => {
    const x = tf.tensor4d(request.x, [request.rows, 28, 28, 1]);
    const y = tf.tensor2d(request.y, [request.rows, request.y.length / request.rows]);
    let counts: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const shard = lossWithCounts(model, x, y, init.labelSmoothing);
      counts = shard.counts;
      return shard.loss.mul(share) as tf.Scalar;
    }, variables);
    let offset = init.rank * count;
    for (const v of variables) {
      gradients.set(grads[v.name]!.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    const [correct, nonFinite] = counts!.dataSync();
    counts!.dispose();
    return { loss: value.dataSync()[0]!, correct: correct!, nonFiniteOutputs: nonFinite! };
  });
  waitForAllReplicas();
  tf.tidy(() => {
    let offset = 0;
    const summed = variables.map((v, i) => {
      // Every replica adds the rows in rank order, so all of them compute identical sums.
      const rows = Array.from({ length: init.replicas }, (_, r) =>
        tf.tensor(gradients.subarray(r * count + offset, r * count + offset + sizes[i]!), v.shape),
      );
      offset += sizes[i]!;
      return { name: v.name, tensor: tf.addN(rows) };
    });
    // A second barrier: no replica may overwrite its row for the next step while another still reads.
    waitForAllReplicas();
    optimizer.applyGradients(summed);
  });
  return result;
}

port.on('message', async (request: ReplicaRequest) => {
  try {
    if (request.kind === 'step') reply({ kind: 'step', ...step(request) });
    else if (request.kind === 'predict') reply({ kind: 'predict', outputs: await predict(request.x, request.rows, request.withEmbeddings) });
    else if (request.kind === 'memory') reply({ kind: 'memory', tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() });
    else {
      // All weights, batch norm's moving statistics too (each replica's own, from its shards).
      const weights = model.weights.map((w) => w.read());
      reply({ kind: 'weights', values: weights.map((w) => w.dataSync() as Float32Array), shapes: weights.map((w) => w.shape) });
    }
  } catch (err) {
    reply({ kind: 'error', message: (err as Error).stack ?? String(err) });
  }
});
reply({ kind: 'ready', parameterCount: count });
