import { getRun } from '../store/store.ts';
import type { Command } from '../core/command.ts';
import { trainClaimedRun } from './run-training.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';
import { lowerThisThreadsPriority } from '../core/thread-priority.ts';

/**
 * Trains one queued run: what the web server's queue spawns for each run it starts, so training
 * never blocks the server's event loop. Claiming is atomic, so two processes never train one run.
 */
export const workCommand: Command = {
  name: 'work',
  summary: 'train a queued run (the web queue starts one of these per run)',
  positionals: [{ name: 'RUN', description: 'id of a queued run' }],
  options: {
    cores: { type: 'integer', min: 1, max: 1024, description: 'cores the run may use when it names no thread count (default: all)' },
    retry: { type: 'integer', min: 0, max: 10, description: "times an interrupted run (SIGTERM) is queued again before it is failed: the server's --retry (default 0)" },
  },
  async run({ positionals, options }, context) {
    // The queue starts us under SCHED_IDLE where chrt can set it; where it cannot, this is what is
    // left: below the server that spawned us, above its background analyses (10). Threads started
    // from here on, the training replicas among them, inherit it.
    lowerThisThreadsPriority(5);
    const store = openRunStoreFor(options, context);
    const { db } = store;
    try {
      const run = runArgument(db, positionals[0]!);
      if (!(await store.runs.claim(run.id))) {
        context.stderr.write(`run ${run.id} is ${getRun(db, run.id).status}, not queued: nothing to do\n`);
        return 1;
      }
      context.stderr.write(`run ${run.id} (${run.name}) started\n`);
      return await trainClaimedRun(store, run, options, context, { queueWorker: true, retries: (options.retry as number | undefined) ?? 0 });
    } finally {
      db.$client.close();
    }
  },
};
