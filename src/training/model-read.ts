import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { classify, detectConvention, type ClassifierOutputs, type ConventionRequest, type RawModel } from '../models/imported/classifier.ts';
import { conventionColumns } from '../models/imported/imported-predictor.ts';
import { loadOnnxModel } from '../models/imported/onnx-model.ts';
import { loadTfjsModel, readTfjsDirectory } from '../models/imported/tfjs-model.ts';
import type { ImportedModel } from '../store/imported-runs.ts';
import { selectBackend } from './backend.ts';

/** The images a model's input convention is found on: the first of the test set. */
export const TRIAL_IMAGES = 500;

/** A model to read, and the test images to read it on. */
export interface ModelReadJob {
  /** A model file or tfjs directory (model.json beside its weights). */
  file: string;
  /** Read the file as ONNX, whatever its name (a tracked run's PUT, written to a scratch file). */
  onnxOnly?: boolean;
  conventions: ConventionRequest;
  /** The dataset's test images in test order, as stored (bytes, 28x28). */
  test: { images: Uint8Array; labels: Uint8Array; count: number; dataset: string; classes: number };
  /** Predict every image of `test` too (import), or only find the convention on the trial images. */
  predictAll: boolean;
}

/** What reading a model found: the imported model's row without its run and file name, and its test outputs when asked. */
export interface ModelReading {
  imported: Omit<ImportedModel, 'runId' | 'fileName'>;
  /** Which engine ran it, for the run's provenance. */
  backend: string;
  outputs: ClassifierOutputs | null;
}

/** NHWC [0,1] pixels of the first `count` images. */
const unitPixels = (images: Uint8Array, count: number) => Float32Array.from(images.subarray(0, count * 784), (value) => value / 255);

const sha256 = (parts: Uint8Array[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest('hex');

/** The model loaded, with what the imported row keeps of its file. */
async function loadModel({ file, onnxOnly }: ModelReadJob) {
  const onnx = onnxOnly || !(statSync(file).isDirectory() || file.endsWith('.json')) ? readFileSync(file) : null;
  if (onnx) {
    const raw = await loadOnnxModel(onnx);
    return { raw, framework: 'onnx' as const, fileSha256: sha256([onnx]), modelJson: null, modelData: onnx, backend: 'onnxruntime-node (cpu)' };
  }
  const { files, ...artifacts } = readTfjsDirectory(file);
  await selectBackend('auto');
  const raw = await loadTfjsModel(artifacts);
  return { raw, framework: raw.framework, fileSha256: sha256(files.map((f) => readFileSync(f))), modelJson: artifacts.modelJson, modelData: artifacts.weightData, backend: `tfjs ${tf.getBackend()}` };
}

/**
 * Loads a model file, finds on the trial images how it wants its input and how its output reads,
 * and predicts every test image when asked. Throws ImportError when it is not a classifier of the
 * dataset's images. Run in a thread (readModelInThread): every part of it is long on a large model.
 */
export async function readModel(job: ModelReadJob, step: (step: string) => void = () => {}): Promise<ModelReading> {
  const { test } = job;
  step('loading the model');
  const { raw, framework, fileSha256, modelJson, modelData, backend } = await loadModel(job);
  try {
    const pixels = unitPixels(test.images, job.predictAll ? test.count : Math.min(TRIAL_IMAGES, test.count));
    const trialCount = Math.min(TRIAL_IMAGES, test.count);
    step(`detecting the input convention on ${trialCount} test images`);
    const convention = await detectConvention(raw as RawModel, job.conventions, {
      pixels: pixels.subarray(0, trialCount * 784),
      labels: test.labels.subarray(0, trialCount),
      dataset: test.dataset,
      classes: test.classes,
    });
    let outputs = null;
    if (job.predictAll) {
      step(`predicting ${test.count} test images`);
      outputs = await classify(raw, convention, pixels, test.count);
    }
    return { imported: { framework, fileSha256, ...conventionColumns(convention, raw.embedding), modelJson, modelData }, backend, outputs };
  } finally {
    raw.dispose();
  }
}
