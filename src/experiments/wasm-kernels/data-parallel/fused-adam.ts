import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../adam-update.ts';

/**
 * tf.train.adam's update, one fused wasm kernel per variable instead of a dozen; the results are
 * the same to the bit (same operations, same float32 rounding, same epsilon).
 */
export class FusedAdam {
  private readonly moments: { m: tf.Variable; v: tf.Variable }[];
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = tf.backend().epsilon(),
  ) {
    this.moments = variables.map((w) => ({
      m: tf.zerosLike(w).variable(false),
      v: tf.zerosLike(w).variable(false),
    }));
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
  }

  /** Applies one step; gradients are in the order of the variables given to the constructor. */
  apply(gradients: tf.Tensor[]): void {
    const attrs: AdamUpdateAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      oneMinusAccBeta1: Math.fround(1 - this.accBeta1),
      oneMinusAccBeta2: Math.fround(1 - this.accBeta2),
      epsilon: this.epsilon,
      learningRate: this.learningRate,
    };
    tf.tidy(() => {
      this.variables.forEach((value, i) => {
        const { m, v } = this.moments[i]!;
        const inputs = { gradient: gradients[i]!, m, v, value };
        const [m2, v2, w2] = tf.engine().runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(w2!);
      });
    });
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
  }

  dispose(): void {
    for (const { m, v } of this.moments) tf.dispose([m, v]);
  }
}
