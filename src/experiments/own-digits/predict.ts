import * as tf from '@tensorflow/tfjs';
import type { Db } from '../../../db/client.ts';
import { imageBatch } from '../batches.ts';
import { evaluate } from '../evaluate.ts';
import { deserializeModel } from '../saved-model.ts';
import { loadSavedModel, type Run } from '../store.ts';
import { asLabelledImages, listOwnDigits, toMnistBytes } from './digit-set.ts';

export class RunHasNoModelError extends Error {
  constructor(run: Run) {
    super(`run ${run.id} (${run.name}) is ${run.status} and has no stored model`);
  }
}

/** The trained model of a run; the caller disposes it. Needs a tfjs backend already selected. */
export async function loadRunModel(db: Db, run: Run): Promise<tf.LayersModel> {
  const saved = loadSavedModel(db, run.id);
  if (!saved) throw new RunHasNoModelError(run);
  return deserializeModel(saved);
}

export interface RunPrediction {
  runId: number;
  runName: string;
  predicted: number;
  probabilities: number[];
}

/** What each run makes of one preprocessed digit, read in the same bytes a stored own digit keeps. */
export async function predictWithRuns(db: Db, runs: Run[], input: Float32Array): Promise<RunPrediction[]> {
  const single = { images: toMnistBytes(input), labels: new Uint8Array(1), count: 1 };
  const predictions: RunPrediction[] = [];
  for (const run of runs) {
    const model = await loadRunModel(db, run);
    const scores = tf.tidy(() => model.predict(imageBatch(single, 0, 1)) as tf.Tensor);
    const probabilities = Array.from(scores.dataSync());
    scores.dispose();
    model.dispose();
    predictions.push({ runId: run.id, runName: run.name, predicted: probabilities.indexOf(Math.max(...probabilities)), probabilities });
  }
  return predictions;
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
  const model = await loadRunModel(db, run);
  const evaluation = await evaluate(model, asLabelledImages(digits));
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
