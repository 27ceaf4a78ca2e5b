import type { Command } from '../core/command.ts';
import { printJson } from '../core/command.ts';
import { loadMnist } from '../data/mnist.ts';
import { datasetFacts, type SplitFacts } from '../analysis/dataset-facts.ts';

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

function summary(facts: SplitFacts) {
  const { crossed, sevens, share, interval } = facts.crossedSevens;
  return { count: facts.count, classCounts: facts.classCounts, crossedSevens: { crossed, sevens, share, interval } };
}

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'MNIST facts: class balance of train and test, how common crossed sevens are in each',
  positionals: [],
  options: {},
  async run({ options }, context) {
    const facts = datasetFacts(loadMnist('train'), loadMnist('test'));
    const result = { train: summary(facts.train), test: summary(facts.test), prevalenceP: facts.prevalenceP };
    if (options.json) {
      printJson(context, result);
      return 0;
    }
    const lines = ['class   ' + [...Array(10).keys()].map((c) => String(c).padStart(6)).join('')];
    for (const split of ['train', 'test'] as const) {
      lines.push(split.padEnd(8) + result[split].classCounts.map((n) => String(n).padStart(6)).join(''));
    }
    for (const split of ['train', 'test'] as const) {
      const p = result[split].crossedSevens;
      lines.push(
        `crossed sevens in ${split}: ${p.crossed} of ${p.sevens} (${percent(p.share)}, 95% CI ${percent(p.interval.low)}-${percent(p.interval.high)})`,
      );
    }
    lines.push(`same prevalence in train and test? Fisher exact p = ${facts.prevalenceP.toPrecision(2)}`);
    context.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
