/** Why a run stopped when nobody says otherwise: a person's Ctrl-C or cancel button. */
export const CANCELLED_BY_USER = 'cancelled by the user';

/**
 * Thrown where a run's AbortSignal is found aborted: between training batches or evaluation batches.
 * Its message is the reason recorded on the run: the signal's reason when that is a sentence.
 */
export class TrainingCancelledError extends Error {
  constructor(reason: string = CANCELLED_BY_USER) {
    super(reason);
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingCancelledError(typeof signal.reason === 'string' ? signal.reason : undefined);
}
