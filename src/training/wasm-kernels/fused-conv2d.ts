import * as tf from '@tensorflow/tfjs';
import { computeInfo, convolveNative, nativeApplies } from './conv2d.ts';
import { type Info, type WasmKernelArgs, wrapKernel } from './heap.ts';

/**
 * Convolution with bias and relu, as layers run it outside training (predict, evaluate), on the
 * native tiles with the bias and relu applied as each tile is stored.
 */
export function makeFusedConv2DConfig(original: tf.KernelConfig): tf.KernelConfig {
  function fusedConv2D(args: WasmKernelArgs, fallback: () => Info): Info {
    const { backend } = args;
    const x = args.inputs.x as Info;
    const filter = args.inputs.filter as Info;
    const bias = args.inputs.bias as Info | undefined;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const info = computeInfo(x, filter, attrs);
    const simpleBias = bias == null || (bias.shape.length === 1 && bias.shape[0] === info.outChannels);
    const activation = attrs.activation ?? 'linear';
    const fusable = (activation === 'linear' || activation === 'relu') && args.inputs.preluActivationWeights == null;
    if (!nativeApplies(info) || !simpleBias || !fusable) {
      return fallback();
    }
    return convolveNative(backend, x, filter, info, { bias: bias ?? undefined, relu: activation === 'relu' });
  }
  return wrapKernel(original, fusedConv2D);
}
