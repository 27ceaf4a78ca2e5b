import { Hono } from 'hono';
import os from 'node:os';
import type { Db } from '../../../db/client.ts';
import { cancellationText, cancelSweep } from '../../analysis/sweeps/sweep-cancel.ts';
import { estimateSweep, measuredThroughputs } from '../../analysis/sweeps/sweep-estimate.ts';
import { sweepResults } from '../../analysis/sweeps/sweep-results.ts';
import { planSweep, SWEEP_OPTIONS, type SweepPlan } from '../../analysis/sweeps/sweep-plan.ts';
import { datasetLookup } from '../../data/datasets/catalogue.ts';
import { launchSweep, listSweeps, sweepRuns } from '../../analysis/sweeps/sweep-store.ts';
import type { WebDeps } from '../deps.ts';
import { flagLabel } from '../format.ts';
import { fixedSettingRows } from '../hyperparameter-values.ts';
import { formBody, RUN_ID, runIdOf } from '../params.ts';
import {
  CancelSweepPage,
  SweepPage,
  SweepPreview,
  SweepResultsView,
  SweepsPage,
  type SweepFormErrors,
  type SweepFormValues,
  type SweepPreviewState,
} from './sweep-page.tsx';

/**
 * The form checked as a sweep plan: every field on its own first, so each mistake shows beside its
 * field at once; then the grid as a whole, whose problem goes beside the field it is about (or
 * above the form: the grid's size).
 */
function checkSweepForm(db: Db, values: SweepFormValues): { plan: SweepPlan } | { errors: SweepFormErrors; error?: string } {
  const planned = planSweep(values, { datasets: datasetLookup(db) });
  if (planned.ok) return { plan: planned.plan };
  const errors: SweepFormErrors = {};
  let error: string | undefined;
  for (const { field, problem } of planned.problems) {
    if (field !== null && field in SWEEP_OPTIONS) errors[field] ??= problem;
    else error ??= problem;
  }
  return error === undefined ? { errors } : { errors, error };
}

async function sweepFormValues(c: Parameters<typeof formBody>[0]): Promise<SweepFormValues> {
  const body = await formBody(c);
  return Object.fromEntries(
    Object.keys(SWEEP_OPTIONS)
      .filter((field) => typeof body[field] === 'string')
      .map((field) => [field, (body[field] as string).trim()]),
  );
}

/** What the form would queue and how long it would train on this machine, or every reason it would not. */
function previewOf(db: Db, values: SweepFormValues): SweepPreviewState {
  const checked = checkSweepForm(db, values);
  if ('errors' in checked) {
    const problems = Object.entries(checked.errors).map(([field, message]) => `${flagLabel(field)}: ${message}`);
    return { ok: false, problems: checked.error ? [checked.error, ...problems] : problems };
  }
  const { plan } = checked;
  return {
    ok: true,
    runs: plan.runs.length,
    axes: Object.fromEntries(Object.entries(plan.axes).map(([axis, values]) => [axis, values.length])),
    seeds: plan.seeds.length,
    estimate: estimateSweep(plan.runs, measuredThroughputs(db)),
    host: os.hostname(),
  };
}

/** The sweeps list with its launch form and preview, one sweep's page, the results fragment that page polls, and cancelling. */
export function sweepRoutes({ db, runs, queue }: Pick<WebDeps, 'db' | 'runs' | 'queue'>): Hono {
  // An unknown sweep's SweepNotFoundError is a 404 by its kind (core/errors.ts).
  const resultsOf = (id: number) => sweepResults(db, id);
  const page = (id: number, notice?: string) => {
    const results = resultsOf(id);
    // A sweep whose runs were all deleted has no settings left to show.
    const first = sweepRuns(db, id)[0];
    const fixed = first ? fixedSettingRows(first, Object.keys(results.sweep.axes)) : [];
    return <SweepPage results={results} fixed={fixed} notice={notice} />;
  };
  return new Hono()
    .get('/sweeps', (c) => c.html(<SweepsPage sweeps={listSweeps(db)} form={{}} preview={previewOf(db, {})} />))
    .post('/sweeps', async (c) => {
      const values = await sweepFormValues(c);
      const checked = checkSweepForm(db, values);
      if ('errors' in checked) return c.html(<SweepsPage sweeps={listSweeps(db)} form={{ values, ...checked }} preview={previewOf(db, values)} />, 422);
      const { sweep } = await launchSweep({ db, runs }, checked.plan);
      return c.redirect(`/sweeps/${sweep.id}`, 303);
    })
    .post('/sweeps/preview', async (c) => c.html(<SweepPreview preview={previewOf(db, await sweepFormValues(c))} />))
    .get(`/sweeps/${RUN_ID}`, (c) => c.html(page(runIdOf(c))))
    .get(`/sweeps/${RUN_ID}/results`, (c) => c.html(<SweepResultsView results={resultsOf(runIdOf(c))} />))
    .get(`/sweeps/${RUN_ID}/cancel`, (c) => c.html(<CancelSweepPage results={resultsOf(runIdOf(c))} />))
    .post(`/sweeps/${RUN_ID}/cancel`, async (c) => {
      const id = runIdOf(c);
      resultsOf(id);
      return c.html(page(id, cancellationText(await cancelSweep(db, queue, id))));
    });
}
