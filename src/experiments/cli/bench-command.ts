import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../backend.ts';
import { measureDataParallelThroughput, measurePredictionThroughput, measureTrainingThroughput } from '../throughput.ts';
import { availableCores, defaultWorkers } from '../steppers.ts';
import { nativeVariant } from '../wasm-kernels/native.ts';
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
    // What `train` would pick for the reference experiment's 48,000 training images.
    const workers = defaultWorkers({ backend, cores: availableCores(), trainCount: 48_000, batchSize, freshModel: true });
    const oneThread = await measureTrainingThroughput({ batchSize, batches });
    const training = workers > 1 ? await measureDataParallelThroughput({ batchSize, batches, replicas: workers }) : oneThread;
    const prediction = await measurePredictionThroughput({ images: 10_000 });
    const result = {
      backend,
      batchSize,
      workers,
      nativeKernels: backend === 'wasm' ? nativeVariant : null,
      samplesPerSecond: Math.round(training.samplesPerSecond),
      oneThreadSamplesPerSecond: Math.round(oneThread.samplesPerSecond),
      predictionImagesPerSecond: Math.round(prediction.imagesPerSecond),
    };
    if (options.json) printJson(context, result);
    else {
      context.stdout.write(
        `${backend}: training ${result.samplesPerSecond} samples/s (batch ${batchSize}, ${workers} worker(s), as train does by default), ` +
          `${result.oneThreadSamplesPerSecond} on one thread; prediction ${result.predictionImagesPerSecond} images/s\n`,
      );
    }
    return 0;
  },
};
