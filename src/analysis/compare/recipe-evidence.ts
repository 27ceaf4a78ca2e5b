import type { Db } from '../../../db/client.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { listRuns, type Run } from '../../store/store.ts';
import { onePerSeed, recipeKey } from '../seed-groups.ts';
import { spreadOf, type Spread } from '../statistics/spread.ts';
import { formatP, points, SIGNIFICANCE_LEVEL, verdict } from '../statistics/verdict.ts';
import { welchTTestP } from '../statistics/welch.ts';
import { trainedByDigitlab } from '../../store/run-source.ts';

/** A test across seeds of whether two recipes differ: what McNemar on two models cannot say. */
export interface RecipeTest {
  seedsA: number;
  seedsB: number;
  /** Mean test accuracy of B's seeds minus that of A's. */
  accuracyDelta: number;
  /** Welch's t-test on per-seed test accuracy, two-sided. */
  p: number;
}

/** What the store knows about the recipes behind two runs, beyond the two models themselves. */
export interface RecipeEvidence {
  /** Only the seed differs: the two runs are draws of one recipe. */
  sameRecipe: boolean;
  /** Completed runs of A's recipe and of B's (the same runs when sameRecipe), A and B included. */
  runIdsA: number[];
  runIdsB: number[];
  /** Null unless the recipes differ and each has at least two completed seeds. */
  recipeTest: RecipeTest | null;
  /** Test accuracy over the seeds of the shared recipe; null when the recipes differ. */
  seedSpread: Spread | null;
}

/** Completed runs with a test accuracy that share `run`'s recipe, one per seed (`run` for its own), oldest first. */
function sameRecipeRuns(completed: Run[], run: Run): Run[] {
  const key = recipeKey(run);
  const others = completed.filter((other) => other.id !== run.id && recipeKey(other) === key);
  return onePerSeed([run, ...others].filter((r) => r.testAccuracy !== null)).sort((x, y) => x.id - y.id);
}

/** Seeds a recipe needs before a test across seeds means much: two is the least Welch's t takes. */
export const SEEDS_PER_RECIPE = 3;

/**
 * The runs to queue so `run`'s recipe reaches SEEDS_PER_RECIPE seeds, counting those already
 * completed, queued or running; each new run takes the smallest seed the recipe has not used.
 * None for an imported run.
 */
export function moreSeedsOf(db: Db, run: Run): Hyperparameters[] {
  // digitlab cannot train a run it did not train again, with any seed.
  if (!trainedByDigitlab(run)) return [];
  const key = recipeKey(run);
  const siblings = listRuns(db).filter((other) => recipeKey(other) === key);
  const used = new Set(siblings.map((other) => other.seed));
  const live = new Set(siblings.filter((other) => ['completed', 'queued', 'running'].includes(other.status)).map((other) => other.seed)).size;
  const params: Hyperparameters[] = [];
  for (let seed = 1; params.length < SEEDS_PER_RECIPE - live; seed++) {
    if (!used.has(seed)) params.push({ ...(run.params as Hyperparameters), seed });
  }
  return params;
}

export function recipeEvidence(db: Db, a: Run, b: Run): RecipeEvidence {
  const completed = listRuns(db, { statuses: ['completed'] });
  const [groupA, groupB] = [sameRecipeRuns(completed, a), sameRecipeRuns(completed, b)];
  const accuracies = (group: Run[]) => group.map((run) => run.testAccuracy!);
  const sameRecipe = recipeKey(a) === recipeKey(b);
  const tested = !sameRecipe && groupA.length >= 2 && groupB.length >= 2;
  const [meanA, meanB] = [spreadOf(accuracies(groupA))?.mean ?? 0, spreadOf(accuracies(groupB))?.mean ?? 0];
  return {
    sameRecipe,
    runIdsA: groupA.map((run) => run.id),
    runIdsB: groupB.map((run) => run.id),
    recipeTest: tested
      ? { seedsA: groupA.length, seedsB: groupB.length, accuracyDelta: meanB - meanA, p: welchTTestP(accuracies(groupA), accuracies(groupB)) }
      : null,
    seedSpread: sameRecipe ? spreadOf(accuracies(groupA)) : null,
  };
}

const seeds = (n: number) => `${n} seed${n === 1 ? '' : 's'}`;

/**
 * The verdict on two runs. McNemar speaks about these two models on these images; whether the
 * settings make the difference needs the seed-to-seed spread, so the words never claim a recipe
 * difference that no test across seeds has looked at.
 */
export function comparisonVerdict(accuracyDifference: number, p: number, recipe: RecipeEvidence): string {
  if (recipe.sameRecipe) {
    const spread = recipe.seedSpread!;
    const models =
      accuracyDifference === 0
        ? `the two models are equally accurate on these images (McNemar ${formatP(p)})`
        : `the two models differ by ${points(accuracyDifference)} points on these images (McNemar ${formatP(p)})`;
    const across =
      spread.n > 1
        ? `; over its ${seeds(spread.n)} this recipe's test accuracy is ${(spread.mean * 100).toFixed(2)}% ± ${(spread.sd * 100).toFixed(2)} points`
        : '';
    return `A and B are the same recipe (only the seed differs), so there is no verdict on settings: ${models}, which is seed-to-seed spread${across}`;
  }
  const models = `${verdict(accuracyDifference, p)} (McNemar: these two models on these images)`;
  const test = recipe.recipeTest;
  if (!test) {
    return (
      `${models}. Whether the recipes differ is untested: A's recipe has ${seeds(recipe.runIdsA.length)} and B's ${seeds(recipe.runIdsB.length)}, ` +
      'and a test across seeds needs at least 2 a side'
    );
  }
  const direction = test.accuracyDelta === 0 ? 'as accurate as' : test.accuracyDelta > 0 ? `better by ${points(test.accuracyDelta)} points than` : `worse by ${points(test.accuracyDelta)} points than`;
  const judgement = test.p < SIGNIFICANCE_LEVEL ? 'unlikely to be chance' : 'this could be chance';
  return (
    `${models}. Across seeds (${test.seedsA} of A's recipe, ${test.seedsB} of B's), B's recipe is on average ${direction} A's; ` +
    `${judgement}, ${formatP(test.p)} (Welch's t on per-seed test accuracy)`
  );
}
