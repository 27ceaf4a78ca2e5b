import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../training/backend.ts';
import { layersModelToOnnx } from '../models/onnx/onnx-export.ts';
import { packageVersions } from '../training/provenance.ts';
import { deserializeModel, exportModel } from '../models/saved-model.ts';
import { loadSavedModel } from '../store/store.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { outputDirectory, runArgument } from './arguments.ts';
import { trainedByDigitlab } from '../store/run-source.ts';

const FORMATS = ['tfjs', 'onnx'] as const;

export const exportCommand: Command = {
  name: 'export',
  summary: "write a completed run's model as tfjs model.json + weights.bin, or as model.onnx",
  positionals: [
    { name: 'RUN', description: 'run id' },
    { name: 'DIR', description: 'directory to write into (created if missing)' },
  ],
  options: {
    format: { type: 'choice', choices: FORMATS, description: 'tfjs (default) or onnx: input [n,28,28,1] in [0,1], output ten probabilities' },
  },
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context, { onlyReads: true });
    const run = runArgument(db, positionals[0]!);
    const saved = loadSavedModel(db, run.id);
    db.$client.close();
    if (!saved) {
      const why = trainedByDigitlab(run) ? `is ${run.status} and has no trained model to export` : `was ${run.source === 'tracked' ? 'trained by its own script' : 'imported'}; its original file is what to use`;
      throw new UsageError(`run ${run.id} ${why}`);
    }
    const dir = outputDirectory('DIR', positionals[1]!);
    let files: string[];
    if (options.format === 'onnx') {
      await selectBackend('auto');
      const model = await deserializeModel(saved);
      let bytes: Uint8Array;
      try {
        bytes = layersModelToOnnx(model, packageVersions().digitlab!);
      } finally {
        model.dispose();
      }
      files = [path.join(dir, 'model.onnx')];
      writeFileSync(files[0]!, bytes);
    } else {
      files = exportModel(saved, dir);
    }
    if (options.json) printJson(context, { runId: run.id, format: options.format ?? 'tfjs', files });
    else context.stdout.write(`wrote ${files.join(' and ')}\n`);
    return 0;
  },
};
