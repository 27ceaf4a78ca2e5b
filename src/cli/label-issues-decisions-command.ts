import { readFileSync, writeFileSync } from 'node:fs';
import type { Db } from '../../db/client.ts';
import { LABEL_SPLITS, type LabelSplit } from '../../db/schema.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { decideLabel, LabelDecisionError } from '../store/label-issues-decisions.ts';
import type { MnistSplit } from '../data/mnist.ts';
import { DEFAULT_DATASET, findDataset } from '../data/datasets/catalogue.ts';
import type { Dataset } from '../data/datasets/dataset.ts';
import { labelDecisionsCsv, labelDecisionsExport, LabelDecisionsImportError, parseLabelDecisions } from '../analysis/label-issues/decisions-export.ts';

const VERDICT_WORDS = { right: 'label is right', ambiguous: 'ambiguous / unreadable', skip: 'skipped' } as const;

/**
 * Records an export's decisions on `dataset`, all or none. Each split's decisions must name the
 * labels file this copy of the dataset has: decisions about another copy (or another dataset)
 * would correct the wrong images.
 */
function importDecisions(db: Db, text: string, dataset: Dataset, splits: Record<LabelSplit, MnistSplit>): Record<LabelSplit, number> {
  const decisions = parseLabelDecisions(text);
  decisions.forEach((d, n) => {
    if (d.labelsSha256 !== null && d.labelsSha256 !== splits[d.split].labelsSha256) {
      throw new LabelDecisionsImportError(`decision ${n + 1} is about a ${d.split} labels file with sha256 ${d.labelsSha256}; this one's is ${splits[d.split].labelsSha256}`);
    }
  });
  const counts = { test: 0, train: 0 };
  db.transaction(() => {
    decisions.forEach((d, n) => {
      if (d.index >= splits[d.split].count) throw new LabelDecisionsImportError(`decision ${n + 1}: the ${d.split} set has no image ${d.index}`);
      try {
        decideLabel(db, { dataset: dataset.name, classes: dataset.classNames.length, split: d.split, imageIndex: d.index, verdict: d.verdict, correctedLabel: d.correctedLabel, decidedAt: d.decidedAt });
      } catch (err) {
        if (err instanceof LabelDecisionError) throw new LabelDecisionsImportError(`decision ${n + 1}: ${err.message}`);
        throw err;
      }
      counts[d.split]++;
    });
  });
  return counts;
}

export const labelIssuesDecisionsCommand: Command = {
  name: 'label-issues-decisions',
  aliases: ['label-decisions'],
  summary: 'the decisions on label issues: list them, export them as JSON or CSV (with the dataset files\' sha256), or import an export',
  positionals: [],
  options: {
    split: { type: 'choice', choices: LABEL_SPLITS, description: 'only this split\'s decisions (default both)' },
    csv: { type: 'boolean', description: 'print the decisions as CSV: split,index,label,verdict,corrected_label,decided_at,labels_sha256' },
    out: { type: 'string', placeholder: 'FILE', description: 'write the export (CSV with --csv, else JSON) to FILE instead of stdout' },
    import: { type: 'string', placeholder: 'FILE', description: 'record the decisions of an export (JSON or CSV); refused if it names other dataset files' },
    dataset: { type: 'string', placeholder: 'NAME', description: `whose decisions (default ${DEFAULT_DATASET}; digitlab datasets lists them)` },
  },
  async run({ options }, context) {
    const importFile = options.import as string | undefined;
    if (importFile && (options.csv || options.out || options.split)) throw new UsageError('--import takes no --csv, --out or --split');
    if (options.csv && options.json && !options.out) throw new UsageError('--csv with --json needs --out FILE: stdout carries the JSON line');
    const db = openStoreFor(options, context);
    try {
      const dataset = findDataset(db, (options.dataset as string | undefined) ?? DEFAULT_DATASET);
      const splits = { train: dataset.load('train'), test: dataset.load('test') };
      const name = (label: number | null) => (label === null ? '?' : (dataset.classNames[label] ?? String(label)));
      if (importFile) {
        let text: string;
        try {
          text = readFileSync(importFile, 'utf8');
        } catch {
          throw new UsageError(`cannot read ${importFile}`);
        }
        let counts: Record<LabelSplit, number>;
        try {
          counts = importDecisions(db, text, dataset, splits);
        } catch (err) {
          if (err instanceof LabelDecisionsImportError) throw new UsageError(`${importFile}: ${err.message}`);
          throw err;
        }
        if (options.json) printJson(context, { imported: counts.test + counts.train, ...counts });
        else context.stdout.write(`imported ${counts.test} test and ${counts.train} training decisions from ${importFile}\n`);
        return 0;
      }
      const all = labelDecisionsExport(db, dataset.name, splits);
      const only = options.split as LabelSplit | undefined;
      const exported = only ? { dataset: { [only]: all.dataset[only]! }, decisions: all.decisions.filter((d) => d.split === only) } : all;
      const out = options.out as string | undefined;
      if (options.csv || out) {
        const file = options.csv ? labelDecisionsCsv(exported) : `${JSON.stringify(exported, null, 2)}\n`;
        if (!out) {
          context.stdout.write(file);
          return 0;
        }
        writeFileSync(out, file);
        if (options.json) printJson(context, { file: out, decisions: exported.decisions.length });
        else context.stdout.write(`wrote ${exported.decisions.length} decisions to ${out}\n`);
        return 0;
      }
      if (options.json) {
        printJson(context, exported);
        return 0;
      }
      const lines = exported.decisions.map(
        (d) =>
          `${d.split.padEnd(5)} ${String(d.index).padStart(5)}  labelled ${name(d.label)}: ${d.verdict === 'wrong' ? `label is wrong: it is a ${name(d.correctedLabel)}` : VERDICT_WORDS[d.verdict]}  (${d.decidedAt})`,
      );
      context.stdout.write(`${exported.decisions.length} decisions\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
