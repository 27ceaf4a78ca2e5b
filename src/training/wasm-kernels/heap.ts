import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A kernel's output or intermediate as the wasm backend sees it: metadata, no engine tracking. */
export type Info = tf.TensorInfo;

/** What tfjs hands a kernel registered for the wasm backend. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}

/** Registration for a kernel written against the wasm backend's own type. */
export function wasmKernelConfig(kernelName: string, kernel: (args: WasmKernelArgs) => Info): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}

/**
 * Registration for a kernel that handles some cases itself and hands the rest to `original`,
 * the package's kernel (whose setup it keeps, as the fallback needs it).
 */
export function wrapKernel(
  original: tf.KernelConfig,
  kernel: (args: WasmKernelArgs, fallback: () => Info) => Info,
): tf.KernelConfig {
  const kernelFunc = (args: WasmKernelArgs) =>
    kernel(args, () => original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info);
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * A float32 view of a tensor's bytes on the wasm heap. Views are invalidated when the heap grows,
 * so take them only after every allocation the kernel makes.
 */
export function f32(backend: BackendWasm, info: Info): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A tensor's byte address on the wasm heap, as the native kernels take it. */
export function addr(backend: BackendWasm, info: Info): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

export function release(backend: BackendWasm, ...infos: Info[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** n rounded up to whole panels of 8 columns: the width of a matrix the native kernels pack. */
export function panels8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Allocates an uninitialised float32 tensor on the wasm heap. */
export function alloc(backend: BackendWasm, shape: number[]): Info {
  return backend.makeOutput(shape, 'float32');
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap };

/**
 * Runs another wasm kernel directly, bypassing the engine, the way the wasm package's own kernels
 * compose: the result is untracked and the caller must release it.
 */
export function runWasmKernel(backend: BackendWasm, kernelName: string, args: KernelArgs): Info {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm backend has no ${kernelName} kernel`);
  return kernel.kernelFunc({ backend, inputs: args.inputs, attrs: args.attrs ?? {} }) as Info;
}
