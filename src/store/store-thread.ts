import { parentPort, workerData } from 'node:worker_threads';
import { openDb, openReadOnly, type Db } from '../../db/client.ts';
import { runThreadJob } from '../core/thread-job.ts';

/** Work on the store that is long on large rows (a model file's blob), and the thread script that does it. */
export interface StoreWork<J, T> {
  /** What the work is called in a message when its thread fails. */
  name: string;
  /** The script whose thread calls serveStoreWork with this work; a .mjs that registers the TypeScript loader. */
  script: URL;
  perform(db: Db, job: J): T | Promise<T>;
  /** The result's buffers that go back without a copy (a model file's bytes). */
  moves?(result: T): ArrayBuffer[];
}

type StoreWorkMessage<T> = { kind: 'done'; result: T } | { kind: 'failed'; error: string };

/**
 * Does `work` in a thread of its own, on a connection of its own to the store's file: SQLite copies
 * a 50 MB blob in 100 to 350 ms, which on the server's event loop would hold every page as long.
 * WAL lets the server keep reading meanwhile; its own writes wait on the busy timeout. A store in
 * memory has no file for a second connection to open, so there the work is done in place. Buffers
 * in `moved` go to the thread without a copy and are empty here afterwards.
 */
export async function onStoreThread<J, T>(db: Db, work: StoreWork<J, T>, job: J, moved: ArrayBuffer[] = []): Promise<T> {
  if (db.$client.memory) return work.perform(db, job);
  return runThreadJob<T, StoreWorkMessage<T>>(
    work.script,
    { file: db.$client.name, readonly: db.$client.readonly, job },
    work.name,
    (message, control) => (message.kind === 'done' ? control.resolve(message.result) : control.reject(new Error(message.error))),
    moved,
  );
}

/** The thread's side of onStoreThread: opens the store as its caller has it, does the work, answers, closes. */
export async function serveStoreWork<J, T>(work: StoreWork<J, T>): Promise<void> {
  const { file, readonly, job } = workerData as { file: string; readonly: boolean; job: J };
  const db = readonly ? openReadOnly(file) : openDb(file);
  let message: StoreWorkMessage<T>;
  try {
    message = { kind: 'done', result: await work.perform(db, job) };
  } catch (err) {
    message = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
  } finally {
    db.$client.close();
  }
  parentPort!.postMessage(message, message.kind === 'done' ? (work.moves?.(message.result) ?? []) : []);
}
