import { loadMnist, type SplitName } from '../data/mnist.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { crossedSevenSlice, SLICE_NAMES } from '../analysis/slices.ts';

export const slicesCommand: Command = {
  name: 'slices',
  summary: 'images of a named sub-group of a class (crossed-seven: sevens with a bar through the stem)',
  positionals: [{ name: 'SLICE', description: `which slice: ${SLICE_NAMES.join(', ')}` }],
  options: {
    split: { type: 'choice', choices: ['test', 'train'], description: 'dataset split to search (default test)' },
  },
  async run({ positionals, options }, context) {
    const name = positionals[0]!;
    if (!(SLICE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`SLICE must be one of ${SLICE_NAMES.join(', ')}; got '${name}'`);
    }
    const split = (options.split as SplitName | undefined) ?? 'test';
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
