import { describe, expect, it } from 'vitest';
import { EpochCharts } from '../../../src/web/components/epoch-charts.tsx';
import { REFERENCE_HYPERPARAMETERS } from '../../../src/training/hyperparameters.ts';
import type { EpochMetric, Run } from '../../../src/store/store.ts';

const epoch = (n: number, loss: number, valLoss: number): EpochMetric =>
  ({ runId: 1, epoch: n, loss, accuracy: 0.9, valLoss, valAccuracy: 0.91, seconds: 10, loggedAt: new Date(0) });

/** Every chart of the run page's epoch charts: its x tick labels, its y tick positions and its points' heights. */
async function chartsOf(epochs: EpochMetric[], planned: number) {
  const run = { params: { ...REFERENCE_HYPERPARAMETERS, epochs: planned } } as Run;
  const html = String(await (<EpochCharts run={run} epochs={epochs} />));
  return html.split('<figure').slice(1).map((figure) => ({
    xTicks: [...figure.matchAll(/<text class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
    yTicks: [...figure.matchAll(/<g class="tick"><line [^>]*y1="([\d.]+)"/g)].map((m) => Number(m[1])),
    points: [...figure.matchAll(/<circle [^>]*cy="([\d.]+)"/g)].map((m) => Number(m[1])),
  }));
}

describe('the epoch charts (bug 11)', () => {
  it('mark the only epoch of a one-epoch run on the x axis, and keep every point within the y ticks', async () => {
    const charts = await chartsOf([epoch(1, 0.31, 0.12)], 1);
    expect(charts).toHaveLength(2);
    for (const chart of charts) {
      expect(chart.xTicks).toEqual(['1']);
      expect(chart.points).toHaveLength(2);
      // SVG y grows downwards: the lowest tick has the largest y.
      expect(Math.max(...chart.points)).toBeLessThanOrEqual(Math.max(...chart.yTicks));
      expect(Math.min(...chart.points)).toBeGreaterThanOrEqual(Math.min(...chart.yTicks));
    }
  });

  it('keep every point of a longer run within the y ticks too', async () => {
    const charts = await chartsOf([epoch(1, 0.4137, 0.2), epoch(2, 0.1, 0.0913), epoch(3, 0.0521, 0.0777)], 3);
    for (const chart of charts) {
      expect(chart.xTicks).toEqual(['1', '2', '3']);
      expect(Math.max(...chart.points)).toBeLessThanOrEqual(Math.max(...chart.yTicks));
      expect(Math.min(...chart.points)).toBeGreaterThanOrEqual(Math.min(...chart.yTicks));
    }
  });
});
