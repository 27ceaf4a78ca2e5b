import type { JSX } from 'hono/jsx/jsx-runtime';
import type { CellMovement } from '../../analysis/compare/image-changes.ts';
import type { PairedRuns, RunComparison } from '../../analysis/compare/run-comparison.ts';
import type { EceDifference } from '../../analysis/calibration/reliability.ts';
import { formatP } from '../../analysis/statistics/verdict.ts';
import type { TestImages } from '../test-images.ts';
import { ConfusionDifference } from './confusion-difference.tsx';
import { RecipeVerdict } from './recipe-verdict.tsx';
import { Thumbnails } from './thumbnails.tsx';
import { AbMaps } from '../explain/ab-maps.tsx';

const points = (difference: number) => `${difference >= 0 ? '+' : ''}${(difference * 100).toFixed(2)}`;

/** Draws a part of a pair's section with `render`, or answers the HTML kept from the last time. */
export type KeepPart = (part: string, render: () => JSX.Element) => JSX.Element;

/** Run B against run A image by image: the verdict, its statistics, the confusion difference and the flipped images. */
export function PairSection({ paired, comparison, ece, images, queued, keep }: { paired: PairedRuns; comparison: RunComparison; ece: EceDifference | null; images: TestImages; queued?: number[]; keep: KeepPart }) {
  const { low, high } = comparison.accuracyDeltaInterval;
  return (
    <section id="pair" class="compare-section">
      <h2>
        Run {comparison.b.id} (B) against run {comparison.a.id} (A)
      </h2>
      <RecipeVerdict comparison={comparison} queued={queued} />
      <ul class="stats">
        <li>
          On the {comparison.images} test images both runs saw: {comparison.fixed.length} fixed, {comparison.broken.length} broken, accuracy
          difference <span class="accuracy-delta">{points(comparison.accuracyDelta)}</span> points.
        </li>
        <li>McNemar's exact test on the {comparison.fixed.length + comparison.broken.length} images where they disagree: {formatP(comparison.mcnemarP)}.</li>
        <li>
          95% bootstrap interval of the difference (images resampled in pairs): {points(low)} to {points(high)} points.
        </li>
        {ece && (
          <li class="ece-difference">
            Calibration: expected calibration error of B minus A <span class="ece-delta">{points(ece.difference)}</span> points (95% paired bootstrap interval{' '}
            {points(ece.low)} to {points(ece.high)}; negative means B's confidence is nearer its accuracy).
          </li>
        )}
      </ul>
      <h3>Confusion matrix, B minus A</h3>
      <p class="muted">Green: better for B; red: worse. Click a changed cell for the images that moved.</p>
      <ConfusionDifference comparison={comparison} />
      <div id="cell-images"></div>
      <h3>Fixed: wrong in A, right in B ({comparison.fixed.length})</h3>
      {keep('fixed', () => <Thumbnails indices={comparison.fixed} predictions={paired.predictions} images={images} runB={paired.b.id} />)}
      <h3>Broken: right in A, wrong in B ({comparison.broken.length})</h3>
      {keep('broken', () => <Thumbnails indices={comparison.broken} predictions={paired.predictions} images={images} runB={paired.b.id} />)}
      <AbMaps paired={paired} fixed={comparison.fixed} broken={comparison.broken} />
    </section>
  );
}

/** The images that entered and left one cell: what a click on the confusion difference loads. */
export function CellImages({ cell, paired, images }: { cell: CellMovement; paired: PairedRuns; images: TestImages }) {
  return (
    <div class="cell-images">
      <h3>
        True {cell.trueLabel}, predicted {cell.predicted}
      </h3>
      <h4>Moved in under B ({cell.into.length})</h4>
      <Thumbnails indices={cell.into} predictions={paired.predictions} images={images} runB={paired.b.id} />
      <h4>Moved out under B ({cell.outOf.length})</h4>
      <Thumbnails indices={cell.outOf} predictions={paired.predictions} images={images} runB={paired.b.id} />
    </div>
  );
}
