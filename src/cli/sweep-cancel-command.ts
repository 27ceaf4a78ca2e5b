import type { Command } from '../core/command.ts';
import { printJson } from '../core/command.ts';
import { RunQueue } from '../execution/queue.ts';
import { cancellationText, cancelSweep } from '../analysis/sweeps/sweep-cancel.ts';
import { onSweep } from './sweep-results-command.ts';

export const sweepCancelCommand: Command = {
  name: 'sweep-cancel',
  summary: "cancel a sweep's queued runs and stop its running ones (those `serve` trains: cancel them on the sweep's page)",
  positionals: [{ name: 'SWEEP', description: 'sweep id' }],
  options: {},
  async run({ positionals, options }, context) {
    return onSweep(positionals[0], options, context, async ({ db, runs }, id) => {
      // A queue that never starts: it cancels queued runs and tells remote workers, and may not signal a server's own workers.
      const outcome = await cancelSweep(db, new RunQueue({ db, runs }), id);
      context.stdout.write(`${cancellationText(outcome)}\n`);
      if (outcome.refused.length) context.stdout.write(`The server that trains them stops them: its page /sweeps/${id} has "Cancel the sweep".\n`);
      if (options.json) printJson(context, outcome);
      return outcome.refused.length ? 1 : 0;
    });
  },
};
