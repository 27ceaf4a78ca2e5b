import type { PairedPredictions } from '../../analysis/compare/image-changes.ts';
import type { TestImages } from '../test-images.ts';

/** Enough to see a pattern; the full list is in `compare --json`. */
const MAX_THUMBNAILS = 120;

/** Test images with their label and what A and B predicted, each linked to nothing but its own index. */
export function Thumbnails({ indices, predictions, images }: { indices: number[]; predictions: PairedPredictions; images: TestImages }) {
  if (indices.length === 0) return <p class="muted">none</p>;
  const shown = indices.slice(0, MAX_THUMBNAILS);
  return (
    <div class="thumbnails">
      {shown.map((i) => (
        <figure class="thumb" data-index={String(i)}>
          <img src={images.dataUri(i)} width="56" height="56" alt={`test image ${i}, a ${predictions.labels[i]}`} />
          <figcaption>
            #{i}: {predictions.labels[i]}
            <br />
            A {predictions.a[i]} → B {predictions.b[i]}
          </figcaption>
        </figure>
      ))}
      {indices.length > shown.length ? <p class="muted">and {indices.length - shown.length} more</p> : null}
    </div>
  );
}
