import type { Db } from '../../db/client.ts';
import { printJson } from '../core/command.ts';
import type { Command, CommandContext } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { tagsFrom, usageErrorOf, withWorkersAsThreads, workersAlias } from './run-request-flags.ts';
import { RunQueue } from '../execution/queue.ts';
import { getRun, type Run } from '../store/store.ts';
import { sweepResults } from '../analysis/sweeps/sweep-results.ts';
import { planSweep, SWEEP_OPTIONS, type SweepValues } from '../analysis/sweeps/sweep-plan.ts';
import { datasetLookup } from '../data/datasets/catalogue.ts';
import { launchSweep } from '../analysis/sweeps/sweep-store.ts';
import { sweepResultsText } from './sweep-results-command.ts';

/** How often --run-now looks whether the sweep's runs have all ended. */
const POLL_MS = 1000;

/**
 * Trains queued runs in child processes (`digitlab work`), one at a time, until every run of the sweep has ended.
 * The queue takes the oldest queued run first, so runs queued before the sweep go first.
 */
async function trainNow({ db, runs: store }: { db: Db; runs: RunStore }, runs: Run[], context: CommandContext): Promise<Run[]> {
  const queue = new RunQueue({ db, runs: store, maxConcurrent: 1, pollMs: POLL_MS, log: (line) => context.stderr.write(`${line}\n`) });
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    context.stderr.write('\nstopping: the run training now is cancelled; the rest stay queued for `digitlab serve`\n');
  };
  process.once('SIGINT', interrupt);
  queue.start();
  try {
    const active = () => runs.map((run) => getRun(db, run.id)).filter((run) => run.status === 'queued' || run.status === 'running');
    while (!interrupted && active().length > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  } finally {
    process.off('SIGINT', interrupt);
    await queue.stop();
  }
  return runs.map((run) => getRun(db, run.id));
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'queue a grid of runs over hyperparameters (x seeds) as one sweep',
  positionals: [],
  options: {
    ...SWEEP_OPTIONS,
    ...workersAlias(SWEEP_OPTIONS.threads!),
    tag: { type: 'string', multiple: true, placeholder: 'K=V', description: 'a tag for every run of the sweep; repeatable' },
    'run-now': {
      type: 'boolean',
      description: 'train the queued runs here, one at a time in child processes, until the sweep has ended (else `digitlab serve` trains them)',
    },
  },
  async run({ options }, context) {
    const tags = tagsFrom(options);
    const store = openRunStoreFor(options, context);
    const { db } = store;
    try {
      // Planned with the store's datasets: a registered one may be named, or be an axis.
      const planned = planSweep(withWorkersAsThreads(options) as SweepValues, { datasets: datasetLookup(db) });
      if (!planned.ok) throw usageErrorOf(planned.problems);
      const { plan } = planned;
      const { sweep, runs } = await launchSweep(store, { ...plan, tags });
      context.stderr.write(`sweep ${sweep.id} (${sweep.name}): queued ${runs.length} runs, ${runs[0]!.id} to ${runs.at(-1)!.id}\n`);
      if (!options['run-now']) {
        if (options.json) printJson(context, { sweepId: sweep.id, name: sweep.name, runIds: runs.map((run) => run.id) });
        else context.stdout.write(`queued; \`digitlab serve\` trains them; \`digitlab sweep-results ${sweep.id}\` shows the table\n`);
        return 0;
      }
      const ended = await trainNow(store, runs, context);
      const results = sweepResults(db, sweep.id);
      if (options.json) printJson(context, { sweepId: sweep.id, name: sweep.name, runIds: runs.map((run) => run.id), ...results });
      else context.stdout.write(`${sweepResultsText(results)}\n`);
      return ended.some((run) => run.status === 'failed' || run.status === 'cancelled') ? 1 : 0;
    } finally {
      db.$client.close();
    }
  },
};
