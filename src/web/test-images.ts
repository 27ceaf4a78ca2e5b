import { PNG } from 'pngjs';
import type { Db } from '../../db/client.ts';
import { runThreadJob } from '../core/thread-job.ts';
import { DEFAULT_DATASET, findDataset, loadDataset } from '../data/datasets/catalogue.ts';
import type { SplitName } from '../data/datasets/dataset.ts';
import { loadMnist, type MnistSplit } from '../data/mnist.ts';

/** One image of a split as a greyscale PNG. */
export function encodeImage({ rows, cols, images }: MnistSplit, index: number): Buffer {
  const image = new PNG({ width: cols, height: rows, colorType: 0, inputColorType: 0, bitDepth: 8 });
  image.data = Buffer.from(images.subarray(index * rows * cols, (index + 1) * rows * cols));
  return PNG.sync.write(image, { colorType: 0, inputColorType: 0 });
}

/**
 * The MNIST test set (or, given a loader, the training set) as the web pages show it. Read once, on first use, so that the server starts
 * fast; each image's PNG is encoded once and kept (10,000 of them are about 3 MB).
 */
export class TestImages {
  private split: MnistSplit | undefined;
  private readonly pngs = new Map<number, Buffer>();

  constructor(private readonly load: () => MnistSplit = () => loadMnist('test')) {}

  private get data(): MnistSplit {
    this.split ??= this.load();
    return this.split;
  }

  get count(): number {
    return this.data.count;
  }

  get labels(): Uint8Array {
    return this.data.labels;
  }

  /** The split itself, for what reads pixels (the seven detector). */
  get dataset(): MnistSplit {
    return this.data;
  }

  png(index: number): Buffer {
    let png = this.pngs.get(index);
    if (!png) {
      png = encodeImage(this.data, index);
      this.pngs.set(index, png);
    }
    return png;
  }

  /**
   * Encodes every image in a worker thread and keeps the PNGs: a first page of thumbnails (a run
   * page shows hundreds) would otherwise encode them on the event loop, 0.25 to 0.5 ms each.
   * `split` names the split this object holds, which the thread reads for itself.
   */
  async encodeAllInThread(split: SplitName): Promise<void> {
    type Encoded = { bytes: Uint8Array; offsets: Uint32Array };
    const { bytes, offsets } = await runThreadJob<Encoded, Encoded>(new URL('./test-images-thread.mjs', import.meta.url), { split, count: this.count }, 'thumbnail', (message, job) => job.resolve(message));
    for (let index = 0; index + 1 < offsets.length; index++) {
      if (!this.pngs.has(index)) this.pngs.set(index, Buffer.from(bytes.buffer, bytes.byteOffset + offsets[index]!, offsets[index + 1]! - offsets[index]!));
    }
  }

  /** One image's 784 pixels scaled to [0,1], as models take them. */
  pixels(index: number): Float32Array {
    return Float32Array.from(this.data.images.subarray(index * 784, index * 784 + 784), (v) => v / 255);
  }

  /** Inline, so a page of thumbnails costs no request beyond the page itself. */
  dataUri(index: number): string {
    return `data:image/png;base64,${this.png(index).toString('base64')}`;
  }
}

/**
 * Every dataset's splits as the pages show them, each read on first use and kept: a run's pages
 * show its own dataset's images. MNIST's are the two given (so tests may pass smaller ones).
 */
export class DatasetImages {
  private readonly splits = new Map<string, TestImages>();
  private readonly names = new Map<string, string[]>();

  constructor(
    private readonly db: Db,
    private readonly mnist: { test: TestImages; train: TestImages },
  ) {}

  /** One split of `dataset`; throws DatasetNotFoundError for a name the workbench does not know. */
  of(dataset: string, split: SplitName): TestImages {
    if (dataset === DEFAULT_DATASET) return this.mnist[split];
    const key = `${dataset}/${split}`;
    let images = this.splits.get(key);
    if (!images) {
      findDataset(this.db, dataset); // fails now, by name, rather than on first use
      images = new TestImages(() => loadDataset(this.db, dataset, split));
      this.splits.set(key, images);
    }
    return images;
  }

  test(dataset: string): TestImages {
    return this.of(dataset, 'test');
  }

  train(dataset: string): TestImages {
    return this.of(dataset, 'train');
  }

  /** What the dataset's labels mean, in label order. */
  classNames(dataset: string): string[] {
    let names = this.names.get(dataset);
    if (!names) {
      names = findDataset(this.db, dataset).classNames;
      this.names.set(dataset, names);
    }
    return names;
  }
}
