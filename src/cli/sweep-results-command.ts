import type { Db } from '../../db/client.ts';
import { UsageError, type Command, type CommandContext, type OptionValues, printJson } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { spreadText as spreadOfSeeds, type Spread } from '../analysis/statistics/spread.ts';
import { sweepResults, type SweepResults } from '../analysis/sweeps/sweep-results.ts';

const spreadText = (spread: Spread | null) =>
  spread ? `${spreadOfSeeds(spread, (v) => v.toFixed(4))}${spread.n > 1 ? ` (n=${spread.n})` : ''}` : '-';

/** The sweep's table as text: a row per grid point, its axes' values, then the metrics over its seeds. */
export function sweepResultsText(results: SweepResults): string {
  const axes = Object.keys(results.sweep.axes);
  const header = [...axes, 'test accuracy', 'test loss', 'runs'];
  const rows = results.points.map((point) => [
    ...axes.map((axis) => String(point.values[axis])),
    spreadText(point.testAccuracy),
    spreadText(point.testLoss),
    point.runIds.map((id, i) => `${id}:${point.statuses[i]}`).join(' '),
  ]);
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => row[col]!.length)));
  const line = (row: string[]) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd();
  const counts = Object.entries(results.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return [`sweep ${results.sweep.id}: ${results.sweep.name}  (${counts})`, '', line(header), ...rows.map(line)].join('\n');
}

/**
 * The frame of the commands about one sweep: its SWEEP argument (anything but a positive whole
 * number is bad usage) and the store open while `act` runs; an unknown sweep's SweepNotFoundError
 * exits 2 like bad usage.
 */
export async function onSweep(
  raw: string | undefined,
  options: OptionValues,
  context: CommandContext,
  act: (store: { db: Db; runs: RunStore }, id: number) => number | Promise<number>,
): Promise<number> {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`SWEEP must be a sweep id (a positive whole number); got '${raw}'`);
  const { db, runs } = openRunStoreFor(options, context);
  try {
    return await act({ db, runs }, id);
  } finally {
    db.$client.close();
  }
}

export const sweepResultsCommand: Command = {
  name: 'sweep-results',
  summary: "a sweep's table: each grid point's test metrics, mean ± sd over its seeds",
  positionals: [{ name: 'SWEEP', description: 'sweep id' }],
  options: {},
  async run({ positionals, options }, context) {
    return onSweep(positionals[0], options, context, ({ db }, id) => {
      const results = sweepResults(db, id);
      if (options.json) printJson(context, results);
      else context.stdout.write(`${sweepResultsText(results)}\n`);
      return 0;
    });
  },
};
