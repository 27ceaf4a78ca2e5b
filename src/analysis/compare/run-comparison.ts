import { DomainError } from '../../core/errors.ts';
import type { Db } from '../../../db/client.ts';
import type { RunSource } from '../../../db/schema.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { loadDataset } from '../../data/datasets/catalogue.ts';
import { loadMnist } from '../../data/mnist.ts';
import { epochHistory, getRun, loadTestPredictions, type Run } from '../../store/store.ts';
import { bootstrapDifferenceInterval, type Interval } from '../statistics/bootstrap.ts';
import { mcnemarExactP } from '../statistics/mcnemar.ts';
import { correctnessDifference, imageChanges, type ImageChanges, type PairedPredictions } from './image-changes.ts';
import { layerwiseParams, paramsDiff, type ParamValues } from './params-diff.ts';
import { comparisonVerdict, recipeEvidence, type RecipeEvidence } from './recipe-evidence.ts';

/** Two runs that cannot be compared image by image; the message says why. */
export class ComparisonRefusedError extends DomainError { readonly kind = 'invalid'; }

export interface MetricRow {
  metric: string;
  a: number | null;
  b: number | null;
  /** B minus A. */
  delta: number | null;
}

export interface RunComparison extends ImageChanges {
  a: RunReference;
  b: RunReference;
  paramsDiff: Record<string, ParamValues>;
  params: Record<string, ParamValues>;
  metrics: MetricRow[];
  accuracyDelta: number;
  mcnemarP: number;
  accuracyDeltaInterval: Interval;
  /** Whether the settings behind the two models differ, as far as the store's seeds can tell. */
  recipe: RecipeEvidence;
  verdict: string;
}

interface RunReference {
  id: number;
  name: string;
  dataset: string;
  /** An imported run records no training settings, so its side of a params diff is null. */
  source: RunSource;
  testAccuracy: number;
}

function requireComparable(a: Run, b: Run): void {
  // Nothing differs, so every figure would be an empty 0 and the verdict a tautology.
  if (a.id === b.id) throw new ComparisonRefusedError(`run ${a.id} was given as both A and B: compare two different runs`);
  for (const run of [a, b]) {
    if (run.status !== 'completed') {
      throw new ComparisonRefusedError(`run ${run.id} is ${run.status}, not completed: only finished runs have test predictions to compare`);
    }
  }
  // Different datasets share no test image: an image-by-image comparison has nothing to pair.
  if (a.dataset !== b.dataset) {
    throw new ComparisonRefusedError(
      `runs ${a.id} and ${b.id} were tested on different datasets (${a.dataset} against ${b.dataset}): ` +
        'they share no test image, so neither McNemar nor the image changes mean anything; compare runs on the same dataset',
    );
  }
  const limitOf = (run: Run) => (run.params as Hyperparameters).testLimit ?? null;
  const describe = (limit: number | null) => (limit === null ? `all of ${a.dataset}'s test images` : `the first ${limit} test images`);
  if (limitOf(a) !== limitOf(b)) {
    throw new ComparisonRefusedError(
      `runs ${a.id} and ${b.id} were tested on different test sets (${describe(limitOf(a))} against ${describe(limitOf(b))}); ` +
        'compare runs trained with the same --test-limit',
    );
  }
  const testFilesOf = (run: Run) => {
    const hashes = run.datasetHashes as Record<string, string> | null;
    return `${hashes?.testImages}/${hashes?.testLabels}`;
  };
  if (testFilesOf(a) !== testFilesOf(b)) {
    throw new ComparisonRefusedError(`runs ${a.id} and ${b.id} read different ${a.dataset} test files (their sha256s differ): the same index is not the same image`);
  }
}

function predictionsOf(db: Db, run: Run): Uint8Array {
  const stored = loadTestPredictions(db, run.id);
  if (!stored) throw new ComparisonRefusedError(`run ${run.id} has no stored test predictions`);
  return stored.predicted;
}

/** Final values of what both the run row and the last epoch record, so a table can show deltas. */
function metricRows(db: Db, a: Run, b: Run): MetricRow[] {
  const lastEpoch = (run: Run) => epochHistory(db, run.id).at(-1);
  const [epochA, epochB] = [lastEpoch(a), lastEpoch(b)];
  const row = (metric: string, x: number | null | undefined, y: number | null | undefined): MetricRow => ({
    metric,
    a: x ?? null,
    b: y ?? null,
    delta: x === null || x === undefined || y === null || y === undefined ? null : y - x,
  });
  return [
    row('testAccuracy', a.testAccuracy, b.testAccuracy),
    row('testLoss', a.testLoss, b.testLoss),
    row('valAccuracy', epochA?.valAccuracy, epochB?.valAccuracy),
    row('valLoss', epochA?.valLoss, epochB?.valLoss),
    row('trainAccuracy', epochA?.accuracy, epochB?.accuracy),
    row('trainLoss', epochA?.loss, epochB?.loss),
    row('trainSamplesPerSecond', a.trainSamplesPerSecond, b.trainSamplesPerSecond),
  ];
}

/** Two comparable runs with their predictions on the test set they share. */
export interface PairedRuns {
  a: Run;
  b: Run;
  /** Their dataset's class names, in label order. */
  classNames: string[];
  predictions: PairedPredictions;
}

/**
 * A dataset's whole test split, labels and class names, as a caller already holds it: a server keeps
 * it in memory, where reading the IDX file again took longer than the rest of a comparison.
 */
export type TestLabels = (dataset: string) => { labels: Uint8Array; classNames: string[] };

/** The test images a run was scored on: the first `testLimit` of its dataset's split, from `options.testLabels` when given. */
function testImagesOf(db: Db, run: Run, options: PairOptions): { labels: Uint8Array; classNames: string[] } {
  const testLimit = (run.params as Hyperparameters).testLimit ?? undefined;
  if (options.testLabels) {
    const { labels, classNames } = options.testLabels(run.dataset);
    return { labels: labels.subarray(0, testLimit), classNames };
  }
  return run.dataset === 'mnist' ? loadMnist('test', { dir: options.mnistDir, limit: testLimit }) : loadDataset(db, run.dataset, 'test', { limit: testLimit });
}

export interface PairOptions {
  /** Where MNIST's IDX files are (the CLI's tests point elsewhere). */
  mnistDir?: string;
  /** The test splits the caller holds; without, they are read from disk. */
  testLabels?: TestLabels;
}

/** Loads two runs for an image-by-image comparison, refusing runs that did not finish or were tested on different images. */
export function pairRuns(db: Db, runIdA: number, runIdB: number, options: PairOptions = {}): PairedRuns {
  const [a, b] = [getRun(db, runIdA), getRun(db, runIdB)];
  requireComparable(a, b);
  const { labels, classNames } = testImagesOf(db, a, options);
  return { a, b, classNames, predictions: { labels, a: predictionsOf(db, a), b: predictionsOf(db, b) } };
}

/**
 * Everything the CLI and the web page say about run B against run A, from one computation so the
 * two cannot disagree. `accuracyDeltaInterval` is the bootstrap interval when the caller computed
 * it already (a server does, in a thread: 2,000 resamples of 10,000 images take over half a second).
 */
export function comparePaired(db: Db, { a, b, predictions, classNames }: PairedRuns, accuracyDeltaInterval?: Interval): RunComparison {
  const changes = imageChanges(predictions, classNames.length);
  const accuracyDelta = (changes.correctB - changes.correctA) / changes.images;
  const mcnemarP = mcnemarExactP(changes.broken.length, changes.fixed.length);
  const [paramsA, paramsB] = layerwiseParams([a.params as Record<string, unknown>, b.params as Record<string, unknown>]) as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  const recipe = recipeEvidence(db, a, b);
  const reference = (run: Run, correct: number): RunReference => ({ id: run.id, name: run.name, dataset: run.dataset, source: run.source, testAccuracy: correct / changes.images });
  return {
    ...changes,
    a: reference(a, changes.correctA),
    b: reference(b, changes.correctB),
    paramsDiff: paramsDiff(paramsA, paramsB),
    params: paramsDiff(paramsA, paramsB, { all: true }),
    metrics: metricRows(db, a, b),
    accuracyDelta,
    mcnemarP,
    accuracyDeltaInterval: accuracyDeltaInterval ?? bootstrapDifferenceInterval(correctnessDifference(changes)),
    recipe,
    verdict: comparisonVerdict(accuracyDelta, mcnemarP, recipe),
  };
}

export function compareRuns(db: Db, runIdA: number, runIdB: number, options: PairOptions = {}): RunComparison {
  return comparePaired(db, pairRuns(db, runIdA, runIdB, options));
}

/** What `compare --json` and GET /api/compare print: DESIGN.md's contract first, then the detail the page shows. */
export function comparisonJson(c: RunComparison) {
  return {
    a: c.a,
    b: c.b,
    paramsDiff: c.paramsDiff,
    accuracyDelta: c.accuracyDelta,
    mcnemarP: c.mcnemarP,
    fixed: c.fixed,
    broken: c.broken,
    accuracyDeltaInterval: c.accuracyDeltaInterval,
    sameRecipe: c.recipe.sameRecipe,
    recipeTest: c.recipe.recipeTest,
    seedSpread: c.recipe.seedSpread,
    recipeRuns: { a: c.recipe.runIdsA, b: c.recipe.runIdsB },
    verdict: c.verdict,
    images: c.images,
    metrics: c.metrics,
    confusionDifference: c.confusionDifference,
    cells: c.cells,
  };
}
