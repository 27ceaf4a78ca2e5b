import { and, eq, isNotNull } from 'drizzle-orm';
import os from 'node:os';
import type { Db } from '../../../db/client.ts';
import { runs } from '../../../db/schema.ts';
import { modelNameOf, trainingImages, type Hyperparameters } from '../../training/hyperparameters.ts';

/** What this machine measured training one network, over all the runs of it that completed here. */
export interface MeasuredThroughput {
  samplesPerSecond: number;
  /**
   * The median time a run spent outside its training batches (start-up, validation, testing,
   * saving): what dominates a small run.
   */
  overheadSeconds: number;
  /** How many completed runs the figures come from. */
  runs: number;
}

/**
 * Training samples per second of each network, as the runs this machine completed measured
 * them (train records it on every run, timed over the training batches only), pooled as all
 * their samples over all their training seconds, so a long run weighs more than a short one;
 * and the rest of each run's time from its start to its end. A figure from this machine's own
 * runs, at the load it had, beats any benchmark from elsewhere.
 */
export function measuredThroughputs(db: Db, host = os.hostname()): Map<string, MeasuredThroughput> {
  const measured = db
    .select({ params: runs.params, samplesPerSecond: runs.trainSamplesPerSecond, startedAt: runs.startedAt, finishedAt: runs.finishedAt })
    .from(runs)
    .where(and(eq(runs.status, 'completed'), eq(runs.source, 'local'), eq(runs.host, host), isNotNull(runs.trainSamplesPerSecond)))
    .all();
  const byModel = new Map<string, { samples: number; seconds: number; overheads: number[]; runs: number }>();
  for (const run of measured) {
    const params = run.params as Hyperparameters;
    const model = modelNameOf(params);
    const samples = trainingImages(params) * params.epochs;
    const training = samples / run.samplesPerSecond!;
    const pooled = byModel.get(model) ?? { samples: 0, seconds: 0, overheads: [], runs: 0 };
    const wall = run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null;
    byModel.set(model, {
      samples: pooled.samples + samples,
      seconds: pooled.seconds + training,
      overheads: wall === null ? pooled.overheads : [...pooled.overheads, Math.max(0, wall - training)],
      runs: pooled.runs + 1,
    });
  }
  return new Map(
    [...byModel].map(([model, pooled]) => [
      model,
      { samplesPerSecond: pooled.samples / pooled.seconds, overheadSeconds: pooled.overheads.length ? median(pooled.overheads) : 0, runs: pooled.runs },
    ]),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface SweepEstimate {
  /** Seconds from start to end of the runs whose network this machine has measured, one after another. */
  seconds: number;
  /** The networks the estimate rests on, with their figures. */
  basis: { model: string; throughput: MeasuredThroughput }[];
  /** Networks of the grid this machine has no completed run of: their runs are not in `seconds`. */
  unmeasured: { model: string; runs: number }[];
}

/**
 * How long a grid's runs would take here: every epoch of every run (early stopping may end one
 * sooner) at its network's measured rate, plus its measured time outside training per run.
 */
export function estimateSweep(planned: { params: Hyperparameters }[], throughputs: Map<string, MeasuredThroughput>): SweepEstimate {
  let seconds = 0;
  const basis = new Map<string, MeasuredThroughput>();
  const unmeasured = new Map<string, number>();
  for (const { params } of planned) {
    const model = modelNameOf(params);
    const throughput = throughputs.get(model);
    if (!throughput) {
      unmeasured.set(model, (unmeasured.get(model) ?? 0) + 1);
      continue;
    }
    basis.set(model, throughput);
    seconds += (trainingImages(params) * params.epochs) / throughput.samplesPerSecond + throughput.overheadSeconds;
  }
  return {
    seconds,
    basis: [...basis].map(([model, throughput]) => ({ model, throughput })),
    unmeasured: [...unmeasured].map(([model, count]) => ({ model, runs: count })),
  };
}
