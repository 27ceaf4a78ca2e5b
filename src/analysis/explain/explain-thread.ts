// Explains images off the main thread, one request at a time, keeping the few models it was sent:
// integrated gradients take a model hundreds of passes, which on a server's event loop stalled
// every other page (16 requests at once: 8.5 s).
import { parentPort } from 'node:worker_threads';
import { selectBackend } from '../../training/backend.ts';
import { openPortableModel, type RunModel } from '../../models/run-model.ts';
import { embedImages } from '../../training/train-embeddings.ts';
import { attribute, GradientsUnavailableError } from './explain.ts';
import type { ExplainReply, ExplainRequest, PredictRequest } from './explain-in-thread.ts';

/** Models kept loaded: a gallery asks for dozens of maps of one run in a row. */
const KEPT = 3;
const models = new Map<number, RunModel>();
const post = (reply: ExplainReply) => parentPort!.postMessage(reply);
// Started before the first request, so that it does not wait for the engine (seconds on a busy machine).
void selectBackend('auto');

async function answer(request: ExplainRequest | PredictRequest): Promise<ExplainReply> {
  let model = models.get(request.runId);
  if (!model) {
    if (!request.model) return { id: request.id, kind: 'need-model' };
    await selectBackend('auto');
    model = await openPortableModel(request.model);
    models.set(request.runId, model);
    for (const [runId, oldest] of models) {
      if (models.size <= KEPT) break;
      models.delete(runId);
      oldest.dispose();
    }
  } else {
    models.delete(request.runId); // most recently used last
    models.set(request.runId, model);
  }
  if (request.kind === 'predict') return { id: request.id, kind: 'predicted', probabilities: await model.probabilities(request.pixels, request.count) };
  const probabilities = await model.probabilities(request.image, 1);
  const target = request.target ?? probabilities.indexOf(Math.max(...probabilities));
  let attribution: Awaited<ReturnType<typeof attribute>> | { absent: string };
  try {
    attribution = await attribute(model, request.image, target, request.method);
  } catch (err) {
    if (!(err instanceof GradientsUnavailableError)) throw err;
    attribution = { absent: err.message };
  }
  let embedding: Float32Array | string | null = null;
  if (request.embed) {
    const embedded = model.layers ? embedImages(model.layers, request.image, 1) : null;
    embedding = embedded ? embedded.vectors : model.layers ? 'the model has no layer named embedding to compare images in' : `nearest training images need the model's embedding layer: ${model.noGradients}`;
  }
  return { id: request.id, kind: 'done', probabilities, attribution, embedding, noGradients: model.noGradients };
}

// One at a time, in order of arrival: a thread of its own is the bound on the server's explaining.
let line: Promise<void> = Promise.resolve();
parentPort!.on('message', (request: ExplainRequest | PredictRequest) => {
  line = line.then(() =>
    answer(request).then(post, (err: unknown) => post({ id: request.id, kind: 'failed', error: err instanceof Error ? err.message : String(err) })),
  );
});
