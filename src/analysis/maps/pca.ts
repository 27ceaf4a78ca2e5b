/**
 * Principal-component projection by subspace iteration on the covariance of a sample of rows.
 * Neighbour search costs rows^2 x dimensions, so projecting 784 pixels (or 64 activations) to a
 * few dozen components first is what makes a 10,000-point map take seconds, not minutes.
 */
export function projectToPrincipalComponents(
  data: ArrayLike<number>,
  dimensions: number,
  components: number,
  random: () => number,
  sampleSize = 1000,
): Float32Array {
  const count = data.length / dimensions;
  const mean = new Float64Array(dimensions);
  for (let i = 0; i < count; i++) for (let d = 0; d < dimensions; d++) mean[d]! += data[i * dimensions + d]! / count;
  const covariance = sampleCovariance(data, dimensions, mean, Math.max(1, Math.floor(count / sampleSize)));
  const basis = leadingSubspace(covariance, dimensions, Math.min(components, dimensions), random);
  const projected = new Float32Array(count * basis.length);
  const centred = new Float64Array(dimensions);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dimensions; d++) centred[d] = data[i * dimensions + d]! - mean[d]!;
    basis.forEach((axis, c) => {
      let dot = 0;
      for (let d = 0; d < dimensions; d++) dot += centred[d]! * axis[d]!;
      projected[i * basis.length + c] = dot;
    });
  }
  return projected;
}

/** Covariance (unnormalised: only its eigenvectors matter) of every `stride`-th row. */
function sampleCovariance(data: ArrayLike<number>, dimensions: number, mean: Float64Array, stride: number): Float64Array {
  const covariance = new Float64Array(dimensions * dimensions);
  const centred = new Float64Array(dimensions);
  for (let i = 0; i < data.length / dimensions; i += stride) {
    for (let d = 0; d < dimensions; d++) centred[d] = data[i * dimensions + d]! - mean[d]!;
    for (let a = 0; a < dimensions; a++) {
      const x = centred[a]!;
      if (x === 0) continue; // MNIST's border pixels are always 0 minus a tiny mean: skip the work
      for (let b = a; b < dimensions; b++) covariance[a * dimensions + b]! += x * centred[b]!;
    }
  }
  for (let a = 0; a < dimensions; a++) for (let b = 0; b < a; b++) covariance[a * dimensions + b] = covariance[b * dimensions + a]!;
  return covariance;
}

/**
 * Orthonormal basis of (nearly) the `k` leading eigenvectors of a symmetric matrix, by subspace
 * iteration. A neighbour search needs the subspace, not exact axes: 15 rounds are plenty.
 */
function leadingSubspace(matrix: Float64Array, n: number, k: number, random: () => number, iterations = 15): Float64Array[] {
  let basis = Array.from({ length: k }, () => Float64Array.from({ length: n }, () => random() - 0.5));
  orthonormalise(basis);
  for (let iteration = 0; iteration < iterations; iteration++) {
    basis = basis.map((v) => {
      const w = new Float64Array(n);
      for (let a = 0; a < n; a++) {
        let sum = 0;
        for (let b = 0; b < n; b++) sum += matrix[a * n + b]! * v[b]!;
        w[a] = sum;
      }
      return w;
    });
    orthonormalise(basis);
  }
  return basis;
}

/** Modified Gram-Schmidt, in place. */
function orthonormalise(vectors: Float64Array[]): void {
  vectors.forEach((v, i) => {
    for (let j = 0; j < i; j++) {
      const u = vectors[j]!;
      let dot = 0;
      for (let d = 0; d < v.length; d++) dot += v[d]! * u[d]!;
      for (let d = 0; d < v.length; d++) v[d]! -= dot * u[d]!;
    }
    const norm = Math.hypot(...v) || 1;
    for (let d = 0; d < v.length; d++) v[d]! /= norm;
  });
}
