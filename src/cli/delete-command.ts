import { byteSize, RunNotDeletableError } from '../store/run-deletion.ts';
import { printJson } from '../core/command.ts';
import type { Command } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete runs and everything recorded about them (not a running run)',
  positionals: [{ name: 'RUN', description: 'run id; several may be given, and all are deleted or none', repeated: true }],
  options: {},
  async run({ positionals, options }, context) {
    const { db, runs: store } = openRunStoreFor(options, context);
    try {
      const runs = positionals.map((raw) => runArgument(db, raw));
      let deleted;
      try {
        deleted = await store.delete(runs.map((run) => run.id));
      } catch (err) {
        // The message names the run in the way; several may be named, so say the others stayed too.
        if (err instanceof RunNotDeletableError) err.message += '; nothing was deleted';
        throw err;
      }
      const bytesFreed = deleted.reduce((sum, run) => sum + run.bytes, 0);
      for (const run of deleted) context.stdout.write(`deleted run ${run.runId} (${run.name}): ${byteSize(run.bytes)}\n`);
      context.stdout.write(`freed ${byteSize(bytesFreed)} in the store (SQLite reuses the space; VACUUM shrinks the file)\n`);
      if (options.json) printJson(context, { deleted, bytesFreed });
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
