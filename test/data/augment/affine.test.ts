import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { transformBatch, type AugmentSettings } from '../../../src/data/augment/affine.ts';
import { gatherBatchArrays } from '../../../src/data/batches.ts';
import { loadMnist } from '../../../src/data/mnist.ts';

const train = loadMnist('train', { limit: 2000 });
const INDICES = Uint32Array.from({ length: 64 }, (_, i) => (i * 31) % 2000);

/** sha256 of one augmented batch's float32 pixels (seed 7, epoch 2). */
function batchHash(settings: AugmentSettings): string {
  const { pixels } = gatherBatchArrays(train, INDICES, (p, indices) => transformBatch(p, indices, settings, 7, 2));
  return createHash('sha256').update(new Uint8Array(pixels.buffer)).digest('hex');
}

describe('--augment transforms', () => {
  // Computed on affine.ts as it was before the sampling loop was made faster (279fecd): a run
  // with --augment trains on exactly the images it did, bit for bit.
  it.each([
    [{ shift: 2, rotate: 10, scale: 0.1 }, '2d259bd9b7bc0a742ab5a259e8d010769ba5778cbc7ff2c5a69833dc2c4f3538'],
    [{ shift: 3 }, 'a19099286409a3b8ada5f8ef1fa856545dd179467958e0c968bccfc01635c099'],
    [{ rotate: 30, elastic: 34 }, 'c26cfbd14e7c684ad3644638bfcbe0a542d30ef46b8dbd4883f2f05e164a0d09'],
  ])('augment a batch for a seed exactly as before the speed-up: %j', (settings, hash) => {
    expect(batchHash(settings)).toBe(hash);
  });

  it('changes the batch, and differently for another seed', () => {
    const plain = gatherBatchArrays(train, INDICES).pixels;
    const augmented = (seed: number) => gatherBatchArrays(train, INDICES, (p, i) => transformBatch(p, i, { shift: 2, rotate: 10 }, seed, 1)).pixels;
    expect(augmented(1)).not.toEqual(plain);
    expect(augmented(1)).toEqual(augmented(1));
    expect(augmented(2)).not.toEqual(augmented(1));
  });
});
