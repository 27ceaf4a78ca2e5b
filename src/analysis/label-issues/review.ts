import type { MnistSplit } from '../../data/mnist.ts';
import type { LabelDecision } from '../../store/label-issues-decisions.ts';
import { sevenShape } from '../crossed-seven.ts';
import type { LabelIssue } from './ranking.ts';

/** What the review can be narrowed to: the crossed and plain sevens of src/analysis/slices.ts. */
export const REVIEW_SLICES = ['all', 'crossed-seven', 'plain-seven'] as const;
export type ReviewSlice = (typeof REVIEW_SLICES)[number];

/**
 * The label issues in a slice. A seven slice holds the issues labelled 7 or suggested to be one
 * (a crossed seven labelled 2 is exactly the doubt the slice is for), split by the crossing-bar
 * detector on the image alone.
 */
export function issuesInSlice(issues: LabelIssue[], slice: ReviewSlice, split: MnistSplit): LabelIssue[] {
  if (slice === 'all') return issues;
  return issues.filter((issue) => {
    if (issue.label !== 7 && issue.suggested !== 7) return false;
    return sevenShape(split.images, issue.index).crossed === (slice === 'crossed-seven');
  });
}

/**
 * The first label issue after position `from` (wrapping) that `passed` does not hold; null when
 * none is left. `passed` holds the skipped images too, so a skip moves on rather than coming back.
 */
export function nextUndecided(issues: LabelIssue[], passed: Set<number>, from = -1): number | null {
  for (let step = 1; step <= issues.length; step++) {
    const at = (from + step + issues.length) % issues.length;
    if (!passed.has(issues[at]!.index)) return at;
  }
  return null;
}

/** How far the review of `issues` is: a skip says nothing about the label, so it is not a decision. */
export function reviewProgress(issues: LabelIssue[], decisions: Map<number, Pick<LabelDecision, 'verdict'>>): { decided: number; skipped: number[] } {
  const verdicts = issues.map((issue) => [issue.index, decisions.get(issue.index)?.verdict] as const);
  return {
    decided: verdicts.filter(([, verdict]) => verdict !== undefined && verdict !== 'skip').length,
    skipped: verdicts.filter(([, verdict]) => verdict === 'skip').map(([index]) => index),
  };
}
