/**
 * Where a long computation over stored data stands (a map, robustness curves, training-set
 * embeddings): what a page polls until it is ready.
 */
export type JobStatus<T> =
  | { state: 'ready'; value: T }
  | { state: 'computing'; fraction: number; stage: string }
  | { state: 'absent' }
  | { state: 'failed'; error: string }
  | { state: 'unavailable'; reason: string };
