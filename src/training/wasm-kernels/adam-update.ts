import { type Info, type WasmKernelArgs, addr, alloc, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

/** Kernel name of one fused Adam step for one variable; outputs [m', v', value']. */
export const ADAM_UPDATE = 'DigitlabAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  /** 1 - beta^t, as float32 products the way tf.train.adam accumulates them. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  learningRate: number;
}

/**
 * The whole Adam update of a variable in one pass, where tf.train.adam runs a dozen kernels (and
 * as many engine round trips) per variable.
 */
function adamUpdate(args: WasmKernelArgs): Info[] {
  const { backend } = args;
  const { gradient, m, v, value } = args.inputs as Record<string, Info>;
  const a = args.attrs as unknown as AdamUpdateAttrs;
  const [m2, v2, w2] = [alloc(backend, m!.shape), alloc(backend, v!.shape), alloc(backend, value!.shape)];
  nativeKernels(backend).adam_update(
    addr(backend, gradient!), addr(backend, m!), addr(backend, v!), addr(backend, value!),
    addr(backend, m2), addr(backend, v2), addr(backend, w2), value!.shape.reduce((p, q) => p * q, 1),
    a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2, a.epsilon, -a.learningRate,
  );
  return [m2, v2, w2];
}

export const adamUpdateConfig = wasmKernelConfig(ADAM_UPDATE, adamUpdate as unknown as (args: WasmKernelArgs) => Info);
