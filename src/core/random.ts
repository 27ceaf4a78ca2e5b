/** mulberry32: a tiny seeded PRNG, so shuffling repeats exactly for a given seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of 0..n-1 driven by `random`. */
export function shuffledIndices(n: number, random: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/** A stream of numbers for one (seed, keys...), e.g. (seed, image, epoch): what an image gets does not depend on batch order. */
export function keyedRandom(seed: number, ...keys: number[]): () => number {
  let state = seed >>> 0;
  for (const key of keys) state = Math.imul(state ^ (key + 0x9e3779b9), 0x85ebca6b) >>> 0;
  return seededRandom(state);
}
