import { CURVE_SMOOTHING, type CurvePoint, type LiveProgress } from '../../training/batch-curve.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import type { EpochMetric, Run } from '../../store/store.ts';
import type { ScalarHistory } from '../../store/tracked-runs.ts';
import { epochDomain, type ChartView } from '../chart-view.ts';
import { LineChart, niceTicks, type Series } from './line-chart.tsx';

type Metric = 'loss' | 'accuracy';

function trainAndValidation(epochs: EpochMetric[], metric: Metric): Series[] {
  const validation = metric === 'loss' ? 'valLoss' : 'valAccuracy';
  return [
    { label: 'training', className: 'series-train', points: epochs.flatMap((e) => (e[metric] === null ? [] : [{ x: e.epoch, y: e[metric] }])) },
    {
      label: 'validation',
      className: 'series-val',
      points: epochs.flatMap((e) => (e[validation] === null ? [] : [{ x: e.epoch, y: e[validation] }])),
    },
  ];
}

const perBatch = (curve: CurvePoint[], metric: Metric): Series => ({
  label: 'training, per batch',
  className: 'series-batch',
  dots: false,
  points: curve.map((p) => ({ x: p.x, y: p[metric] })),
});

/** The curve of the batches trained so far, while the run trains; the store drops it when the run ends. */
function liveCurve(run: Run): CurvePoint[] {
  const progress = run.progress as Partial<LiveProgress> | null;
  return run.status === 'running' && Array.isArray(progress?.curve) ? progress.curve : [];
}

const SMOOTHING_NOTE = `per batch: exponential moving average, each batch weighted ${(1 - CURVE_SMOOTHING).toFixed(1)}`;
/** A tracked run's curve holds the batches its script reported with each heartbeat, as reported. */
const SAMPLED_NOTE = "per batch: the script's own batch loss and accuracy, as reported every few seconds";

/**
 * Loss and accuracy per epoch, training against validation, on an axis spanning every planned
 * epoch; while the run trains, with the smoothed per-batch curve, so the first epoch is not blank.
 */
export function EpochCharts({ run, epochs, scalars = new Map(), view = { logY: false } }: { run: Run; epochs: EpochMetric[]; scalars?: ScalarHistory; view?: ChartView }) {
  const curve = liveCurve(run);
  if (epochs.length === 0 && curve.length === 0) return '';
  // A script elsewhere may not say how many epochs it plans: the axis then spans those it logged.
  const planned = Math.max(Number((run.params as Hyperparameters).epochs) || 0, epochs.length, 1);
  const xDomain = epochDomain(view, planned, curve.length > 0);
  const xTicks = niceTicks(1, planned, 8)
    .filter((t) => Number.isInteger(t))
    .map((x) => ({ x, label: String(x) }));
  const chart = (metric: Metric) => ({
    xLabel: 'Epoch',
    xDomain,
    xTicks,
    series: [...(curve.length > 0 ? [perBatch(curve, metric)] : []), ...trainAndValidation(epochs, metric)],
    note: curve.length > 0 ? (run.source === 'tracked' ? SAMPLED_NOTE : SMOOTHING_NOTE) : undefined,
  });
  return (
    <div class="charts" id="epoch-charts">
      <LineChart title="Loss" unit="plain" logY={view.logY} {...chart('loss')} />
      <LineChart title="Accuracy" unit="percent" {...chart('accuracy')} />
      {[...scalars].map(([name, points]) => (
        <LineChart title={name} unit="plain" xLabel="Epoch" xDomain={xDomain} xTicks={xTicks} series={[{ label: name, className: 'series-train', points: points.map((p) => ({ x: p.epoch, y: p.value })) }]} />
      ))}
    </div>
  );
}
