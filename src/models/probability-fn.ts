import * as tf from '@tensorflow/tfjs';
import type { Db } from '../../db/client.ts';
import { RunHasNoModelError } from './own-digits/predict.ts';
import { deserializeModel } from './saved-model.ts';
import { loadSavedModel, type Run, type SavedModel } from '../store/store.ts';

/**
 * A model as the analyses that need only its outputs see it (occlusion, calibration, robustness):
 * images in, class probabilities out. `pixels` holds `count` images of 784 values, NHWC (28x28x1),
 * scaled to [0,1]; the answer holds 10 probabilities per image. Any engine can provide one: a tfjs
 * model of digitlab's own runs, or an imported model on another runtime (which need not have
 * gradients, so integrated gradients take the tfjs model itself).
 */
export type ProbabilityFn = (pixels: Float32Array, count: number) => Promise<Float32Array>;

const PIXELS = 28 * 28;
/** Images per forward pass: large enough to amortise each call, small enough for modest memory. */
const BATCH = 1000;

/** A tfjs layers model as a ProbabilityFn, in inference mode and batches; the caller keeps and disposes the model. */
export function tfjsProbabilityFn(model: tf.LayersModel): ProbabilityFn {
  return async (pixels, count) => {
    const out = new Float32Array(count * 10);
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(start + BATCH, count);
      const scores = tf.tidy(() => model.predict(tf.tensor4d(pixels.subarray(start * PIXELS, end * PIXELS), [end - start, 28, 28, 1])) as tf.Tensor);
      out.set(await scores.data(), start * 10);
      scores.dispose();
    }
    return out;
  };
}

/** A run's model in a form that crosses to a worker thread (structured-clonable); other engines add kinds. */
export type PortableModel = { kind: 'tfjs'; saved: SavedModel };

/** A loaded model: its probabilities, and the tfjs model where gradients exist (null where they do not). */
export interface RunModel {
  probabilities: ProbabilityFn;
  layers: tf.LayersModel | null;
  /** Why `layers` is null, for pages and messages. */
  noGradients: string | null;
  dispose(): void;
}

/** The stored model of a run, ready to send to a worker; throws RunHasNoModelError where there is none. */
export function portableRunModel(db: Db, run: Run): PortableModel {
  const saved = loadSavedModel(db, run.id);
  // Runs recorded without weights (placeholders) store an empty blob.
  if (!saved || saved.weightData.byteLength === 0) throw new RunHasNoModelError(run);
  return { kind: 'tfjs', saved };
}

/** Loads a portable model on this thread's tfjs backend, which the caller has selected. */
export async function openPortableModel(portable: PortableModel): Promise<RunModel> {
  const model = await deserializeModel(portable.saved);
  return { probabilities: tfjsProbabilityFn(model), layers: model, noGradients: null, dispose: () => model.dispose() };
}

export const openRunModel = (db: Db, run: Run): Promise<RunModel> => openPortableModel(portableRunModel(db, run));
