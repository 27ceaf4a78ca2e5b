import { DomainError } from '../../core/errors.ts';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { runCalibrations } from '../../../db/schema.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import type { MnistSplit } from '../../data/mnist.ts';
import type { RunModel } from '../../models/run-model.ts';
import { seededRandom } from '../../core/random.ts';
import { loadTestPredictions, type Run } from '../../store/store.ts';
import type { PairedRuns } from '../compare/run-comparison.ts';
import { runTrainingSplit } from '../../training/train.ts';
import { runLabelDecisions } from '../../training/training-set.ts';
import { discoverRunSlices, type DiscoveredSlice } from '../slice-discovery.ts';
import { partitionSevens } from '../slices.ts';
import { eceDifference, type EceDifference, overconfidentMistakes, reliability, type Reliability } from './reliability.ts';
import { fitTemperature, scaleByTemperature } from './temperature.ts';

export type StoredCalibration = typeof runCalibrations.$inferSelect;

export interface SliceCalibration {
  name: string;
  count: number;
  accuracy: number;
  meanConfidence: number;
  ece: number;
}

export interface RunCalibration {
  runId: number;
  raw: Reliability;
  /** Test indices wrong at confidence ≥ 0.99, surest first. */
  overconfident: number[];
  slices: SliceCalibration[];
  /** Present once a temperature was fitted: the same figures with the scaled probabilities. */
  calibrated: { fit: StoredCalibration; reliability: Reliability; overconfident: number[] } | null;
}

/** Refused requests (no validation split to fit on): the CLI exits 2, pages say so. */
export class CalibrationUnavailableError extends DomainError { readonly kind = 'unavailable'; }

export function loadCalibration(db: Db, runId: number): StoredCalibration | null {
  return db.select().from(runCalibrations).where(eq(runCalibrations.runId, runId)).get() ?? null;
}

function sliceOf(name: string, probabilities: Float32Array, labels: Uint8Array, indices: number[]): SliceCalibration {
  const r = reliability(probabilities, labels, indices);
  return { name, count: r.count, accuracy: r.accuracy, meanConfidence: r.meanConfidence, ece: r.ece };
}

/**
 * The run's calibration on the test set from its stored predictions; null before it has any.
 * `clusters` are the run's discovered slices when the caller has them (a server computes them in a
 * thread); without, they are discovered here, which takes a second or more on 10,000 images.
 */
export function runCalibration(db: Db, run: Run, test: MnistSplit, clusters?: DiscoveredSlice[]): RunCalibration | null {
  const predictions = loadTestPredictions(db, run.id);
  if (!predictions) return null;
  const count = predictions.predicted.length;
  const labels = test.labels.subarray(0, count);
  const { probabilities } = predictions;
  // The seven slices are MNIST's; another dataset's label 7 is no seven.
  const sevens = run.dataset === 'mnist' ? partitionSevens(test) : null;
  const within = (indices: number[]) => indices.filter((i) => i < count);
  clusters ??= discoverRunSlices(db, run.id, labels) ?? [];
  const classes = count > 0 ? Math.round(probabilities.length / count) : 10;
  const slices = [
    ...(sevens
      ? [sliceOf('crossed sevens', probabilities, labels, within(sevens.crossed)), sliceOf('plain sevens', probabilities, labels, within(sevens.plain))]
      : []),
    ...clusters.map((cluster, i) => sliceOf(`weak cluster ${i + 1} (${cluster.label}s)`, probabilities, labels, cluster.members)),
  ];
  const fit = loadCalibration(db, run.id);
  const scaled = fit && scaleByTemperature(probabilities, fit.temperature, classes);
  return {
    runId: run.id,
    raw: reliability(probabilities, labels),
    overconfident: overconfidentMistakes(probabilities, labels),
    slices,
    calibrated: fit && scaled ? { fit, reliability: reliability(scaled, labels), overconfident: overconfidentMistakes(scaled, labels) } : null,
  };
}

/**
 * Fits a temperature on the run's own validation split (the last share of its training images,
 * which it never trained on) and records it. The test set plays no part in the fit.
 */
export async function fitRunTemperature(db: Db, run: Run, model: RunModel): Promise<StoredCalibration> {
  const params = run.params as Hyperparameters;
  const { validation } = runTrainingSplit(params, runLabelDecisions(db, params));
  if (!validation) throw new CalibrationUnavailableError(`run ${run.id} kept no validation split (validation split ${params.validationSplit}): there is nothing to fit a temperature on`);
  const probabilities = await model.probabilities(Float32Array.from(validation.images, (v) => v / 255), validation.count);
  const { temperature, nllBefore, nllAfter } = fitTemperature(probabilities, validation.labels);
  const row = { runId: run.id, temperature, validationCount: validation.count, validationNll: nllBefore, calibratedNll: nllAfter, createdAt: new Date() };
  db.insert(runCalibrations).values(row).onConflictDoUpdate({ target: runCalibrations.runId, set: row }).run();
  return loadCalibration(db, run.id)!;
}

/** What pairedEceDifference computes from: both runs' probabilities on the images both saw; null if either lacks them. */
export interface EceInputs {
  a: Float32Array;
  b: Float32Array;
  labels: Uint8Array;
}

export function pairedEceInputs(db: Db, paired: PairedRuns): EceInputs | null {
  const [a, b] = [loadTestPredictions(db, paired.a.id), loadTestPredictions(db, paired.b.id)];
  const count = paired.predictions.labels.length;
  const K = paired.classNames.length;
  if (!a || !b || a.probabilities.length < count * K || b.probabilities.length < count * K) return null;
  return { a: a.probabilities.slice(0, count * K), b: b.probabilities.slice(0, count * K), labels: paired.predictions.labels };
}

/** The bootstrap of pairedEceDifference (half a second on 10,000 images). A fixed seed: reloading the page must not move the interval. */
export const eceDifferenceOf = ({ a, b, labels }: EceInputs): EceDifference => eceDifference(a, b, labels, seededRandom(12));

/** ECE(B) - ECE(A) on the test images both saw, with its paired bootstrap interval; null if either lacks probabilities. */
export function pairedEceDifference(db: Db, paired: PairedRuns): EceDifference | null {
  const inputs = pairedEceInputs(db, paired);
  return inputs && eceDifferenceOf(inputs);
}
