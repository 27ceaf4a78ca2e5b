import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random.ts';

/**
 * Dropout whose masks come from a seeded stream, so a run with dropout repeats exactly for its
 * seed. tfjs' own Dropout either draws from Math.random or, given a seed, draws the same mask on
 * every step. It serialises as Keras' plain "Dropout" (identity at inference), so saved models
 * load anywhere.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'Dropout';
  private readonly rate: number;
  private readonly random: () => number;

  constructor(args: { rate: number; seed: number; inputShape?: number[] }) {
    super(args);
    this.rate = args.rate;
    this.random = seededRandom(args.seed);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training || this.rate === 0) return input;
    const keep = 1 - this.rate;
    const mask = new Float32Array(input.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.random() < keep ? 1 / keep : 0;
    return tf.tidy(() => tf.mul(input, tf.tensor(mask, input.shape)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { rate: this.rate, ...super.getConfig() };
  }
}
