import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { robustnessResults } from '../../../db/schema.ts';
import type { RobustnessCurve } from './robustness.ts';

export interface StoredRobustness {
  runId: number;
  curves: RobustnessCurve[];
  count: number;
  seconds: number;
  createdAt: Date;
}

export function saveRobustness(db: Db, result: Omit<StoredRobustness, 'createdAt'>): void {
  const row = { runId: result.runId, transforms: result.curves, count: result.count, seconds: result.seconds, createdAt: new Date() };
  db.insert(robustnessResults).values(row).onConflictDoUpdate({ target: robustnessResults.runId, set: row }).run();
}

export function loadRobustness(db: Db, runId: number): StoredRobustness | null {
  const row = db.select().from(robustnessResults).where(eq(robustnessResults.runId, runId)).get();
  return row ? { runId, curves: row.transforms, count: row.count, seconds: row.seconds, createdAt: row.createdAt } : null;
}
