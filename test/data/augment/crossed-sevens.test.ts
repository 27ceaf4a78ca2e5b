import { beforeAll, describe, expect, it } from 'vitest';
import { batchAugmentation } from '../../../src/data/augment/batch-augmentation.ts';
import { crossingBar, crossSevens, isCrossed } from '../../../src/data/augment/crossed-sevens.ts';
import { selectBackend } from '../../../src/training/backend.ts';
import { gatherBatch } from '../../../src/data/batches.ts';
import { parseHyperparameters } from '../../../src/training/run-request.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { smallRunParams } from '../../helpers/db.ts';

const train = loadMnist('train', { limit: 2000 });
const indices = Uint32Array.from({ length: train.count }, (_, i) => i);
const sevens = Array.from(indices).filter((i) => train.labels[i] === 7);

function scaled(): Float32Array {
  return Float32Array.from(train.images, (v) => v / 255);
}

function augmented(options: { fraction: number; seed: number; epoch: number }): Float32Array {
  const pixels = scaled();
  crossSevens(pixels, indices, train.labels, options);
  return pixels;
}

const image = (pixels: Float32Array, i: number) => pixels.subarray(i * 784, (i + 1) * 784);
const bytes = (pixels: Float32Array) => Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
const changed = (a: Float32Array, b: Float32Array, i: number) => !bytes(image(a, i)).equals(bytes(image(b, i)));
const same = (a: Float32Array, b: Float32Array) => bytes(a).equals(bytes(b));

describe('crossing sevens', () => {
  const original = scaled();
  const half = augmented({ fraction: 0.5, seed: 11, epoch: 1 });

  it('changes only sevens, and about the asked fraction of them', () => {
    const altered = Array.from(indices).filter((i) => changed(half, original, i));
    expect(altered.every((i) => train.labels[i] === 7)).toBe(true);
    const share = altered.length / sevens.length;
    expect(share).toBeGreaterThan(0.38);
    expect(share).toBeLessThan(0.62);
    expect(altered).toEqual(sevens.filter((i) => isCrossed(11, i, 0.5)));
  });

  it('crosses every seven at 1 and none at 0', () => {
    const all = augmented({ fraction: 1, seed: 11, epoch: 1 });
    expect(sevens.every((i) => changed(all, original, i))).toBe(true);
    expect(same(augmented({ fraction: 0, seed: 11, epoch: 1 }), original)).toBe(true);
  });

  it('repeats exactly for a seed; another seed picks other sevens; another epoch draws other bars', () => {
    expect(same(augmented({ fraction: 0.5, seed: 11, epoch: 1 }), half)).toBe(true);
    const otherSeed = augmented({ fraction: 0.5, seed: 12, epoch: 1 });
    expect(sevens.filter((i) => changed(otherSeed, original, i))).not.toEqual(sevens.filter((i) => changed(half, original, i)));
    const nextEpoch = augmented({ fraction: 0.5, seed: 11, epoch: 2 });
    const crossed = sevens.filter((i) => isCrossed(11, i, 0.5));
    expect(crossed.every((i) => changed(nextEpoch, original, i))).toBe(true);
    expect(crossed.some((i) => changed(nextEpoch, half, i))).toBe(true);
  });

  it('draws a bar across the stem, in the middle of the seven, varied in shape', () => {
    const bars = sevens.slice(0, 50).map((i) => crossingBar(image(original, i), seededRandom(i))!);
    for (const [k, i] of sevens.slice(0, 50).entries()) {
      const bar = bars[k]!;
      const rows = [...image(original, i)].flatMap((v, p) => (v > 0.3 ? [Math.floor(p / 28)] : []));
      const [top, bottom] = [Math.min(...rows), Math.max(...rows)];
      const middle = (bar.y0 + bar.y1) / 2;
      expect(middle).toBeGreaterThanOrEqual(top + 0.3 * (bottom - top));
      expect(middle).toBeLessThanOrEqual(top + 0.7 * (bottom - top));
      // The stem, the ink's mean column on the bar's row, lies between the bar's two ends.
      const row = image(original, i).subarray(Math.round(middle) * 28, Math.round(middle) * 28 + 28);
      const mass = row.reduce((a, v) => a + v, 0);
      const stem = row.reduce((a, v, x) => a + v * x, 0) / mass;
      if (mass > 0.5) {
        expect(stem).toBeGreaterThan(Math.min(bar.x0, bar.x1));
        expect(stem).toBeLessThan(Math.max(bar.x0, bar.x1));
      }
    }
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
    expect(spread(bars.map((b) => b.thickness))).toBeGreaterThan(1);
    expect(spread(bars.map((b) => Math.atan2(b.y1 - b.y0, b.x1 - b.x0)))).toBeGreaterThan(0.3);
    expect(spread(bars.map((b) => Math.hypot(b.x1 - b.x0, b.y1 - b.y0)))).toBeGreaterThan(3);
  });
});

describe('the training option', () => {
  beforeAll(() => selectBackend('cpu'));

  it('reaches the batches through the run hyperparameters, seeded by the run', () => {
    const hp = smallRunParams({ augmentCrossedSevens: 1, seed: 4 });
    const batchIndices = sevens.slice(0, 8);
    const plain = gatherBatch(train, batchIndices);
    const crossed = gatherBatch(train, batchIndices, batchAugmentation(hp, 1));
    const again = gatherBatch(train, batchIndices, batchAugmentation(hp, 1));
    expect(same(crossed.x.dataSync() as Float32Array, plain.x.dataSync() as Float32Array)).toBe(false);
    expect(same(again.x.dataSync() as Float32Array, crossed.x.dataSync() as Float32Array)).toBe(true);
    expect(batchAugmentation(smallRunParams(), 1)).toBeUndefined();
  });

  it('is --augment-crossed-sevens P, absent from the params unless given', () => {
    expect(parseHyperparameters({ 'augment-crossed-sevens': 0.3 })).toMatchObject({ ok: true, value: { augmentCrossedSevens: 0.3 } });
    const defaults = parseHyperparameters({});
    expect(defaults.ok && defaults.value).not.toHaveProperty('augmentCrossedSevens');
  });
});
