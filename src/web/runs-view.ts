import { effectiveTestDecisions, runLabelAccuracies } from '../analysis/label-issues/corrected-accuracy.ts';
import { modelCollapse } from '../training/degenerate-model.ts';
import { pageOf, runListRows, selectRuns, type RunListRow, type RunPage } from '../store/run-list.ts';
import { testConfusion } from '../store/store.ts';
import { availableColumns, chosenColumns, LABEL_SORTS, type RunColumn } from './components/run-columns.tsx';
import type { WebDeps } from './deps.ts';
import { PER_PAGE, resolveFilters, type ListedRun, type RunFilters } from './run-filters.ts';

/** `collapses` keeps the degenerate flags of completed runs; without (the import route's page), each is read again. */
export type RunsViewDeps = Pick<WebDeps, 'db' | 'images'> & Partial<Pick<WebDeps, 'collapses'>>;

/** A row as the list shows it; `decisions` are the test-label decisions, read once per page. */
export function listed({ db, images, collapses }: RunsViewDeps, row: RunListRow, decisions = effectiveTestDecisions(db)): ListedRun {
  const { run } = row;
  const collapse = () => modelCollapse(testConfusion(db, run.id));
  return {
    ...row,
    degenerate: run.status !== 'completed' ? null : collapses ? collapses.of(run, 'collapse', collapse) : collapse(),
    accuracies: runLabelAccuracies(db, run, images.labels, decisions),
  };
}

/** The runs list for one URL: what the /runs page and GET /api/runs both show. */
export interface RunsView {
  /** Every matching run, in order, before paging (the CSV and the JSON without paging take all). */
  selected: RunListRow[];
  page: RunPage<RunListRow>;
  /** Runs before filtering (archived ones only when they are shown), and archived runs hidden. */
  total: number;
  archived: number;
  available: RunColumn[];
  columns: RunColumn[];
  /** Why the filter expression was not applied, or null. */
  whereError: string | null;
}

/**
 * Rows by their accuracy on the labels as the label review corrects them, worked out per run only
 * when the list is sorted by it. The sort is stable: `rows` come by test accuracy, which orders ties.
 */
function byCorrectedAccuracy({ db, images }: RunsViewDeps, rows: RunListRow[], dir: RunFilters['dir']): RunListRow[] {
  const decisions = effectiveTestDecisions(db);
  const corrected = new Map(rows.map((row) => [row, runLabelAccuracies(db, row.run, images.labels, decisions)?.corrected ?? null]));
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const [x, y] = [corrected.get(a) ?? null, corrected.get(b) ?? null];
    // Runs without the figure go last either way, as selectRuns puts them.
    return x === null || y === null ? Number(x === null) - Number(y === null) : (x - y) * sign;
  });
}

export function runsView(deps: RunsViewDeps, filters: RunFilters, perPage = PER_PAGE): RunsView {
  const rows = runListRows(deps.db);
  const byCorrected = filters.sort === LABEL_SORTS.corrected;
  const { query, whereError } = resolveFilters(byCorrected ? { ...filters, sort: 'acc' } : filters, rows);
  const available = availableColumns(rows);
  const archived = rows.filter(({ run }) => run.archivedAt !== null).length;
  const selected = byCorrected ? byCorrectedAccuracy(deps, selectRuns(rows, query), filters.dir) : selectRuns(rows, query);
  return {
    selected,
    page: pageOf(selected, filters.page ?? 1, filters.per_page ?? perPage),
    total: query.archived ? rows.length : rows.length - archived,
    archived: query.archived ? 0 : archived,
    available,
    columns: chosenColumns(available, filters.col),
    whereError,
  };
}

/** The heavier per-run figures (degenerate flag, corrected accuracies), for the rows actually shown. */
export function listedRows(deps: RunsViewDeps, rows: RunListRow[]): ListedRun[] {
  const decisions = effectiveTestDecisions(deps.db);
  return rows.map((row) => listed(deps, row, decisions));
}
