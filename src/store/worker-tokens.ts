import { DomainError } from '../core/errors.ts';
import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { workerTokens } from '../../db/schema.ts';
import { runsHeldBy } from './run-attempts.ts';
import { endRun } from './store.ts';

export type WorkerToken = typeof workerTokens.$inferSelect;

export class TokenNameTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor(name: string) {
    super(`a token named '${name}' exists already; revoke it or pick another --name`);
  }
}

export class TokenNotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(name: string) {
    super(`no token named '${name}'`);
  }
}

/** Tokens are 32 random bytes, so a plain sha256 is as hard to reverse as the token is to guess. */
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a token and returns it: the only time it exists outside the holder's hands. */
export function createToken(db: Db, name: string, options: { runId?: number } = {}): { token: string; record: WorkerToken } {
  if (db.select().from(workerTokens).where(eq(workerTokens.name, name)).get()) throw new TokenNameTakenError(name);
  const token = `dlw_${randomBytes(32).toString('base64url')}`;
  const [record] = db
    .insert(workerTokens)
    .values({ name, sha256: sha256(token), createdAt: new Date(), runId: options.runId ?? null })
    .returning()
    .all();
  return { token, record: record! };
}

export function listTokens(db: Db): WorkerToken[] {
  return db.select().from(workerTokens).orderBy(workerTokens.id).all();
}

/**
 * Deletes the token: requests bearing it are refused from now on. The runs it is training fail at
 * once with the reason, rather than a lease later as if the worker had vanished; returns their ids.
 */
export function revokeToken(db: Db, name: string): number[] {
  return db.transaction((tx) => {
    const deleted = tx.delete(workerTokens).where(eq(workerTokens.name, name)).run();
    if (deleted.changes === 0) throw new TokenNotFoundError(name);
    const held = runsHeldBy(tx, name);
    for (const run of held) endRun(tx, run.id, 'failed', `token revoked: the worker token '${name}' that was training it was revoked`);
    return held.map((run) => run.id);
  });
}

/** The stored token a bearer string is, or null. */
export function findToken(db: Db, token: string): WorkerToken | null {
  return db.select().from(workerTokens).where(eq(workerTokens.sha256, sha256(token))).get() ?? null;
}

export function markTokenUsed(db: Db, id: number): void {
  db.update(workerTokens).set({ lastUsedAt: new Date() }).where(eq(workerTokens.id, id)).run();
}
