import { DEFAULT_DATASET } from '../../data/datasets/catalogue.ts';
import type { FoundLabelIssues, SearchState, TrainingSetSearch } from '../../analysis/label-issues/training-set-search.ts';
import type { Run } from '../../store/store.ts';
import { Tiles } from '../analysis/tiles.tsx';
import { Layout } from '../components/layout.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { dateTime, formatDuration, percent, plural } from '../format.ts';
import type { TestImages } from '../test-images.ts';
import { reviewUrl } from './review-page.tsx';

export interface SearchView {
  search: TrainingSetSearch;
  state: SearchState;
  runs: Run[];
  /** Share of the folds' training done, 0..1. */
  done: number;
  result: FoundLabelIssues | null;
}

const elapsed = (view: SearchView) => {
  const start = Math.min(...view.runs.map((run) => (run.startedAt ?? run.createdAt).getTime()));
  const end = view.search.finishedAt?.getTime() ?? Date.now();
  return Number.isFinite(start) ? (end - start) / 1000 : 0;
};

/** A search's progress and, once done, its top label issues; polls itself while the folds train. */
export function SearchPanel({ view, trainImages, top = 48 }: { view: SearchView; trainImages: TestImages; top?: number }) {
  const { search, state, runs, result } = view;
  const poll = state === 'training' ? { 'hx-get': `/label-issues/training-set/${search.id}/panel`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {};
  return (
    <section id={`search-${search.id}`} class="card search" data-state={state} {...poll}>
      <h2>
        Search {search.id} <span class="muted">· {search.folds} folds · started {dateTime(search.createdAt)}</span>
      </h2>
      <div class="progress">
        <div class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(view.done * 100)}>
          <div class="fill" style={`width: ${(view.done * 100).toFixed(1)}%`}></div>
        </div>
        <p class="progress-text">
          {state === 'done'
            ? `Done in ${formatDuration(elapsed(view))}: ${plural(result!.issues.length, 'label issue')} from ${result!.runs} fold runs.`
            : state === 'failed'
              ? 'A fold run failed or was cancelled, so this search cannot finish; start another.'
              : `${percent(view.done, 0)} of the folds' training done · ${formatDuration(elapsed(view))} so far`}
        </p>
      </div>
      <ol class="search-runs">
        {runs.map((run) => (
          <li>
            <a href={`/runs/${run.id}`}>{run.name}</a> <StatusBadge status={run.status} />
          </li>
        ))}
      </ol>
      {result ? (
        <>
          <h3>Top label issues</h3>
          <p>
            <a class="button" href={reviewUrl(DEFAULT_DATASET, 'train', 'all')}>
              Review them
            </a>
          </p>
          <Tiles
            indices={result.issues.slice(0, top).map((issue) => issue.index)}
            images={trainImages}
            split="train"
            max={top}
            href={(i) => reviewUrl(DEFAULT_DATASET, 'train', 'all', i)}
            caption={(i) => {
              const issue = result.issues.find((x) => x.index === i)!;
              return `#${i} ${issue.label}→${issue.suggested}`;
            }}
          />
        </>
      ) : (
        ''
      )}
    </section>
  );
}

export function TrainingSetPage({ views, trainImages, error }: { views: SearchView[]; trainImages: TestImages; error?: string }) {
  return (
    <Layout title="Label issues in the training set">
      <p class="crumbs">
        <a href="/dataset">Dataset</a> › <a href="/label-issues">label issues</a> › training set · <a href="/label-issues?split=train">review</a>
      </p>
      <h1>Label issues in the training set</h1>
      <p>
        A model's predictions on images it trained on say little about their labels. A search splits the training set into K folds
        (image i goes to fold i mod K) and queues K runs, each trained on the other folds and predicting the one it did not see; the
        label issues are ranked from those out-of-sample predictions as the test set's are. The runs train in the ordinary queue.
      </p>
      <form class="card launch-search" method="post" action="/label-issues/training-set">
        <label>
          Folds <input type="number" name="folds" min="2" max="10" value="4" />
        </label>
        <label>
          Epochs per fold <input type="number" name="epochs" min="1" max="5" value="2" />
        </label>
        <button type="submit" class="primary">
          Search the training set
        </button>
        {error ? <p class="field-error">{error}</p> : ''}
      </form>
      {views.length === 0 ? <p class="empty">No training-set searches yet.</p> : views.map((view) => <SearchPanel view={view} trainImages={trainImages} />)}
    </Layout>
  );
}
