import { Hono, type Context } from 'hono';
import { stat } from 'node:fs/promises';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../../../db/client.ts';
import { parseNewTrackedRun, parseTrackedEnd, parseTrackedEpoch, type Parsed } from '../../execution/tracking/tracked-reports.ts';
import { nextLiveProgress, parseProgressReport } from '../../execution/tracking/tracked-progress.ts';
import { TEST_IMAGES, trackedEmbeddingsInThread, trackedModel, trackedTestResults } from '../../execution/tracking/tracked-results.ts';
import { ImportError } from '../../models/imported/classifier.ts';
import { datasetLookup, findDataset } from '../../data/datasets/catalogue.ts';
import { writableTrackedRun } from '../../store/tracked-runs.ts';
import { findToken } from '../../store/worker-tokens.ts';
import type { LiveProgress } from '../../training/batch-curve.ts';
import type { WebDeps } from '../deps.ts';
import { RUN_ID, runIdOf } from '../params.ts';
import { jsonObject } from '../json-body.ts';
import { conventionRequest } from '../imported/upload.ts';
import { trackedPredictionsInThread } from './predictions-in-thread.ts';
import { withUploadedBody } from '../uploads-to-disk.ts';

/** Reports are small; the predictions of 10,000 images as JSON run to a few MB; a model to tens. */
const REPORT_BYTES = 256 * 1024;
const PREDICTION_BYTES = 16 * 1024 * 1024;
export const TRACKED_MODEL_BYTES = 50 * 1024 * 1024;
/** The large bodies stream to a scratch file and are read in a thread: gathered whole, they held the event loop. */
const upload = (maxBytes: number, what: string) => ({ maxBytes, tooLarge: `${what} is at most ${maxBytes / 1024} kB` });
const PREDICTIONS_UPLOAD = upload(PREDICTION_BYTES, 'the predictions');
const MODEL_UPLOAD = upload(TRACKED_MODEL_BYTES, 'the model');

const limit = (maxSize: number, what: string) =>
  bodyLimit({ maxSize, onError: () => { throw new HTTPException(413, { message: `${what} is at most ${Math.round(maxSize / 1024)} kB` }); } });

/** The parsed value, or a 422 that names every field's problem. */
function accepted<T>(parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.value;
  throw new HTTPException(422, { message: parsed.problems.map(({ field, problem }) => `${field} ${problem}`).join('; ') });
}

/**
 * The worker token a request carries, if any. A server started with --allow-remote needs one on
 * every tracking request; on loopback a local script needs none, but a token it sends must be valid.
 */
function callerToken(db: Db, c: Context, tokenRequired: boolean): number | null {
  const header = c.req.header('Authorization');
  if (header === undefined) {
    if (tokenRequired) throw new HTTPException(401, { message: 'this server was started with --allow-remote: tracking needs a worker token (digitlab token create --name NAME; pass token= or set DIGITLAB_TOKEN)' });
    return null;
  }
  const match = /^Bearer (\S+)$/.exec(header);
  const token = match ? findToken(db, match[1]!) : null;
  if (!token) throw new HTTPException(401, { message: 'this token is not valid here (revoked, or never created by this server)' });
  return token.id;
}

/**
 * The tracking API: a script trained elsewhere creates a run, renews its lease, logs epochs,
 * attaches its test probabilities and ONNX model, and ends it. Every report is checked whole
 * before anything is stored, and only the token that created a run may write to it.
 */
export function trackingRoutes({ db, runs }: WebDeps, { tokenRequired }: { tokenRequired: boolean }): Hono {
  const writable = (c: Context) => writableTrackedRun(db, runIdOf(c), callerToken(db, c, tokenRequired));
  const runPath = (tail: string) => `/api/tracking/runs/${RUN_ID}/${tail}`;

  return new Hono()
    .post('/api/tracking/runs', limit(REPORT_BYTES, 'a new run'), async (c) => {
      const owner = callerToken(db, c, tokenRequired);
      const input = accepted(parseNewTrackedRun(await jsonObject(c), owner, datasetLookup(db)));
      const run = await runs.createTracked(input);
      return c.json({ id: run.id, path: `/runs/${run.id}`, leaseSeconds: input.leaseMs / 1000 }, 201, { Location: `/api/runs/${run.id}` });
    })
    .post(runPath('heartbeat'), limit(REPORT_BYTES, 'a heartbeat'), async (c) => {
      const body = await jsonObject(c);
      const report = body.progress === undefined || body.progress === null ? null : accepted(parseProgressReport(body.progress));
      const run = writable(c);
      const planned = (run.params as Record<string, unknown>).epochs;
      const seconds = (Date.now() - run.startedAt!.getTime()) / 1000;
      await runs.renewTrackedLease(run, report && nextLiveProgress(run.progress as LiveProgress | null, report, Number.isSafeInteger(planned) ? (planned as number) : null, seconds));
      return c.json({ ok: true });
    })
    .post(runPath('epochs'), limit(REPORT_BYTES, 'an epoch'), async (c) => {
      const epoch = accepted(parseTrackedEpoch(await jsonObject(c)));
      const run = writable(c);
      if (!(await runs.logTrackedEpoch(run, epoch))) throw new HTTPException(409, { message: `run ${run.id} already has epoch ${epoch.epoch}` });
      return c.json({ ok: true });
    })
    .put(runPath('predictions'), async (c) => {
      const run = writable(c);
      // Checked against the run's own dataset: its test count, its class count, its labels.
      const dataset = findDataset(db, run.dataset);
      const testImages = run.dataset === 'mnist' ? TEST_IMAGES : dataset.load('test').count;
      const classes = dataset.classNames.length;
      const values = accepted(await withUploadedBody(c.req.raw, PREDICTIONS_UPLOAD, (file) => trackedPredictionsInThread(file, testImages, classes)));
      const { results, datasetHashes } = await unprocessable(() => trackedTestResults(values, (limit) => dataset.load('test', { limit }), classes));
      await runs.storeTrackedPredictions(run, results, datasetHashes);
      return c.json({ ok: true, images: values.length / classes });
    })
    .put(runPath('model'), async (c) => {
      writable(c); // refuse before reading a large body for a run that may not take it
      const request = badRequest(() => conventionRequest(c.req.query()));
      // Tried on its run's dataset's test images; a model with other than one output per class is refused.
      const dataset = findDataset(db, writable(c).dataset);
      const model = await withUploadedBody(c.req.raw, MODEL_UPLOAD, async (file) => {
        if ((await stat(file)).size === 0) throw new HTTPException(400, { message: 'the body must be the ONNX file' });
        return unprocessable(() => trackedModel(file, request, (limit) => dataset.load('test', { limit })));
      });
      // Asked again: the run may have ended (its lease, a cancel) while the model was being read.
      await runs.storeTrackedModel(writable(c), model);
      return c.json({ ok: true, inputLayout: model.inputLayout, inputScale: model.inputScale, output: model.output });
    })
    .post(runPath('end'), limit(REPORT_BYTES, 'an end'), async (c) => {
      const { status, error } = accepted(parseTrackedEnd(await jsonObject(c)));
      const run = writable(c);
      if (status === 'completed') await trackedEmbeddingsInThread(db, run);
      const ended = await runs.endTracked(run, status, error);
      return c.json({ id: ended.id, status: ended.status, testAccuracy: ended.testAccuracy, testLoss: ended.testLoss });
    });
}

/** A query that says how the model is fed in words the import does not take is a bad request: 400. */
function badRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ImportError) throw new HTTPException(400, { message: err.message });
    throw err;
  }
}

/** A model or predictions that cannot be read as a digit classifier's are the script's mistake: 422. */
async function unprocessable<T>(compute: () => T | Promise<T>): Promise<T> {
  try {
    return await compute();
  } catch (err) {
    if (err instanceof ImportError) throw new HTTPException(422, { message: err.message });
    throw err;
  }
}
