/** What a run made of one test image. */
export interface ImageOutcome {
  /** Position in the test set. */
  index: number;
  label: number;
  predicted: number;
  /** The probability the model gave its own prediction. */
  confidence: number;
  probabilities: Float32Array;
}

export interface TestPredictions {
  predicted: Uint8Array;
  /** One per class per image, in test-set order. */
  probabilities: Float32Array;
}

/** Selects test images: one confusion-matrix cell, or every mistake when `wrong` is set. */
export interface OutcomeFilter {
  label?: number;
  predicted?: number;
  wrong?: boolean;
}

/** The test images matching `filter`, most confident first: a confident mistake is the telling one. */
export function outcomesWhere(predictions: TestPredictions, labels: Uint8Array, filter: OutcomeFilter): ImageOutcome[] {
  const outcomes: ImageOutcome[] = [];
  const classes = classCountOf(predictions);
  for (let index = 0; index < predictions.predicted.length; index++) {
    const label = labels[index]!;
    const predicted = predictions.predicted[index]!;
    if (filter.label !== undefined && label !== filter.label) continue;
    if (filter.predicted !== undefined && predicted !== filter.predicted) continue;
    if (filter.wrong && label === predicted) continue;
    const probabilities = predictions.probabilities.subarray(index * classes, index * classes + classes);
    outcomes.push({ index, label, predicted, confidence: probabilities[predicted]!, probabilities });
  }
  return outcomes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
}

/** Classes per image in stored predictions: their probabilities hold one per class per image (10 when there are no images). */
export function classCountOf(predictions: TestPredictions): number {
  const images = predictions.predicted.length;
  return images > 0 ? Math.round(predictions.probabilities.length / images) : 10;
}
