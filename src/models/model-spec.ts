import { DomainError } from '../core/errors.ts';
/**
 * A network as data: a list of layers in the tfjs layers vocabulary, checked before anything is
 * built. The input is fixed at 28x28x1 and the last layer must be a softmax (2 to 100 classes), so every
 * spec fits MNIST and every analysis (probabilities, embeddings) works on it.
 */

export const ACTIVATIONS = ['relu', 'elu', 'tanh', 'sigmoid', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
const PADDINGS = ['valid', 'same'] as const;
type Padding = (typeof PADDINGS)[number];
/** Keras' kernel initialisers that tfjs seeds (tfjs' names); glorotUniform is Keras' default. */
export const KERNEL_INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal'] as const;
export type KernelInitializer = (typeof KERNEL_INITIALIZERS)[number];

/** Keras' defaults for the batch-norm fields a spec may leave out. */
export const BATCH_NORM_DEFAULTS = { momentum: 0.99, epsilon: 0.001 } as const;

/** Fields that conv2d and dense layers share: Keras' use_bias and kernel_initializer. */
interface Weighted {
  useBias?: boolean;
  kernelInitializer?: KernelInitializer;
}

export type LayerSpec =
  | ({ type: 'conv2d'; filters: number; kernelSize: number; strides?: number; padding?: Padding; activation?: Activation } & Weighted)
  | { type: 'maxPooling2d' | 'averagePooling2d'; poolSize: number; strides?: number; padding?: Padding }
  | { type: 'batchNormalization'; momentum?: number; epsilon?: number }
  | { type: 'dropout'; rate: number }
  | { type: 'flatten' }
  | { type: 'globalAveragePooling2d' }
  | ({ type: 'dense'; units: number; activation?: Activation | 'softmax' } & Weighted);

export type LayerType = LayerSpec['type'];

export interface ModelSpec {
  layers: LayerSpec[];
}

/** A bad spec; the message names the layer and the field at fault. */
export class ModelSpecError extends DomainError { readonly kind = 'invalid'; }

/** [height, width, channels] for images, [units] once flat. */
export type Shape = number[];

export const INPUT_SHAPE: Shape = [28, 28, 1];

interface FieldRule {
  required: boolean;
  /** What is wrong with a value, as the end of "<layer>: <field> ...", or null. */
  problem(value: unknown): string | null;
}

const MAX_SIZE = 4096;
const got = (value: unknown) => `; got ${JSON.stringify(value)}`;

const size = (required: boolean): FieldRule => ({
  required,
  problem: (value) =>
    Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_SIZE ? null : `must be a whole number from 1 to ${MAX_SIZE}${got(value)}`,
});
/** A fraction from 0 to below 1: a dropout rate; a batch-norm momentum (1 would never update the moving statistics). */
const fraction = (required: boolean): FieldRule => ({
  required,
  problem: (value) => (typeof value === 'number' && value >= 0 && value < 1 ? null : `must be a number from 0 to below 1${got(value)}`),
});
/** Batch norm's epsilon keeps the division finite; above 1 it would swamp a unit variance. */
const EPSILON: FieldRule = {
  required: false,
  problem: (value) => (typeof value === 'number' && value > 0 && value <= 1 ? null : `must be a number above 0 and at most 1${got(value)}`),
};
const FLAG: FieldRule = {
  required: false,
  problem: (value) => (typeof value === 'boolean' ? null : `must be true or false${got(value)}`),
};
const choice = (choices: readonly string[]): FieldRule => ({
  required: false,
  problem: (value) => (choices.includes(value as string) ? null : `must be one of ${choices.join(', ')}${got(value)}`),
});
const WINDOW = { strides: size(false), padding: choice(PADDINGS) };
const WEIGHTED = { useBias: FLAG, kernelInitializer: choice(KERNEL_INITIALIZERS) };

/** The fields each layer type takes; anything else in a layer is an error, so typos do not pass silently. */
const FIELDS: Record<LayerType, Record<string, FieldRule>> = {
  conv2d: { filters: size(true), kernelSize: size(true), ...WINDOW, activation: choice(ACTIVATIONS), ...WEIGHTED },
  maxPooling2d: { poolSize: size(true), ...WINDOW },
  averagePooling2d: { poolSize: size(true), ...WINDOW },
  batchNormalization: { momentum: fraction(false), epsilon: EPSILON },
  dropout: { rate: fraction(true) },
  flatten: {},
  globalAveragePooling2d: {},
  dense: { units: size(true), activation: choice([...ACTIVATIONS, 'softmax']), ...WEIGHTED },
};

export const LAYER_TYPES = Object.keys(FIELDS) as LayerType[];

/** Output side of a convolution or pooling window, as tfjs computes it. */
function windowSide(side: number, window: number, strides: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(side / strides) : Math.floor((side - window) / strides) + 1;
}

/** The output shape of one (valid) layer on an input shape; throws ModelSpecError when it cannot apply. */
function outputShape(layer: LayerSpec, input: Shape, where: string): Shape {
  const image = input.length === 3;
  const needImage = () => {
    if (!image) throw new ModelSpecError(`${where}: needs an image input (height x width x channels), but its input is already flat (${input[0]} units)`);
  };
  switch (layer.type) {
    case 'conv2d':
    case 'maxPooling2d':
    case 'averagePooling2d': {
      needImage();
      const window = layer.type === 'conv2d' ? layer.kernelSize : layer.poolSize;
      const strides = layer.strides ?? (layer.type === 'conv2d' ? 1 : layer.poolSize);
      const padding = layer.padding ?? 'valid';
      const [h, w] = [windowSide(input[0]!, window, strides, padding), windowSide(input[1]!, window, strides, padding)];
      const channels = layer.type === 'conv2d' ? layer.filters : input[2]!;
      if (h < 1 || w < 1) {
        const field = layer.type === 'conv2d' ? 'kernelSize' : 'poolSize';
        throw new ModelSpecError(
          `${where}: ${field} ${window} on a ${input[0]}x${input[1]}x${input[2]} input collapses the output to ${Math.max(h, 0)}x${Math.max(w, 0)}x${channels}`,
        );
      }
      return [h, w, channels];
    }
    case 'flatten':
      needImage();
      return [input[0]! * input[1]! * input[2]!];
    case 'globalAveragePooling2d':
      needImage();
      return [input[2]!];
    case 'dense':
      if (image) throw new ModelSpecError(`${where}: needs a flat input; put flatten or globalAveragePooling2d before it`);
      return [layer.units];
    default:
      return input;
  }
}

const biases = (layer: Weighted, units: number) => (layer.useBias === false ? 0 : units);

/** Trainable and non-trainable parameters of one layer, as Keras counts them. */
function layerParameters(layer: LayerSpec, input: Shape): { trainable: number; nonTrainable: number } {
  switch (layer.type) {
    case 'conv2d':
      return { trainable: layer.kernelSize ** 2 * input[2]! * layer.filters + biases(layer, layer.filters), nonTrainable: 0 };
    case 'dense':
      return { trainable: input[0]! * layer.units + biases(layer, layer.units), nonTrainable: 0 };
    case 'batchNormalization': {
      const channels = input[input.length - 1]!;
      return { trainable: 2 * channels, nonTrainable: 2 * channels };
    }
    default:
      return { trainable: 0, nonTrainable: 0 };
  }
}

/** One image's forward multiply-adds in a layer: each weight of a kernel once per output position. */
function layerMultiplyAdds(layer: LayerSpec, input: Shape, output: Shape): number {
  if (layer.type === 'conv2d') return layer.kernelSize ** 2 * input[2]! * layer.filters * output[0]! * output[1]!;
  if (layer.type === 'dense') return input[0]! * layer.units;
  return 0;
}

function checkLayer(raw: unknown, index: number): LayerSpec {
  const at = `layers[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelSpecError(`${at}: must be an object with a "type"`);
  const { type, ...fields } = raw as Record<string, unknown>;
  if (typeof type !== 'string' || !(type in FIELDS)) {
    throw new ModelSpecError(`${at}: unknown type ${JSON.stringify(type)}; allowed: ${LAYER_TYPES.join(', ')}`);
  }
  const where = `${at} (${type})`;
  const rules = FIELDS[type as LayerType];
  for (const field of Object.keys(fields)) {
    if (!(field in rules)) {
      const allowed = Object.keys(rules);
      throw new ModelSpecError(`${where}: unknown field "${field}"; ${allowed.length ? `allowed: ${allowed.join(', ')}` : 'it takes no fields'}`);
    }
  }
  for (const [field, rule] of Object.entries(rules)) {
    if (fields[field] === undefined) {
      if (rule.required) throw new ModelSpecError(`${where}: missing field "${field}"`);
      continue;
    }
    const problem = rule.problem(fields[field]);
    if (problem) throw new ModelSpecError(`${where}: ${field} ${problem}`);
  }
  return raw as LayerSpec;
}

export interface SummaryRow {
  /** Position in the spec's layers array. */
  index: number;
  type: LayerType;
  /** The layer's settings in one short line (describeLayer). */
  layer: string;
  outputShape: Shape;
  parameters: number;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParameters: number;
  trainableParameters: number;
  /** Multiply-adds of the conv2d and dense layers for one image, forward: the bulk of a step's work. */
  multiplyAdds: number;
}

/**
 * Checks a spec that came from a person (a JSON file, the form) and returns it typed, with its
 * Keras-style summary. Throws ModelSpecError naming the first layer and field at fault: an unknown
 * type or field, a missing or out-of-range field, a layer that cannot take its input's shape,
 * shapes that collapse to zero, or a last layer that is not a softmax over 2 to 100 classes (whether
 * it fits a dataset's class count is the run request's check: outputUnits).
 */
export function checkModelSpec(raw: unknown): { spec: ModelSpec; summary: ModelSummary } {
  const layers = (raw as { layers?: unknown } | null)?.layers;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(layers)) throw new ModelSpecError('a model spec is an object {"layers": [...]}');
  if (layers.length === 0) throw new ModelSpecError('layers: the list is empty; the last layer must be {"type":"dense","units":10,"activation":"softmax"}');
  const spec: ModelSpec = { layers: layers.map(checkLayer) };
  const rows: SummaryRow[] = [];
  let shape = INPUT_SHAPE;
  let trainable = 0;
  let total = 0;
  let multiplyAdds = 0;
  spec.layers.forEach((layer, index) => {
    const where = `layers[${index}] (${layer.type})`;
    if (layer.type === 'dense' && layer.activation === 'softmax' && index !== spec.layers.length - 1) {
      throw new ModelSpecError(`${where}: activation softmax is only for the last layer`);
    }
    const parameters = layerParameters(layer, shape);
    const input = shape;
    shape = outputShape(layer, shape, where);
    multiplyAdds += layerMultiplyAdds(layer, input, shape);
    trainable += parameters.trainable;
    total += parameters.trainable + parameters.nonTrainable;
    rows.push({ index, type: layer.type, layer: describeLayer(layer), outputShape: shape, parameters: parameters.trainable + parameters.nonTrainable });
  });
  const last = spec.layers[spec.layers.length - 1]!;
  if (last.type !== 'dense' || last.units < 2 || last.units > 100 || last.activation !== 'softmax') {
    throw new ModelSpecError(
      `layers[${spec.layers.length - 1}] (${last.type}): the last layer must be {"type":"dense","units":10,"activation":"softmax"} (units: the dataset's class count, 2 to 100)`,
    );
  }
  return { spec, summary: { rows, totalParameters: total, trainableParameters: trainable, multiplyAdds } };
}

/** A layer's settings in one short line, for summaries and diffs: `conv2d 32 3x3 relu`. */
export function describeLayer(layer: LayerSpec): string {
  switch (layer.type) {
    case 'conv2d':
      return [
        `conv2d ${layer.filters} ${layer.kernelSize}x${layer.kernelSize}`,
        layer.strides && layer.strides !== 1 ? `stride ${layer.strides}` : '',
        layer.padding === 'same' ? 'same' : '',
        layer.activation ?? 'linear',
        ...weighting(layer),
      ].filter(Boolean).join(' ');
    case 'maxPooling2d':
    case 'averagePooling2d':
      return [
        `${layer.type} ${layer.poolSize}`,
        layer.strides && layer.strides !== layer.poolSize ? `stride ${layer.strides}` : '',
        layer.padding === 'same' ? 'same' : '',
      ].filter(Boolean).join(' ');
    case 'dropout':
      return `dropout ${layer.rate}`;
    case 'dense':
      return [`dense ${layer.units} ${layer.activation ?? 'linear'}`, ...weighting(layer)].join(' ');
    case 'batchNormalization':
      return [
        'batchNormalization',
        layer.momentum !== undefined && layer.momentum !== BATCH_NORM_DEFAULTS.momentum ? `momentum ${layer.momentum}` : '',
        layer.epsilon !== undefined && layer.epsilon !== BATCH_NORM_DEFAULTS.epsilon ? `epsilon ${layer.epsilon}` : '',
      ].filter(Boolean).join(' ');
    default:
      return layer.type;
  }
}

/** A weighted layer's departures from Keras' defaults, for its one-line description. */
const weighting = (layer: Weighted) => [
  ...(layer.useBias === false ? ['no bias'] : []),
  ...(layer.kernelInitializer && layer.kernelInitializer !== 'glorotUniform' ? [layer.kernelInitializer] : []),
];

/** The Keras-style summary as text lines: layer, output shape and parameters, then the totals. */
export function summaryLines(summary: ModelSummary): string[] {
  const count = (n: number) => n.toLocaleString('en-US');
  const rows = [
    ['Layer', 'Output shape', 'Params'],
    ...summary.rows.map((row) => [row.layer, `(${row.outputShape.join(', ')})`, count(row.parameters)]),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)) + 2);
  const line = (row: string[]) => `${row[0]!.padEnd(widths[0]!)}${row[1]!.padEnd(widths[1]!)}${row[2]!.padStart(8)}`;
  const rule = '-'.repeat(widths[0]! + widths[1]! + 8);
  return [
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
    rule,
    `Total params: ${count(summary.totalParameters)}`,
    `Trainable params: ${count(summary.trainableParameters)}`,
    `Non-trainable params: ${count(summary.totalParameters - summary.trainableParameters)}`,
  ];
}

/** The classes a checked spec predicts: its last layer's units. */
export function outputUnits(spec: ModelSpec): number {
  const last = spec.layers[spec.layers.length - 1];
  return last?.type === 'dense' ? last.units : 10;
}
