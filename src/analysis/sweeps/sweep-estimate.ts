import { and, eq, isNotNull } from 'drizzle-orm';
import os from 'node:os';
import type { Db } from '../../../db/client.ts';
import { runs } from '../../../db/schema.ts';
import { modelNameOf, trainingImages, type Hyperparameters } from '../../experiments/hyperparameters.ts';

/** What this machine measured training one network: the median over its completed runs. */
export interface MeasuredThroughput {
  samplesPerSecond: number;
  /** How many completed runs the median is over. */
  runs: number;
}

/**
 * Training samples per second of each network, as the runs this machine completed measured
 * them (train records it on every run, timed over the training batches only). A figure from
 * this machine's own runs, at the load it had, beats any benchmark from elsewhere.
 */
export function measuredThroughputs(db: Db, host = os.hostname()): Map<string, MeasuredThroughput> {
  const measured = db
    .select({ params: runs.params, samplesPerSecond: runs.trainSamplesPerSecond })
    .from(runs)
    .where(and(eq(runs.status, 'completed'), eq(runs.source, 'local'), eq(runs.host, host), isNotNull(runs.trainSamplesPerSecond)))
    .all();
  const byModel = new Map<string, number[]>();
  for (const run of measured) {
    const model = modelNameOf(run.params as Hyperparameters);
    byModel.set(model, [...(byModel.get(model) ?? []), run.samplesPerSecond!]);
  }
  return new Map([...byModel].map(([model, rates]) => [model, { samplesPerSecond: median(rates), runs: rates.length }]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface SweepEstimate {
  /** Training seconds of the runs whose network this machine has measured, one after another. */
  seconds: number;
  /** The networks the estimate rests on, with their figures. */
  basis: { model: string; throughput: MeasuredThroughput }[];
  /** Networks of the grid this machine has no completed run of: their runs are not in `seconds`. */
  unmeasured: { model: string; runs: number }[];
}

/**
 * How long a grid's runs would train here: every epoch of every run (early stopping may end one
 * sooner) at its network's measured rate. Testing and start-up add a little per run.
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
    seconds += (trainingImages(params) * params.epochs) / throughput.samplesPerSecond;
  }
  return {
    seconds,
    basis: [...basis].map(([model, throughput]) => ({ model, throughput })),
    unmeasured: [...unmeasured].map(([model, count]) => ({ model, runs: count })),
  };
}
