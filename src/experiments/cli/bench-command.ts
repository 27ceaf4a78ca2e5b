import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../backend.ts';
import { measureDataParallelThroughput, measurePredictionThroughput, measureTrainingThroughput } from '../throughput.ts';
import type { Command } from './command.ts';
import { printJson } from './store-option.ts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure training and prediction throughput of the reference CNN',
  positionals: [],
  options: {
    'batch-size': { type: 'integer', min: 1, max: 4096, description: 'images per training step (default 64)' },
    batches: { type: 'integer', min: 1, max: 10000, description: 'timed training steps (default 100)' },
    backend: { type: 'choice', choices: BACKEND_CHOICES, description: 'engine to measure (default auto)' },
  },
  async run({ options }, context) {
    const backend = await selectBackend((options.backend as BackendChoice | undefined) ?? 'auto');
    const batchSize = (options['batch-size'] as number | undefined) ?? 64;
    context.stderr.write(`measuring on ${backend}, batch ${batchSize}...\n`);
    const batches = (options.batches as number | undefined) ?? 100;
    const training = await measureTrainingThroughput({ batchSize, batches });
    // `train --workers 2` is only offered on wasm, so only there is it worth measuring.
    const twoWorkers = backend === 'wasm' ? await measureDataParallelThroughput({ batchSize, batches, replicas: 2 }) : null;
    const prediction = await measurePredictionThroughput({ images: 10_000 });
    const result = {
      backend,
      batchSize,
      samplesPerSecond: Math.round(training.samplesPerSecond),
      twoWorkerSamplesPerSecond: twoWorkers ? Math.round(twoWorkers.samplesPerSecond) : null,
      predictionImagesPerSecond: Math.round(prediction.imagesPerSecond),
    };
    if (options.json) printJson(context, result);
    else {
      context.stdout.write(
        `${backend}: training ${result.samplesPerSecond} samples/s (batch ${batchSize})` +
          (twoWorkers ? `, ${result.twoWorkerSamplesPerSecond} with --workers 2, ` : ', ') +
          `prediction ${result.predictionImagesPerSecond} images/s\n`,
      );
    }
    return 0;
  },
};
