import type { Db } from '../../db/client.ts';
import { claimRun, completeRun, getRun, logEpoch, type Run } from '../../src/store/store.ts';

/** Marks a run completed with made-up results and no real model: enough for what reads run rows and metrics. */
export function completeWithoutTraining(
  db: Db,
  run: Run,
  result: { images?: number; accuracy?: number; loss?: number; predicted?: Uint8Array; probabilities?: Float32Array; embeddings?: { dimensions: number; vectors: Float32Array } } = {},
): void {
  const { images = result.predicted?.length ?? 500, accuracy = 0.1, loss = 1 } = result;
  // Only a running run may complete: a queued one is claimed first, as a trainer would.
  if (getRun(db, run.id).status === 'queued') claimRun(db, run.id);
  completeRun(
    db,
    run.id,
    {
      loss,
      accuracy,
      confusion: Array.from({ length: 10 }, () => new Array<number>(10).fill(0)),
      predicted: result.predicted ?? new Uint8Array(images),
      probabilities: result.probabilities ?? new Float32Array(images * 10),
      embeddings: result.embeddings?.vectors ?? new Float32Array(images),
      embeddingDimensions: result.embeddings?.dimensions ?? 1,
      trainSamplesPerSecond: 1,
    },
    { topology: {}, weightSpecs: [], weightData: Buffer.alloc(0) },
  );
}

/** Appends epochs 1..n with the given training losses; the other metrics follow from them. */
export function logLosses(db: Db, run: Run, losses: number[]): void {
  losses.forEach((loss, i) =>
    logEpoch(db, run.id, { epoch: i + 1, loss, accuracy: 1 - loss, valLoss: loss, valAccuracy: 1 - loss, seconds: 1, valConfusion: null }),
  );
}
