import { type Info, type WasmKernelArgs, wasmKernelConfig } from './heap.ts';

/**
 * Identity as a shared reference, as the cpu backend does it. The engine clones every tensor it
 * saves for the backward pass, and the wasm package copies the bytes each time; no wasm kernel
 * writes into its inputs, so sharing the buffer is safe.
 */
function identity(args: WasmKernelArgs): Info {
  const x = args.inputs.x as Info;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig = wasmKernelConfig('Identity', identity);
