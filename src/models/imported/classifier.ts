import { DomainError } from '../../core/errors.ts';
import type { INPUT_LAYOUTS, OUTPUT_KINDS, StoredInputScale } from '../../../db/schema.ts';

export type InputLayout = (typeof INPUT_LAYOUTS)[number];
export type InputScale = StoredInputScale;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** The scale of pixels standardised as (x - mean) / std from [0,1], as PyTorch's transforms.Normalize does. */
export const normalizedScale = (mean: number, std: number): InputScale => `normalize:${mean},${std}`;

/**
 * `MEAN,STD` as `import --input-normalize` and the upload form take it, into the scale it means,
 * given the scale asked for beside it (which must be auto). Throws ImportError saying what is wrong, for the caller to name its field.
 */
export function requestedScale(scale: InputScale | 'auto', normalize: string | undefined): InputScale | 'auto' {
  if (normalize === undefined || normalize.trim() === '') return scale;
  const parts = normalize.split(',').map((part) => part.trim());
  const [mean, std] = parts.map(Number);
  if (parts.length !== 2 || parts.some((part) => part === '') || !Number.isFinite(mean) || !Number.isFinite(std) || std! <= 0) {
    throw new ImportError(`takes MEAN,STD with STD above 0 (MNIST's: 0.1307,0.3081); got '${normalize}'`);
  }
  if (scale !== 'auto') throw new ImportError(`sets the pixel scale itself; leave the input scale at auto (got ${scale})`);
  return normalizedScale(mean!, std!);
}

/** MNIST's own mean and standard deviation, which PyTorch's examples/mnist (and most MNIST scripts) normalise by. */
export const MNIST_NORMALIZATION = normalizedScale(0.1307, 0.3081);

/** Every scale as a standardisation of [0,1] pixels: fed = (x - mean) / std. */
function standardisation(scale: InputScale): { mean: number; std: number } {
  if (scale === 'unit') return { mean: 0, std: 1 };
  if (scale === 'byte') return { mean: 0, std: 1 / 255 };
  const [mean, std] = scale.slice('normalize:'.length).split(',').map(Number);
  return { mean: mean!, std: std! };
}

/** A scale in words, for pages and command lines: [0, 1], [0, 255], (x - 0.1307) / 0.3081. */
export function describeScale(scale: InputScale): string {
  if (scale === 'unit') return '[0, 1]';
  if (scale === 'byte') return '[0, 255]';
  const { mean, std } = standardisation(scale);
  return `(x - ${mean}) / ${std}, x in [0, 1]`;
}

/** Wrong input to import: the CLI exits 2 with the message, the UI shows it. */
export class ImportError extends DomainError { readonly kind = 'invalid'; }

/** A model as its file defines it, before digitlab's conventions are applied. */
export interface RawModel {
  /** The input's shape with -1 for free dimensions, or null when the file does not say. */
  inputShape: number[] | null;
  /** The output values for `input` of `shape`, and the embedding values when one was found. */
  run(input: Float32Array, shape: number[]): Promise<{ output: Float32Array; embedding: Float32Array | null }>;
  dispose(): void;
}

/** How digitlab's pixels are fed to a model and how its output is read. */
export interface Convention {
  /** The fed shape of one image (without the batch axis). */
  imageShape: number[];
  layout: InputLayout | null;
  scale: InputScale;
  output: OutputKind;
}

/** What a classifier gives for a batch: probabilities, and the embedding when there is one. */
export interface ClassifierOutputs {
  probabilities: Float32Array;
  embeddings: Float32Array | null;
  embeddingDimensions: number;
}

const PIXELS = 784;

/** The image shapes a 28x28x1 model may take, by rank; null where the layout decides it. */
function candidateShapes(inputShape: number[] | null): { imageShape: number[]; layout: InputLayout | null }[] {
  const shapes: { imageShape: number[]; layout: InputLayout | null }[] = [
    { imageShape: [1, 28, 28], layout: 'nchw' },
    { imageShape: [28, 28, 1], layout: 'nhwc' },
    { imageShape: [28, 28], layout: null },
    { imageShape: [784], layout: null },
  ];
  if (!inputShape) return shapes.slice(0, 2);
  const dims = inputShape.slice(1);
  return shapes.filter(
    (candidate) => candidate.imageShape.length === dims.length && dims.every((dim, i) => dim < 0 || dim === candidate.imageShape[i]),
  );
}

/** The layouts import may try for this input, after `--input-layout`; throws ImportError if none fits. */
export function inputLayouts(inputShape: number[] | null, requested: InputLayout | 'auto'): { imageShape: number[]; layout: InputLayout | null }[] {
  const candidates = candidateShapes(inputShape);
  const fitting = requested === 'auto' ? candidates : candidates.filter((c) => c.layout === requested || c.layout === null);
  if (fitting.length === 0) {
    const shape = inputShape ? `[${inputShape.map((d) => (d < 0 ? '?' : d)).join(',')}]` : 'unknown';
    const wanted = requested === 'auto' ? '[n,1,28,28], [n,28,28,1], [n,28,28] or [n,784]' : `the ${requested} layout`;
    throw new ImportError(`the model's input has shape ${shape}, which does not take 28x28x1 images as ${wanted}`);
  }
  return fitting;
}

/** NHWC [0,1] pixels in the model's scale (the shape is all the layout changes for one channel). */
export function scaledInput(pixels: Float32Array, scale: InputScale): Float32Array {
  if (scale === 'unit') return pixels;
  const { mean, std } = standardisation(scale);
  return pixels.map((value) => (value - mean) / std);
}

export function softmaxRows(values: Float32Array, width = 10): Float32Array {
  const out = new Float32Array(values.length);
  for (let start = 0; start < values.length; start += width) {
    let max = -Infinity;
    for (let c = 0; c < width; c++) max = Math.max(max, values[start + c]!);
    let sum = 0;
    for (let c = 0; c < width; c++) sum += (out[start + c] = Math.exp(values[start + c]! - max));
    for (let c = 0; c < width; c++) out[start + c]! /= sum;
  }
  return out;
}

/** Whether the `classes` values of the row starting at `start` sum to 1 (each value read through `read`), float rounding allowed. */
export const sumsToOne = (values: Float32Array, start: number, read: (value: number) => number = (value) => value, classes = 10) => {
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += read(values[start + c]!);
  return Math.abs(sum - 1) <= 1e-3;
};

/** Whether nearly every row, read by `read`, sums to 1 (float rounding allowed), as logits almost never do. */
function rowsSumToOne(values: Float32Array, read: ((value: number) => number) | undefined, classes: number): boolean {
  let rows = 0;
  for (let start = 0; start < values.length; start += classes) if (sumsToOne(values, start, read, classes)) rows++;
  return rows >= 0.99 * (values.length / classes);
}

/**
 * What ten values per image are meant as: probabilities when rows sum to 1, log-probabilities when
 * their exponentials do (a log_softmax output), else logits. "Nearly every row", so that a few bad
 * rows fail `probabilitiesOf` instead of turning the whole file into logits.
 */
export function outputKindOf(values: Float32Array, classes = 10): OutputKind {
  if (rowsSumToOne(values, undefined, classes)) return 'probabilities';
  return rowsSumToOne(values, Math.exp, classes) ? 'log-probabilities' : 'logits';
}

/** Checks a model's or a file's values per image (one per class, ten for MNIST), read as `output`; throws ImportError naming the problem. */
export function probabilitiesOf(values: Float32Array, output: OutputKind, what: string, classes = 10): Float32Array {
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new ImportError(`${what} has ${values[bad]} at image ${Math.floor(bad / classes)}, class ${bad % classes}`);
  if (output === 'logits') return softmaxRows(values, classes);
  if (output === 'log-probabilities') {
    const probabilities = values.map(Math.exp);
    for (let start = 0; start < values.length; start += classes) {
      if (!sumsToOne(probabilities, start, undefined, classes)) throw new ImportError(`${what}: row ${start / classes} is not log-probabilities (its exponentials do not sum to 1); use --output logits if these are logits`);
    }
    return probabilities;
  }
  const negative = values.findIndex((value) => value < 0);
  if (negative >= 0) {
    throw new ImportError(`${what} has a negative probability (${values[negative]}) at image ${Math.floor(negative / classes)}; use --output logits if these are logits`);
  }
  for (let start = 0; start < values.length; start += classes) {
    if (!sumsToOne(values, start, undefined, classes)) throw new ImportError(`${what}: row ${start / classes} does not sum to 1; use --output logits if these are logits`);
  }
  return values;
}

const BATCH = 500;

/**
 * Runs `model` over `count` images in batches, under a convention, and returns its raw outputs,
 * as many per image as the model has classes (its first batch says). A model exported with a
 * fixed batch size (PyTorch's default) gets batches of exactly that size, the last one padded
 * with blank images.
 */
async function runRaw(model: RawModel, convention: Convention, pixels: Float32Array, count: number) {
  const fixed = model.inputShape && model.inputShape[0]! > 0 ? model.inputShape[0]! : null;
  const batch = fixed ?? BATCH;
  let raw = new Float32Array(0);
  let classes = 0;
  let embeddings: Float32Array | null = null;
  let embeddingDimensions = 0;
  for (let start = 0; start < count; start += batch) {
    const rows = Math.min(batch, count - start);
    const fed = fixed ?? rows;
    const input = new Float32Array(fed * PIXELS);
    input.set(scaledInput(pixels.subarray(start * PIXELS, (start + rows) * PIXELS), convention.scale));
    const { output, embedding } = await model.run(input, [fed, ...convention.imageShape]);
    if (start === 0) {
      classes = output.length / fed;
      if (!Number.isInteger(classes) || classes < 1) throw new ImportError(`the model's output has ${output.length} values for ${fed} images, not a whole number of classes each`);
      raw = new Float32Array(count * classes);
    }
    if (output.length !== fed * classes) throw new ImportError(`the model's output has ${output.length / fed} values per image in one batch and ${classes} in another`);
    raw.set(output.subarray(0, rows * classes), start * classes);
    if (embedding) {
      embeddingDimensions = embedding.length / fed;
      embeddings ??= new Float32Array(count * embeddingDimensions);
      embeddings.set(embedding.subarray(0, rows * embeddingDimensions), start * embeddingDimensions);
    }
  }
  return { raw, classes, embeddings, embeddingDimensions };
}

/** The model's probabilities and embeddings for `count` images (NHWC, [0,1]) under a convention. */
export async function classify(model: RawModel, convention: Convention, pixels: Float32Array, count: number): Promise<ClassifierOutputs> {
  const { raw, classes, embeddings, embeddingDimensions } = await runRaw(model, convention, pixels, count);
  return { probabilities: probabilitiesOf(raw, convention.output, "the model's output", classes), embeddings, embeddingDimensions };
}

export interface ConventionRequest {
  layout: InputLayout | 'auto';
  scale: InputScale | 'auto';
  output: OutputKind | 'auto';
}

/** Keras clips probabilities by this before the log, as digitlab's own test loss does. */
const CLIP = 1e-7;

/** How a convention does on the trial images: which it gets right, and its mean cross-entropy. */
interface TrialScore {
  convention: Convention;
  correct: boolean[];
  accuracy: number;
  loss: number;
}

function trialScore(convention: Convention, probabilities: Float32Array, labels: Uint8Array, classes: number): TrialScore {
  let loss = 0;
  const correct = Array.from(labels, (label, i) => {
    const row = probabilities.subarray(i * classes, (i + 1) * classes);
    loss -= Math.log(Math.min(1 - CLIP, Math.max(CLIP, row[label]!)));
    return row.indexOf(Math.max(...row)) === label;
  });
  return { convention, correct, accuracy: correct.filter(Boolean).length / labels.length, loss: loss / labels.length };
}

/**
 * Whether `other` is less accurate than `best` beyond chance on the same images: McNemar's test
 * on the images one gets right and the other wrong, at z = 2 (about 95%).
 */
function clearlyWorse(other: TrialScore, best: TrialScore): boolean {
  let onlyBest = 0;
  let onlyOther = 0;
  best.correct.forEach((right, i) => {
    if (right && !other.correct[i]) onlyBest++;
    if (!right && other.correct[i]) onlyOther++;
  });
  return onlyBest - onlyOther > 2 * Math.sqrt(onlyBest + onlyOther);
}

/**
 * The convention under which the model does best on a trial batch, among those the request and
 * the input shape allow: the layout from the shape (both tried when it does not say), the scale
 * ([0,1], [0,255] or MNIST's mean and standard deviation) and output kind from how the trial
 * images come out. [0,1] is the norm, so its most accurate layout is the reference; of the
 * conventions not clearly less accurate than it (clearlyWorse), the one with the lowest mean
 * cross-entropy wins. Accuracy alone cannot tell: a model fed pixels scaled other than it was
 * trained on often keeps its top class on most images but not its confidence (PyTorch's
 * examples/mnist network fed [0,1] pixels: accuracy 0.9794 against 0.9826, test loss 0.63), and
 * an undertrained model can even be more accurate on pixels sharpened by a wrong scale, at a
 * higher loss (a CNN trained here on 2,000 images: 0.696 on [0,1], 0.716 normalised, 0.718 on
 * [0,255]; losses 0.92, 0.96 and 4.47).
 */
export async function detectConvention(
  model: RawModel,
  request: ConventionRequest,
  trial: { pixels: Float32Array; labels: Uint8Array; dataset: string; classes: number },
): Promise<Convention> {
  const scales: InputScale[] = request.scale === 'auto' ? ['unit', 'byte', MNIST_NORMALIZATION] : [request.scale];
  const scores: TrialScore[] = [];
  let failure: unknown = null;
  for (const { imageShape, layout } of inputLayouts(model.inputShape, request.layout)) {
    for (const scale of scales) {
      let raw: Float32Array;
      let classes: number;
      try {
        ({ raw, classes } = await runRaw(model, { imageShape, layout, scale, output: 'logits' }, trial.pixels, trial.labels.length));
      } catch (err) {
        if (err instanceof ImportError) throw err;
        failure = err;
        continue;
      }
      if (classes !== trial.classes) {
        throw new ImportError(`the model has ${classes} outputs per image, but dataset '${trial.dataset}' has ${trial.classes} classes: a model is scored on a dataset whose classes its outputs are`);
      }
      const output = request.output === 'auto' ? outputKindOf(raw, classes) : request.output;
      const convention = { imageShape, layout, scale, output };
      scores.push(trialScore(convention, probabilitiesOf(raw, output, "the model's output", classes), trial.labels, classes));
    }
  }
  const mostAccurate = (among: TrialScore[]) =>
    among.reduce<TrialScore | null>((best, score) => (!best || score.accuracy > best.accuracy ? score : best), null);
  const unit = scores.filter((score) => score.convention.scale === 'unit');
  const reference = mostAccurate(unit.length > 0 ? unit : scores);
  const best = scores
    .filter((score) => !clearlyWorse(score, reference!))
    .reduce<TrialScore | null>((best, score) => (!best || score.loss < best.loss ? score : best), null);
  if (!best) throw new ImportError(`the model does not run on 28x28x1 images: ${failure instanceof Error ? failure.message : String(failure)}`);
  return best.convention;
}
