import { RunNotArchivableError } from '../store/run-archive.ts';
import { printJson } from '../core/command.ts';
import type { Command } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';

export const archiveCommand: Command = {
  name: 'archive',
  summary: 'hide runs from the runs list, keeping everything they recorded (--undo lists them again)',
  positionals: [{ name: 'RUN', description: 'run id; several may be given, and all are archived or none', repeated: true }],
  options: {
    undo: { type: 'boolean', description: 'unarchive: list the runs again' },
  },
  async run({ positionals, options }, context) {
    const { db, runs: store } = openRunStoreFor(options, context);
    try {
      const runs = positionals.map((raw) => runArgument(db, raw));
      let results;
      try {
        results = await store.archive(runs.map((run) => run.id), { undo: Boolean(options.undo) });
      } catch (err) {
        // The message names the run in the way; several may be named, so say the others stayed too.
        if (err instanceof RunNotArchivableError) err.message += '; nothing was archived';
        throw err;
      }
      const verb = options.undo ? 'unarchived' : 'archived';
      for (const run of results) context.stdout.write(`${run.changed ? verb : `already ${verb}`}: run ${run.runId} (${run.name})\n`);
      if (!options.undo) context.stdout.write('archived runs keep everything and still count in their sweeps, seed groups and training-set searches for label issues; `runs --archived` lists them\n');
      if (options.json) printJson(context, { runs: results.map((run) => ({ ...run, archivedAt: run.archivedAt?.toISOString() ?? null })) });
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
