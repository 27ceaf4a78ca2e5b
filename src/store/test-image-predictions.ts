import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { runs, testPredictions } from '../../db/schema.ts';

export interface RunPredictionOfImage {
  runId: number;
  runName: string;
  predicted: number;
  probabilities: Float32Array;
}

/**
 * What every run on `dataset` with stored predictions made of one of its test images, newest run
 * first. Reads only the image's bytes of each run's packed blobs (1 + 4 per class), not the
 * 400 kB a whole run would cost.
 */
export function predictionsOfTestImage(db: Db, index: number, dataset = 'mnist', classes = 10): RunPredictionOfImage[] {
  const rows = db
    .select({
      runId: runs.id,
      runName: runs.name,
      predicted: sql<Buffer>`substr(${testPredictions.predicted}, ${index + 1}, 1)`,
      probabilities: sql<Buffer>`substr(${testPredictions.probabilities}, ${index * 4 * classes + 1}, ${4 * classes})`,
    })
    .from(testPredictions)
    .innerJoin(runs, eq(runs.id, testPredictions.runId))
    .where(and(gt(testPredictions.count, index), eq(runs.dataset, dataset)))
    .orderBy(desc(runs.id))
    .all();
  return rows.map((row) => {
    const probabilities = new Float32Array(classes);
    new Uint8Array(probabilities.buffer).set(row.probabilities);
    return { runId: row.runId, runName: row.runName, predicted: row.predicted[0]!, probabilities };
  });
}
