import { batchAugmentation } from '../../data/augment/batch-augmentation.ts';
import { gatherBatchArrays, type LabelledImages } from '../../data/batches.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { loadMnist } from '../../data/mnist.ts';
import type { Run } from '../../store/store.ts';
import { dataUri } from '../png-data-uri.ts';
import { trainedByDigitlab } from '../../store/run-source.ts';

/** Training images shown in the strip, and the epochs whose draws are shown. */
const STRIP_IMAGES = 10;
const STRIP_EPOCHS = [1, 2];

let firstTrainingImages: LabelledImages | undefined;
/** MNIST's first training images, read once and copied out, so the 47 MB file is not kept for them. */
function stripImages(): LabelledImages {
  if (!firstTrainingImages) {
    const train = loadMnist('train', { limit: STRIP_IMAGES });
    firstTrainingImages = { images: train.images.slice(), labels: train.labels.slice(), count: train.count };
  }
  return firstTrainingImages;
}

/** The first training images of the run's dataset: MNIST's kept, another's given by the page (its own cache). */
function firstImagesOf(run: Run, trainOf?: () => { images: Uint8Array; labels: Uint8Array; count: number }): LabelledImages | null {
  if (run.dataset === 'mnist') return stripImages();
  if (!trainOf) return null;
  const train = trainOf();
  const count = Math.min(STRIP_IMAGES, train.count);
  return { images: train.images.slice(0, count * 784), labels: train.labels.slice(0, count), count };
}

const toBytes = (pixels: Float32Array, row: number) => Uint8Array.from(pixels.subarray(row * 784, (row + 1) * 784), (v) => Math.round(v * 255));

/**
 * What the model was fed: the first training images as the run's augmentation drew them in its
 * first epochs (the same seeded transforms training applies), under the originals. Nothing for a
 * run without augmentation.
 */
export function AugmentStrip({ run, train }: { run: Run; /** Reads the run's dataset's training split (not MNIST's), only when the strip is shown. */ train?: () => { images: Uint8Array; labels: Uint8Array; count: number } }) {
  const hp = run.params as Hyperparameters;
  if (!trainedByDigitlab(run) || !batchAugmentation(hp, 1)) return '';
  const images = firstImagesOf(run, train);
  if (!images) return '';
  const indices = Array.from({ length: images.count }, (_, i) => i);
  const rows = [
    { label: 'original', pixels: gatherBatchArrays(images, indices).pixels },
    ...STRIP_EPOCHS.map((epoch) => ({ label: `epoch ${epoch}`, pixels: gatherBatchArrays(images, indices, batchAugmentation(hp, epoch)).pixels })),
  ];
  return (
    <section class="card augment-strip">
      <h2>What the model was fed</h2>
      <p class="muted">The first {images.count} training images, as this run's augmentation drew them.</p>
      {rows.map((row) => (
        <div class="strip-row">
          <span class="label">{row.label}</span>
          <div class="strip-images">
            {indices.map((i) => (
              <img src={dataUri(toBytes(row.pixels, i))} width={42} height={42} alt={`training image ${i}, ${row.label}`} />
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}
