import type { RunCalibration } from '../../analysis/calibration/run-calibration.ts';
import type { Reliability } from '../../analysis/calibration/reliability.ts';
import type { JobStatus } from '../../analysis/job-status.ts';
import type { StoredRobustness } from '../../analysis/robustness/robustness-store.ts';
import { LineChart } from '../components/line-chart.tsx';
import { formatDuration, percent, plural } from '../format.ts';
import { Tiles } from '../analysis/tiles.tsx';
import type { TestImages } from '../test-images.ts';
import { robustnessPreviews } from './robustness-previews.ts';

const SIDE = 240;
const PAD = 34;
const PLOT = SIDE - PAD - 10;

/**
 * How far below the bars bin `m`'s count sits. A bin is 13 px wide, narrower than a four-digit
 * count ("1209608" was 120 beside 9608): alternate bins take alternate rows, two bins apart.
 */
const countRow = (m: number) => (m % 2 === 0 ? 10 : 19);

/**
 * Accuracy against confidence per bin, over the diagonal a calibrated model would follow; each
 * bar is labelled with its image count, since a bin of three images says little.
 */
function ReliabilityDiagram({ reliability, title }: { reliability: Reliability; title: string }) {
  const width = PLOT / reliability.bins.length;
  const y = (v: number) => 10 + (1 - v) * PLOT;
  return (
    <figure class="chart reliability">
      <svg viewBox={`0 0 ${SIDE} ${SIDE + 14}`} role="img" aria-label={title}>
        <line class="diagonal" x1={PAD} y1={y(0)} x2={PAD + PLOT} y2={y(1)} />
        {[0, 0.5, 1].map((t) => (
          <text class="tick" x={PAD - 4} y={y(t) + 4} text-anchor="end">
            {t * 100}%
          </text>
        ))}
        {reliability.bins.map((bin, m) =>
          bin.accuracy === null ? null : (
            <g class="bin">
              <title>{`confidence ${percent(bin.lower, 0)}–${percent(bin.upper, 0)}: ${plural(bin.count, 'image')}, accuracy ${percent(bin.accuracy, 1)}, mean confidence ${percent(bin.confidence, 1)}`}</title>
              <rect x={(PAD + m * width + 1).toFixed(1)} y={y(bin.accuracy).toFixed(1)} width={(width - 2).toFixed(1)} height={(y(0) - y(bin.accuracy)).toFixed(1)} />
              <text class="count" x={(PAD + (m + 0.5) * width).toFixed(1)} y={y(0) + countRow(m)} text-anchor="middle">
                {bin.count}
              </text>
            </g>
          ),
        )}
        <text class="axis-label" x={PAD + PLOT / 2} y={SIDE + 12} text-anchor="middle">
          confidence (count per bin below the bars)
        </text>
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** How sure right and wrong answers were, per bin: bars on a log scale, or the wrong ones would vanish beside the right. */
function ConfidenceHistogram({ reliability }: { reliability: Reliability }) {
  const max = Math.log10(1 + Math.max(...reliability.bins.map((b) => b.count)));
  const width = PLOT / reliability.bins.length;
  const h = (n: number) => (Math.log10(1 + n) / max) * (PLOT / 2 - 6);
  const middle = 10 + PLOT / 2;
  return (
    <figure class="chart confidence-histogram">
      <svg viewBox={`0 0 ${SIDE} ${SIDE + 14}`} role="img" aria-label="confidence of right and wrong answers">
        <line class="axis" x1={PAD} x2={PAD + PLOT} y1={middle} y2={middle} />
        <text class="tick" x={PAD - 4} y={20} text-anchor="end">right</text>
        <text class="tick" x={PAD - 4} y={SIDE - 14} text-anchor="end">wrong</text>
        {reliability.bins.map((bin, m) => {
          const x = PAD + m * width + 1;
          const wrong = bin.count - bin.correct;
          return (
            <g>
              <title>{`confidence ${percent(bin.lower, 0)}–${percent(bin.upper, 0)}: ${bin.correct} right, ${wrong} wrong`}</title>
              <rect class="right" x={x.toFixed(1)} y={(middle - h(bin.correct)).toFixed(1)} width={(width - 2).toFixed(1)} height={h(bin.correct).toFixed(1)} />
              <rect class="wrong" x={x.toFixed(1)} y={middle} width={(width - 2).toFixed(1)} height={h(wrong).toFixed(1)} />
            </g>
          );
        })}
        <text class="axis-label" x={PAD + PLOT / 2} y={SIDE + 12} text-anchor="middle">
          confidence, 0 to 100% (log scale of counts)
        </text>
      </svg>
      <figcaption>Right answers above, wrong below</figcaption>
    </figure>
  );
}

const summary = (r: Reliability) => `ECE ${percent(r.ece)}, maximum calibration error ${percent(r.mce)}, accuracy ${percent(r.accuracy)} at mean confidence ${percent(r.meanConfidence)}`;

/** The run page's calibration: reliability, confidence of right and wrong answers, overconfident mistakes, slices, and the fitted temperature beside the raw figures. */
export function CalibrationView({ report, images, clustersPending }: { report: RunCalibration; images: TestImages; clustersPending?: string }) {
  const { raw, calibrated } = report;
  // Until the run's weak clusters are found (in the background), the section polls for them.
  const poll = clustersPending ? { 'hx-get': `/runs/${report.runId}/calibration`, 'hx-trigger': 'load delay:1s', 'hx-swap': 'outerHTML' } : {};
  return (
    <section id="calibration" class="card" {...poll}>
      <h2>Calibration: when it says 99%, is it right 99% of the time?</h2>
      <p class="calibration-raw">
        On {raw.count} test images: {summary(raw)}.
      </p>
      {calibrated ? (
        <p class="calibration-fitted">
          Calibrated (temperature {calibrated.fit.temperature.toFixed(3)}, fitted on {calibrated.fit.validationCount} validation images): {summary(calibrated.reliability)}.
        </p>
      ) : (
        <p class="muted">
          No temperature fitted yet: <code>digitlab calibration {report.runId} --fit</code> fits one on the run's validation split and shows it here beside these figures.
        </p>
      )}
      <div class="charts">
        <ReliabilityDiagram reliability={raw} title="Accuracy per confidence bin (15 bins); the line is perfect calibration" />
        {calibrated && <ReliabilityDiagram reliability={calibrated.reliability} title={`Calibrated, temperature ${calibrated.fit.temperature.toFixed(2)}`} />}
        <ConfidenceHistogram reliability={raw} />
      </div>
      <h3>Slices</h3>
      <table class="calibration-slices">
        <thead>
          <tr>
            <th>slice</th>
            <th>images</th>
            <th>accuracy</th>
            <th>confidence</th>
            <th>ECE</th>
          </tr>
        </thead>
        <tbody>
          {report.slices.map((s) => (
            <tr>
              <td>{s.name}</td>
              <td>{s.count}</td>
              <td>{percent(s.accuracy, 1)}</td>
              <td>{percent(s.meanConfidence, 1)}</td>
              <td>{percent(s.ece)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {clustersPending ? <p class="muted clusters-pending">The weak clusters' rows: {clustersPending}…</p> : ''}
      <h3>Overconfident mistakes: wrong at 99% or more ({report.overconfident.length})</h3>
      <Tiles indices={report.overconfident} images={images} runId={report.runId} caption={(i) => `label ${images.labels[i]}`} />
    </section>
  );
}

/** One small chart per transform, each in its own unit; strength 0 (or 100% size) is the untouched test set. */
export function RobustnessView({ runId, status, images }: { runId: number; status: JobStatus<StoredRobustness>; images: TestImages }) {
  const poll = { 'hx-get': `/runs/${runId}/robustness`, 'hx-trigger': 'load delay:2s', 'hx-swap': 'outerHTML' };
  const body = (() => {
    switch (status.state) {
      case 'ready': {
        const { value } = status;
        return (
          <>
            <p class="muted">
              Accuracy on {value.count} test images as each transform grows; computed in {formatDuration(value.seconds)}. Point at a
              value to see five test images at that strength.
            </p>
            <div class="charts robustness-charts">
              {value.curves.map((t) => (
                <LineChart
                  title={t.name}
                  xLabel={t.unit}
                  unit="percent"
                  xDomain={[Math.min(...t.points.map((p) => p.strength)), Math.max(...t.points.map((p) => p.strength))]}
                  xTicks={t.points.map((p) => ({ x: p.strength, label: String(p.strength) }))}
                  series={[{ label: `run ${runId}`, className: 'series-val', points: t.points.map((p) => ({ x: p.strength, y: p.accuracy })) }]}
                  pointImages={robustnessPreviews(images, t)}
                />
              ))}
            </div>
          </>
        );
      }
      case 'computing':
        return (
          <div class="progress">
            <div class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(status.fraction * 100)}>
              <div class="fill" style={`width: ${(status.fraction * 100).toFixed(1)}%`}></div>
            </div>
            <p class="progress-text">Computing in a background thread: {status.stage}</p>
          </div>
        );
      case 'absent':
      case 'failed':
        return (
          <>
            {status.state === 'failed' && <p class="refused">The last attempt failed: {status.error}</p>}
            <button type="button" hx-post={`/runs/${runId}/robustness`} hx-target="#robustness" hx-swap="outerHTML">
              Compute robustness curves (shift, rotation, scale, thickness, noise, blur, contrast; about two minutes)
            </button>
          </>
        );
      case 'unavailable':
        return <p class="muted">No robustness curves: {status.reason}.</p>;
    }
  })();
  return (
    // While a thread computes, the section asks again every two seconds for its progress.
    <section id="robustness" class="card" {...(status.state === 'computing' ? poll : {})}>
      <h2>Robustness: how fast it breaks</h2>
      {body}
    </section>
  );
}

/** Where the run page loads both: they read every test prediction (and may start a thread), so after the page. */
export const RunWhySlots = ({ runId }: { runId: number }) => (
  <>
    <section id="calibration" hx-get={`/runs/${runId}/calibration`} hx-trigger="load" hx-swap="outerHTML">
      <p class="muted">Loading the calibration…</p>
    </section>
    <section id="robustness" hx-get={`/runs/${runId}/robustness`} hx-trigger="load" hx-swap="outerHTML">
      <p class="muted">Loading the robustness curves…</p>
    </section>
  </>
);
