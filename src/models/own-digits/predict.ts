import { DomainError } from '../../core/errors.ts';
import * as tf from '@tensorflow/tfjs';
import type { Db } from '../../../db/client.ts';
import { scaledPixels } from '../../data/batches.ts';
import { evaluate, modelPredictor, type Predictor } from '../../training/evaluate.ts';
import { ImportedRunHasNoModelError, loadImportedClassifier } from '../../training/import-run.ts';
import { loadImportedModel } from '../../store/imported-runs.ts';
import { deserializeModel } from '../saved-model.ts';
import { loadSavedModel, type Run } from '../../store/store.ts';
import { asLabelledImages, listOwnDigits, toMnistBytes } from '../../data/own-digits/digit-set.ts';

export class RunHasNoModelError extends DomainError {
  readonly kind = 'unavailable';
  constructor(
    run: Run,
    /** The reason, worded to follow the run's name. */
    readonly why = `is ${run.status} and has no stored model`,
  ) {
    super(`run ${run.id} (${run.name}) ${why}`);
  }
}

/** The trained model of a run; the caller disposes it. Needs a tfjs backend already selected. */
async function loadRunModel(db: Db, run: Run): Promise<tf.LayersModel> {
  const saved = loadSavedModel(db, run.id);
  if (!saved) throw new RunHasNoModelError(run);
  return deserializeModel(saved);
}

/**
 * A run's model, trained here or imported, as one Predictor on digitlab's pixels, so own digits
 * and neighbours need not know where it came from; the caller disposes it.
 */
export async function loadRunPredictor(db: Db, run: Run): Promise<{ predict: Predictor; dispose(): void }> {
  if (run.source !== 'imported') {
    const model = await loadRunModel(db, run);
    return { predict: modelPredictor(model), dispose: () => model.dispose() };
  }
  const imported = loadImportedModel(db, run.id);
  if (!imported) throw new RunHasNoModelError(run);
  try {
    return await loadImportedClassifier(imported);
  } catch (err) {
    if (err instanceof ImportedRunHasNoModelError) throw new RunHasNoModelError(run, err.message);
    throw err;
  }
}

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
export async function predictWithRuns(db: Db, runs: Run[], input: Float32Array): Promise<(RunPrediction | RunWithoutModel)[]> {
  const single = { images: toMnistBytes(input), labels: new Uint8Array(1), count: 1 };
  const readings: (RunPrediction | RunWithoutModel)[] = [];
  for (const run of runs) {
    let model;
    try {
      model = await loadRunPredictor(db, run);
    } catch (err) {
      if (!(err instanceof RunHasNoModelError)) throw err;
      readings.push({ runId: run.id, runName: run.name, absence: err.why });
      continue;
    }
    const [scores] = await model.predict(scaledPixels(single, 0, 1), 1, false);
    model.dispose();
    const probabilities = Array.from(scores!);
    readings.push({ runId: run.id, runName: run.name, predicted: probabilities.indexOf(Math.max(...probabilities)), probabilities });
  }
  return readings;
}

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
export async function scoreRunOnOwnDigits(db: Db, run: Run): Promise<OwnDigitsScore> {
  const digits = listOwnDigits(db);
  if (digits.length === 0) return { runId: run.id, count: 0, correct: 0, accuracy: null, results: [] };
  const model = await loadRunPredictor(db, run);
  const evaluation = await evaluate(model.predict, asLabelledImages(digits));
  model.dispose();
  const results = digits.map((digit, i) => ({
    id: digit.id,
    label: digit.label,
    predicted: evaluation.predicted[i]!,
    probabilities: Array.from(evaluation.probabilities.subarray(i * 10, i * 10 + 10)),
  }));
  const correct = results.filter((r) => r.predicted === r.label).length;
  return { runId: run.id, count: digits.length, correct, accuracy: evaluation.accuracy, results };
}
