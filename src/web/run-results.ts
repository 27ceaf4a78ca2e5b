import { HTTPException } from 'hono/http-exception';
import { classMetrics, type ClassMetrics } from '../analysis/class-metrics.ts';
import { effectiveTestDecisions, runLabelAccuracies, type LabelAccuracies } from '../analysis/label-issues/corrected-accuracy.ts';
import { outcomesWhere, type OutcomeFilter } from '../analysis/test-outcomes.ts';
import { modelCollapse } from '../training/degenerate-model.ts';
import { loadTestPredictions, testConfusion, type Run } from '../store/store.ts';
import { GALLERY_PAGE_SIZE, type GalleryPage } from './components/gallery.tsx';
import type { WebDeps } from './deps.ts';
import type { ResultsView } from './run-view-state.ts';

/** What a completed run's page shows below its curves. */
export interface RunResults {
  confusion: number[][];
  metrics: ClassMetrics[];
  misclassified: GalleryPage;
  /** The images of the confusion-matrix cell the page's URL picked, if it picked one. */
  cellGallery: GalleryPage | null;
  /** Why the model is degenerate, or null. */
  degenerate: string | null;
  /** Accuracy on the original labels, the corrected ones, and without the ambiguous images. */
  accuracies: LabelAccuracies | null;
}

/**
 * A page of the run's test images: one confusion-matrix cell when `cell` is given, else every
 * mistake. Both galleries are one fragment route, told apart by their element ids.
 */
export function galleryPage({ db, images }: WebDeps, runId: number, cell: { label: number; predicted: number } | undefined, page: number): GalleryPage {
  const predictions = loadTestPredictions(db, runId);
  if (!predictions) throw new HTTPException(404, { message: `run ${runId} has no test predictions (it has not completed)` });
  const filter: OutcomeFilter = cell ?? { wrong: true };
  const outcomes = outcomesWhere(predictions, images.labels, filter);
  const query = cell ? `label=${cell.label}&predicted=${cell.predicted}&` : '';
  return {
    id: cell ? 'cell-gallery' : 'misclassified',
    title: cell ? `True ${cell.label}, predicted ${cell.predicted}` : 'Misclassified test images',
    runId,
    outcomes,
    page: Math.min(page, Math.max(1, Math.ceil(outcomes.length / GALLERY_PAGE_SIZE))),
    pageUrl: (n) => `/runs/${runId}/gallery?${query}page=${n}`,
  };
}

export function runResults(deps: WebDeps, run: Run, view: ResultsView = { cellPage: 1, page: 1 }): RunResults | null {
  if (run.status !== 'completed') return null;
  const confusion = testConfusion(deps.db, run.id);
  if (!confusion) return null;
  return {
    confusion,
    metrics: classMetrics(confusion),
    misclassified: galleryPage(deps, run.id, undefined, view.page),
    cellGallery: view.cell ? galleryPage(deps, run.id, view.cell, view.cellPage) : null,
    degenerate: modelCollapse(confusion),
    accuracies: runLabelAccuracies(deps.db, run, deps.images.labels, effectiveTestDecisions(deps.db)),
  };
}
