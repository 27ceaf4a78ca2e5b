import { writeFileSync } from 'node:fs';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';
import { loadMnist, type SplitName } from '../data/mnist.ts';
import { loadDataset } from '../data/datasets/catalogue.ts';
import { attribute, EXPLAIN_METHODS, mapRows, METHOD_NAMES, type ExplainMethod } from '../analysis/explain/explain.ts';
import { attributionPng } from '../analysis/explain/attribution-png.ts';
import { NeighboursUnavailableError, nearestTrainImages } from '../analysis/explain/train-neighbours.ts';
import { ModelJobs } from '../analysis/model-jobs/model-jobs.ts';
import { runModelArgument } from './model-argument.ts';

const PNG_SCALE = 10;

export const explainCommand: Command = {
  name: 'explain',
  summary: 'why a run read an image as it did: an attribution map and the nearest training images',
  positionals: [{ name: 'RUN', description: 'a completed run id' }],
  options: {
    image: { type: 'integer', min: 0, max: 59_999, description: 'the image index in its split (required)' },
    split: { type: 'choice', choices: ['test', 'train'], description: "which split of the run's dataset the image is from (default test)" },
    class: { type: 'integer', min: 0, max: 99, description: 'the class to explain (default: the predicted one; the true one is added when it differs)' },
    method: { type: 'choice', choices: EXPLAIN_METHODS, description: 'ig (integrated gradients, black baseline, 32 steps) or occlusion (default ig)' },
    neighbours: { type: 'integer', min: 0, max: 100, description: 'nearest training images to list (default 8; 0 skips them)' },
    png: { type: 'string', placeholder: 'FILE', description: `write the map over the image as a PNG (${28 * PNG_SCALE} px)` },
  },
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context);
    try {
      const run = runArgument(db, positionals[0]!);
      if (options.image === undefined) throw new UsageError('--image N is required: the index of the image to explain');
      const split = (options.split as SplitName | undefined) ?? 'test';
      // The run's own dataset: its images are what the model was tested on.
      const splitOf = (which: SplitName) => (run.dataset === 'mnist' ? loadMnist(which) : loadDataset(db, run.dataset, which));
      const data = splitOf(split);
      const index = options.image as number;
      if (index >= data.count) throw new UsageError(`--image must be from 0 to ${data.count - 1} for the ${split} split; got ${index}`);
      const method = (options.method as ExplainMethod | undefined) ?? 'ig';
      const model = await runModelArgument(db, run);
      try {
        const image = Float32Array.from(data.images.subarray(index * 784, index * 784 + 784), (v) => v / 255);
        const probabilities = await model.probabilities(image, 1);
        const predicted = probabilities.indexOf(Math.max(...probabilities));
        const label = data.labels[index]!;
        const target = (options.class as number | undefined) ?? predicted;
        const targets = options.class === undefined && label !== predicted ? [predicted, label] : [target];
        const maps = [];
        for (const c of targets) maps.push(await attribute(model, image, c, method));
        const k = (options.neighbours as number | undefined) ?? 8;
        let neighbours = null;
        let neighboursAbsent: string | null = null;
        if (k > 0) {
          try {
            const trainLabels = split === 'train' ? data.labels : splitOf('train').labels;
            const list = await nearestTrainImages(new ModelJobs(db), run, model, image, k);
            neighbours = list.map((n) => ({ index: n.index, label: trainLabels[n.index]!, distance: Number(n.distance.toFixed(4)) }));
          } catch (err) {
            if (!(err instanceof NeighboursUnavailableError)) throw err;
            neighboursAbsent = err.message;
          }
        }
        if (options.png) writeFileSync(options.png as string, attributionPng(maps[0]!.map, image, PNG_SCALE));
        const first = maps[0]!;
        if (options.json) {
          printJson(context, {
            run: run.id,
            image: index,
            split,
            class: first.target,
            method,
            map: mapRows(first.map),
            label,
            predicted,
            probability: probabilities[first.target],
            completenessError: first.completenessError,
            maps: maps.map((m) => ({ class: m.target, map: mapRows(m.map), completenessError: m.completenessError })),
            neighbours,
            ...(neighboursAbsent ? { neighboursAbsent } : {}),
          });
        } else {
          const lines = [`run ${run.id} reads ${split} image ${index} (label ${label}) as ${predicted}, ${(probabilities[predicted]! * 100).toFixed(1)}%`];
          for (const m of maps) {
            const sum = m.map.reduce((a, b) => a + b, 0);
            const completeness = m.completenessError === null ? '' : `; completeness error ${m.completenessError.toExponential(2)}`;
            lines.push(`${METHOD_NAMES[method]} for class ${m.target}: map sum ${sum.toFixed(4)}${completeness}`);
          }
          if (neighbours) lines.push(`nearest training images: ${neighbours.map((n) => `#${n.index} (${n.label}, ${n.distance.toFixed(2)})`).join(', ')}`);
          if (neighboursAbsent) lines.push(`no nearest training images: ${neighboursAbsent}`);
          if (options.png) lines.push(`wrote ${options.png}`);
          context.stdout.write(`${lines.join('\n')}\n`);
        }
        return 0;
      } finally {
        model.dispose();
      }
    } finally {
      db.$client.close();
    }
  },
};
