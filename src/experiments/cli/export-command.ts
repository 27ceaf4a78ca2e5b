import { exportModel } from '../saved-model.ts';
import { loadSavedModel } from '../store.ts';
import { UsageError, type Command } from './command.ts';
import { openStoreFor, printJson, runArgument } from './store-option.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: "write a completed run's model as tfjs model.json + weights.bin",
  positionals: [
    { name: 'RUN', description: 'run id' },
    { name: 'DIR', description: 'directory to write into (created if missing)' },
  ],
  options: {},
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context);
    const run = runArgument(db, positionals[0]!);
    const saved = loadSavedModel(db, run.id);
    db.$client.close();
    if (!saved) throw new UsageError(`run ${run.id} is ${run.status} and has no trained model to export`);
    const files = exportModel(saved, positionals[1]!);
    if (options.json) printJson(context, { runId: run.id, files });
    else context.stdout.write(`wrote ${files.join(' and ')}\n`);
    return 0;
  },
};
