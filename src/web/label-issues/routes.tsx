import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import os from 'node:os';
import { LABEL_SPLITS, type LabelSplit, type LabelVerdict } from '../../../db/schema.ts';
import { searchProgress, searchFoldHyperparameters, searchResult, getTrainingSetSearch, findLabelIssues, launchTrainingSetSearch, listTrainingSetSearches, type TrainingSetSearch } from '../../analysis/label-issues/training-set-search.ts';
import { labelDecisionsCsv, labelDecisionsExport } from '../../analysis/label-issues/decisions-export.ts';
import type { LabelIssue } from '../../analysis/label-issues/ranking.ts';
import { nextUndecided, REVIEW_SLICES, issuesInSlice, type ReviewSlice } from '../../analysis/label-issues/review.ts';
import { decideLabel, getLabelDecision, listLabelDecisions } from '../../store/label-issues-decisions.ts';
import type { Db } from '../../../db/client.ts';
import { DEFAULT_DATASET, findDataset } from '../../data/datasets/catalogue.ts';
import type { Dataset } from '../../data/datasets/dataset.ts';
import type { WebDeps } from '../deps.ts';
import { formBody, formField as field, queryChoice, queryInt } from '../params.ts';
import { TrainingSetPage, SearchPanel, type SearchView } from './training-set-page.tsx';
import { oldLabelIssuesUrls } from './old-urls.ts';
import { ReviewPage, ReviewPanel, reviewUrl, type ReviewView } from './review-page.tsx';

function formInt(body: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = Number(field(body, name));
  if (!Number.isInteger(value) || value < min || value > max) throw new HTTPException(400, { message: `${name} must be a whole number from ${min} to ${max}` });
  return value;
}

/** The decision buttons' values: right, ambiguous, skip, or wrong-C for "it is of class C" (one of `classes`). */
function parseDecision(raw: string, classes: number) {
  const wrong = /^wrong-([0-9]{1,3})$/.exec(raw);
  if (wrong && Number(wrong[1]) < classes) return { verdict: 'wrong' as const, correctedLabel: Number(wrong[1]) };
  if (raw === 'right' || raw === 'ambiguous' || raw === 'skip') return { verdict: raw as LabelVerdict, correctedLabel: null };
  throw new HTTPException(400, { message: `decision must be right, ambiguous, skip or wrong-0 to wrong-${classes - 1}; got '${raw}'` });
}

/**
 * The dataset a review names (`dataset`, MNIST by default; an unknown one is a 404) checked against
 * the split and slice: the training-set search and the seven slices are MNIST's alone.
 */
function reviewedDataset(db: Db, name: string, split: LabelSplit, slice: ReviewSlice): Dataset {
  const dataset = findDataset(db, name.trim() || DEFAULT_DATASET);
  if (dataset.name === DEFAULT_DATASET) return dataset;
  if (split === 'train') throw new HTTPException(400, { message: `the training-set review is MNIST's (its held-out folds are trained on MNIST); ${dataset.name} has its test set reviewed` });
  if (slice !== 'all') throw new HTTPException(400, { message: `the seven slices are MNIST's; ${dataset.name}'s review takes slice=all` });
  return dataset;
}

/** The label issues pages: the one-issue-at-a-time review, the training-set searches and the decisions' export. */
export function labelIssuesRoutes(deps: WebDeps): Hono {
  const { db, trainImages, analyses } = deps;
  // Ranking a test set reads every run's predictions and embeddings: it is done in a thread, again
  // only when the completed runs change (normally in the background, as soon as they do).
  const issuesOf = async (dataset: string, split: LabelSplit): Promise<{ runs: number; issues: LabelIssue[] }> =>
    split === 'train' ? findLabelIssues(db, 'train', trainImages.labels) : analyses.testLabelIssues(dataset);
  const reviewView = async (dataset: Dataset, split: LabelSplit, slice: ReviewSlice, position: { index?: number; after?: number }): Promise<ReviewView> => {
    const { runs, issues } = await issuesOf(dataset.name, split);
    const images = deps.datasets.of(dataset.name, split);
    const inSlice = issuesInSlice(issues, slice, images.dataset);
    const decisions = new Map(listLabelDecisions(db, dataset.name, split).map((d) => [d.imageIndex, d]));
    const shown = position.index === undefined ? -1 : inSlice.findIndex((issue) => issue.index === position.index);
    const after = position.after === undefined ? -1 : inSlice.findIndex((issue) => issue.index === position.after);
    const at = shown >= 0 ? shown : nextUndecided(inSlice, new Set(decisions.keys()), after);
    return { dataset: dataset.name, classNames: dataset.classNames, split, slice, issues: inSlice, runs, at, decisions, images };
  };
  const searchView = (search: TrainingSetSearch): SearchView => {
    const result = searchResult(db, search, trainImages.labels);
    const progress = searchProgress(db, result ? getTrainingSetSearch(db, search.id) : search);
    return { search: result ? getTrainingSetSearch(db, search.id) : search, ...progress, result };
  };
  const searchOf = (c: Context) => getTrainingSetSearch(db, Number(c.req.param('search')));
  const exported = (c: Context) => {
    const name = findDataset(db, c.req.query('dataset')?.trim() || DEFAULT_DATASET).name;
    return labelDecisionsExport(db, name, { train: deps.datasets.train(name).dataset, test: deps.datasets.test(name).dataset });
  };

  return new Hono()
    .get('/label-issues/training-set', (c) => c.html(<TrainingSetPage views={listTrainingSetSearches(db).map(searchView)} trainImages={trainImages} />))
    .post('/label-issues/training-set', async (c) => {
      const body = await formBody(c);
      const folds = formInt(body, 'folds', 2, 10);
      const epochs = formInt(body, 'epochs', 1, 5);
      // Two threads share each batch where two cores exist (the wasm engine's data-parallel steps).
      await launchTrainingSetSearch(deps, { folds, hyperparameters: searchFoldHyperparameters({ epochs, seed: 1, workers: Math.min(2, os.availableParallelism()) }) });
      return c.redirect('/label-issues/training-set', 303);
    })
    .get('/label-issues/training-set/:search{[0-9]{1,9}}/panel', (c) => c.html(<SearchPanel view={searchView(searchOf(c))} trainImages={trainImages} />))
    .get('/label-issues', async (c) => {
      const split = queryChoice(c, 'split', LABEL_SPLITS) ?? 'test';
      const slice = queryChoice(c, 'slice', REVIEW_SLICES) ?? 'all';
      const index = queryInt(c, 'index', { min: 0, max: 59_999 });
      const dataset = reviewedDataset(db, c.req.query('dataset') ?? '', split, slice);
      return c.html(<ReviewPage view={await reviewView(dataset, split, slice, { index })} />);
    })
    .post('/label-issues/decide', async (c) => {
      const body = await formBody(c);
      const split = field(body, 'split') as LabelSplit;
      const slice = field(body, 'slice') as ReviewSlice;
      if (!LABEL_SPLITS.includes(split)) throw new HTTPException(400, { message: `split must be test or train` });
      if (!REVIEW_SLICES.includes(slice)) throw new HTTPException(400, { message: `slice must be one of ${REVIEW_SLICES.join(', ')}` });
      const dataset = reviewedDataset(db, field(body, 'dataset'), split, slice);
      const classes = dataset.classNames.length;
      const imageIndex = formInt(body, 'index', 0, deps.datasets.of(dataset.name, split).count - 1);
      const was = getLabelDecision(db, dataset.name, split, imageIndex);
      const now = decideLabel(db, { dataset: dataset.name, classes, split, imageIndex, ...parseDecision(field(body, 'decision'), classes) });
      // A skip decided nothing, so deciding over one replaces nothing worth saying.
      const replaced = was && was.verdict !== 'skip' ? { was, now } : undefined;
      const view = { ...(await reviewView(dataset, split, slice, { after: imageIndex })), replaced };
      const shownUrl = reviewUrl(dataset.name, split, slice, view.at === null ? undefined : view.issues[view.at]!.index);
      if (!c.req.header('HX-Request')) return c.redirect(shownUrl, 303);
      // The address follows the issue shown, so a reload stays on it and Back returns to the one just decided.
      c.header('HX-Push-Url', shownUrl);
      return c.html(<ReviewPanel view={view} />);
    })
    .get('/api/label-issues/decisions', (c) => c.json(exported(c)))
    .get('/label-issues/decisions.csv', (c) => {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', 'attachment; filename="label-issues-decisions.csv"');
      return c.body(labelDecisionsCsv(exported(c)));
    })
    .route('/', oldLabelIssuesUrls());
}
