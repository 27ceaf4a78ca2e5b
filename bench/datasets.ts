/**
 * How long datasets take to read: registering a picture folder (decoding every picture), loading it
 * again from the store where registering kept it decoded, decoding it again instead (what the store
 * saves), and loading the built-in IDX sets. The folder is made here: N pictures of SIZE px, PNG
 * and JPEG alternating, four classes, a sixth of N again as the test split.
 * Run from the repository root: npx tsx bench/datasets.ts [--pictures 6000] [--size 32]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { openDb } from '../db/client.ts';
import { loadDataset, registerDataset } from '../src/data/datasets/catalogue.ts';
import { decodePictureFolder } from '../src/data/datasets/image-folder.ts';
import { benchOptions } from './lib/script-options.ts';

const options = benchOptions({
  file: 'bench/datasets.ts',
  summary: 'seconds to register, load and decode again a picture folder, and to load the built-in IDX datasets',
  options: {
    pictures: { type: 'integer', min: 4, max: 200_000, description: 'training pictures in the folder (default 6000)' },
    size: { type: 'integer', min: 8, max: 2000, description: 'side of each square picture, px (default 32)' },
  },
});
const pictures = (options.pictures as number | undefined) ?? 6000;
const size = (options.size as number | undefined) ?? 32;

/** A dark stroke on light paper whose angle depends on the class, with some noise so PNGs do not compress to nothing. */
function picture(label: number, seed: number): Buffer {
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size - 0.5;
      const v = y / size - 0.5;
      const distance = Math.abs(Math.cos((label * Math.PI) / 4) * v - Math.sin((label * Math.PI) / 4) * u);
      const grey = (distance < 0.06 ? 30 : 230) + ((x * 31 + y * 17 + seed * 7) % 20);
      rgba.set([grey, grey, grey, 255], (y * size + x) * 4);
    }
  }
  if (seed % 2 === 1) return jpeg.encode({ width: size, height: size, data: rgba }, 90).data;
  const png = new PNG({ width: size, height: size });
  png.data = rgba;
  return PNG.sync.write(png);
}

const root = mkdtempSync(path.join(tmpdir(), 'digitlab-bench-datasets-'));
const folder = path.join(root, 'pictures');
for (const [split, n] of [['train', pictures], ['test', Math.max(4, Math.round(pictures / 6))]] as const) {
  for (let label = 0; label < 4; label++) {
    mkdirSync(path.join(folder, split, `class${label}`), { recursive: true });
    for (let i = label; i < n; i += 4) writeFileSync(path.join(folder, split, `class${label}`, `${i}.${i % 2 ? 'jpg' : 'png'}`), picture(label, i));
  }
}

const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(3);
const db = openDb(path.join(root, 'store.sqlite'));
let started = performance.now();
registerDataset(db, 'bench', folder);
console.log(`register ${pictures} + ${Math.round(pictures / 6)} pictures of ${size}x${size}: ${seconds(started)} s`);
for (const split of ['train', 'test'] as const) {
  started = performance.now();
  const loaded = loadDataset(db, 'bench', split);
  console.log(`load its ${split} split (${loaded.count}) from the store: ${seconds(started)} s`);
}
started = performance.now();
decodePictureFolder(folder);
console.log(`decode the folder again instead: ${seconds(started)} s`);
for (const name of ['mnist', 'fashion-mnist']) {
  for (const split of ['train', 'test'] as const) {
    started = performance.now();
    const loaded = loadDataset(null, name, split);
    console.log(`load ${name} ${split} (${loaded.count}): ${seconds(started)} s`);
  }
}
db.$client.close();
rmSync(root, { recursive: true });
