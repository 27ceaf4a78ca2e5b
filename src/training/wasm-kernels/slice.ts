import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, wrapKernel } from './heap.ts';

/**
 * Slice, with contiguous slices (a run of leading-axis rows, as batching takes them) copied
 * straight from the heap: the package reads the whole source tensor out of the heap first, so
 * each batch sliced from a large dataset tensor cost a copy of the dataset.
 */
export function makeSliceConfig(original: tf.KernelConfig): tf.KernelConfig {
  function slice(args: WasmKernelArgs, fallback: () => Info): Info {
    const { backend } = args;
    const x = args.inputs.x as Info;
    const attrs = args.attrs as unknown as tf.SliceAttrs;
    if (x.dtype === 'string') return fallback();
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size) as [number[], number[]];
    if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return fallback();
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    const count = tf.util.sizeFromShape(size);
    const out = backend.makeOutput(size, x.dtype);
    const source = backend.typedArrayFromHeap(x);
    backend.typedArrayFromHeap(out).set(source.subarray(offset, offset + count));
    return out;
  }
  return wrapKernel(original, slice);
}
