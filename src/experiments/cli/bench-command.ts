import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../backend.ts';
import { measureDataParallelThroughput, measurePredictionThroughput, measureTrainingThroughput } from '../throughput.ts';
import { availableCores, defaultWorkers } from '../steppers.ts';
import { nativeVariant } from '../wasm-kernels/native.ts';
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
    // What `train` would pick for the reference experiment's 48,000 training images.
    const workers = defaultWorkers({ backend, cores: availableCores(), trainCount: 48_000, batchSize, freshModel: true });
    const oneThread = await measureTrainingThroughput({ spec, batchSize, batches });
    const training = workers > 1 ? await measureDataParallelThroughput({ spec, batchSize, batches, replicas: workers }) : oneThread;
    const prediction = await measurePredictionThroughput({ spec, images: 10_000 });
    const result = {
      model: model.name,
      parameters: model.summary.totalParameters,
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
        `${model.name} on ${backend}: training ${result.samplesPerSecond} samples/s (batch ${batchSize}, ${workers} worker(s), as train does by default), ` +
          `${result.oneThreadSamplesPerSecond} on one thread; prediction ${result.predictionImagesPerSecond} images/s\n`,
      );
    }
    return 0;
  },
};
