import { sumsToOne } from '../../models/imported/classifier.ts';
import type { TestOutcome } from '../../store/store.ts';
import type { FieldProblem } from '../../training/run-request.ts';

const CLASSES = 10;

const finiteIn = (value: number, min: number, max = Infinity) => Number.isFinite(value) && value >= min && value <= max;

/** The first index whose value fails `ok`, or -1. */
function firstBad(values: ArrayLike<number>, ok: (value: number) => boolean): number {
  for (let i = 0; i < values.length; i++) if (!ok(values[i]!)) return i;
  return -1;
}

function probabilityProblem(probabilities: Float32Array, count: number): string | null {
  if (probabilities.length !== count * CLASSES) return `must hold ${count}x${CLASSES} values (one row per test image); got ${probabilities.length}`;
  const bad = firstBad(probabilities, (p) => finiteIn(p, 0));
  if (bad >= 0) return `has ${probabilities[bad]} at image ${Math.floor(bad / CLASSES)}, class ${bad % CLASSES}: probabilities are finite and non-negative`;
  for (let row = 0; row < count; row++) if (!sumsToOne(probabilities, row * CLASSES)) return `row ${row} does not sum to 1`;
  return null;
}

/** Problems of the confusion matrix: its shape and cells, then (with well-formed predictions) its total, columns and diagonal. */
function confusionProblem(confusion: unknown, predicted: Uint8Array | null, accuracy: number): string | null {
  const square = Array.isArray(confusion) && confusion.length === CLASSES && confusion.every((row) => Array.isArray(row) && row.length === CLASSES);
  if (!square) return `must be ${CLASSES}x${CLASSES} (true class by predicted class)`;
  const cells = (confusion as unknown[][]).flat();
  if (!cells.every((cell) => Number.isInteger(cell) && (cell as number) >= 0)) return 'cells must be whole numbers from 0';
  if (!predicted) return null;
  const count = predicted.length;
  const matrix = confusion as number[][];
  const total = cells.reduce<number>((sum, cell) => sum + (cell as number), 0);
  if (total !== count) return `counts ${total} images, not the run's ${count} test images`;
  const predictedAs = new Array<number>(CLASSES).fill(0);
  for (const label of predicted) predictedAs[label]!++;
  const column = predictedAs.findIndex((n, c) => matrix.reduce((sum, row) => sum + row[c]!, 0) !== n);
  if (column >= 0) return `column ${column} does not match the ${predictedAs[column]} images predicted as ${column}`;
  const correct = matrix.reduce((sum, row, c) => sum + row[c]!, 0);
  if (count > 0 && Math.abs(correct / count - accuracy) > 1e-6) return `has ${correct} of ${count} correct, which is not the accuracy ${accuracy}`;
  return null;
}

/**
 * Everything wrong with a remote worker's test results for a run of `count` test images, checked
 * as strictly as an import: stored, a malformed result would break every page that reads it.
 */
export function completionProblems(outcome: TestOutcome, count: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (field: string, text: string | null) => {
    if (text) problems.push({ field, problem: text });
  };
  const { predicted, embeddings, embeddingDimensions } = outcome;
  problem('loss', finiteIn(outcome.loss, 0) ? null : `must be a finite number from 0; got ${outcome.loss}`);
  problem('accuracy', finiteIn(outcome.accuracy, 0, 1) ? null : `must be a finite number from 0 to 1; got ${outcome.accuracy}`);
  problem('trainSamplesPerSecond', finiteIn(outcome.trainSamplesPerSecond, 0) ? null : `must be a finite number from 0; got ${outcome.trainSamplesPerSecond}`);
  const predictedOk = predicted.length === count && firstBad(predicted, (c) => c < CLASSES) < 0;
  problem('predicted', predictedOk ? null : `must be ${count} classes from 0 to 9 (one per test image); got ${predicted.length} bytes`);
  problem('probabilities', probabilityProblem(outcome.probabilities, count));
  const dimensionsOk = Number.isInteger(embeddingDimensions) && embeddingDimensions >= 0;
  const embeddingsOk = dimensionsOk && embeddings.length === count * embeddingDimensions && firstBad(embeddings, Number.isFinite) < 0;
  problem('embeddings', embeddingsOk ? null : `must be ${count} rows of embeddingDimensions finite values`);
  problem('confusion', confusionProblem(outcome.confusion, predictedOk ? predicted : null, outcome.accuracy));
  return problems;
}
