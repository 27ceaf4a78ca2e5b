import { deleteRuns, RunNotDeletableError } from '../run-deletion.ts';
import type { Command } from './command.ts';
import { openStoreFor, printJson, runArgument } from './store-option.ts';

/** "1.2 MB": bytes for a person. */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, 'kB'] : bytes < 1e9 ? [bytes / 1e6, 'MB'] : [bytes / 1e9, 'GB'];
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete runs and everything recorded about them (not a running run)',
  positionals: [{ name: 'RUN', description: 'run id; several may be given, and all are deleted or none', repeated: true }],
  options: {},
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context);
    try {
      const runs = positionals.map((raw) => runArgument(db, raw));
      let deleted;
      try {
        deleted = deleteRuns(db, runs.map((run) => run.id));
      } catch (err) {
        if (err instanceof RunNotDeletableError) {
          context.stderr.write(`${err.message}; nothing was deleted\n`);
          return 1;
        }
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
