import { CURVE_MAX_POINTS, type CurvePoint, type LiveProgress } from '../../training/batch-curve.ts';
import type { FieldProblem, Parsed } from './tracked-reports.ts';

/**
 * A script's progress reports (the latest batch, sent with each heartbeat) as the live progress a
 * run page shows for runs trained here: the bar, and a per-batch curve of the reported losses.
 * Heartbeats sample the batches, so the curve is a sample of the script's own numbers, unsmoothed;
 * a report without an accuracy adds no accuracy point (NaN, which the chart leaves out).
 */

export interface ProgressReport {
  batch: number;
  batches: number;
  epoch: number;
  loss: number | null;
  accuracy: number | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const wholeFrom1 = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 1;
const finiteOrNull = (value: unknown) => (value === undefined || value === null ? null : typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function parseProgressReport(value: unknown): Parsed<ProgressReport> {
  const problems: FieldProblem[] = [];
  if (!isObject(value)) return { ok: false, problems: [{ field: 'progress', problem: 'must be an object {batch, batches, epoch, loss, accuracy}' }] };
  if (!wholeFrom1(value.batch) || !wholeFrom1(value.batches) || (value.batch as number) > (value.batches as number)) {
    problems.push({ field: 'progress.batch', problem: 'batch and batches must be whole numbers with 1 <= batch <= batches' });
  }
  if (value.epoch !== undefined && !wholeFrom1(value.epoch)) problems.push({ field: 'progress.epoch', problem: 'must be a whole number from 1' });
  const loss = finiteOrNull(value.loss);
  const accuracy = finiteOrNull(value.accuracy);
  if (loss === undefined) problems.push({ field: 'progress.loss', problem: 'must be a finite number' });
  if (accuracy === undefined) problems.push({ field: 'progress.accuracy', problem: 'must be a finite number' });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { batch: value.batch as number, batches: value.batches as number, epoch: (value.epoch as number | undefined) ?? 1, loss: loss!, accuracy: accuracy! } };
}

/** The run's live progress after one more report; `plannedEpochs` from its params when the script gave them. */
export function nextLiveProgress(previous: Partial<LiveProgress> | null, report: ProgressReport, plannedEpochs: number | null, secondsSoFar: number): LiveProgress {
  const epochs = Math.max(plannedEpochs ?? report.epoch, report.epoch);
  const done = (report.epoch - 1 + report.batch / report.batches) / epochs;
  const point: CurvePoint = { x: report.epoch - 1 + report.batch / report.batches, loss: report.loss ?? NaN, accuracy: report.accuracy ?? NaN };
  let curve = [...(Array.isArray(previous?.curve) ? previous.curve : []), point];
  if (curve.length > CURVE_MAX_POINTS) curve = curve.filter((_, i) => i % 2 === 0 || i === curve.length - 1);
  return {
    epoch: report.epoch,
    epochs,
    batch: report.batch,
    batches: report.batches,
    loss: report.loss ?? NaN,
    accuracy: report.accuracy ?? NaN,
    batchLoss: report.loss ?? NaN,
    batchAccuracy: report.accuracy ?? NaN,
    etaSeconds: done > 0 ? (secondsSoFar * (1 - done)) / done : NaN,
    curve,
  };
}
