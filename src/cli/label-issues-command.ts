import type { LabelSplit } from '../../db/schema.ts';
import { printJson, UsageError } from '../core/command.ts';
import type { Command } from '../core/command.ts';
import { DEFAULT_DATASET, findDataset } from '../data/datasets/catalogue.ts';
import { openStoreFor } from '../store/open-store.ts';
import { loadMnist } from '../data/mnist.ts';
import { findLabelIssues } from '../analysis/label-issues/training-set-search.ts';
import type { LabelIssue } from '../analysis/label-issues/ranking.ts';

function issueLine(issue: LabelIssue, classNames: string[]): string {
  const e = issue.evidence;
  const name = (c: number) => classNames[c] ?? String(c);
  const neighbours = e.neighbours ? `${e.neighbours.sameLabel}/${e.neighbours.counted} neighbours agree` : 'no embeddings';
  return (
    `${String(issue.index).padStart(6)}  ${name(issue.label)} -> ${name(issue.suggested)}  score ${issue.score.toFixed(3)}  ` +
    `p(label) ${e.labelProbability.toFixed(3)}  ${e.runsDisagreeing}/${e.runs} runs disagree  ${neighbours}${e.confidentLearning ? '  CL' : ''}`
  );
}

export const labelIssuesCommand: Command = {
  name: 'label-issues',
  summary: 'label issues: images whose label the runs doubt, most suspicious first, with the evidence (the training set needs a finished training-set search)',
  positionals: [],
  options: {
    split: { type: 'choice', choices: ['test', 'train'], description: 'test: every run that predicted the whole test set; train: the newest finished training-set search (default test)' },
    limit: { type: 'integer', min: 1, max: 60000, placeholder: 'N', description: 'at most N label issues (default 100)' },
    dataset: { type: 'string', placeholder: 'NAME', description: `whose labels: the runs on this dataset vote (default ${DEFAULT_DATASET}; digitlab datasets lists them)` },
  },
  async run({ options }, context) {
    const split = (options.split as LabelSplit | undefined) ?? 'test';
    const limit = (options.limit as number | undefined) ?? 100;
    const datasetName = (options.dataset as string | undefined) ?? DEFAULT_DATASET;
    const db = openStoreFor(options, context);
    let found;
    let classNames: string[];
    try {
      const dataset = findDataset(db, datasetName);
      classNames = dataset.classNames;
      if (split === 'train' && dataset.name !== DEFAULT_DATASET) {
        throw new UsageError(`--split train searches MNIST's training set only (its held-out folds are trained on MNIST); use --split test for ${dataset.name}`);
      }
      found = findLabelIssues(db, split, dataset.name === DEFAULT_DATASET ? loadMnist(split).labels : dataset.load(split).labels, limit, dataset.name);
    } finally {
      db.$client.close();
    }
    if (found.runs === 0) {
      context.stderr.write(
        split === 'train'
          ? 'no finished training-set search: start one on the /label-issues/training-set page (digitlab serve); training-set predictions need held-out folds\n'
          : `no completed run on ${datasetName} has predicted its whole test set yet: train one (digitlab train${datasetName === DEFAULT_DATASET ? '' : ` --dataset ${datasetName}`})\n`,
      );
    }
    if (options.json) {
      printJson(context, { split, dataset: datasetName, classes: classNames, runs: found.runs, issues: found.issues });
      return 0;
    }
    context.stdout.write(`${found.issues.length} label issues in ${datasetName === DEFAULT_DATASET ? 'the' : `${datasetName}'s`} ${split} set from ${found.runs} run${found.runs === 1 ? '' : 's'}\n`);
    if (found.issues.length) context.stdout.write(` index  label -> suggested\n${found.issues.map((issue) => issueLine(issue, classNames)).join('\n')}\n`);
    return 0;
  },
};
