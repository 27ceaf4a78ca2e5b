import type { PairedPredictions } from '../../analysis/compare/image-changes.ts';
import { Tiles } from '../analysis/tiles.tsx';
import type { TestImages } from '../test-images.ts';

/** Enough to see a pattern; the full list is in `compare --json`. */
const MAX_THUMBNAILS = 120;

/** Test images captioned with their label and what A and B predicted; each opens the image view for run B. */
export function Thumbnails({ indices, predictions, images, runB }: { indices: number[]; predictions: PairedPredictions; images: TestImages; runB: number }) {
  const caption = (i: number) => `${predictions.labels[i]}: A ${predictions.a[i]}, B ${predictions.b[i]}`;
  return <Tiles indices={indices} images={images} caption={caption} runId={runB} max={MAX_THUMBNAILS} />;
}
