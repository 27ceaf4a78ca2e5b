import { desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { runs, testPredictions } from '../../db/schema.ts';

export interface RunPredictionOfImage {
  runId: number;
  runName: string;
  predicted: number;
  probabilities: Float32Array;
}

/**
 * What every run with stored predictions made of one test image, newest run first. Reads only
 * the image's 41 bytes of each run's packed blobs, not the 400 kB a whole run would cost.
 */
export function predictionsOfTestImage(db: Db, index: number): RunPredictionOfImage[] {
  const rows = db
    .select({
      runId: runs.id,
      runName: runs.name,
      predicted: sql<Buffer>`substr(${testPredictions.predicted}, ${index + 1}, 1)`,
      probabilities: sql<Buffer>`substr(${testPredictions.probabilities}, ${index * 40 + 1}, 40)`,
    })
    .from(testPredictions)
    .innerJoin(runs, eq(runs.id, testPredictions.runId))
    .where(gt(testPredictions.count, index))
    .orderBy(desc(runs.id))
    .all();
  return rows.map((row) => {
    const probabilities = new Float32Array(10);
    new Uint8Array(probabilities.buffer).set(row.probabilities);
    return { runId: row.runId, runName: row.runName, predicted: row.predicted[0]!, probabilities };
  });
}
