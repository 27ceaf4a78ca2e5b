import { DomainError } from '../../core/errors.ts';
import type { Db } from '../../../db/client.ts';
import { LABEL_SPLITS, LABEL_VERDICTS, type LabelSplit, type LabelVerdict } from '../../../db/schema.ts';
import { listLabelDecisions } from '../../store/label-issues-decisions.ts';
import type { MnistSplit } from '../../data/mnist.ts';

/**
 * Every label decision on `dataset`, with the dataset files they are about: the sha256 of each
 * split's images and labels file, so a decision list is never applied to another copy (or another
 * dataset) by mistake.
 */
export function labelDecisionsExport(db: Db, dataset: string, splits: { train: MnistSplit; test: MnistSplit }) {
  return {
    dataset: Object.fromEntries(LABEL_SPLITS.map((split) => [split, { imagesSha256: splits[split].imagesSha256, labelsSha256: splits[split].labelsSha256 }])),
    decisions: LABEL_SPLITS.flatMap((split) =>
      listLabelDecisions(db, dataset, split).map((d) => ({
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

const CSV_HEADER = 'split,index,label,verdict,corrected_label,decided_at,labels_sha256';

/** The same as CSV, one decision a row, each row naming its split's labels file by sha256. */
export function labelDecisionsCsv(exported: ReturnType<typeof labelDecisionsExport>): string {
  const rows = exported.decisions.map((d) =>
    [d.split, d.index, d.label, d.verdict, d.correctedLabel ?? '', d.decidedAt, exported.dataset[d.split]!.labelsSha256].join(','),
  );
  return [CSV_HEADER, ...rows].join('\n') + '\n';
}

/** An import that does not fit: unreadable, about other dataset files, or holding a decision that cannot be. */
export class LabelDecisionsImportError extends DomainError { readonly kind = 'invalid'; }

export interface ImportedDecision {
  split: LabelSplit;
  index: number;
  verdict: LabelVerdict;
  correctedLabel: number | null;
  decidedAt: Date;
  /** The labels file the decision is about, where the export names it. */
  labelsSha256: string | null;
}

/** The decisions of an export, JSON or CSV, each with the labels file sha256 it names. */
export function parseLabelDecisions(text: string): ImportedDecision[] {
  const rows = text.trimStart().startsWith('{') ? jsonRows(text) : csvRows(text);
  return rows.map((row, n) => {
    const where = `decision ${n + 1}`;
    if (!LABEL_SPLITS.includes(row.split as LabelSplit)) throw new LabelDecisionsImportError(`${where}: split must be test or train; got '${row.split}'`);
    if (!LABEL_VERDICTS.includes(row.verdict as LabelVerdict)) throw new LabelDecisionsImportError(`${where}: verdict must be one of ${LABEL_VERDICTS.join(', ')}; got '${row.verdict}'`);
    const index = Number(row.index);
    if (!Number.isInteger(index) || index < 0) throw new LabelDecisionsImportError(`${where}: index must be a whole number; got '${row.index}'`);
    const decidedAt = new Date(String(row.decidedAt));
    if (Number.isNaN(decidedAt.getTime())) throw new LabelDecisionsImportError(`${where}: decided_at is not a time; got '${row.decidedAt}'`);
    const split = row.split as LabelSplit;
    const corrected = row.correctedLabel === null || row.correctedLabel === '' || row.correctedLabel === undefined ? null : Number(row.correctedLabel);
    return { split, index, verdict: row.verdict as LabelVerdict, correctedLabel: corrected, decidedAt, labelsSha256: row.labelsSha256 ? String(row.labelsSha256) : null };
  });
}

type RawRow = Record<string, unknown>;

function jsonRows(text: string): RawRow[] {
  let parsed: { dataset?: Record<string, { labelsSha256?: string }>; decisions?: RawRow[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LabelDecisionsImportError('the file is neither JSON nor the CSV that label-issues-decisions writes');
  }
  if (!Array.isArray(parsed.decisions)) throw new LabelDecisionsImportError('the JSON has no "decisions" list');
  return parsed.decisions.map((d) => ({ ...d, labelsSha256: parsed.dataset?.[String(d.split)]?.labelsSha256 }));
}

function csvRows(text: string): RawRow[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  if (header !== CSV_HEADER) throw new LabelDecisionsImportError(`a CSV of decisions starts with the header ${CSV_HEADER}`);
  return lines.map((line) => {
    const [split, index, , verdict, correctedLabel, decidedAt, labelsSha256] = line.split(',');
    return { split, index, verdict, correctedLabel, decidedAt, labelsSha256 };
  });
}
