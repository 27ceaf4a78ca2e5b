import { describe, expect, it } from 'vitest';
import { NATIVE_BINARIES, nativeVariant, type NativeKernels, type NativeVariant } from '../../../src/training/wasm-kernels/native.ts';

/** Both binaries' gemm on their own memory against a plain JS product. */
function gemmWith(variant: NativeVariant, a: Float32Array, b: Float32Array, M: number, N: number, K: number): Float32Array {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const module = new WebAssembly.Module(Buffer.from(NATIVE_BINARIES[variant], 'base64'));
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as NativeKernels;
  const [aAt, bAt, packedAt, cAt] = [0, M * K * 4, (M * K + K * N) * 4, (M * K + 2 * K * N) * 4];
  new Float32Array(memory.buffer, aAt, M * K).set(a);
  new Float32Array(memory.buffer, bAt, K * N).set(b);
  kernels.pack_panels(bAt, packedAt, K, N);
  kernels.gemm(aAt, K, 1, packedAt, cAt, M, N, K);
  return new Float32Array(memory.buffer, cAt, M * N).slice();
}

describe('the native kernel binaries', () => {
  const [M, N, K] = [13, 16, 37];
  const a = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.7));
  const expected = new Float32Array(M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) expected[m * N + n]! += a[m * K + k]! * b[k * N + n]!;

  it('uses relaxed SIMD in this Node, setting its flag where it needs one', () => {
    expect(nativeVariant).toBe(process.env.DIGITLAB_RELAXED_SIMD === '0' ? 'simd' : 'relaxed-simd');
    expect(WebAssembly.validate(Buffer.from(NATIVE_BINARIES['relaxed-simd'], 'base64'))).toBe(nativeVariant === 'relaxed-simd');
  });

  it.each(['simd', 'relaxed-simd'] as const)('multiplies matrices correctly with the %s binary', (variant) => {
    const c = gemmWith(variant, a, b, M, N, K);
    for (let i = 0; i < c.length; i++) expect(Math.abs(c[i]! - expected[i]!)).toBeLessThan(1e-4);
  });
});
