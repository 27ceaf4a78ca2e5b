import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { score } from './evaluate.ts';
import { datasetLookup, DEFAULT_DATASET, findDataset, mnistDataset } from '../data/datasets/catalogue.ts';
import type { Db } from '../../db/client.ts';
import type { Dataset, NamedSplit } from '../data/datasets/dataset.ts';
import { gitCommit, packageVersions } from './provenance.ts';
import type { Run } from '../store/store.ts';
import { ImportError, outputKindOf, probabilitiesOf, type ConventionRequest } from '../models/imported/classifier.ts';
import type { RunStore } from '../store/run-store.ts';
import type { PredictionTable } from '../models/imported/prediction-file.ts';
import { readPredictionFileInThread } from '../models/imported/prediction-file-in-thread.ts';
import { readModelInThread } from './model-read-in-thread.ts';

export interface ImportRequest {
  file: string;
  name?: string;
  tags?: Record<string, string>;
  conventions: ConventionRequest;
  /** Score on the first N test images only (prediction files say it by their length). */
  testLimit?: number;
  mnistDir?: string;
  /** The dataset whose test set the model was scored on (default MNIST), found by the caller in its store. */
  dataset?: Dataset;
  /** Told each step as it starts, for progress output. */
  onStep?: (step: string) => void;
}

/**
 * The dataset an import is scored on, named by a person (`field` says where: a flag, a form field):
 * undefined for MNIST, which importRun finds itself. ImportError, naming the known ones, for a name
 * the store does not know.
 */
export function importDataset(db: Db, name: string | undefined, field: string): Dataset | undefined {
  const chosen = name?.trim() || DEFAULT_DATASET;
  const known = datasetLookup(db);
  if (!known.classNamesOf(chosen)) throw new ImportError(`${field} must name a known dataset (${known.names().join(', ')}); got '${chosen}'`);
  return chosen === DEFAULT_DATASET ? undefined : findDataset(db, chosen);
}

function startsWithNpyMagic(file: string): boolean {
  const head = Buffer.alloc(6);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, 6, 0) === 6 && head.toString('latin1') === '\x93NUMPY';
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's predictions when it is a prediction file (told by its name, then by its first bytes;
 * a column per class), else null: a model, read by readModel. Prediction files run to tens of MB
 * of text, so they are parsed in a thread, as models are read in one.
 */
async function readPredictionFile(file: string, classes: number): Promise<{ table: PredictionTable; sha256: string } | null> {
  if (!existsSync(file)) throw new ImportError(`${file} does not exist`);
  if (statSync(file).isDirectory() || file.endsWith('.json')) return null;
  const extension = path.extname(file).toLowerCase();
  if (extension === '.npy' || startsWithNpyMagic(file)) return readPredictionFileInThread(file, 'npy', classes);
  if (extension === '.csv') return readPredictionFileInThread(file, 'csv', classes);
  if (extension === '.onnx' || extension === '') return null;
  throw new ImportError(`${file}: expected an .onnx file, a tfjs model.json (or its directory), a .npy or a .csv`);
}

/** Checked probabilities, one per class, per test image from a prediction file, against the dataset's test labels. */
function predictionsFromTable(table: PredictionTable, test: NamedSplit, testImages: number, request: ConventionRequest) {
  if (table.count === 0 || table.count > testImages) {
    throw new ImportError(`the file has ${table.count} rows; expected one per ${test.dataset} test image (${testImages}, or the first n)`);
  }
  if (table.labels) {
    const wrong = table.labels.findIndex((label, i) => label !== test.labels[i]);
    if (wrong >= 0) {
      throw new ImportError(`row ${wrong} is labelled ${table.labels[wrong]}, but ${test.dataset} test image ${wrong} is a ${test.labels[wrong]} (${test.classNames[test.labels[wrong]!]}): rows must be in test-set order`);
    }
  }
  const classes = test.classNames.length;
  const output = request.output === 'auto' ? outputKindOf(table.values, classes) : request.output;
  return { probabilities: probabilitiesOf(table.values, output, 'the file', classes), output };
}

/**
 * Imports an ONNX model, a tfjs model or a prediction file as a completed run: detects how the
 * model wants its input, predicts every test image, scores it and stores it all at once.
 * Throws ImportError (nothing stored) when the file cannot be read as a digit classifier.
 */
export async function importRun(runs: RunStore, request: ImportRequest): Promise<Run> {
  const step = request.onStep ?? (() => {});
  step(`reading ${request.file}`);
  const dataset = request.dataset ?? mnistDataset(request.mnistDir);
  const classes = dataset.classNames.length;
  const predictionFile = await readPredictionFile(request.file, classes);
  const whole = dataset.load('test');
  const testImages = whole.count;
  const limit = predictionFile ? predictionFile.table.count : request.testLimit;
  const test = limit && limit < testImages ? dataset.load('test', { limit }) : whole;
  const common = {
    name: request.name ?? path.basename(request.file.replace(/\/+$/, '')),
    tags: request.tags ?? {},
    params: { ...(dataset.name !== 'mnist' ? { dataset: dataset.name } : {}), testLimit: test.count === testImages ? null : test.count },
    fileName: path.basename(request.file.replace(/\/+$/, '')),
  };
  const provenance = {
    datasetHashes: { testImages: test.imagesSha256, testLabels: test.labelsSha256 },
    gitCommit: await gitCommit(),
    packageVersions: packageVersions(),
  };
  if (predictionFile) {
    const { probabilities, output } = predictionsFromTable(predictionFile.table, test, testImages, request.conventions);
    step('storing the run');
    return runs.recordImported({
      ...common,
      provenance: { ...provenance, backend: 'none (prediction file)' },
      imported: {
        framework: 'predictions',
        fileName: common.fileName,
        fileSha256: predictionFile.sha256,
        inputShape: null,
        inputLayout: null,
        inputScale: null,
        output,
        embedding: null,
        embeddingAbsence: 'a prediction file holds no model, so there are no activations to map',
        modelJson: null,
        modelData: null,
      },
      results: { ...score(probabilities, test.labels), embeddings: null, embeddingDimensions: 0 },
    });
  }
  const reading = await readModelInThread({ file: request.file, conventions: request.conventions, test: { ...test, classes }, predictAll: true }, step);
  const outputs = reading.outputs!;
  step('storing the run');
  return runs.recordImported({
    ...common,
    provenance: { ...provenance, backend: reading.backend },
    imported: { ...reading.imported, fileName: common.fileName },
    results: { ...score(outputs.probabilities, test.labels), embeddings: outputs.embeddings, embeddingDimensions: outputs.embeddingDimensions },
  });
}
