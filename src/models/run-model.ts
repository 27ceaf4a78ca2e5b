import { DomainError } from '../core/errors.ts';
import { movableBuffer } from '../core/thread-job.ts';
import type * as tf from '@tensorflow/tfjs';
import type { Db } from '../../db/client.ts';
import { loadImportedModelFacts, loadImportedModelInThread } from '../store/imported-runs.ts';
import { loadSavedModel, storedWeightBytes, type Run, type SavedModel } from '../store/store.ts';
import { importedPredictor, type StoredImportedModel } from './imported/imported-predictor.ts';
import { batchedProbabilities, modelPredictor, type Predictor, type ProbabilityFn } from './probability-fn.ts';
import { deserializeModel } from './saved-model.ts';
import { trainedByDigitlab } from '../store/run-source.ts';

/** A run with no model to read images with: not trained (yet), a placeholder, or imported from a prediction file. */
export class RunHasNoModelError extends DomainError {
  readonly kind = 'unavailable';
  constructor(
    run: Run,
    /** The reason, worded to follow the run's name. */
    readonly why = `is ${run.status} and has no stored model`,
  ) {
    super(`run ${run.id} (${run.name}) ${why}`);
  }
}

/**
 * A run's model, trained here or imported, loaded; what every caller sees, whichever engine runs it.
 * The caller disposes it.
 */
export interface RunModel {
  probabilities: ProbabilityFn;
  /** The same outputs unbatched, with the embedding layer's activations on request (own digits' neighbours). */
  predict: Predictor;
  /** The tfjs model where gradients exist (null where they do not: an imported model). */
  layers: tf.LayersModel | null;
  /** Why `layers` is null, for pages and messages. */
  noGradients: string | null;
  dispose(): void;
}

/** A run's stored model in a form that crosses to a worker thread (structured-clonable). */
export type PortableModel = { kind: 'trained-here'; saved: SavedModel } | { kind: 'imported'; imported: StoredImportedModel };

/**
 * Why a run has no model to read images with, told from the store without loading the model (an
 * imported file runs to 50 MB); null when it has one.
 */
export function missingRunModel(db: Db, run: Run): RunHasNoModelError | null {
  if (trainedByDigitlab(run)) {
    // Runs recorded without weights (placeholders) store an empty blob.
    return storedWeightBytes(db, run.id) > 0 ? null : new RunHasNoModelError(run);
  }
  const imported = loadImportedModelFacts(db, run.id);
  if (!imported && run.source === 'tracked') return new RunHasNoModelError(run, 'was trained by its own script, which logged no model (log_model)');
  if (!imported) return new RunHasNoModelError(run);
  if (!imported.hasModel) return new RunHasNoModelError(run, `was imported from the prediction file ${imported.fileName}, which holds no model to read new digits with`);
  return null;
}

/**
 * The stored model of a run, ready to open here or send to a worker; throws RunHasNoModelError
 * where there is none. An imported model's file is read in a thread: it runs to 50 MB.
 */
export async function portableRunModel(db: Db, run: Run): Promise<PortableModel> {
  const missing = missingRunModel(db, run);
  if (missing) throw missing;
  if (!trainedByDigitlab(run)) {
    const imported = (await loadImportedModelInThread(db, run.id))!;
    return { kind: 'imported', imported: { ...imported, modelData: imported.modelData! } };
  }
  return { kind: 'trained-here', saved: loadSavedModel(db, run.id)! };
}

/** The model's buffer that may move to a thread without a copy (an imported file's bytes); none for a model trained here. */
export const movablePart = (model: PortableModel): ArrayBuffer[] => (model.kind === 'imported' ? movableBuffer(model.imported.modelData) : []);

/** Opens a portable model on this thread; a tfjs model needs the tfjs backend the caller selected. */
export async function openPortableModel(portable: PortableModel): Promise<RunModel> {
  if (portable.kind === 'trained-here') {
    const model = await deserializeModel(portable.saved);
    const predict = modelPredictor(model);
    return { probabilities: batchedProbabilities(predict), predict, layers: model, noGradients: null, dispose: () => model.dispose() };
  }
  const { fileName, framework } = portable.imported;
  const { predict, dispose } = await importedPredictor(portable.imported);
  const noGradients = `${fileName} is an imported ${framework} model, which digitlab runs without gradients`;
  return { probabilities: batchedProbabilities(predict), predict, layers: null, noGradients, dispose };
}

/** The one loader of a run's model, trained here or imported; throws RunHasNoModelError where there is none. */
export async function openRunModel(db: Db, run: Run): Promise<RunModel> {
  return openPortableModel(await portableRunModel(db, run));
}
