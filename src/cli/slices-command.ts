import { loadMnist, type SplitName } from '../data/mnist.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { findDataset } from '../data/datasets/catalogue.ts';
import { crossedSevenSlice, requireSliceDataset, SLICE_NAMES } from '../analysis/slices.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';

export const slicesCommand: Command = {
  name: 'slices',
  summary: 'images of a named sub-group of a class (crossed-seven: sevens with a bar through the stem)',
  positionals: [{ name: 'SLICE', description: `which slice: ${SLICE_NAMES.join(', ')}` }],
  options: {
    split: { type: 'choice', choices: ['test', 'train'], description: 'dataset split to search (default test)' },
    run: { type: 'string', placeholder: 'ID', description: "the run whose dataset to search (crossed-seven is MNIST's: another dataset's run is refused)" },
    dataset: { type: 'string', placeholder: 'NAME', description: "the dataset to search (default mnist; crossed-seven refuses any other)" },
  },
  async run({ positionals, options }, context) {
    const name = positionals[0]!;
    if (!(SLICE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`SLICE must be one of ${SLICE_NAMES.join(', ')}; got '${name}'`);
    }
    const split = (options.split as SplitName | undefined) ?? 'test';
    if (options.run !== undefined || options.dataset !== undefined) {
      const db = openStoreFor(options, context);
      try {
        const run = options.run === undefined ? undefined : runArgument(db, String(options.run));
        if (run && options.dataset !== undefined && options.dataset !== run.dataset) {
          throw new UsageError(`--dataset ${String(options.dataset)} and --run ${run.id} disagree: run ${run.id} is on ${run.dataset}`);
        }
        const dataset = run?.dataset ?? findDataset(db, String(options.dataset)).name;
        requireSliceDataset(name, dataset, run?.id);
      } finally {
        db.$client.close();
      }
    }
    const slice = crossedSevenSlice(loadMnist(split), split);
    if (options.json) {
      printJson(context, slice);
      return 0;
    }
    const share = slice.classCount ? ((100 * slice.count) / slice.classCount).toFixed(1) : '0.0';
    context.stdout.write(
      `${slice.slice} in ${split}: ${slice.count} of ${slice.classCount} sevens (${share}%)\n` +
        `indices: ${slice.indices.join(' ')}\n`,
    );
    return 0;
  },
};
