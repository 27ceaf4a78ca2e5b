/** Thrown where a run's AbortSignal is found aborted: between training batches or evaluation batches. */
export class TrainingCancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingCancelledError();
}
