import type { LabelAccuracies } from '../../analysis/label-issues/corrected-accuracy.ts';
import type { EpochMetric, Run } from '../../store/store.ts';
import type { ScalarHistory } from '../../store/tracked-runs.ts';
import { dateTime, fixed, formatDuration, percent, runSeconds } from '../format.ts';
import { chartViewQuery, type ChartView } from '../chart-view.ts';
import type { RunResults } from '../run-results.ts';
import { ClassMetricsTable } from './class-metrics-table.tsx';
import { ConfusionMatrix } from './confusion-matrix.tsx';
import { EpochCharts } from './epoch-charts.tsx';
import { RunProgress } from './run-progress.tsx';
import { isActive, StatusBadge } from './status-badge.tsx';

export interface LiveView {
  run: Run;
  epochs: EpochMetric[];
  /** Scalars beyond loss and accuracy that a tracked run's script logged per epoch. */
  scalars: ScalarHistory;
  queuedAhead: number;
  results: RunResults | null;
  /** How the curves are drawn (from the page's URL), kept by every poll. */
  chartView: ChartView;
}

function StatusLine({ run }: { run: Run }) {
  const seconds = runSeconds(run);
  return (
    <div class="status-line">
      <StatusBadge status={run.status} />
      <span class="muted">
        {run.finishedAt ? `ended ${dateTime(run.finishedAt)}` : run.startedAt ? `started ${dateTime(run.startedAt)}` : `queued ${dateTime(run.createdAt)}`}
        {seconds === null ? '' : ` · ${formatDuration(seconds)} of training`}
      </span>
      {isActive(run.status) && run.cancelRequested ? (
        // The trainer records the cancellation itself, after its batch; until then the run still runs.
        <span class="cancel-requested">Cancel requested: training stops after its current batch; finished epochs are kept.</span>
      ) : isActive(run.status) ? (
        <button
          type="button"
          class="danger"
          hx-post={`/runs/${run.id}/cancel`}
          hx-target="#live"
          hx-swap="outerHTML"
          hx-confirm={`Cancel run ${run.id}? Finished epochs are kept.`}
        >
          Cancel run
        </button>
      ) : (
        ''
      )}
    </div>
  );
}

/** Accuracy as the decisions on label issues see it, beside the headline on the file's labels. */
function CorrectedAccuracies({ accuracies: a }: { accuracies: LabelAccuracies }) {
  const note = a.relabelled + a.ambiguous === 0 ? 'no test label decisions yet' : `${a.relabelled} relabelled, ${a.ambiguous} ambiguous`;
  return (
    <>
      <div class="metric corrected-accuracy">
        <span class="value">{percent(a.corrected)}</span>
        <span class="label">
          on corrected labels (<a href="/label-issues">{note}</a>)
        </span>
      </div>
      <div class="metric corrected-accuracy">
        <span class="value">{percent(a.withoutAmbiguous)}</span>
        <span class="label">without ambiguous images</span>
      </div>
    </>
  );
}

function Results({ run, results }: { run: Run; results: RunResults }) {
  return (
    <>
      {results.degenerate ? (
        <p class="flash-error degenerate">
          Degenerate model: {results.degenerate}. Its accuracy is no verdict on the recipe; a model this lopsided usually means training
          diverged (a learning rate too high, say) or, with batch norm, that its moving statistics have not caught up with too few steps
          for its momentum (try a lower momentum, such as 0.9, or more epochs).
        </p>
      ) : (
        ''
      )}
      <section class="test-metrics">
        <div class="metric">
          <span class="value">{percent(run.testAccuracy)}</span>
          <span class="label">test accuracy (original labels)</span>
        </div>
        {results.accuracies ? <CorrectedAccuracies accuracies={results.accuracies} /> : ''}
        <div class="metric">
          <span class="value">{fixed(run.testLoss)}</span>
          <span class="label">test loss</span>
        </div>
        <div class="metric">
          <span class="value">{results.metrics.reduce((n, m) => n + m.support, 0).toLocaleString('en')}</span>
          <span class="label">test images</span>
        </div>
        {run.trainSamplesPerSecond === null ? (
          '' // imported: not trained here
        ) : (
          <div class="metric">
            <span class="value">{Math.round(run.trainSamplesPerSecond).toLocaleString('en')}</span>
            <span class="label">training samples/s</span>
          </div>
        )}
        {run.keptEpoch === null ? (
          '' // no early stopping: the last epoch's weights were tested
        ) : (
          <div class="metric">
            <span class="value">{run.keptEpoch}</span>
            <span class="label">kept epoch (early stopping)</span>
          </div>
        )}
      </section>
      <div class="results-grid">
        <section>
          <h2>Confusion matrix</h2>
          <ConfusionMatrix runId={run.id} counts={results.confusion} classNames={results.classNames} />
        </section>
        <section>
          <h2>Per class</h2>
          <ClassMetricsTable metrics={results.metrics} classNames={results.classNames} />
        </section>
      </div>
      {results.cellGallery ? (
        results.cellGallery.html
      ) : (
        <section id="cell-gallery" class="gallery placeholder">
          <p class="muted">Click a cell of the confusion matrix to see its images here.</p>
        </section>
      )}
      {results.misclassified.html}
    </>
  );
}

/**
 * Everything on the run page that changes while it trains. While the run is queued or running
 * this fragment polls itself; the answer that finds it ended carries no trigger, so polling stops
 * and the results appear without a reload.
 */
export function RunLive({ view }: { view: LiveView }) {
  const { run } = view;
  const query = chartViewQuery(view.chartView);
  const poll = isActive(run.status) ? { 'hx-get': `/runs/${run.id}/live${query ? `?${query}` : ''}`, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {};
  return (
    <section id="live" {...poll}>
      <StatusLine run={run} />
      {run.error ? <p class={`run-error ${run.status}`}>{run.error}</p> : ''}
      <RunProgress run={run} queuedAhead={view.queuedAhead} />
      <EpochCharts run={run} epochs={view.epochs} scalars={view.scalars} view={view.chartView} />
      {view.results ? <Results run={run} results={view.results} /> : ''}
    </section>
  );
}
