import { writeFileSync } from 'node:fs';
import { PREDICTION_FORMATS, runPredictionFile, type PredictionFormat } from '../models/imported/prediction-file.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';

export const predictionsCommand: Command = {
  name: 'predictions',
  summary: "write a run's test probabilities as .npy float32 [n,10] or CSV (index,label,predicted,p0..p9)",
  positionals: [{ name: 'RUN', description: 'run id' }],
  options: {
    format: { type: 'choice', choices: PREDICTION_FORMATS, description: 'file layout (default npy)' },
    out: { type: 'string', placeholder: 'FILE', description: 'where to write (default: stdout)' },
  },
  async run({ positionals, options }, context) {
    const format = (options.format as PredictionFormat | undefined) ?? 'npy';
    const out = options.out as string | undefined;
    if (!out && options.json) throw new UsageError('--json needs --out FILE: stdout carries the JSON line');
    const db = openStoreFor(options, context, { onlyReads: true });
    const run = runArgument(db, positionals[0]!);
    const file = runPredictionFile(db, run.id, format);
    db.$client.close();
    if (!file) throw new UsageError(`run ${run.id} is ${run.status} and has no test predictions`);
    if (!out) {
      context.stdout.write(file);
      return 0;
    }
    writeFileSync(out, file);
    if (options.json) printJson(context, { runId: run.id, format, file: out, bytes: file.length });
    else context.stdout.write(`wrote ${out} (${file.length} bytes)\n`);
    return 0;
  },
};
