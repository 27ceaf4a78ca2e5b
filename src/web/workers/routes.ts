import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../../../db/client.ts';
import { BUILT_IN_NAMES, datasetFileHashes, DEFAULT_DATASET, findDataset } from '../../data/datasets/catalogue.ts';
import { DatasetError } from '../../data/datasets/dataset.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { listLabelDecisions } from '../../store/label-issues-decisions.ts';
import { usesLabelDecisions } from '../../training/training-set.ts';
import { epochHistory, type RunProvenance } from '../../store/store.ts';
import type { EpochResult } from '../../store/run-types.ts';
import { heldRun } from '../../store/run-attempts.ts';
import type { LeasePolicy } from '../../execution/workers/leases.ts';
import { RUN_END_STATUSES, type RunEndStatus } from '../../store/run-recorder.ts';
import { describeJob } from '../../execution/slurm/slurm.ts';
import { findToken, markTokenUsed, type WorkerToken } from '../../store/worker-tokens.ts';
import { ARTIFACTS, CHUNK_BYTES, completeRemoteRun, storeChunk, type Artifact, type RemoteCompletion } from '../../execution/workers/uploads.ts';
import type { WebDeps } from '../deps.ts';
import { RUN_ID, runIdOf } from '../params.ts';
import { jsonObject } from '../json-body.ts';

type Env = { Variables: { token: WorkerToken } };

function bearerToken(db: Db, c: Context): WorkerToken {
  const match = /^Bearer (\S+)$/.exec(c.req.header('Authorization') ?? '');
  const token = match ? findToken(db, match[1]!) : null;
  if (!token) {
    const message = match ? 'this token is not valid here (revoked, or never created by this server)' : 'worker requests need Authorization: Bearer TOKEN (see digitlab token create)';
    throw new HTTPException(401, { message });
  }
  return token;
}

function attemptOf(raw: unknown): number {
  if (!Number.isInteger(raw) || (raw as number) < 1) throw new HTTPException(400, { message: 'attempt must be the whole number the claim returned' });
  return raw as number;
}

function objectField<T>(body: Record<string, unknown>, name: string, check: (value: Record<string, unknown>) => boolean = () => true): T {
  const value = body[name];
  if (typeof value !== 'object' || value === null || !check(value as Record<string, unknown>)) throw new HTTPException(400, { message: `${name} is missing or malformed` });
  return value as T;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const numbers = (value: Record<string, unknown>, names: string[]) => names.every((name) => typeof value[name] === 'number');

/** The dataset files whose hashes differ between server and worker, each with both hashes' start. */
function datasetDifferences(server: Record<string, string>, worker: Record<string, unknown>): string[] {
  return Object.entries(server)
    .filter(([file, hash]) => worker[file] !== hash)
    .map(([file, hash]) => `${file} is ${String(worker[file] ?? 'missing').slice(0, 12)} on the worker, ${hash.slice(0, 12)} on the server`);
}

/**
 * The remote-worker protocol: claim, heartbeat, report, upload, complete or end. Every request
 * carries a worker token; every report names the attempt it belongs to, and only the token that
 * claimed that attempt may make it, so neither another worker nor this one's replaced attempt can
 * write over the run.
 */
export function workerRoutes({ db, runs }: WebDeps, leases: LeasePolicy): Hono<Env> {
  // Each built-in dataset's hashes on the server, once (null: the server has not its files).
  const serverHashes = new Map<string, Record<string, string> | null>();
  const serverHashesOf = (name: string) => {
    if (!serverHashes.has(name)) {
      try {
        serverHashes.set(name, datasetFileHashes(findDataset(null, name)));
      } catch (err) {
        if (name === DEFAULT_DATASET || !(err instanceof DatasetError)) throw err;
        serverHashes.set(name, null);
      }
    }
    return serverHashes.get(name)!;
  };
  /**
   * The datasets a worker may train: MNIST, whose files it must have as the server has them, and
   * each other built-in one it reports the same files of. A registered dataset is never shipped:
   * its runs train on the server's machine (`digitlab work`), and no worker claims them.
   */
  const workerDatasets = (body: Record<string, unknown>): string[] => {
    const reported: Record<string, unknown> = { ...(isRecord(body.datasets) ? body.datasets : {}), [DEFAULT_DATASET]: objectField(body, 'datasetHashes') };
    const datasets: string[] = [];
    for (const name of BUILT_IN_NAMES) {
      const worker = reported[name];
      const server = serverHashesOf(name);
      if (!isRecord(worker) || !server) continue;
      const differences = datasetDifferences(server, worker);
      if (differences.length > 0) {
        const title = name === DEFAULT_DATASET ? 'MNIST' : name;
        throw new HTTPException(409, { message: `this worker's ${title} files differ from the server's, so its runs would not compare: ${differences.join('; ')}` });
      }
      datasets.push(name);
    }
    return datasets;
  };
  const workerOf = (c: Context<Env>) => c.get('token').name;
  const heldAt = (c: Context<Env>, attempt: number) => heldRun(db, runIdOf(c), attempt, workerOf(c));
  const held = (c: Context<Env>, body: Record<string, unknown>) => heldAt(c, attemptOf(body.attempt));
  const maxBody = CHUNK_BYTES + 64 * 1024;

  return new Hono<Env>()
    .use('/api/workers/*', async (c, next) => {
      c.set('token', bearerToken(db, c));
      await next();
    })
    .use('/api/workers/*', bodyLimit({ maxSize: maxBody, onError: () => { throw new HTTPException(413, { message: `a worker request body is at most ${maxBody} bytes` }); } }))
    .post('/api/workers/claim', async (c) => {
      const body = await jsonObject(c);
      const host = typeof body.host === 'string' ? body.host.trim().slice(0, 200) : '';
      if (!host) throw new HTTPException(400, { message: 'host must name the worker machine' });
      const datasets = workerDatasets(body);
      const token = c.get('token');
      const run = await runs.claimForWorker({ token, host, leaseMs: leases.leaseMs, datasets });
      if (!run) return c.json({ run: null, pollMs: leases.heartbeatMs * 2 });
      markTokenUsed(db, token.id);
      const { leaseMs, heartbeatMs } = leases;
      const params = run.params as Hyperparameters;
      const labelDecisions = usesLabelDecisions(params)
        ? listLabelDecisions(db, DEFAULT_DATASET, 'train').map(({ imageIndex, verdict, correctedLabel }) => ({ imageIndex, verdict, correctedLabel }))
        : undefined;
      return c.json({ run: { id: run.id, name: run.name, params, attempt: run.attempts, labelDecisions }, leaseMs, heartbeatMs });
    })
    .post(`/api/workers/runs/${RUN_ID}/heartbeat`, async (c) => {
      const body = await jsonObject(c);
      return c.json(await runs.renewLease(held(c, body), leases.leaseMs, body.progress ?? undefined));
    })
    .post(`/api/workers/runs/${RUN_ID}/provenance`, async (c) => {
      const body = await jsonObject(c);
      const run = held(c, body);
      const p = objectField<RunProvenance>(body, 'provenance', (v) => typeof v.backend === 'string' && typeof v.datasetHashes === 'object');
      // The one param a worker decides: how many cores of its machine the run trains on.
      if (body.workers !== undefined && (!Number.isInteger(body.workers) || (body.workers as number) < 1)) {
        throw new HTTPException(400, { message: 'workers must be a whole number of at least 1' });
      }
      const decided = body.workers === undefined ? undefined : { ...(run.params as Hyperparameters), workers: body.workers as number };
      await runs.recorder(run.id).provenance({ backend: p.backend, datasetHashes: p.datasetHashes, gitCommit: p.gitCommit ?? null, packageVersions: p.packageVersions ?? {} }, decided);
      return c.json({ ok: true });
    })
    .post(`/api/workers/runs/${RUN_ID}/epochs`, async (c) => {
      const body = await jsonObject(c);
      const run = held(c, body);
      const epoch = objectField<EpochResult>(body, 'epoch', (e) => Number.isInteger(e.epoch) && numbers(e, ['loss', 'accuracy', 'seconds']));
      // A retried report of an epoch already recorded changes nothing.
      if (!epochHistory(db, run.id).some((e) => e.epoch === epoch.epoch)) {
        await runs.recorder(run.id).epoch({ ...epoch, valLoss: epoch.valLoss ?? null, valAccuracy: epoch.valAccuracy ?? null, valConfusion: epoch.valConfusion ?? null });
      }
      return c.json({ ok: true });
    })
    .put(`/api/workers/runs/${RUN_ID}/uploads/:artifact/:chunk{[0-9]{1,6}}`, async (c) => {
      const artifact = c.req.param('artifact') as Artifact;
      if (!ARTIFACTS.includes(artifact)) throw new HTTPException(404, { message: `artifacts are ${ARTIFACTS.join(', ')}` });
      const attempt = attemptOf(Number(c.req.query('attempt')));
      const sha256 = c.req.header('X-Content-SHA256') ?? '';
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new HTTPException(400, { message: "X-Content-SHA256 must be the chunk's sha256 in hex" });
      const data = Buffer.from(await c.req.arrayBuffer());
      return c.json(storeChunk(db, workerOf(c), { runId: runIdOf(c), attempt, artifact, chunk: Number(c.req.param('chunk')) }, sha256, data));
    })
    .post(`/api/workers/runs/${RUN_ID}/complete`, async (c) => {
      const body = await jsonObject(c);
      attemptOf(body.attempt);
      if (!numbers(body, ['loss', 'accuracy', 'embeddingDimensions', 'trainSamplesPerSecond']) || !Array.isArray(body.confusion)) {
        throw new HTTPException(400, { message: 'a completion needs loss, accuracy, confusion, embeddingDimensions and trainSamplesPerSecond' });
      }
      if (body.keptEpoch != null && !(Number.isInteger(body.keptEpoch) && (body.keptEpoch as number) >= 1)) {
        throw new HTTPException(400, { message: 'keptEpoch must be an epoch number from 1, or null' });
      }
      objectField(body, 'artifacts', (a) => ARTIFACTS.every((name) => typeof a[name] === 'object' && a[name] !== null));
      const problems = await completeRemoteRun({ db, runs }, workerOf(c), runIdOf(c), body as unknown as RemoteCompletion);
      if (problems.length > 0) throw new HTTPException(422, { message: `the results are malformed, so nothing was stored: ${problems.map(({ field, problem }) => `${field} ${problem}`).join('; ')}` });
      return c.json({ ok: true });
    })
    .post(`/api/workers/runs/${RUN_ID}/end`, async (c) => {
      const body = await jsonObject(c);
      const attempt = attemptOf(body.attempt);
      const { slurmJobId } = heldAt(c, attempt);
      const status = RUN_END_STATUSES.includes(body.status as RunEndStatus) ? (body.status as RunEndStatus) : null;
      if (!status) throw new HTTPException(400, { message: `status must be ${RUN_END_STATUSES.join(', ')}` });
      const error = typeof body.error === 'string' ? body.error.slice(0, 2000) : status;
      if (status !== 'interrupted') {
        await runs.end(runIdOf(c), status, error);
        return c.json({ ok: true });
      }
      // An interrupted worker (SIGTERM) leaves the run to serve --retry; a Slurm job's state says who stopped it.
      const cause = slurmJobId ? `${error}; Slurm job ${slurmJobId} is ${await describeJob(slurmJobId)}` : error;
      await runs.loseAttempt(heldAt(c, attempt), cause, leases.retries);
      return c.json({ ok: true });
    });
}
