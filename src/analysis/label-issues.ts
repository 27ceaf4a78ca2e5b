import type { Db } from '../../db/client.ts';
import { listRuns, loadTestPredictions } from '../experiments/store.ts';

/** A test image whose given label the models doubt. */
export interface LabelIssue {
  index: number;
  label: number;
  /** Mean, over runs, of the probability given to the label. */
  labelProbability: number;
  /** The class the runs lean to instead, and its mean probability. */
  suggested: number;
  suggestedProbability: number;
}

/**
 * Confident-learning style (Northcutt et al.): with each class's threshold the mean probability
 * the models give that class on images labelled with it, an image is suspect when some other
 * class clears its own threshold while the given label does not clear its. Averaging the
 * probabilities over runs first keeps one odd run from flagging an image. Most doubted first.
 */
export function findLabelIssues(labels: Uint8Array, runProbabilities: Float32Array[], limit = 50): LabelIssue[] {
  if (runProbabilities.length === 0) return [];
  const count = runProbabilities[0]!.length / 10;
  const mean = new Float64Array(count * 10);
  for (const probabilities of runProbabilities) {
    for (let i = 0; i < count * 10; i++) mean[i]! += probabilities[i]! / runProbabilities.length;
  }
  const threshold = new Float64Array(10);
  const perClass = new Int32Array(10);
  for (let i = 0; i < count; i++) {
    threshold[labels[i]!]! += mean[i * 10 + labels[i]!]!;
    perClass[labels[i]!]!++;
  }
  for (let c = 0; c < 10; c++) threshold[c] = perClass[c]! > 0 ? threshold[c]! / perClass[c]! : 1;
  const issues: LabelIssue[] = [];
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    const own = mean[i * 10 + label]!;
    if (own >= threshold[label]!) continue;
    let suggested = -1;
    for (let c = 0; c < 10; c++) {
      const p = mean[i * 10 + c]!;
      if (c !== label && p >= threshold[c]! && (suggested < 0 || p > mean[i * 10 + suggested]!)) suggested = c;
    }
    if (suggested < 0) continue;
    issues.push({ index: i, label, labelProbability: own, suggested, suggestedProbability: mean[i * 10 + suggested]! });
  }
  return issues.sort((a, b) => a.labelProbability - b.labelProbability || a.index - b.index).slice(0, limit);
}

/** Label issues over every completed run that predicted the whole test set; also how many runs that was. */
export function storedLabelIssues(db: Db, testLabels: Uint8Array, limit = 50): { runs: number; issues: LabelIssue[] } {
  const probabilities = listRuns(db, { statuses: ['completed'] })
    .map((run) => loadTestPredictions(db, run.id)?.probabilities)
    .filter((p): p is Float32Array => p !== undefined && p.length === testLabels.length * 10);
  return { runs: probabilities.length, issues: findLabelIssues(testLabels, probabilities, limit) };
}
