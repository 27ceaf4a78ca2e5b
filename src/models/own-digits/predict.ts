import type { Db } from '../../../db/client.ts';
import { scaledPixels, type LabelledImages } from '../../data/batches.ts';
import type { Run } from '../../store/store.ts';
import { asLabelledImages, listOwnDigits, toMnistBytes } from '../../data/own-digits/digit-set.ts';
import { openRunModel, RunHasNoModelError } from '../run-model.ts';

/**
 * The class probabilities per image of `pixels` ([0,1], 784 each) under a run's model. In place by
 * default; a server passes one that runs the model in a thread of its own.
 */
export type RunProbabilities = (db: Db, run: Run, pixels: Float32Array, count: number) => Promise<Float32Array>;

/** Opens the run's model here, predicts and disposes of it. */
export const probabilitiesInPlace: RunProbabilities = async (db, run, pixels, count) => {
  const model = await openRunModel(db, run);
  try {
    return await model.probabilities(pixels, count);
  } finally {
    model.dispose();
  }
};

/** Each image's probabilities (one per class of the run's dataset) under the run's model, read from the bytes a stored own digit keeps. */
async function runProbabilities(db: Db, run: Run, images: LabelledImages, probabilitiesOf: RunProbabilities): Promise<number[][]> {
  const flat = await probabilitiesOf(db, run, scaledPixels(images, 0, images.count), images.count);
  const classes = flat.length / images.count;
  return Array.from({ length: images.count }, (_, i) => Array.from(flat.subarray(i * classes, (i + 1) * classes)));
}

/** The most probable class (the first, on a tie). */
const predictedClass = (probabilities: number[]) => probabilities.indexOf(Math.max(...probabilities));

export interface RunPrediction {
  runId: number;
  runName: string;
  predicted: number;
  probabilities: number[];
}

/** A run asked to read a digit that has no model to read it with, and why. */
export interface RunWithoutModel {
  runId: number;
  runName: string;
  /** RunHasNoModelError's `why`. */
  absence: string;
}

export const hasPrediction = (reading: RunPrediction | RunWithoutModel): reading is RunPrediction => 'predicted' in reading;

/**
 * What each run makes of one preprocessed digit, read in the same bytes a stored own digit keeps.
 * A run without a model (an imported prediction file) says so in its place.
 */
export async function predictWithRuns(db: Db, runs: Run[], input: Float32Array, probabilitiesOf: RunProbabilities = probabilitiesInPlace): Promise<(RunPrediction | RunWithoutModel)[]> {
  const single = { images: toMnistBytes(input), labels: new Uint8Array(1), count: 1 };
  const readings: (RunPrediction | RunWithoutModel)[] = [];
  for (const run of runs) {
    try {
      const [probabilities] = (await runProbabilities(db, run, single, probabilitiesOf)) as [number[]];
      readings.push({ runId: run.id, runName: run.name, predicted: predictedClass(probabilities), probabilities });
    } catch (err) {
      if (!(err instanceof RunHasNoModelError)) throw err;
      readings.push({ runId: run.id, runName: run.name, absence: err.why });
    }
  }
  return readings;
}

/**
 * Why a run cannot be scored on the person's digits, worded to follow its name, or null when it
 * can: the set holds digits, which only a run on MNIST reads as such.
 */
export const notScoredOnDigits = (run: Run): string | null =>
  run.dataset === 'mnist' ? null : `reads the classes of ${run.dataset}, not digits`;

export interface OwnDigitsScore {
  runId: number;
  count: number;
  correct: number;
  /** null when the set is empty. */
  accuracy: number | null;
  /** Per own digit, in listOwnDigits order. */
  results: { id: number; label: number; predicted: number; probabilities: number[] }[];
}

/** A run's accuracy on the person's own digits, with each digit's prediction. */
export async function scoreRunOnOwnDigits(db: Db, run: Run, probabilitiesOf: RunProbabilities = probabilitiesInPlace): Promise<OwnDigitsScore> {
  const digits = listOwnDigits(db);
  if (digits.length === 0) return { runId: run.id, count: 0, correct: 0, accuracy: null, results: [] };
  const probabilities = await runProbabilities(db, run, asLabelledImages(digits), probabilitiesOf);
  const results = digits.map((digit, i) => ({ id: digit.id, label: digit.label, predicted: predictedClass(probabilities[i]!), probabilities: probabilities[i]! }));
  const correct = results.filter((r) => r.predicted === r.label).length;
  return { runId: run.id, count: digits.length, correct, accuracy: correct / digits.length, results };
}
