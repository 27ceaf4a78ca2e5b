import { HTTPException } from 'hono/http-exception';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { classMetrics, type ClassMetrics } from '../analysis/class-metrics.ts';
import { effectiveTestDecisions, runLabelAccuracies, type LabelAccuracies } from '../analysis/label-issues/corrected-accuracy.ts';
import { outcomesWhere, type OutcomeFilter } from '../analysis/test-outcomes.ts';
import { modelCollapse } from '../training/degenerate-model.ts';
import { loadTestPredictions, testConfusion, type Run } from '../store/store.ts';
import { Gallery, GALLERY_PAGE_SIZE, type GalleryPage } from './components/gallery.tsx';
import { drawnHtml } from './completed-run-memo.ts';
import type { WebDeps } from './deps.ts';
import type { MatrixCell, ResultsView } from './run-view-state.ts';

/** What a completed run's page shows below its curves. */
export interface RunResults {
  confusion: number[][];
  /** The run's dataset's class names, in label order. */
  classNames: string[];
  metrics: ClassMetrics[];
  misclassified: DrawnGallery;
  /** The images of the confusion-matrix cell the page's URL picked, if it picked one. */
  cellGallery: DrawnGallery | null;
  /** Why the model is degenerate, or null. */
  degenerate: string | null;
  /** Accuracy on the original labels, the corrected ones, and without the ambiguous images. */
  accuracies: LabelAccuracies | null;
}

/**
 * A page of the run's test images: one confusion-matrix cell when `cell` is given, else every
 * mistake. Both galleries are one fragment route, told apart by their element ids.
 */
function galleryPage({ db, datasets }: Pick<WebDeps, 'db' | 'datasets'>, run: Run, cell: MatrixCell | undefined, page: number): GalleryPage {
  const runId = run.id;
  const predictions = loadTestPredictions(db, runId);
  if (!predictions) throw new HTTPException(404, { message: `run ${runId} has no test predictions (it has not completed)` });
  const filter: OutcomeFilter = cell ?? { wrong: true };
  const classNames = datasets.classNames(run.dataset);
  const name = (c: number) => classNames[c] ?? String(c);
  const outcomes = outcomesWhere(predictions, datasets.test(run.dataset).labels, filter);
  const query = cell ? `label=${cell.label}&predicted=${cell.predicted}&` : '';
  const walk = cell ? `&cell=${cell.label}-${cell.predicted}` : '';
  return {
    id: cell ? 'cell-gallery' : 'misclassified',
    title: cell ? `True ${name(cell.label)}, predicted ${name(cell.predicted)}` : 'Misclassified test images',
    runId,
    classNames,
    outcomes,
    page: Math.min(page, Math.max(1, Math.ceil(outcomes.length / GALLERY_PAGE_SIZE))),
    pageUrl: (n) => `/runs/${runId}/gallery?${query}page=${n}`,
    imageUrl: (index) => `/images/test/${index}?run=${runId}${walk}`,
  };
}

/** A page of a gallery as drawn: the page shown (the last one where a later one was asked for) and its HTML. */
export interface DrawnGallery {
  page: number;
  html: JSX.Element;
}

/**
 * A gallery page drawn once and kept: galleries exist only for completed runs, whose predictions
 * are final, so a page asked for again needs neither the predictions read nor the images sorted.
 */
export function drawnGallery(deps: Pick<WebDeps, 'db' | 'datasets' | 'galleries'>, run: Run, cell: MatrixCell | undefined, page: number): DrawnGallery {
  const query = cell ? `label=${cell.label}&predicted=${cell.predicted}&` : '';
  return deps.galleries.of(run, `${query}page=${page}`, () => {
    const gallery = galleryPage(deps, run, cell, page);
    return { page: gallery.page, html: drawnHtml(() => Gallery({ gallery, images: deps.datasets.test(run.dataset) })) };
  });
}

/** Where one image of a confusion-matrix cell sits among the cell's images, in the gallery's order. */
export interface CellWalk {
  runId: number;
  cell: MatrixCell;
  /** 1-based. */
  position: number;
  count: number;
  previous: number | null;
  next: number | null;
}

/** The cell's images around test image `index` for the run; null when the image is not in the cell (or the run has no predictions). */
export function cellWalk(labels: Uint8Array, db: WebDeps['db'], runId: number, cell: MatrixCell, index: number): CellWalk | null {
  const predictions = loadTestPredictions(db, runId);
  if (!predictions) return null;
  const indices = outcomesWhere(predictions, labels, cell).map((o) => o.index);
  const at = indices.indexOf(index);
  if (at < 0) return null;
  return { runId, cell, position: at + 1, count: indices.length, previous: indices[at - 1] ?? null, next: indices[at + 1] ?? null };
}

export function runResults(deps: WebDeps, run: Run, view: ResultsView = { cellPage: 1, page: 1 }): RunResults | null {
  if (run.status !== 'completed') return null;
  const confusion = testConfusion(deps.db, run.id);
  if (!confusion) return null;
  const test = deps.datasets.test(run.dataset);
  return {
    confusion,
    classNames: deps.datasets.classNames(run.dataset),
    metrics: classMetrics(confusion),
    misclassified: drawnGallery(deps, run, undefined, view.page),
    cellGallery: view.cell ? drawnGallery(deps, run, view.cell, view.cellPage) : null,
    degenerate: modelCollapse(confusion),
    // Label decisions are on MNIST's images: another dataset's run has none.
    accuracies: run.dataset === 'mnist' ? runLabelAccuracies(deps.db, run, test.labels, effectiveTestDecisions(deps.db)) : null,
  };
}
