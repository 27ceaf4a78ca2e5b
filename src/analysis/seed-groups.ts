import type { Db } from '../../db/client.ts';
import { epochHistory, type EpochMetric, type Run } from '../store/store.ts';
import { spreadOf, type Spread } from './statistics/spread.ts';

/** One epoch across a group's runs: the centre line and band of each curve. */
export interface EpochBand {
  epoch: number;
  loss: Spread;
  /** Null where no run logged a training accuracy (a tracked script may not). */
  accuracy: Spread | null;
  valLoss: Spread | null;
  valAccuracy: Spread | null;
}

/** Completed runs whose hyperparameters are the same except for the seed. */
export interface SeedGroup {
  /** The shared hyperparameters, seed left out. */
  params: Record<string, unknown>;
  runIds: number[];
  seeds: number[];
  testAccuracy: Spread;
  testLoss: Spread;
  epochs: EpochBand[];
}

function withoutSeed(run: Run): Record<string, unknown> {
  const { seed: _seed, ...rest } = run.params as Record<string, unknown>;
  // The dataset from its column, so that a run from before datasets were named (no params.dataset)
  // and one naming mnist are one recipe, and runs on two datasets never are.
  return Object.fromEntries(Object.entries({ ...rest, dataset: run.dataset }).sort(([x], [y]) => x.localeCompare(y)));
}

/**
 * A run's recipe: everything that shapes its numbers except the seed. Equal keys, same recipe.
 * An imported model's recipe is unknown (its params hold only how it was fed), so it is a recipe of
 * its own: two imports are never taken for two seeds of one recipe. A tracked run's recipe is its
 * script's params, kept apart from digitlab's own (whose params name other settings).
 */
export const recipeKey = (run: Run) => (run.source === 'imported' ? `imported run ${run.id}` : `${run.source === 'tracked' ? 'tracked ' : ''}${JSON.stringify(withoutSeed(run))}`);

/**
 * The first run of each seed, in order. A second run of a recipe with a seed it already has repeats
 * that draw (exactly, for the same worker count); counting it as one more seed would shrink the
 * spread that differences are judged against.
 */
export function onePerSeed(runs: Run[]): Run[] {
  const seen = new Set<number>();
  return runs.filter((run) => !seen.has(run.seed) && seen.add(run.seed));
}

/** Groups runs by everything but the seed, one run per seed (onePerSeed); groups keep the order in which their first run appears. */
export function groupBySeed(runs: Run[]): Run[][] {
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const key = recipeKey(run);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map(onePerSeed);
}

const defined = (values: (number | null)[]) => values.filter((v): v is number => v !== null);

function epochBands(histories: EpochMetric[][]): EpochBand[] {
  const epochs = [...new Set(histories.flat().map((m) => m.epoch))].sort((x, y) => x - y);
  return epochs.map((epoch) => {
    const rows = histories.flatMap((history) => history.filter((m) => m.epoch === epoch));
    return {
      epoch,
      loss: spreadOf(rows.map((m) => m.loss))!,
      accuracy: spreadOf(defined(rows.map((m) => m.accuracy))),
      valLoss: spreadOf(defined(rows.map((m) => m.valLoss))),
      valAccuracy: spreadOf(defined(rows.map((m) => m.valAccuracy))),
    };
  });
}

/**
 * Mean and standard deviation of each metric over the seeds of each group of completed runs:
 * the seed-to-seed spread is the yardstick a difference between two settings has to beat.
 */
export function seedGroups(db: Db, runs: Run[]): SeedGroup[] {
  const completed = runs.filter((run) => run.status === 'completed');
  return groupBySeed(completed).map((group) => ({
    params: withoutSeed(group[0]!),
    runIds: group.map((run) => run.id),
    seeds: group.map((run) => run.seed),
    testAccuracy: spreadOf(defined(group.map((run) => run.testAccuracy)))!,
    testLoss: spreadOf(defined(group.map((run) => run.testLoss)))!,
    epochs: epochBands(group.map((run) => epochHistory(db, run.id))),
  }));
}
