import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mnistFileHashes } from '../../../src/data/mnist.ts';
import { createRun, epochHistory, getRun, loadTestPredictions } from '../../../src/store/store.ts';
import { createToken, revokeToken } from '../../../src/store/worker-tokens.ts';
import { runAttemptHistory } from '../../../src/store/run-attempts.ts';
import { settleLost } from '../../../src/execution/executor.ts';
import { RemoteWorkers } from '../../../src/execution/workers/remote-executor.ts';
import { smallRunParams } from '../../helpers/db.ts';
import { webApp } from '../../helpers/web.ts';
import { createApp } from '../../../src/web/app.tsx';
import { DEFAULT_LEASE_MS, leasePolicy } from '../../../src/execution/workers/leases.ts';
import { storeOn } from '../../../src/store/open-store.ts';

const hashes = mnistFileHashes();
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function setup({ retries = 0 } = {}) {
  const base = webApp();
  const web = { ...base, app: createApp({ ...base, leases: leasePolicy(DEFAULT_LEASE_MS, retries) }) };
  const { token } = createToken(web.db, 'test-worker');
  const call = (path: string, body: unknown, bearer = token) =>
    web.app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const claim = (bearer = token, datasetHashes = hashes) => call('/api/workers/claim', { host: 'far-away', datasetHashes }, bearer);
  const put = (runId: number, attempt: number, artifact: string, chunk: number, bytes: Uint8Array, digest = sha(bytes), bearer = token) =>
    web.app.request(`/api/workers/runs/${runId}/uploads/${artifact}/${chunk}?attempt=${attempt}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/octet-stream', 'X-Content-SHA256': digest },
      body: bytes as BodyInit,
    });
  return { ...web, token, call, claim, put };
}

/** A confusion matrix (true class by predicted class) of these labels and predictions. */
function confusionOf(labels: number[], predicted: number[]): number[][] {
  const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  labels.forEach((label, i) => matrix[label]![predicted[i]!]!++);
  return matrix;
}

/**
 * Uploads the given predictions and probabilities with no embeddings or weights, and returns the
 * completion that names them: accuracy 1/3, its confusion against labels 3, 0, 5 unless one is given.
 */
async function uploadRest(
  put: ReturnType<typeof setup>['put'],
  runId: number,
  attempt: number,
  { predicted, probabilities, confusion = confusionOf([3, 0, 5], [...predicted].slice(0, 3)) }: { predicted: Uint8Array; probabilities: Uint8Array; confusion?: number[][] },
) {
  const empty = new Uint8Array(0);
  const arrays = { predicted, probabilities, embeddings: empty, weights: empty };
  const manifest = (bytes: Uint8Array) => ({ chunks: 1, bytes: bytes.length, sha256: sha(bytes) });
  for (const [artifact, bytes] of Object.entries(arrays)) await put(runId, attempt, artifact, 0, bytes);
  return {
    attempt,
    loss: 0.5,
    accuracy: 1 / 3,
    confusion,
    embeddingDimensions: 0,
    trainSamplesPerSecond: 100,
    topology: {},
    weightSpecs: [],
    artifacts: Object.fromEntries(Object.entries(arrays).map(([artifact, bytes]) => [artifact, manifest(bytes)])),
  };
}

describe('worker API', () => {
  it('refuses requests without a valid token, and a revoked one', async () => {
    const { db, claim, token } = setup();
    expect((await claim('dlw_not-a-token')).status).toBe(401);
    expect((await claim(token)).status).toBe(200);
    revokeToken(db, 'test-worker');
    const refused = await claim(token);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toMatch(/not valid/);
  });

  it("fails a revoked token's run in flight at once, naming the revocation", async () => {
    const { db, claim, call, token } = setup();
    const run = createRun(db, { name: 'in flight', params: smallRunParams() });
    const other = createRun(db, { name: 'not its run', params: smallRunParams(), status: 'running' });
    const { run: claimed } = await (await claim()).json();
    expect(revokeToken(db, 'test-worker')).toEqual([run.id]);
    expect(getRun(db, run.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^token revoked/) });
    expect(runAttemptHistory(db, run.id).map((a) => a.outcome)).toEqual(['failed']);
    expect(getRun(db, other.id).status).toBe('running');
    expect((await call(`/api/workers/runs/${run.id}/heartbeat`, { attempt: claimed.attempt }, token)).status).toBe(401);
  });

  it("names each run's worker in the runs list, two workers on one host apart", async () => {
    const { db, claim, app } = setup();
    const { token: second } = createToken(db, 'second-worker');
    for (const name of ['one', 'two']) createRun(db, { name, params: smallRunParams() });
    await claim();
    await claim(second);
    const page = await (await app.request('/runs')).text();
    expect(page).toContain('test-worker on far-away');
    expect(page).toContain('second-worker on far-away');
  });

  it('gives one queued run to exactly one of two racing claims', async () => {
    const { db, claim } = setup();
    const run = createRun(db, { name: 'contested', params: smallRunParams() });
    const answers = await Promise.all([claim(), claim()].map(async (r) => (await r).json()));
    expect(answers.map((a) => a.run?.id ?? null).sort()).toEqual([null, run.id].sort());
    expect(getRun(db, run.id)).toMatchObject({ status: 'running', source: 'worker', host: 'far-away', attempts: 1 });
  });

  it('refuses a worker whose MNIST files differ, saying which', async () => {
    const { db, claim } = setup();
    const run = createRun(db, { name: 'waits', params: smallRunParams() });
    const response = await claim(undefined, { ...hashes, testLabels: '0'.repeat(64) });
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatch(/testLabels/);
    expect(getRun(db, run.id).status).toBe('queued');
  });

  it('keeps a duplicated chunk once, refuses changed content, and completes from the chunks', async () => {
    const { db, claim, put, call } = setup();
    const run = createRun(db, { name: 'uploads', params: smallRunParams({ testLimit: 3 }) });
    const { run: claimed } = await (await claim()).json();
    const predicted = new Uint8Array([3, 1, 4]);
    const probabilities = new Uint8Array(new Float32Array(30).fill(0.1).buffer);
    expect(await (await put(run.id, claimed.attempt, 'predicted', 0, predicted)).json()).toEqual({ duplicate: false });
    expect(await (await put(run.id, claimed.attempt, 'predicted', 0, predicted)).json()).toEqual({ duplicate: true });
    expect((await put(run.id, claimed.attempt, 'predicted', 0, new Uint8Array([9, 9, 9]))).status).toBe(409);
    expect((await put(run.id, claimed.attempt, 'predicted', 0, predicted, sha(new Uint8Array([1])))).status).toBe(409);
    const completion = await uploadRest(put, run.id, claimed.attempt, { predicted, probabilities });
    expect((await call(`/api/workers/runs/${run.id}/complete`, completion)).status).toBe(200);
    // The answer was lost, the worker sends it again: still one completion.
    expect((await call(`/api/workers/runs/${run.id}/complete`, completion)).status).toBe(200);
    expect(getRun(db, run.id)).toMatchObject({ status: 'completed', testAccuracy: 1 / 3 });
    expect([...loadTestPredictions(db, run.id)!.predicted]).toEqual([3, 1, 4]);
    expect(runAttemptHistory(db, run.id).map((a) => a.outcome)).toEqual(['completed']);
  });

  it('refuses malformed results with 422 naming each problem, and stores nothing', async () => {
    const { db, claim, put, call, app } = setup();
    const run = createRun(db, { name: 'hostile', params: smallRunParams({ testLimit: 3 }) });
    const { run: claimed } = await (await claim()).json();
    const predicted = new Uint8Array(100).fill(7);
    const probabilities = new Uint8Array(0);
    const completion = await uploadRest(put, run.id, claimed.attempt, { predicted, probabilities });
    const ragged = [[1, 2], [3]];
    const response = await call(`/api/workers/runs/${run.id}/complete`, { ...completion, accuracy: 7.5, loss: -5, confusion: ragged });
    expect(response.status).toBe(422);
    const { error } = await response.json();
    for (const named of ['loss must be', 'accuracy must be', 'predicted must be 3', 'probabilities must hold 3x10', 'confusion must be 10x10']) expect(error).toContain(named);
    expect(getRun(db, run.id).status).toBe('running');
    expect(loadTestPredictions(db, run.id)).toBeNull();
    expect((await app.request('/images/test/0')).status).toBe(200);
  });

  it('refuses results of the right sizes whose contents disagree', async () => {
    const { db, claim, put, call } = setup();
    const run = createRun(db, { name: 'inconsistent', params: smallRunParams({ testLimit: 3 }) });
    const { run: claimed } = await (await claim()).json();
    const completion = await uploadRest(put, run.id, claimed.attempt, {
      predicted: new Uint8Array([3, 1, 4]),
      probabilities: new Uint8Array(new Float32Array(30).fill(0.2).buffer),
      confusion: confusionOf([3, 0, 5], [3, 1, 5]),
    });
    const response = await call(`/api/workers/runs/${run.id}/complete`, completion);
    expect(response.status).toBe(422);
    expect((await response.json()).error).toMatch(/probabilities row 0 does not sum to 1; confusion column 4 does not match/);
    expect(getRun(db, run.id).status).toBe('running');
  });

  it('fails a run whose lease expired, keeping its epochs, or requeues it while retries are left', async () => {
    const { db, claim, call } = setup();
    const run = createRun(db, { name: 'abandoned', params: smallRunParams() });
    const { run: claimed } = await (await claim()).json();
    const epoch = { epoch: 1, loss: 0.9, accuracy: 0.7, valLoss: null, valAccuracy: null, seconds: 3, valConfusion: null };
    await call(`/api/workers/runs/${run.id}/epochs`, { attempt: claimed.attempt, epoch });
    await call(`/api/workers/runs/${run.id}/epochs`, { attempt: claimed.attempt, epoch });
    const later = new Date(Date.now() + 10 * 60_000);
    const { runs } = storeOn(db);
    const expireLeases = () => settleLost(runs, new RemoteWorkers(db, runs).lost(later), 1, () => {});
    expect((await expireLeases()).map((e) => e.requeued)).toEqual([true]);
    expect(getRun(db, run.id).status).toBe('queued');
    const { run: second } = await (await claim()).json();
    expect(second.attempt).toBe(2);
    // The first attempt's worker is back: it may no longer write.
    expect((await call(`/api/workers/runs/${run.id}/epochs`, { attempt: 1, epoch })).status).toBe(409);
    await call(`/api/workers/runs/${run.id}/epochs`, { attempt: 2, epoch });
    expect((await expireLeases()).map((e) => e.requeued)).toEqual([false]);
    const failed = getRun(db, run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/worker on far-away stopped reporting/);
    expect(runAttemptHistory(db, run.id).map((a) => a.outcome)).toEqual(['requeued', 'failed']);
  });

  it("refuses every report on another worker's run with 403, a Slurm job's token included, and the run goes on", async () => {
    const { db, claim, call, put } = setup();
    const run = createRun(db, { name: 'mine', params: smallRunParams() });
    const { run: claimed } = await (await claim()).json();
    const other = createToken(db, 'other-worker').token;
    const elsewhere = createRun(db, { name: "a Slurm job's own", params: smallRunParams() });
    const slurmJob = createToken(db, `slurm-run-${elsewhere.id}-attempt-1`, { runId: elsewhere.id }).token;
    const epoch = { epoch: 1, loss: 0.9, accuracy: 0.7, valLoss: null, valAccuracy: null, seconds: 3, valConfusion: null };
    for (const bearer of [other, slurmJob]) {
      const attempt = claimed.attempt;
      const refused = await call(`/api/workers/runs/${run.id}/end`, { attempt, status: 'failed', error: 'x' }, bearer);
      expect(refused.status).toBe(403);
      expect((await refused.json()).error).toMatch(/does not hold attempt 1 of run/);
      expect((await call(`/api/workers/runs/${run.id}/heartbeat`, { attempt }, bearer)).status).toBe(403);
      expect((await call(`/api/workers/runs/${run.id}/epochs`, { attempt, epoch }, bearer)).status).toBe(403);
      expect((await call(`/api/workers/runs/${run.id}/provenance`, { attempt, provenance: { backend: 'cpu', datasetHashes: {} } }, bearer)).status).toBe(403);
      expect((await put(run.id, attempt, 'predicted', 0, new Uint8Array([1]), undefined, bearer)).status).toBe(403);
      const manifest = { chunks: 1, bytes: 0, sha256: sha(new Uint8Array(0)) };
      const completion = { attempt, loss: 0, accuracy: 0, confusion: [[1]], embeddingDimensions: 0, trainSamplesPerSecond: 1, topology: {}, weightSpecs: [], artifacts: { predicted: manifest, probabilities: manifest, embeddings: manifest, weights: manifest } };
      expect((await call(`/api/workers/runs/${run.id}/complete`, completion, bearer)).status).toBe(403);
    }
    expect(getRun(db, run.id)).toMatchObject({ status: 'running', error: null, attempts: 1 });
    expect(epochHistory(db, run.id)).toEqual([]);
    // The worker that claimed it carries on.
    expect((await call(`/api/workers/runs/${run.id}/heartbeat`, { attempt: claimed.attempt })).status).toBe(200);
    expect((await call(`/api/workers/runs/${run.id}/epochs`, { attempt: claimed.attempt, epoch })).status).toBe(200);
  });

  it('queues an interrupted attempt again while --retry allows, then fails it with the cause, not as a cancel', async () => {
    const { db, claim, call } = setup({ retries: 1 });
    const run = createRun(db, { name: 'interrupted', params: smallRunParams() });
    const interrupt = (attempt: number) => call(`/api/workers/runs/${run.id}/end`, { attempt, status: 'interrupted', error: 'interrupted by SIGTERM' });
    const { run: first } = await (await claim()).json();
    expect((await interrupt(first.attempt)).status).toBe(200);
    expect(getRun(db, run.id)).toMatchObject({ status: 'queued', error: 'attempt 1: interrupted by SIGTERM; queued again' });
    const { run: second } = await (await claim()).json();
    expect(second.attempt).toBe(2);
    expect((await interrupt(second.attempt)).status).toBe(200);
    expect(getRun(db, run.id)).toMatchObject({ status: 'failed', error: 'interrupted by SIGTERM' });
    expect(runAttemptHistory(db, run.id).map((a) => a.outcome)).toEqual(['requeued', 'failed']);
  });

  it("carries a remote run's live per-batch curve on its heartbeat to the run page", async () => {
    const { app, db, claim, call } = setup();
    const run = createRun(db, { name: 'far curve', params: smallRunParams({ epochs: 2 }) });
    const { run: claimed } = await (await claim()).json();
    const curve = [0.25, 0.5, 0.75].map((x, i) => ({ x, loss: 2 - i * 0.5, accuracy: 0.3 + i * 0.2 }));
    const progress = { epoch: 1, epochs: 2, batch: 3, batches: 4, loss: 1.5, accuracy: 0.5, batchLoss: 1, batchAccuracy: 0.7, etaSeconds: 9, curve };
    expect((await call(`/api/workers/runs/${run.id}/heartbeat`, { attempt: claimed.attempt, progress })).status).toBe(200);
    const live = await (await app.request(`/runs/${run.id}/live`)).text();
    const loss = live.slice(live.indexOf('<figure'), live.indexOf('</figure>'));
    expect(loss).toContain('data-label="training, per batch"');
    expect(loss.match(/<g class="series series-batch dense" data-label="training, per batch"><path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+"/g)).toHaveLength(1);
    expect(loss).toContain('exponential moving average');
  });
});
