import v8 from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { NATIVE_KERNELS_RELAXED_WASM, NATIVE_KERNELS_WASM } from './native-binary.ts';

/**
 * The SIMD kernels compiled from native/*.c. They run inside the tfjs wasm backend's own memory,
 * so they take and write tensors in place by heap address (bytes), with no copies.
 */
export interface NativeKernels {
  pack_panels(b: number, out: number, K: number, N: number): void;
  pack_panels_transposed(bt: number, out: number, K: number, N: number): void;
  gemm(a: number, rowStride: number, kStride: number, packed: number, c: number, M: number, N: number, K: number): void;
  gemm_acc(a: number, rowStride: number, kStride: number, packed: number, c: number, M: number, N: number, K: number): void;
  conv_forward(
    x: number, packed: number, bias: number, relu: number, y: number, N: number, H: number, W: number, C: number,
    OH: number, OW: number, OC: number, KH: number, KW: number, SH: number, SW: number,
  ): void;
  winograd_pack_filter(w: number, out: number, C: number, OC: number, transpose: number): void;
  winograd_conv(
    x: number, U: number, bias: number, relu: number, y: number, V: number, M: number, edge: number,
    N: number, H: number, W: number, C: number, OC: number, block: number,
  ): void;
  winograd_filter_grad(
    x: number, dy: number, dw: number, V: number, D: number, M: number, edge: number,
    N: number, H: number, W: number, C: number, OC: number, block: number,
  ): void;
  winograd_input_grad(
    dy: number, UT: number, dx: number, D: number, X: number, N: number, H: number, W: number, C: number, OC: number,
    PT: number, PB: number, PL: number, PR: number, block: number,
  ): void;
  pack_taps_transposed(w: number, out: number, taps: number, C: number, OC: number): void;
  conv_backprop_input(
    dy: number, packed: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    OC: number, KH: number, KW: number, SH: number, SW: number, PT: number, PL: number,
  ): void;
  conv_backprop_filter(
    x: number, dyPanels: number, dw: number, offsets: number, N: number, H: number, W: number, C: number,
    OH: number, OW: number, OC: number, KH: number, KW: number, SH: number, SW: number,
  ): void;
  max_pool_backprop(
    x: number, dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    FH: number, FW: number, SH: number, SW: number, PT: number, PL: number,
  ): void;
  avg_pool_backprop(
    dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    FH: number, FW: number, SH: number, SW: number, PT: number, PL: number,
  ): void;
  relu_backward(dy: number, x: number, dx: number, n: number): void;
  add_bias(x: number, bias: number, y: number, rows: number, C: number, relu: number): void;
  column_sums(x: number, out: number, partial: number, rows: number, C: number): void;
  relu_bias_backward(dy: number, y: number, dz: number, db: number, partial: number, rows: number, C: number): void;
  adam_update(
    g: number, m: number, v: number, w: number, m2: number, v2: number, w2: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negLearningRate: number,
  ): void;
  pad_images(x: number, out: number, N: number, H: number, W: number, C: number, PT: number, PB: number, PL: number, PR: number): void;
  batch_norm_forward(
    x: number, gamma: number, beta: number, y: number, mean: number, variance: number, scratch: number, rows: number, C: number, eps: number,
  ): void;
  batch_norm_backward(
    dy: number, x: number, mean: number, variance: number, gamma: number, dx: number, dgamma: number, dbeta: number,
    scratch: number, rows: number, C: number, eps: number,
  ): void;
}

interface EmscriptenExports {
  asm: { memory: WebAssembly.Memory };
}

export type NativeVariant = 'relaxed-simd' | 'simd';

/**
 * Relaxed SIMD (fused multiply-add) where the engine has it: Node 22 and later by default. Node 20
 * has it behind --experimental-wasm-relaxed-simd, which applies to modules compiled after it is
 * set, so it is set here when validation fails without it. DIGITLAB_RELAXED_SIMD=0 keeps to the
 * baseline binary (to compare the two).
 */
function chooseVariant(): NativeVariant {
  if (process.env.DIGITLAB_RELAXED_SIMD === '0') return 'simd';
  const relaxed = Buffer.from(NATIVE_KERNELS_RELAXED_WASM, 'base64');
  if (WebAssembly.validate(relaxed)) return 'relaxed-simd';
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(relaxed) ? 'relaxed-simd' : 'simd';
}

/** Which binary of native/*.c this process runs. */
export const nativeVariant: NativeVariant = chooseVariant();

export const NATIVE_BINARIES: Record<NativeVariant, string> = {
  'relaxed-simd': NATIVE_KERNELS_RELAXED_WASM,
  simd: NATIVE_KERNELS_WASM,
};

const compiled = new WebAssembly.Module(Buffer.from(NATIVE_BINARIES[nativeVariant], 'base64'));
const instances = new WeakMap<BackendWasm, NativeKernels>();

export function nativeKernels(backend: BackendWasm): NativeKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    const memory = (backend.wasm as unknown as EmscriptenExports).asm.memory;
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as NativeKernels;
    instances.set(backend, kernels);
  }
  return kernels;
}
