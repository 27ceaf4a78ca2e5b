import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Conv2D } from '../../../src/models/conv2d.ts';
import { CONV2D_TRAINING } from '../../../src/models/conv2d-kernel.ts';
import { Dense } from '../../../src/models/dense.ts';
import { DENSE_TRAINING } from '../../../src/models/dense-kernel.ts';
import { liveCountsOverTrainingSteps, maxAbsDiff, randomValues, useBackend } from './compare.ts';

type LayerArgs = Parameters<typeof tf.layers.conv2d>[0];
type DenseArgs = Parameters<typeof tf.layers.dense>[0];

interface Outcome {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db?: Float32Array;
  kernels: string[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * One training-mode call of a layer on x, with the gradients of sum(y * w) with respect to
 * x, the kernel and the bias. The bias starts away from zero, so that relu cuts some outputs that
 * the convolution alone would keep, and w weighs every output differently.
 */
async function trainingCall(backend: 'cpu' | 'wasm', layer: tf.layers.Layer, shape: number[]): Promise<Outcome> {
  await useBackend(backend);
  const x = tf.variable(tf.tensor(randomValues(size(shape), 21), shape));
  layer.build(shape);
  layer.setWeights(layer.weights.map((weight, i) => {
    const weightShape = weight.shape as number[];
    return tf.tensor(randomValues(size(weightShape), 22 + i).map((v) => 0.5 * v), weightShape);
  }));
  const [kernel, bias] = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const outShape = layer.computeOutputShape(shape) as number[];
  const w = tf.tensor(randomValues(size(outShape), 31), outShape);
  const variables = [x, kernel!, ...(bias ? [bias] : [])];
  let y: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, w));
    }, variables);
    return Object.values(grads);
  });
  const grads = profile.result as tf.Tensor[];
  const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  const outcome: Outcome = {
    y: (await y!.data()) as Float32Array,
    dx: values[0]!,
    dw: values[1]!,
    ...(bias ? { db: values[2]! } : {}),
    kernels: profile.kernelNames,
  };
  tf.dispose([x, w, y!, ...grads]);
  for (const weight of layer.weights) weight.dispose();
  return outcome;
}

const scaleOf = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * A case: the fused layer, tfjs' stock one with the same arguments, the fused kernel's name, and
 * whether the stock layer on wasm runs the same products (so the two agree to the bit). A linear
 * dense layer's it does not: tfjs fuses that itself, on the wasm package's XNNPACK product, which
 * sums in another order.
 */
interface Case {
  shape: number[];
  fused: () => tf.layers.Layer;
  stock: () => tf.layers.Layer;
  kernel: string;
  useBias: boolean;
  exact: boolean;
}

const conv = (shape: number[], args: LayerArgs): Case => ({
  shape, fused: () => new Conv2D(args), stock: () => tf.layers.conv2d(args), kernel: CONV2D_TRAINING, useBias: args.useBias !== false, exact: true,
});
const dense = (shape: number[], args: DenseArgs): Case => ({
  shape, fused: () => new Dense(args), stock: () => tf.layers.dense(args), kernel: DENSE_TRAINING, useBias: true, exact: args.activation === 'relu',
});

const CASES: [string, Case][] = [
  ["the reference CNN's first conv layer (one input channel)", conv([3, 28, 28, 1], { filters: 32, kernelSize: 3, activation: 'relu' })],
  ["the reference CNN's second conv layer (Winograd)", conv([2, 13, 13, 32], { filters: 64, kernelSize: 3, activation: 'relu' })],
  ['a conv layer with no activation', conv([2, 9, 9, 8], { filters: 12, kernelSize: 3 })],
  ['a conv layer with relu and no bias', conv([2, 9, 9, 3], { filters: 6, kernelSize: 3, activation: 'relu', useBias: false })],
  ["a conv layer with 'same' padding, stride 2, odd channel counts", conv([2, 10, 9, 5], { filters: 7, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' })],
  ["the reference CNN's dense layer", dense([6, 1600], { units: 64, activation: 'relu' })],
  ['a softmax layer (the activation after the fused product and bias)', dense([6, 64], { units: 10, activation: 'softmax' })],
  ['a linear dense layer, odd unit counts', dense([5, 7], { units: 13 })],
];

describe('conv2d and dense layers in training on wasm', () => {
  it.each(CASES)('%s: the stock layer on wasm (to the bit where it runs the same products) and on cpu to float32 rounding', async (_, c) => {
    const wasm = await trainingCall('wasm', c.fused(), c.shape);
    const stockWasm = await trainingCall('wasm', c.stock(), c.shape);
    const cpu = await trainingCall('cpu', c.stock(), c.shape);
    expect(wasm.kernels).toContain(c.kernel);
    expect(stockWasm.kernels).not.toContain(c.kernel);
    for (const key of ['y', 'dx', 'dw', 'db'] as const) {
      if (!c.useBias) {
        expect(wasm[key] === undefined, key).toBe(key === 'db');
        if (key === 'db') continue;
      }
      expect(scaleOf(cpu[key]!), key).toBeGreaterThan(0.01);
      if (c.exact) expect(wasm[key], key).toEqual(stockWasm[key]);
      else expect(maxAbsDiff(wasm[key]!, stockWasm[key]!), key).toBeLessThanOrEqual(1e-6 * Math.max(1, scaleOf(cpu[key]!)));
      expect(maxAbsDiff(wasm[key]!, cpu[key]!), key).toBeLessThanOrEqual(1e-5 * Math.max(1, scaleOf(cpu[key]!)));
    }
  }, 60_000);

  it('runs the stock layer where the fused kernel does not apply', async () => {
    await useBackend('wasm');
    const unfused: [tf.layers.Layer, number[], string][] = [
      [new Conv2D({ filters: 4, kernelSize: 3, dilationRate: 2 }), [2, 9, 9, 2], CONV2D_TRAINING],
      [new Conv2D({ filters: 4, kernelSize: 3, activation: 'tanh' }), [2, 9, 9, 2], CONV2D_TRAINING],
      [new Dense({ units: 4, useBias: false }), [3, 5], DENSE_TRAINING],
      [new Dense({ units: 4 }), [2, 3, 5], DENSE_TRAINING],
    ];
    for (const [layer, shape, kernel] of unfused) {
      const x = tf.tensor(randomValues(size(shape), 3), shape);
      const { kernelNames, result } = await tf.profile(() => layer.apply(x, { training: true }) as tf.Tensor);
      expect(kernelNames).not.toContain(kernel);
      tf.dispose([x, result as tf.Tensor]);
      for (const weight of layer.weights) weight.dispose();
    }
  });

  it.each([
    ['conv2d', () => new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu' }), [2, 8, 8, 4]],
    ['dense', () => new Dense({ units: 8, activation: 'softmax' }), [2, 12]],
  ] as const)('%s leaks no tensors and no wasm buffers across training steps', async (_, makeLayer, shape) => {
    await useBackend('wasm');
    const live = liveCountsOverTrainingSteps(makeLayer(), tf.tensor(randomValues(size([...shape]), 5), [...shape]));
    expect(live.slice(1)).toEqual([live[1], live[1], live[1]]);
  });

  it('saves as Keras Conv2D and Dense and loads back as the fused layers', async () => {
    await useBackend('wasm');
    const model = tf.sequential({
      layers: [new Conv2D({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3 }), tf.layers.flatten(), new Dense({ units: 3 })],
    });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['Conv2D', 'Flatten', 'Dense']);
    const loaded = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    expect(loaded.layers[0]).toBeInstanceOf(Conv2D);
    expect(loaded.layers[2]).toBeInstanceOf(Dense);
  });
});
