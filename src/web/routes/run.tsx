import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { epochHistory, getRun, listRuns, runTagMap, validationConfusions, type Run } from '../../store/store.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { loadImportedModelFacts } from '../../store/imported-runs.ts';
import { trainedByDigitlab } from '../../store/run-source.ts';
import { epochScalarHistory } from '../../store/tracked-runs.ts';
import { runAttemptHistory } from '../../execution/workers/leases.ts';
import { AnalysisSlot } from '../analysis/run-analysis.tsx';
import { chartViewOf, type ChartView } from '../chart-view.ts';
import { AugmentStrip } from '../components/augment-strip.tsx';
import { ArchiveButton, ArchivedNotice } from '../components/run-archive.tsx';
import { ChartControls } from '../components/chart-controls.tsx';
import { EpochConfusion } from '../components/epoch-confusion.tsx';
import { Layout } from '../components/layout.tsx';
import { MAX_NOTE_LENGTH, NoteEditor } from '../components/note-editor.tsx';
import { RunLive, type LiveView } from '../components/run-live.tsx';
import { RunRecord } from '../components/run-record.tsx';
import { TagsEditor } from '../components/tags-editor.tsx';
import { RunOwnDigitsScore } from '../own-digits/components.tsx';
import type { WebDeps } from '../deps.ts';
import { checkTag } from '../launch.ts';
import { formBody, formField as field, queryInt, RUN_ID, runIdOf } from '../params.ts';
import { drawnGallery, runResults } from '../run-results.ts';
import { resultsViewOf, runPageUrlWith, type ResultsView } from '../run-view-state.ts';
import { RunWhySlots } from '../explain/run-why.tsx';

export function runRoutes(deps: WebDeps): Hono {
  const { db, runs, queue, datasets } = deps;
  const liveView = (run: Run, chartView: ChartView, resultsView?: ResultsView): LiveView => ({
    run,
    chartView,
    epochs: epochHistory(db, run.id),
    scalars: epochScalarHistory(db, run.id),
    queuedAhead: run.status === 'queued' ? listRuns(db, { statuses: ['queued'] }).filter((r) => r.id < run.id).length : 0,
    results: runResults(deps, run, resultsView),
  });
  const runOf = (c: Context) => getRun(db, runIdOf(c));
  /** Where the run trains or trained: this machine, or which remote worker on which host. */
  const trainedBy = (run: Run) => {
    const last = runAttemptHistory(db, run.id).at(-1);
    if (run.source === 'imported') return 'imported';
    if (run.source === 'tracked') return `its own script (${run.backend}), logged through the tracking API`;
    const slurmState = run.slurmState && run.status !== 'completed' ? ` (${run.slurmState})` : '';
    if (!last || (run.status === 'queued' && run.slurmJobId)) {
      return run.slurmJobId ? `Slurm job ${run.slurmJobId}${slurmState}` : run.host ? `this server's machine, ${run.host}` : 'not started';
    }
    if (last.slurmJobId) return `Slurm job ${last.slurmJobId} on ${last.host}${slurmState} (attempt ${last.attempt})`;
    if (last.worker === null) return `this server's machine, ${last.host}${last.attempt > 1 ? ` (attempt ${last.attempt})` : ''}`;
    return `remote worker ${last.worker} on ${last.host} (attempt ${last.attempt})`;
  };
  const liveFragment = (run: Run, chartView: ChartView = { logY: false }) => (
    <>
      <RunLive view={liveView(run, chartView)} />
      <RunRecord run={run} trainedBy={trainedBy(run)} imported={loadImportedModelFacts(db, run.id)} oob />
      <ArchiveButton run={run} oob />
    </>
  );

  /** The stepper through the validation confusion matrices, at the last epoch; nothing for a run without any. */
  const lastEpochConfusion = (run: Run) => {
    const epochs = validationConfusions(db, run.id);
    return epochs.length === 0 ? '' : <EpochConfusion runId={run.id} epochs={epochs} epoch={epochs.at(-1)!.epoch} />;
  };

  return new Hono()
    .get(`/runs/${RUN_ID}`, (c) => {
      const run = runOf(c);
      const chartView = chartViewOf(c);
      return c.html(
        <Layout title={`Run ${run.id}: ${run.name}`}>
          <p class="crumbs">
            <a href="/runs">Runs</a> › run {run.id}
          </p>
          <h1>
            {run.name} <span class="muted">#{run.id}</span>
          </h1>
          <div class="run-actions">
            {trainedByDigitlab(run) ? (
              <>
                <a class="button" href={`/runs?from=${run.id}#launch`}>
                  Rerun with these settings
                </a>{' '}
              </>
            ) : (
              ''
            )}
            <a class="button" href={`/runs/${run.id}/delete`}>
              Delete…
            </a>{' '}
            <ArchiveButton run={run} />
          </div>
          <ArchivedNotice run={run} />
          <div class="meta-grid">
            <RunRecord run={run} trainedBy={trainedBy(run)} imported={loadImportedModelFacts(db, run.id)} />
            <section class="card">
              <TagsEditor runId={run.id} tags={runTagMap(db, run.id)} />
              <NoteEditor runId={run.id} note={run.note} />
            </section>
          </div>
          <AugmentStrip run={run} train={() => datasets.train(run.dataset).dataset} />
          {run.source === 'imported' ? '' : <ChartControls view={chartView} epochs={Math.max(Number((run.params as Hyperparameters).epochs) || 0, 1)} />}
          <RunLive view={liveView(run, chartView, resultsViewOf(c))} />
          {lastEpochConfusion(run)}
          {run.status === 'completed' && <RunOwnDigitsScore runId={run.id} />}
          {run.status === 'completed' && <RunWhySlots runId={run.id} />}
          <AnalysisSlot run={run} />
        </Layout>,
      );
    })
    .get(`/runs/${RUN_ID}/live`, (c) => c.html(liveFragment(runOf(c), chartViewOf(c))))
    .get(`/runs/${RUN_ID}/epoch-confusion`, (c) => {
      const run = runOf(c);
      const epochs = validationConfusions(db, run.id);
      const epoch = queryInt(c, 'epoch', { min: 1, max: 100_000 });
      if (epoch === undefined) throw new HTTPException(400, { message: 'epoch-confusion needs ?epoch=N' });
      if (!epochs.some((e) => e.epoch === epoch)) {
        const stored = epochs.length === 0 ? 'none' : `epochs ${epochs[0]!.epoch} to ${epochs.at(-1)!.epoch}`;
        throw new HTTPException(404, { message: `run ${run.id} has no validation confusion matrix for epoch ${epoch} (stored: ${stored})` });
      }
      return c.html(<EpochConfusion runId={run.id} epochs={epochs} epoch={epoch} />);
    })
    .post(`/runs/${RUN_ID}/cancel`, async (c) => c.html(liveFragment(await queue.cancel(runIdOf(c)))))
    .get(`/runs/${RUN_ID}/gallery`, (c) => {
      const run = runOf(c);
      const last = datasets.classNames(run.dataset).length - 1;
      const label = queryInt(c, 'label', { min: 0, max: last });
      const predicted = queryInt(c, 'predicted', { min: 0, max: last });
      if ((label === undefined) !== (predicted === undefined)) {
        throw new HTTPException(400, { message: 'a confusion-matrix cell needs both label and predicted' });
      }
      const cell = label === undefined ? undefined : { label, predicted: predicted! };
      const gallery = drawnGallery(deps, run, cell, queryInt(c, 'page', { min: 1, max: 10_000 }) ?? 1);
      // The run page's URL follows, so that a reload or a shared link shows the same images, and Back the ones before.
      const changes = cell ? { cell: `${cell.label}-${cell.predicted}`, 'cell-page': gallery.page } : { page: gallery.page };
      c.header('HX-Push-Url', runPageUrlWith(c, run.id, changes));
      return c.html(gallery.html);
    })
    .post(`/runs/${RUN_ID}/tags`, async (c) => {
      const run = runOf(c);
      const body = await formBody(c);
      const [key, value] = [field(body, 'key').trim(), field(body, 'value').trim()];
      const error = checkTag(key, value);
      if (error) return c.html(<TagsEditor runId={run.id} tags={runTagMap(db, run.id)} rejected={{ key, value, error }} />, 422);
      await runs.setTag(run.id, key, value);
      return c.html(<TagsEditor runId={run.id} tags={runTagMap(db, run.id)} />);
    })
    .delete(`/runs/${RUN_ID}/tags/:key`, async (c) => {
      const run = runOf(c);
      await runs.removeTag(run.id, c.req.param('key'));
      return c.html(<TagsEditor runId={run.id} tags={runTagMap(db, run.id)} />);
    })
    .post(`/runs/${RUN_ID}/note`, async (c) => {
      const run = runOf(c);
      const note = field(await formBody(c), 'note');
      if (note.length > MAX_NOTE_LENGTH) {
        return c.html(<NoteEditor runId={run.id} note={note} status={{ error: `a note is at most ${MAX_NOTE_LENGTH} characters` }} />, 422);
      }
      await runs.setNote(run.id, note);
      return c.html(<NoteEditor runId={run.id} note={note} status={{ saved: true }} />);
    });
}
