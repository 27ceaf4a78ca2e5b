import { DomainError } from '../core/errors.ts';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { labelDecisions, type LabelSplit, type LabelVerdict } from '../../db/schema.ts';

/** The decisions a person makes on label issues (one per image and split; table label_decisions), and the labels they correct. */
export type LabelDecision = typeof labelDecisions.$inferSelect;
/** What training needs of a decision; a remote worker gets only this with its claim. */
export type LabelCorrection = Pick<LabelDecision, 'imageIndex' | 'verdict' | 'correctedLabel'>;

/** A verdict that does not fit its label: 'wrong' needs the digit it is, the others take none. */
export class LabelDecisionError extends DomainError { readonly kind = 'invalid'; }

/** Records (or changes) the decision on one image, stamped with the time it was made. */
export function decideLabel(
  db: Db,
  input: { split: LabelSplit; imageIndex: number; verdict: LabelVerdict; correctedLabel?: number | null; decidedAt?: Date },
): LabelDecision {
  const correctedLabel = input.correctedLabel ?? null;
  if (input.verdict === 'wrong' && (correctedLabel === null || !Number.isInteger(correctedLabel) || correctedLabel < 0 || correctedLabel > 9)) {
    throw new LabelDecisionError('a wrong label needs the digit the image really is (0-9)');
  }
  if (input.verdict !== 'wrong' && correctedLabel !== null) throw new LabelDecisionError(`a '${input.verdict}' decision takes no corrected label`);
  const row = { split: input.split, imageIndex: input.imageIndex, verdict: input.verdict, correctedLabel, decidedAt: input.decidedAt ?? new Date() };
  return db
    .insert(labelDecisions)
    .values(row)
    .onConflictDoUpdate({ target: [labelDecisions.split, labelDecisions.imageIndex], set: row })
    .returning()
    .get();
}

/** Every decision on a split, by image index. */
export function listLabelDecisions(db: Db, split: LabelSplit): LabelDecision[] {
  return db.select().from(labelDecisions).where(eq(labelDecisions.split, split)).orderBy(asc(labelDecisions.imageIndex)).all();
}

export function getLabelDecision(db: Db, split: LabelSplit, imageIndex: number): LabelDecision | undefined {
  return db
    .select()
    .from(labelDecisions)
    .where(and(eq(labelDecisions.split, split), eq(labelDecisions.imageIndex, imageIndex)))
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
