import { DomainError } from '../core/errors.ts';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { labelDecisions, type LabelSplit, type LabelVerdict } from '../../db/schema.ts';

/** The decisions a person makes on label issues (one per image of a dataset's split; table label_decisions), and the labels they correct. */
export type LabelDecision = typeof labelDecisions.$inferSelect;
/** What training needs of a decision; a remote worker gets only this with its claim. */
export type LabelCorrection = Pick<LabelDecision, 'imageIndex' | 'verdict' | 'correctedLabel'>;

/** A verdict that does not fit its label: 'wrong' needs the class it is, the others take none. */
export class LabelDecisionError extends DomainError { readonly kind = 'invalid'; }

/**
 * Records (or changes) the decision on one image of `dataset`, stamped with the time it was made.
 * `classes` is the dataset's class count, which a corrected label must fall within (the store
 * does not read datasets, so the caller, who has the dataset, says).
 */
export function decideLabel(
  db: Db,
  input: { dataset: string; classes: number; split: LabelSplit; imageIndex: number; verdict: LabelVerdict; correctedLabel?: number | null; decidedAt?: Date },
): LabelDecision {
  const correctedLabel = input.correctedLabel ?? null;
  if (input.verdict === 'wrong' && (correctedLabel === null || !Number.isInteger(correctedLabel) || correctedLabel < 0 || correctedLabel >= input.classes)) {
    throw new LabelDecisionError(`a wrong label needs the class the image really is (0-${input.classes - 1} in ${input.dataset})`);
  }
  if (input.verdict !== 'wrong' && correctedLabel !== null) throw new LabelDecisionError(`a '${input.verdict}' decision takes no corrected label`);
  const row = { dataset: input.dataset, split: input.split, imageIndex: input.imageIndex, verdict: input.verdict, correctedLabel, decidedAt: input.decidedAt ?? new Date() };
  return db
    .insert(labelDecisions)
    .values(row)
    .onConflictDoUpdate({ target: [labelDecisions.dataset, labelDecisions.split, labelDecisions.imageIndex], set: row })
    .returning()
    .get();
}

/** Every decision on one split of `dataset`, by image index. */
export function listLabelDecisions(db: Db, dataset: string, split: LabelSplit): LabelDecision[] {
  return db
    .select()
    .from(labelDecisions)
    .where(and(eq(labelDecisions.dataset, dataset), eq(labelDecisions.split, split)))
    .orderBy(asc(labelDecisions.imageIndex))
    .all();
}

export function getLabelDecision(db: Db, dataset: string, split: LabelSplit, imageIndex: number): LabelDecision | undefined {
  return db
    .select()
    .from(labelDecisions)
    .where(and(eq(labelDecisions.dataset, dataset), eq(labelDecisions.split, split), eq(labelDecisions.imageIndex, imageIndex)))
    .get();
}

/** The labels as the decisions correct them, and which images were judged ambiguous; `labels` stays untouched. */
export function correctLabels(labels: Uint8Array, decisions: LabelCorrection[]): { labels: Uint8Array; ambiguous: Set<number>; corrected: number } {
  const corrected = Uint8Array.from(labels);
  const ambiguous = new Set<number>();
  let changed = 0;
  for (const decision of decisions) {
    if (decision.imageIndex >= labels.length) continue;
    if (decision.verdict === 'ambiguous') ambiguous.add(decision.imageIndex);
    if (decision.verdict === 'wrong' && decision.correctedLabel !== labels[decision.imageIndex]) {
      corrected[decision.imageIndex] = decision.correctedLabel!;
      changed++;
    }
  }
  return { labels: corrected, ambiguous, corrected: changed };
}
