import type { PairedPredictions } from '../../analysis/compare/image-changes.ts';
import type { TestImages } from '../test-images.ts';

/** Enough to see a pattern; the full list is in `compare --json`. */
const MAX_THUMBNAILS = 120;

/**
 * Test images with their label and what A and B predicted, in the shared gallery's tiles; each
 * opens the image view, which shows what every run made of it.
 */
export function Thumbnails({ indices, predictions, images, runB }: { indices: number[]; predictions: PairedPredictions; images: TestImages; runB: number }) {
  if (indices.length === 0) return <p class="muted">none</p>;
  const shown = indices.slice(0, MAX_THUMBNAILS);
  return (
    <>
      <ul class="tiles">
        {shown.map((i) => (
          <li class="tile" data-index={String(i)}>
            <a href={`/images/test/${i}?run=${runB}`} title={`test image ${i}`}>
              <img src={images.dataUri(i)} width="56" height="56" alt={`test image ${i}, labelled ${predictions.labels[i]}`} />
            </a>
            <span class="caption">
              {predictions.labels[i]}: A {predictions.a[i]}, B {predictions.b[i]}
            </span>
          </li>
        ))}
      </ul>
      {indices.length > shown.length ? <p class="muted">and {indices.length - shown.length} more</p> : null}
    </>
  );
}
