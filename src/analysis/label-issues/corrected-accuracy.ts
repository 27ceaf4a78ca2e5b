import { DEFAULT_DATASET } from '../../data/datasets/catalogue.ts';
import type { Db } from '../../../db/client.ts';
import { correctLabels, listLabelDecisions, type LabelDecision } from '../../store/label-issues-decisions.ts';
import { loadTestPredictions, type Run } from '../../store/store.ts';

/** A run's test accuracy three ways; the original labels' stays the headline. */
export interface LabelAccuracies {
  /** On the labels as the file has them. */
  original: number;
  /** On the labels as the test-set decisions correct them. */
  corrected: number;
  /** On the corrected labels, leaving out the images judged ambiguous; null when every image is. */
  withoutAmbiguous: number | null;
  /** How many of the run's test images the decisions relabelled, and how many they call ambiguous. */
  relabelled: number;
  ambiguous: number;
}

/** The accuracies of predictions of the first `predicted.length` test images (a run may predict a slice). */
export function labelAccuracies(predicted: Uint8Array, testLabels: Uint8Array, decisions: LabelDecision[]): LabelAccuracies {
  const labels = testLabels.subarray(0, predicted.length);
  const { labels: corrected, ambiguous, corrected: relabelled } = correctLabels(labels, decisions);
  let right = 0;
  let rightCorrected = 0;
  let rightKept = 0;
  predicted.forEach((p, i) => {
    if (p === labels[i]) right++;
    if (p === corrected[i]) {
      rightCorrected++;
      if (!ambiguous.has(i)) rightKept++;
    }
  });
  const kept = predicted.length - ambiguous.size;
  return {
    original: right / predicted.length,
    corrected: rightCorrected / predicted.length,
    withoutAmbiguous: kept > 0 ? rightKept / kept : null,
    relabelled,
    ambiguous: ambiguous.size,
  };
}

/** MNIST's test-set decisions that change an accuracy (corrections and ambiguous verdicts): runLabelAccuracies reads MNIST's runs only. */
export function effectiveTestDecisions(db: Db): LabelDecision[] {
  return listLabelDecisions(db, DEFAULT_DATASET, 'test').filter((d) => d.verdict === 'wrong' || d.verdict === 'ambiguous');
}

/**
 * A completed run's accuracies under `decisions` (effectiveTestDecisions); null for a run without
 * test predictions. Without decisions all three are its recorded accuracy, and nothing is read.
 */
export function runLabelAccuracies(db: Db, run: Run, testLabels: Uint8Array, decisions: LabelDecision[]): LabelAccuracies | null {
  if (run.status !== 'completed' || run.testAccuracy === null) return null;
  // The label decisions are on MNIST's test images: another dataset's run has no corrected labels.
  if (run.dataset !== 'mnist') return null;
  if (decisions.length === 0) return { original: run.testAccuracy, corrected: run.testAccuracy, withoutAmbiguous: run.testAccuracy, relabelled: 0, ambiguous: 0 };
  const predictions = loadTestPredictions(db, run.id);
  return predictions ? labelAccuracies(predictions.predicted, testLabels, decisions) : null;
}
