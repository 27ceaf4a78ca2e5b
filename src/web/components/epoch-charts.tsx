import type { Hyperparameters } from '../../experiments/hyperparameters.ts';
import type { EpochMetric, Run } from '../../experiments/store.ts';
import { LineChart, type Series } from './line-chart.tsx';

type Metric = 'loss' | 'accuracy';

function trainAndValidation(epochs: EpochMetric[], metric: Metric): Series[] {
  const validation = metric === 'loss' ? 'valLoss' : 'valAccuracy';
  return [
    { label: 'training', className: 'series-train', points: epochs.map((e) => ({ x: e.epoch, y: e[metric] })) },
    {
      label: 'validation',
      className: 'series-val',
      points: epochs.flatMap((e) => (e[validation] === null ? [] : [{ x: e.epoch, y: e[validation] }])),
    },
  ];
}

/** Loss and accuracy per epoch, training against validation, on an axis spanning every planned epoch. */
export function EpochCharts({ run, epochs }: { run: Run; epochs: EpochMetric[] }) {
  if (epochs.length === 0) return '';
  const planned = Math.max((run.params as Hyperparameters).epochs, epochs.length);
  const xDomain: [number, number] = [0.5, planned + 0.5];
  return (
    <div class="charts">
      <LineChart title="Loss" xLabel="Epoch" xDomain={xDomain} series={trainAndValidation(epochs, 'loss')} unit="plain" />
      <LineChart
        title="Accuracy"
        xLabel="Epoch"
        xDomain={xDomain}
        series={trainAndValidation(epochs, 'accuracy')}
        unit="percent"
      />
    </div>
  );
}
