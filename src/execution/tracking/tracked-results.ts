import type { Db } from '../../../db/client.ts';
import { loadMnist } from '../../data/mnist.ts';
import type { NamedSplit } from '../../data/datasets/dataset.ts';
import { findDataset } from '../../data/datasets/catalogue.ts';
import { scaledPixels } from '../../data/batches.ts';
import { probabilitiesOf, type ConventionRequest } from '../../models/imported/classifier.ts';
import { importedPredictor } from '../../models/imported/imported-predictor.ts';
import { loadTestEmbeddings, loadTestPredictions, storeTestEmbeddings, type Run, type TestResults } from '../../store/store.ts';
import { loadImportedModel, loadImportedModelFacts, type ImportedModel } from '../../store/imported-runs.ts';
import { onStoreThread, serveStoreWork, type StoreWork } from '../../store/store-thread.ts';
import { score } from '../../training/evaluate.ts';
import { readModelInThread } from '../../training/model-read-in-thread.ts';
import { TRIAL_IMAGES } from '../../training/model-read.ts';

/** How many test images a tracked run may predict: the dataset's test split. */
export const TEST_IMAGES = 10_000;

/**
 * A script's test probabilities ([n,classes], test order, n all or a prefix) as the run's test results,
 * scored against its dataset's labels (`testSplit`'s, MNIST's by default), whose files' hashes the run records. Throws ImportError naming a NaN, a negative value or a row
 * that does not sum to 1, as an imported prediction file would.
 */
export function trackedTestResults(
  values: Float32Array,
  testSplit: (limit: number) => NamedSplit = (limit) => loadMnist('test', { limit }),
  classes = 10,
): { results: TestResults; datasetHashes: Record<string, string> } {
  const count = values.length / classes;
  const test = testSplit(count);
  const probabilities = probabilitiesOf(values, 'probabilities', 'the probabilities', classes);
  return {
    results: { ...score(probabilities, test.labels), embeddings: null, embeddingDimensions: 0 },
    datasetHashes: { testImages: test.imagesSha256, testLabels: test.labelsSha256 },
  };
}

/**
 * A script's ONNX model, read the way import reads one: what the script says of how it feeds the
 * model is taken as said, and the rest of the convention is found on a trial batch of test images.
 * Throws ImportError when it is not a 28x28 digit classifier.
 */
export async function trackedModel(
  file: string,
  request: ConventionRequest,
  testSplit: (limit: number) => NamedSplit = (limit) => loadMnist('test', { limit }),
): Promise<Omit<ImportedModel, 'runId'>> {
  const trial = testSplit(TRIAL_IMAGES);
  const { imported } = await readModelInThread({ file, onnxOnly: true, conventions: request, test: { ...trial, classes: trial.classNames.length }, predictAll: false });
  return { ...imported, fileName: 'model.onnx' };
}

/**
 * Once a tracked run has both its predictions and a model with an embedding, the map's input:
 * the model's embedding of each predicted test image. The script's probabilities stay the run's
 * results; the model only places the images.
 */
async function trackedEmbeddings(db: Db, run: Run): Promise<void> {
  const facts = loadImportedModelFacts(db, run.id);
  const predictions = loadTestPredictions(db, run.id);
  if (!facts?.hasModel || !facts.embedding || !predictions || loadTestEmbeddings(db, run.id)) return;
  const model = loadImportedModel(db, run.id)!;
  const { predict, dispose } = await importedPredictor({ ...model, modelData: model.modelData! });
  try {
    const test = findDataset(db, run.dataset).load('test', { limit: predictions.predicted.length });
    const [embeddings] = await predict(scaledPixels(test, 0, test.count), test.count, true);
    storeTestEmbeddings(db, run.id, test.count, embeddings!, embeddings!.length / test.count);
  } finally {
    dispose();
  }
}

const TRACKED_EMBEDDINGS: StoreWork<Run, void> = {
  name: 'tracked embeddings',
  script: new URL('./tracked-embeddings-thread.mjs', import.meta.url),
  perform: trackedEmbeddings,
};

/** trackedEmbeddings in a thread with its own connection (onStoreThread): loading a 50 MB model and running it held the loop 0.2 s and more. */
export const trackedEmbeddingsInThread = (db: Db, run: Run) => onStoreThread(db, TRACKED_EMBEDDINGS, run);

/** The thread's side of trackedEmbeddingsInThread. */
export const serveTrackedEmbeddings = () => serveStoreWork(TRACKED_EMBEDDINGS);
