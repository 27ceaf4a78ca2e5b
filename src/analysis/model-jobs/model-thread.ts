// Runs one long computation over a model off the main thread, so a web server stays responsive.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../../training/backend.ts';
import { loadMnist } from '../../data/mnist.ts';
import { runTrainingSplit } from '../../training/train.ts';
import { openPortableModel } from '../../models/run-model.ts';
import { embedImages } from '../../training/train-embeddings.ts';
import { measureRobustness } from '../robustness/robustness.ts';
import { transformNamed } from '../robustness/transforms.ts';
import type { ModelJob, ModelJobMessage } from './run-in-thread.ts';

const job = workerData as ModelJob;
const post = (message: ModelJobMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

try {
  await selectBackend('auto');
  const model = await openPortableModel(job.model);
  if (job.kind === 'robustness') {
    const test = job.test ?? loadMnist('test', { limit: job.testLimit ?? undefined });
    const transforms = job.transforms.map((name) => transformNamed(name)!);
    const curves = await measureRobustness(model.probabilities, test, transforms, (fraction, stage) => post({ kind: 'progress', fraction, stage }));
    post({ kind: 'done', result: { kind: 'robustness', curves, count: test.count } });
  } else {
    if (!model.layers) throw new Error(`no embedding layer to read: ${model.noGradients}`);
    // The images the run was given to learn from: not its validation share, nor those past its
    // --train-limit, nor those its label decisions or its held-out fold left out.
    const { train } = runTrainingSplit(job.params, job.labelDecisions);
    post({ kind: 'progress', fraction: 0.05, stage: `embedding ${train.count.toLocaleString('en')} training images` });
    const embeddings = embedImages(model.layers, Float32Array.from(train.images, (v) => v / 255), train.count);
    if (!embeddings) throw new Error('the model has no layer named embedding');
    post({ kind: 'done', result: { kind: 'train-embeddings', ...embeddings } }, [embeddings.vectors.buffer as ArrayBuffer]);
  }
  model.dispose();
} catch (err) {
  post({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
}
