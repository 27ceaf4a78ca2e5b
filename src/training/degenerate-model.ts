/**
 * A model can fail without a NaN: Keras-style cross-entropy clips probabilities, so a diverged
 * model's loss sits at the clip ceiling instead, and a collapsed one answers one class for every
 * image. One detector: training fails a run whose loss diverged; the pages flag a model that
 * collapsed, which training lets finish (a model can collapse on its validation images while its
 * training loss still falls, as batch norm's lagging moving statistics make it do).
 */

/** Keras clips probabilities by this epsilon before the log in categorical cross-entropy. */
export const PROBABILITY_EPSILON = 1e-7;

/** The largest loss one image can have: the log of the clipped probability of its true class. */
export const LOSS_CEILING = -Math.log(PROBABILITY_EPSILON);

/** Ten times chance (ln 10 = 2.3) is far above any model that learnt, and half the ceiling. */
const DIVERGED_LOSS = LOSS_CEILING / 2;

/** MNIST's commonest class is 11% of the images; a model giving one class to 90% has stopped telling digits apart. */
const COLLAPSED_SHARE = 0.9;

/** Fewer predictions than this say too little about a model to call it collapsed. */
const MIN_PREDICTIONS = 20;

/** Why a mean loss says the model diverged, or null. */
export function divergedLoss(loss: number): string | null {
  if (loss < DIVERGED_LOSS) return null;
  return `the loss is ${loss.toFixed(2)}, near the clip ceiling of ${LOSS_CEILING.toFixed(2)} (a model that learnt nothing scores ${Math.log(10).toFixed(2)})`;
}

/** Why a confusion matrix (counts[true][predicted]) says the model collapsed to one class, or null. */
export function modelCollapse(confusion: number[][] | null): string | null {
  if (!confusion) return null;
  const predicted = confusion[0]!.map((_, column) => confusion.reduce((sum, row) => sum + row[column]!, 0));
  const total = predicted.reduce((sum, count) => sum + count, 0);
  const top = predicted.indexOf(Math.max(...predicted));
  if (total < MIN_PREDICTIONS || predicted[top]! < COLLAPSED_SHARE * total) return null;
  return `the model predicts ${top} for ${((100 * predicted[top]!) / total).toFixed(0)}% of ${total.toLocaleString('en')} images`;
}

/** Training stopped because the model diverged; the run fails with this reason. */
export class DivergedError extends Error {}
