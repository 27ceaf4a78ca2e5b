import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sevenShape } from '../../src/analysis/crossed-seven.ts';
import { loadMnist } from '../../src/data/mnist.ts';

interface Label {
  index: number;
  crossed: boolean;
  sample: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/crossed-sevens-labels.json', import.meta.url), 'utf8'),
) as { split: 'train'; sevens: Label[] };

/** A 28x28 image with 3-pixel-thick strokes between the given points. */
function draw(...strokes: [number, number, number, number][]): Uint8Array {
  const image = new Uint8Array(28 * 28);
  for (const [x0, y0, x1, y1] of strokes) {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) * 2;
    for (let s = 0; s <= steps; s++) {
      const x = Math.round(x0 + ((x1 - x0) * s) / steps);
      const y = Math.round(y0 + ((y1 - y0) * s) / steps);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) image[(y + dy) * 28 + x + dx] = 255;
    }
  }
  return image;
}

const TOP_BAR: [number, number, number, number] = [7, 5, 20, 5];
const STEM: [number, number, number, number] = [20, 5, 12, 23];

describe('sevenShape', () => {
  it('calls a plain seven plain', () => {
    expect(sevenShape(draw(TOP_BAR, STEM)).crossed).toBe(false);
  });

  it('finds a bar across the middle of the stem', () => {
    const shape = sevenShape(draw(TOP_BAR, STEM, [10, 14, 22, 14]));
    expect(shape.crossed).toBe(true);
    expect(shape.evidence?.row).toBeGreaterThanOrEqual(12);
    expect(shape.evidence?.row).toBeLessThanOrEqual(14);
  });

  it('does not take the low top bar of a hooked seven for a crossing', () => {
    // The pen starts top-left, comes down, then draws the top bar low and goes up into the stem.
    const hooked = draw([8, 4, 8, 12], [8, 12, 19, 12], [21, 5, 12, 24]);
    expect(sevenShape(hooked).crossed).toBe(false);
  });

  it('finds nothing in an empty image', () => {
    expect(sevenShape(new Uint8Array(784))).toEqual({ crossed: false, score: 0, evidence: null });
  });

  it('agrees with hand labels of train sevens: precision and recall at least 0.9', () => {
    const train = loadMnist(fixture.split);
    const counts = { tp: 0, fp: 0, fn: 0 };
    for (const label of fixture.sevens) {
      expect(train.labels[label.index]).toBe(7);
      const detected = sevenShape(train.images, label.index).crossed;
      if (detected && label.crossed) counts.tp++;
      else if (detected) counts.fp++;
      else if (label.crossed) counts.fn++;
    }
    expect(fixture.sevens.length).toBeGreaterThanOrEqual(200);
    expect(counts.tp + counts.fn).toBeGreaterThanOrEqual(100);
    expect(counts.tp / (counts.tp + counts.fp)).toBeGreaterThanOrEqual(0.9);
    expect(counts.tp / (counts.tp + counts.fn)).toBeGreaterThanOrEqual(0.9);
  });
});
