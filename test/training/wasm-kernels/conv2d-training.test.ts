import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Conv2D } from '../../../src/models/conv2d.ts';
import { CONV2D_TRAINING } from '../../../src/models/conv2d-kernel.ts';
import { maxAbsDiff, randomValues, useBackend } from './compare.ts';

type LayerArgs = Parameters<typeof tf.layers.conv2d>[0];

interface Outcome {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db?: Float32Array;
  kernels: string[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * One training-mode call of a conv2d layer on x, with the gradients of sum(y * w) with respect to
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

const CASES: [string, number[], LayerArgs][] = [
  ["the reference CNN's first layer (one input channel)", [3, 28, 28, 1], { filters: 32, kernelSize: 3, activation: 'relu' }],
  ["the reference CNN's second layer (Winograd)", [2, 13, 13, 32], { filters: 64, kernelSize: 3, activation: 'relu' }],
  ['no activation', [2, 9, 9, 8], { filters: 12, kernelSize: 3 }],
  ['relu without a bias', [2, 9, 9, 3], { filters: 6, kernelSize: 3, activation: 'relu', useBias: false }],
  ["'same' padding, stride 2, odd channel counts", [2, 10, 9, 5], { filters: 7, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' }],
];

describe('conv2d layers in training on wasm', () => {
  it.each(CASES)('%s: the stock layer on wasm to the bit, and on cpu to float32 rounding', async (_, shape, args) => {
    const wasm = await trainingCall('wasm', new Conv2D(args), shape);
    const stockWasm = await trainingCall('wasm', tf.layers.conv2d(args), shape);
    const cpu = await trainingCall('cpu', tf.layers.conv2d(args), shape);
    expect(wasm.kernels).toContain(CONV2D_TRAINING);
    expect(stockWasm.kernels).not.toContain(CONV2D_TRAINING);
    for (const key of ['y', 'dx', 'dw', 'db'] as const) {
      if (args.useBias === false) {
        expect(wasm[key] === undefined, key).toBe(key === 'db');
        if (key === 'db') continue;
      }
      expect(scaleOf(cpu[key]!), key).toBeGreaterThan(0.1);
      expect(wasm[key], key).toEqual(stockWasm[key]);
      expect(maxAbsDiff(wasm[key]!, cpu[key]!), key).toBeLessThanOrEqual(1e-5 * Math.max(1, scaleOf(cpu[key]!)));
    }
  }, 60_000);

  it('runs the stock layer where the fused kernel does not apply (dilation, other activations)', async () => {
    await useBackend('wasm');
    const x = tf.tensor(randomValues(2 * 9 * 9 * 2, 3), [2, 9, 9, 2]);
    for (const args of [{ filters: 4, kernelSize: 3, dilationRate: 2 }, { filters: 4, kernelSize: 3, activation: 'tanh' }] as LayerArgs[]) {
      const layer = new Conv2D(args);
      const { kernelNames, result } = await tf.profile(() => layer.apply(x, { training: true }) as tf.Tensor);
      expect(kernelNames).not.toContain(CONV2D_TRAINING);
      tf.dispose(result as tf.Tensor);
      for (const weight of layer.weights) weight.dispose();
    }
    x.dispose();
  });

  it('leaks no tensors and no wasm buffers across training steps', async () => {
    await useBackend('wasm');
    const layer = new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu' });
    const x = tf.tensor(randomValues(2 * 8 * 8 * 4, 5), [2, 8, 8, 4]);
    layer.build(x.shape);
    const live: number[][] = [];
    for (let step = 0; step < 4; step++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)));
      tf.dispose([value, ...Object.values(grads)]);
      live.push([tf.memory().numTensors, tf.engine().backend.numDataIds()]);
    }
    expect(live.slice(1)).toEqual([live[1], live[1], live[1]]);
  });

  it('saves as Keras Conv2D and loads back as the fused layer', async () => {
    await useBackend('wasm');
    const model = tf.sequential({ layers: [new Conv2D({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3 })] });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.map((l) => l.class_name)).toContain('Conv2D');
    const loaded = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    expect(loaded.layers.some((l) => l instanceof Conv2D)).toBe(true);
  });
});
