import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDuplicates, NEAR_RMS } from '../../src/analysis/duplicates.ts';
import { registerDataset } from '../../src/data/datasets/catalogue.ts';
import { idxImages, idxLabels, SHAPE_CLASSES, tempDir, writePictureFolder } from '../helpers/datasets.ts';
import { until } from '../helpers/waiting.ts';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { datasetPageWithFacts, webApp } from '../helpers/web.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../../src/core/random.ts';

const CLASSES = ['ant', 'bee', 'cat', 'dog'];

/** Random 28x28 images: no two alike by chance. */
function noise(count: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Uint8Array.from({ length: 784 }, () => Math.floor(random() * 256)));
}

/**
 * A 4-class IDX dataset of noise, 40 training and 12 test images, in which test image 2 is training
 * image 5 byte for byte, test image 7 is training image 11 with a few grey levels added (near), and
 * test image 9 is training image 20 with a stroke's worth of change (not near).
 */
function leakyDataset(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const train = noise(40, 1);
  const test = noise(12, 2);
  test[2] = train[5]!.slice();
  test[7] = train[11]!.map((v) => Math.min(255, v + 3));
  test[9] = train[20]!.map((v, p) => (p % 28 < 4 ? 255 - v : v));
  const trainLabels = train.map((_, i) => i % 4);
  const testLabels = test.map((_, i) => i % 4);
  writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxImages(train));
  writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabels(trainLabels));
  writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxImages(test));
  writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxLabels(testLabels));
  writeFileSync(path.join(dir, 'classes.txt'), `${CLASSES.join('\n')}\n`);
  return dir;
}

describe('the leakage check', () => {
  it('finds the exact and the near duplicate and not the changed one', () => {
    const split = (images: Uint8Array[]) => ({ images: Buffer.concat(images), labels: new Uint8Array(images.length), count: images.length, rows: 28, cols: 28, imagesSha256: '', labelsSha256: '' });
    const train = noise(40, 1);
    const test = noise(12, 2);
    test[2] = train[5]!.slice();
    test[7] = train[11]!.map((v) => Math.min(255, v + 3));
    test[9] = train[20]!.map((v, p) => (p % 28 < 4 ? 255 - v : v));
    const found = findDuplicates(split(train), split(test));
    expect(found.exact).toEqual([{ test: 2, train: 5, rms: 0 }]);
    expect(found.near.map((p) => [p.test, p.train])).toEqual([[7, 11]]);
    expect(found.near[0]!.rms).toBeLessThan(NEAR_RMS);
  });
});

describe('the dataset page of another dataset', () => {
  it('?dataset= shows its class balance and examples by class name, no crossed sevens, and the duplicates found off the event loop', async () => {
    const { app, db } = webApp();
    registerDataset(db, 'leaky', leakyDataset(path.join(tempDir('leaky'), 'leaky')));
    expect((await app.request('/dataset?dataset=leaky')).status).toBe(200);
    const html = await datasetPageWithFacts(app, '?dataset=leaky');
    expect(html).toContain('<h1>leaky</h1>');
    expect(html).toContain('<option value="leaky" selected="">leaky</option>');
    for (const name of CLASSES) expect(html).toContain(`<h3>${name}</h3>`);
    expect(html).toContain('No crossed-seven slice');
    expect(html).not.toContain('Crossed sevens: rare?');
    expect(html).toContain('/images/test/0?dataset=leaky');
    // The duplicate search starts on the first request and answers when its thread is done.
    const fragment = await until('the duplicate search', async () => {
      const text = await (await app.request('/dataset/duplicates?dataset=leaky')).text();
      return text.includes('exact-count') && text;
    }, 30_000);
    expect(fragment).toContain('<strong class="exact-count">1</strong> exact duplicates');
    expect(fragment).toContain('<strong class="near-count">1</strong> near ones among 12 test images');
    expect(fragment).toContain('data-test="2"');
    expect(fragment).toContain('data-test="7"');
    expect(fragment).not.toContain('data-test="9"');
    expect((await app.request('/dataset?dataset=no-such')).status).toBe(404);
  }, 60_000);

  it("answers a dataset's first view at once, its facts pending, and fills them in from a thread", async () => {
    const { app } = webApp();
    // Reading and summarising Fashion-MNIST's 70,000 images took the first view 0.6 to 1.4 s on the event loop.
    const { result: page, longestStall } = await longestStallDuring(async () => (await app.request('/dataset?dataset=fashion-mnist')).text());
    expect(page).toContain('<section id="dataset-facts" hx-get="/dataset/facts?dataset=fashion-mnist" hx-trigger="load delay:1s"');
    expect(page).not.toContain('class-balance');
    expect(longestStall).toBeLessThan(250);
    const facts = await until('the facts', async () => {
      const section = await (await app.request('/dataset/facts?dataset=fashion-mnist')).text();
      return !section.includes('hx-get') && section;
    }, 60_000);
    expect(facts).toContain('<h3>Ankle boot</h3>');
    expect(facts.match(/>6,000<\/td>/g)).toHaveLength(10);
    expect(facts.match(/alt="mean train image of [^"]+"/g)).toHaveLength(10);
    expect(facts).toContain('No crossed-seven slice');
    // Kept: the next view shows them at once.
    expect(await (await app.request('/dataset?dataset=fashion-mnist')).text()).toContain('class-balance');
  }, 60_000);

  it('Fashion-MNIST: its ten class names on the balance table', async () => {
    const { app } = webApp();
    const html = await datasetPageWithFacts(app, '?dataset=fashion-mnist');
    expect(html).toContain('<h3>Ankle boot</h3>');
    expect(html).toMatch(/6,000<\/td>/);
  }, 60_000);

  it('a picture folder: one picture per class as found and as read', async () => {
    const { app, db } = webApp();
    registerDataset(db, 'shapes', writePictureFolder(path.join(tempDir('samples'), 'shapes'), 4));
    const html = await datasetPageWithFacts(app, '?dataset=shapes');
    expect(html).toContain('<h2>Pictures as read</h2>');
    // Its facts come from the pixels the store keeps, read in the facts' thread.
    for (const name of SHAPE_CLASSES) expect(html).toContain(`<h3>${name}</h3>`);
    expect(html.match(/alt="mean train image of [^"]+"/g)).toHaveLength(SHAPE_CLASSES.length);
    expect(html.match(/<li class="tile picture-sample">/g)).toHaveLength(4);
    for (const name of SHAPE_CLASSES) expect(html).toContain(`${name}<br/>0.png`);
    expect(html).toContain('alt="0.png as found"');
  }, 60_000);
});
