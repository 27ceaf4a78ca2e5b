import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../backend.ts';
import { modelPredictor } from '../../../models/probability-fn.ts';
import { buildModel } from '../../../models/model.ts';
import { trainingOptimizer } from '../../recipe.ts';
import { lossWithCounts, minimizeStep } from '../../step-loss.ts';
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
/** The whole batch's gradient, summed here from the replicas' rows. */
const summed = new Float32Array(count);
let steps = 0;

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
 * Adds the replicas' rows of one gradient half into `summed`, in rank order, so that every
 * replica computes the same float32 sums.
 */
function sumRows(half: number): void {
  const base = half * init.replicas * count;
  summed.set(gradients.subarray(base, base + count));
  for (let r = 1; r < init.replicas; r++) {
    const row = gradients.subarray(base + r * count, base + (r + 1) * count);
    for (let i = 0; i < count; i++) summed[i] = summed[i]! + row[i]!;
  }
}

const shardTensors = (request: Extract<ReplicaRequest, { kind: 'step' }>) => ({
  x: tf.tensor4d(request.x, [request.rows, 28, 28, 1]),
  y: tf.tensor2d(request.y, [request.rows, request.y.length / request.rows]),
});

/**
 * Each replica differentiates its shard's mean loss scaled by the shard's share of the batch, so
 * the replicas' gradients sum to the whole batch's. Returns that scaled loss.
 *
 * Steps alternate between two halves of the gradient buffer, so one barrier a step suffices: a
 * replica writing step k+1's rows cannot overwrite step k's, which another may still be reading,
 * and it cannot reach step k+2 (the same half as k) before every replica has passed step k+1's
 * barrier, that is, finished reading step k.
 */
function step(request: Extract<ReplicaRequest, { kind: 'step' }>): ShardResult {
  // Alone, a replica has nothing to exchange: its gradients stay in the engine.
  if (init.replicas === 1) {
    return tf.tidy(() => {
      const { x, y } = shardTensors(request);
      return minimizeStep(model, optimizer, x, y, init.labelSmoothing);
    });
  }
  const share = request.share;
  const half = steps++ % 2;
  const result = tf.tidy(() => {
    const { x, y } = shardTensors(request);
    let counts: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const shard = lossWithCounts(model, x, y, init.labelSmoothing);
      counts = shard.counts;
      return shard.loss.mul(share) as tf.Scalar;
    }, variables);
    let offset = (half * init.replicas + init.rank) * count;
    for (const v of variables) {
      gradients.set(grads[v.name]!.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    const [correct, nonFinite] = counts!.dataSync();
    counts!.dispose();
    return { loss: value.dataSync()[0]!, correct: correct!, nonFiniteOutputs: nonFinite! };
  });
  waitForAllReplicas();
  sumRows(half);
  tf.tidy(() => {
    let offset = 0;
    const named = variables.map((v, i) => {
      const tensor = tf.tensor(summed.subarray(offset, offset + sizes[i]!), v.shape);
      offset += sizes[i]!;
      return { name: v.name, tensor };
    });
    optimizer.applyGradients(named);
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
