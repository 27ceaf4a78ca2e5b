import { DomainError } from '../../core/errors.ts';
import type { INPUT_LAYOUTS, INPUT_SCALES, OUTPUT_KINDS } from '../../../db/schema.ts';

export type InputLayout = (typeof INPUT_LAYOUTS)[number];
export type InputScale = (typeof INPUT_SCALES)[number];
export type OutputKind = (typeof OUTPUT_KINDS)[number];

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
  return scale === 'unit' ? pixels : pixels.map((value) => value * 255);
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

/** Whether the ten values of the row starting at `start` sum to 1, float rounding allowed. */
export const sumsToOne = (values: Float32Array, start: number) => {
  let sum = 0;
  for (let c = 0; c < 10; c++) sum += values[start + c]!;
  return Math.abs(sum - 1) <= 1e-3;
};

/**
 * Whether values are meant as probabilities: nearly every row sums to 1 (float rounding allowed),
 * which logits almost never do. A few bad rows then fail `probabilitiesOf` instead of turning
 * the whole file into logits.
 */
export function looksLikeProbabilities(values: Float32Array): boolean {
  let rows = 0;
  for (let start = 0; start < values.length; start += 10) if (sumsToOne(values, start)) rows++;
  return rows >= 0.99 * (values.length / 10);
}

/** Checks a model's or a file's ten values per image, read as `output`; throws ImportError naming the problem. */
export function probabilitiesOf(values: Float32Array, output: OutputKind, what: string): Float32Array {
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new ImportError(`${what} has ${values[bad]} at image ${Math.floor(bad / 10)}, class ${bad % 10}`);
  if (output === 'logits') return softmaxRows(values);
  const negative = values.findIndex((value) => value < 0);
  if (negative >= 0) {
    throw new ImportError(`${what} has a negative probability (${values[negative]}) at image ${Math.floor(negative / 10)}; use --output logits if these are logits`);
  }
  for (let start = 0; start < values.length; start += 10) {
    if (!sumsToOne(values, start)) throw new ImportError(`${what}: row ${start / 10} does not sum to 1; use --output logits if these are logits`);
  }
  return values;
}

const BATCH = 500;

/**
 * Runs `model` over `count` images in batches, under a convention, and returns its raw outputs.
 * A model exported with a fixed batch size (PyTorch's default) gets batches of exactly that
 * size, the last one padded with blank images.
 */
async function runRaw(model: RawModel, convention: Convention, pixels: Float32Array, count: number) {
  const fixed = model.inputShape && model.inputShape[0]! > 0 ? model.inputShape[0]! : null;
  const batch = fixed ?? BATCH;
  const raw = new Float32Array(count * 10);
  let embeddings: Float32Array | null = null;
  let embeddingDimensions = 0;
  for (let start = 0; start < count; start += batch) {
    const rows = Math.min(batch, count - start);
    const fed = fixed ?? rows;
    const input = new Float32Array(fed * PIXELS);
    input.set(scaledInput(pixels.subarray(start * PIXELS, (start + rows) * PIXELS), convention.scale));
    const { output, embedding } = await model.run(input, [fed, ...convention.imageShape]);
    if (output.length !== fed * 10) {
      throw new ImportError(`the model's output has ${output.length / fed} values per image, not 10 classes`);
    }
    raw.set(output.subarray(0, rows * 10), start * 10);
    if (embedding) {
      embeddingDimensions = embedding.length / fed;
      embeddings ??= new Float32Array(count * embeddingDimensions);
      embeddings.set(embedding.subarray(0, rows * embeddingDimensions), start * embeddingDimensions);
    }
  }
  return { raw, embeddings, embeddingDimensions };
}

/** The model's probabilities and embeddings for `count` images (NHWC, [0,1]) under a convention. */
export async function classify(model: RawModel, convention: Convention, pixels: Float32Array, count: number): Promise<ClassifierOutputs> {
  const { raw, embeddings, embeddingDimensions } = await runRaw(model, convention, pixels, count);
  return { probabilities: probabilitiesOf(raw, convention.output, "the model's output"), embeddings, embeddingDimensions };
}

export interface ConventionRequest {
  layout: InputLayout | 'auto';
  scale: InputScale | 'auto';
  output: OutputKind | 'auto';
}

function accuracyOf(probabilities: Float32Array, labels: Uint8Array): number {
  let correct = 0;
  labels.forEach((label, i) => {
    const row = probabilities.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === label) correct++;
  });
  return correct / labels.length;
}

/**
 * The convention under which the model does best on a trial batch, among those the request and
 * the input shape allow: the layout from the shape (both tried when it does not say), the
 * scale and output kind from how the trial images come out.
 */
export async function detectConvention(
  model: RawModel,
  request: ConventionRequest,
  trial: { pixels: Float32Array; labels: Uint8Array },
): Promise<Convention> {
  const scales: InputScale[] = request.scale === 'auto' ? ['unit', 'byte'] : [request.scale];
  let best: { convention: Convention; accuracy: number } | null = null;
  let failure: unknown = null;
  for (const { imageShape, layout } of inputLayouts(model.inputShape, request.layout)) {
    for (const scale of scales) {
      let raw: Float32Array;
      try {
        ({ raw } = await runRaw(model, { imageShape, layout, scale, output: 'logits' }, trial.pixels, trial.labels.length));
      } catch (err) {
        if (err instanceof ImportError) throw err;
        failure = err;
        continue;
      }
      const output = request.output === 'auto' ? (looksLikeProbabilities(raw) ? 'probabilities' : 'logits') : request.output;
      const convention = { imageShape, layout, scale, output };
      const accuracy = accuracyOf(probabilitiesOf(raw, output, "the model's output"), trial.labels);
      // [0,1] is the norm; [0,255] must win clearly, since an undertrained model can do as well on either.
      const margin = scale === 'byte' && best?.convention.scale === 'unit' ? 0.05 : 0;
      if (!best || accuracy > best.accuracy + margin) best = { convention, accuracy };
    }
  }
  if (!best) throw new ImportError(`the model does not run on 28x28x1 images: ${failure instanceof Error ? failure.message : String(failure)}`);
  return best.convention;
}
