import { INPUT_LAYOUTS, INPUT_SCALES, OUTPUT_KINDS } from '../../db/schema.ts';
import { ImportError, requestedScale, type ConventionRequest } from '../models/imported/classifier.ts';
import { importDataset, importRun } from '../training/import-run.ts';
import { runSummary } from '../training/run-summary.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { tagsFrom } from './run-request-flags.ts';

export const importCommand: Command = {
  name: 'import',
  summary: 'record an outside model (.onnx, tfjs model.json dir) or prediction file (.npy, .csv) as a run',
  positionals: [{ name: 'FILE', description: 'an .onnx file, a tfjs model directory or model.json, a .npy float32 [n,10] or a .csv' }],
  options: {
    name: { type: 'string', placeholder: 'NAME', description: "a name for the run (default: the file's name)" },
    tag: { type: 'string', multiple: true, placeholder: 'K=V', description: 'a tag for the run; repeatable' },
    'input-layout': { type: 'choice', choices: ['auto', ...INPUT_LAYOUTS], description: 'image tensor layout (default auto: from the input shape, else the better on a trial batch)' },
    'input-scale': { type: 'choice', choices: ['auto', ...INPUT_SCALES], description: 'pixels in [0,1] (unit) or [0,255] (byte) (default auto: the better on a trial batch)' },
    'input-normalize': { type: 'string', placeholder: 'MEAN,STD', description: "pixels in [0,1] standardised as (x - MEAN) / STD, as PyTorch's Normalize((0.1307,), (0.3081,)) (auto tries MNIST's 0.1307,0.3081)" },
    output: { type: 'choice', choices: ['auto', ...OUTPUT_KINDS], description: 'what the ten outputs are (default auto: probabilities when rows sum to 1, log-probabilities when their exponentials do, else logits)' },
    'test-limit': { type: 'integer', min: 1, max: 10000, description: 'score a model on the first N test images only (default all 10,000)' },
    dataset: { type: 'string', placeholder: 'NAME', description: "the dataset whose test set the predictions are of (default mnist): mnist, fashion-mnist or one registered; a prediction file has a column per its class" },
  },
  async run({ positionals, options }, context) {
    const name = (options.name as string | undefined)?.trim();
    if (name !== undefined && (!name || name.length > 200)) throw new UsageError('--name must be 1 to 200 characters');
    let scale: ConventionRequest['scale'];
    try {
      scale = requestedScale((options['input-scale'] as ConventionRequest['scale'] | undefined) ?? 'auto', options['input-normalize'] as string | undefined);
    } catch (err) {
      throw err instanceof ImportError ? new UsageError(`--input-normalize ${err.message}`) : err;
    }
    const conventions: ConventionRequest = {
      layout: (options['input-layout'] as ConventionRequest['layout'] | undefined) ?? 'auto',
      scale,
      output: (options.output as ConventionRequest['output'] | undefined) ?? 'auto',
    };
    const { db, runs } = openRunStoreFor(options, context);
    try {
      const run = await importRun(runs, {
        dataset: importDataset(db, options.dataset as string | undefined, '--dataset'),
        file: positionals[0]!,
        name,
        tags: tagsFrom(options),
        conventions,
        testLimit: options['test-limit'] as number | undefined,
        onStep: (step) => context.stderr.write(`${step}\n`),
      });
      const summary = runSummary(db, run);
      if (options.json) printJson(context, summary);
      else {
        const imported = summary.imported!;
        context.stdout.write(
          `run ${run.id} (${run.name}): ${imported.framework}, test accuracy ${run.testAccuracy!.toFixed(4)}, loss ${run.testLoss!.toFixed(4)}\n` +
            (imported.framework === 'predictions'
              ? ''
              : `input ${JSON.stringify(imported.inputShape)} ${imported.inputLayout ?? ''} scale ${imported.inputScale}, output ${imported.output}; ` +
                (imported.embedding ? `embedding: ${imported.embedding}\n` : `no embedding: ${imported.embeddingAbsence}\n`)),
        );
      }
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
