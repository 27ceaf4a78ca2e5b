import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import os from 'node:os';
import { LABEL_SPLITS, type LabelSplit, type LabelVerdict } from '../../../db/schema.ts';
import { searchProgress, searchFoldHyperparameters, searchResult, getTrainingSetSearch, findLabelIssues, launchTrainingSetSearch, listTrainingSetSearches, type TrainingSetSearch } from '../../analysis/label-issues/training-set-search.ts';
import { labelDecisionsCsv, labelDecisionsExport } from '../../analysis/label-issues/decisions-export.ts';
import type { LabelIssue } from '../../analysis/label-issues/ranking.ts';
import { nextUndecided, REVIEW_SLICES, issuesInSlice, type ReviewSlice } from '../../analysis/label-issues/review.ts';
import { decideLabel, getLabelDecision, listLabelDecisions } from '../../store/label-issues-decisions.ts';
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

/** The decision buttons' values: right, ambiguous, skip, or wrong-D for "it is a D". */
function parseDecision(raw: string) {
  const wrong = /^wrong-([0-9])$/.exec(raw);
  if (wrong) return { verdict: 'wrong' as const, correctedLabel: Number(wrong[1]) };
  if (raw === 'right' || raw === 'ambiguous' || raw === 'skip') return { verdict: raw as LabelVerdict, correctedLabel: null };
  throw new HTTPException(400, { message: `decision must be right, ambiguous, skip or wrong-0 to wrong-9; got '${raw}'` });
}

/** The label issues pages: the one-issue-at-a-time review, the training-set searches and the decisions' export. */
export function labelIssuesRoutes(deps: WebDeps): Hono {
  const { db, images, trainImages, analyses } = deps;
  const imagesOf = (split: LabelSplit) => (split === 'train' ? trainImages : images);
  // Ranking the test set reads every run's predictions and embeddings: it is done in a thread, again
  // only when the completed runs change (normally in the background, as soon as they do).
  const issuesOf = async (split: LabelSplit): Promise<{ runs: number; issues: LabelIssue[] }> =>
    split === 'train' ? findLabelIssues(db, 'train', trainImages.labels) : analyses.testLabelIssues('mnist');
  const reviewView = async (split: LabelSplit, slice: ReviewSlice, position: { index?: number; after?: number }): Promise<ReviewView> => {
    const { runs, issues } = await issuesOf(split);
    const inSlice = issuesInSlice(issues, slice, imagesOf(split).dataset);
    const decisions = new Map(listLabelDecisions(db, split).map((d) => [d.imageIndex, d]));
    const shown = position.index === undefined ? -1 : inSlice.findIndex((issue) => issue.index === position.index);
    const after = position.after === undefined ? -1 : inSlice.findIndex((issue) => issue.index === position.after);
    const at = shown >= 0 ? shown : nextUndecided(inSlice, new Set(decisions.keys()), after);
    return { split, slice, issues: inSlice, runs, at, decisions, images: imagesOf(split) };
  };
  const searchView = (search: TrainingSetSearch): SearchView => {
    const result = searchResult(db, search, trainImages.labels);
    const progress = searchProgress(db, result ? getTrainingSetSearch(db, search.id) : search);
    return { search: result ? getTrainingSetSearch(db, search.id) : search, ...progress, result };
  };
  const searchOf = (c: Context) => getTrainingSetSearch(db, Number(c.req.param('search')));
  const exported = () => labelDecisionsExport(db, { train: trainImages.dataset, test: images.dataset });

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
      return c.html(<ReviewPage view={await reviewView(split, slice, { index })} />);
    })
    .post('/label-issues/decide', async (c) => {
      const body = await formBody(c);
      const split = field(body, 'split') as LabelSplit;
      const slice = field(body, 'slice') as ReviewSlice;
      if (!LABEL_SPLITS.includes(split)) throw new HTTPException(400, { message: `split must be test or train` });
      if (!REVIEW_SLICES.includes(slice)) throw new HTTPException(400, { message: `slice must be one of ${REVIEW_SLICES.join(', ')}` });
      const imageIndex = formInt(body, 'index', 0, imagesOf(split).count - 1);
      const was = getLabelDecision(db, split, imageIndex);
      const now = decideLabel(db, { split, imageIndex, ...parseDecision(field(body, 'decision')) });
      // A skip decided nothing, so deciding over one replaces nothing worth saying.
      const replaced = was && was.verdict !== 'skip' ? { was, now } : undefined;
      const view = { ...(await reviewView(split, slice, { after: imageIndex })), replaced };
      const shownUrl = reviewUrl(split, slice, view.at === null ? undefined : view.issues[view.at]!.index);
      if (!c.req.header('HX-Request')) return c.redirect(shownUrl, 303);
      // The address follows the issue shown, so a reload stays on it and Back returns to the one just decided.
      c.header('HX-Push-Url', shownUrl);
      return c.html(<ReviewPanel view={view} />);
    })
    .get('/api/label-issues/decisions', (c) => c.json(exported()))
    .get('/label-issues/decisions.csv', (c) => {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', 'attachment; filename="label-issues-decisions.csv"');
      return c.body(labelDecisionsCsv(exported()));
    })
    .route('/', oldLabelIssuesUrls());
}
