/** One class's scores from a confusion matrix (row = true label, column = predicted). */
export interface ClassMetrics {
  label: number;
  /** Test images of this class. */
  support: number;
  /** Null where undefined: no image predicted as (precision) or labelled as (recall) this class. */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Share of this class's images predicted as something else: 1 - recall. */
  error: number | null;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function classMetrics(confusion: number[][]): ClassMetrics[] {
  return confusion.map((row, label) => {
    const correct = row[label] ?? 0;
    const support = row.reduce((sum, count) => sum + count, 0);
    const predictedAs = confusion.reduce((sum, r) => sum + (r[label] ?? 0), 0);
    const precision = ratio(correct, predictedAs);
    const recall = ratio(correct, support);
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
    return { label, support, precision, recall, f1, error: recall === null ? null : 1 - recall };
  });
}
