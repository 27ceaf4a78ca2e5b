import type { BatchProgress, CurvePoint, LiveProgress } from '../store/run-types.ts';

export type { CurvePoint, LiveProgress } from '../store/run-types.ts';

export const CURVE_SMOOTHING = 0.9;
/** The curve never holds more points than this, however long the run: it rides on every progress write. */
export const CURVE_MAX_POINTS = 256;

const rounded = (value: number, digits: number) => Number(value.toPrecision(digits));

/**
 * The per-batch loss and accuracy of a run, as an exponential moving average (debiased, so the
 * first batches are not pulled towards 0), kept at every `stride`-th batch. When the points would
 * pass CURVE_MAX_POINTS, every other one is dropped and the stride doubles, so the curve covers the
 * whole run at an even spacing within a bounded size. It only reads the numbers training reports.
 */
export class BatchCurve {
  private kept: CurvePoint[] = [];
  private latest: CurvePoint | undefined;
  private stride = 1;
  private seen = 0;
  private loss = 0;
  private accuracy = 0;

  add(progress: BatchProgress): void {
    this.seen++;
    this.loss = CURVE_SMOOTHING * this.loss + (1 - CURVE_SMOOTHING) * progress.batchLoss;
    this.accuracy = CURVE_SMOOTHING * this.accuracy + (1 - CURVE_SMOOTHING) * progress.batchAccuracy;
    const debias = 1 - CURVE_SMOOTHING ** this.seen;
    this.latest = {
      x: rounded(progress.epoch - 1 + progress.batch / progress.batches, 6),
      loss: rounded(this.loss / debias, 5),
      accuracy: rounded(this.accuracy / debias, 5),
    };
    if ((this.seen - 1) % this.stride !== 0) return;
    this.kept.push(this.latest);
    if (this.kept.length > CURVE_MAX_POINTS - 1) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** The kept points and the latest batch's, which the chart ends on. */
  points(): CurvePoint[] {
    return this.latest === undefined || this.kept.at(-1) === this.latest ? [...this.kept] : [...this.kept, this.latest];
  }
}
