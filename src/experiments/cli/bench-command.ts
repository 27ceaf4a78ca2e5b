import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../backend.ts';
import { measureDataParallelThroughput, measurePredictionThroughput, measureTrainingThroughput } from '../throughput.ts';
import type { Command } from './command.ts';
import { resolveModel } from './model-option.ts';
import { printJson } from './store-option.ts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure training and prediction throughput of a network (default the reference CNN)',
  positionals: [],
  options: {
    'batch-size': { type: 'integer', min: 1, max: 4096, description: 'images per training step (default 64)' },
    batches: { type: 'integer', min: 1, max: 10000, description: 'timed training steps (default 100)' },
    backend: { type: 'choice', choices: BACKEND_CHOICES, description: 'engine to measure (default auto)' },
    model: { type: 'string', placeholder: 'NAME|FILE.json', description: 'the network, as train --model takes it (default reference)' },
  },
  async run({ options }, context) {
    const model = resolveModel(options.model as string | undefined);
    const backend = await selectBackend((options.backend as BackendChoice | undefined) ?? 'auto');
    const batchSize = (options['batch-size'] as number | undefined) ?? 64;
    context.stderr.write(`measuring ${model.name} on ${backend}, batch ${batchSize}...\n`);
    const batches = (options.batches as number | undefined) ?? 100;
    const spec = model.spec;
    const training = await measureTrainingThroughput({ spec, batchSize, batches });
    // `train --workers 2` is only offered on wasm, so only there is it worth measuring.
    const twoWorkers = backend === 'wasm' ? await measureDataParallelThroughput({ spec, batchSize, batches, replicas: 2 }) : null;
    const prediction = await measurePredictionThroughput({ spec, images: 10_000 });
    const result = {
      model: model.name,
      parameters: model.summary.totalParameters,
      backend,
      batchSize,
      samplesPerSecond: Math.round(training.samplesPerSecond),
      twoWorkerSamplesPerSecond: twoWorkers ? Math.round(twoWorkers.samplesPerSecond) : null,
      predictionImagesPerSecond: Math.round(prediction.imagesPerSecond),
    };
    if (options.json) printJson(context, result);
    else {
      context.stdout.write(
        `${model.name} on ${backend}: training ${result.samplesPerSecond} samples/s (batch ${batchSize})` +
          (twoWorkers ? `, ${result.twoWorkerSamplesPerSecond} with --workers 2, ` : ', ') +
          `prediction ${result.predictionImagesPerSecond} images/s\n`,
      );
    }
    return 0;
  },
};
