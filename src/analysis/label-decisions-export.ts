import type { Db } from '../../db/client.ts';
import { LABEL_SPLITS } from '../../db/schema.ts';
import { listLabelDecisions } from '../experiments/label-decisions.ts';
import type { MnistSplit } from '../experiments/mnist.ts';

/**
 * Every label decision, with the dataset files they are about: the sha256 of each split's images
 * and labels file, so a decision list is never applied to another copy of MNIST by mistake.
 */
export function labelDecisionsExport(db: Db, splits: { train: MnistSplit; test: MnistSplit }) {
  return {
    dataset: Object.fromEntries(LABEL_SPLITS.map((split) => [split, { imagesSha256: splits[split].imagesSha256, labelsSha256: splits[split].labelsSha256 }])),
    decisions: LABEL_SPLITS.flatMap((split) =>
      listLabelDecisions(db, split).map((d) => ({
        split,
        index: d.imageIndex,
        label: splits[split].labels[d.imageIndex] ?? null,
        verdict: d.verdict,
        correctedLabel: d.correctedLabel,
        decidedAt: d.decidedAt.toISOString(),
      })),
    ),
  };
}

/** The same as CSV, one decision a row, each row naming its split's labels file by sha256. */
export function labelDecisionsCsv(exported: ReturnType<typeof labelDecisionsExport>): string {
  const rows = exported.decisions.map((d) =>
    [d.split, d.index, d.label, d.verdict, d.correctedLabel ?? '', d.decidedAt, exported.dataset[d.split]!.labelsSha256].join(','),
  );
  return ['split,index,label,verdict,corrected_label,decided_at,labels_sha256', ...rows].join('\n') + '\n';
}
