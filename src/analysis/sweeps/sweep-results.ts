import type { Db } from '../../../db/client.ts';
import { RUN_STATUSES, type RunStatus } from '../../../db/schema.ts';
import type { Run } from '../../store/store.ts';
import { groupBySeed } from '../seed-groups.ts';
import { spreadOf, type Spread } from '../statistics/spread.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { axisValue, type AxisValue } from './sweep-plan.ts';
import { getSweep, sweepRuns, type Sweep } from './sweep-store.ts';

/** One grid point: its runs over all seeds, and the spread of what the completed ones scored. */
export interface SweepPoint {
  /** The point's value on each axis of the sweep. */
  values: Record<string, AxisValue>;
  runIds: number[];
  statuses: RunStatus[];
  /** Each run's test accuracy, null until it completes. */
  testAccuracies: (number | null)[];
  testAccuracy: Spread | null;
  testLoss: Spread | null;
}

export interface SweepResults {
  sweep: Sweep;
  points: SweepPoint[];
  /** How many of the sweep's runs are in each status. */
  counts: Record<RunStatus, number>;
  /** No run is queued or running any more. */
  finished: boolean;
  /** The completed run with the highest test accuracy, and its grid point's values. */
  best: { runId: number; testAccuracy: number; values: Record<string, AxisValue> } | null;
}

const completedValues = (runs: Run[], metric: 'testAccuracy' | 'testLoss') =>
  runs.filter((run) => run.status === 'completed' && run[metric] !== null).map((run) => run[metric]!);

/** The sweep's table: a row per grid point, seeds pooled into mean and standard deviation. */
export function sweepResults(db: Db, sweepId: number): SweepResults {
  const sweep = getSweep(db, sweepId);
  const runs = sweepRuns(db, sweepId);
  const axisNames = Object.keys(sweep.axes);
  const points = groupBySeed(runs).map((group) => {
    const params = group[0]!.params as Hyperparameters;
    return {
      values: Object.fromEntries(axisNames.map((axis) => [axis, axisValue(params, axis)])),
      runIds: group.map((run) => run.id),
      statuses: group.map((run) => run.status),
      testAccuracies: group.map((run) => (run.status === 'completed' ? run.testAccuracy : null)),
      testAccuracy: spreadOf(completedValues(group, 'testAccuracy')),
      testLoss: spreadOf(completedValues(group, 'testLoss')),
    };
  });
  const counts = Object.fromEntries(RUN_STATUSES.map((status) => [status, runs.filter((run) => run.status === status).length])) as Record<
    RunStatus,
    number
  >;
  return { sweep, points, counts, finished: counts.queued + counts.running === 0, best: bestRun(points) };
}

function bestRun(points: SweepPoint[]): SweepResults['best'] {
  let best: SweepResults['best'] = null;
  for (const point of points) {
    point.testAccuracies.forEach((testAccuracy, i) => {
      if (testAccuracy !== null && (best === null || testAccuracy > best.testAccuracy)) best = { runId: point.runIds[i]!, testAccuracy, values: point.values };
    });
  }
  return best;
}
