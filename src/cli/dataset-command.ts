import type { Command, CommandContext } from '../core/command.ts';
import { printJson } from '../core/command.ts';
import { BUILT_IN_NAMES, DEFAULT_DATASET, findDataset } from '../data/datasets/catalogue.ts';
import { classCounts, type Dataset } from '../data/datasets/dataset.ts';
import { datasetFacts, type SplitFacts } from '../analysis/dataset-facts.ts';
import { openStoreFor } from '../store/open-store.ts';

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

/** The crossed-seven slice looks for a bar through a digit seven's stem: a fact about handwritten digits. */
const CROSSED_SEVENS_ARE_MNISTS = (name: string) =>
  `crossed sevens: not computed; the crossed-seven slice finds sevens written with a bar, which only MNIST's digits have, and '${name}' is not MNIST`;

function summary(facts: SplitFacts) {
  // The CLI asks for them on MNIST only.
  const { crossed, sevens, share, interval } = facts.crossedSevens!;
  return { count: facts.count, classCounts: facts.classCounts, crossedSevens: { crossed, sevens, share, interval } };
}

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'dataset facts: class balance of train and test and, on MNIST, how common crossed sevens are in each',
  positionals: [],
  options: {
    dataset: { type: 'string', placeholder: 'NAME', description: `which dataset (default ${DEFAULT_DATASET}; digitlab datasets lists them)` },
  },
  async run({ options }, context) {
    const name = (options.dataset as string | undefined) ?? DEFAULT_DATASET;
    if (BUILT_IN_NAMES.includes(name)) return describe(findDataset(null, name), options.json === true, context);
    const db = openStoreFor(options, context, { onlyReads: true });
    try {
      return describe(findDataset(db, name), options.json === true, context);
    } finally {
      db.$client.close();
    }
  },
};

function describe(dataset: Dataset, json: boolean, context: CommandContext): number {
  const train = dataset.load('train');
  const test = dataset.load('test');
  if (dataset.name === 'mnist') {
    const facts = datasetFacts(train, test);
    const result = { dataset: dataset.name, classes: dataset.classNames, train: summary(facts.train), test: summary(facts.test), prevalenceP: facts.prevalenceP };
    if (json) printJson(context, result);
    else writeMnist(context, result, facts.prevalenceP!);
    return 0;
  }
  const splits = {
    train: { count: train.count, classCounts: classCounts(train.labels, dataset.classNames.length) },
    test: { count: test.count, classCounts: classCounts(test.labels, dataset.classNames.length) },
  };
  const note = CROSSED_SEVENS_ARE_MNISTS(dataset.name);
  if (json) {
    printJson(context, { dataset: dataset.name, classes: dataset.classNames, ...splits, crossedSevens: null, crossedSevensNote: note });
    return 0;
  }
  const width = Math.max(5, ...dataset.classNames.map((c) => c.length)) + 2;
  const lines = [`${dataset.name}: ${dataset.classNames.length} classes; train ${train.count}, test ${test.count}`];
  lines.push(`${'class'.padEnd(width)}${'train'.padStart(8)}${''.padStart(8)}${'test'.padStart(8)}`);
  dataset.classNames.forEach((className, c) => {
    const [a, b] = [splits.train.classCounts[c]!, splits.test.classCounts[c]!];
    lines.push(`${className.padEnd(width)}${String(a).padStart(8)}${percent(a / train.count).padStart(8)}${String(b).padStart(8)}${percent(b / test.count).padStart(8)}`);
  });
  lines.push(note);
  context.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function writeMnist(context: CommandContext, result: { train: ReturnType<typeof summary>; test: ReturnType<typeof summary> }, prevalenceP: number): void {
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
  lines.push(`same prevalence in train and test? Fisher exact p = ${prevalenceP.toPrecision(2)}`);
  context.stdout.write(`${lines.join('\n')}\n`);
}
