import type { MnistSplit } from '../../data/mnist.ts';
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

/** The first label issue after position `from` (wrapping) that `decided` does not hold; null when all are decided. */
export function nextUndecided(issues: LabelIssue[], decided: Set<number>, from = -1): number | null {
  for (let step = 1; step <= issues.length; step++) {
    const at = (from + step + issues.length) % issues.length;
    if (!decided.has(issues[at]!.index)) return at;
  }
  return null;
}
