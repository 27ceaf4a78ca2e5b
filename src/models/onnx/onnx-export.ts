import { DomainError } from '../../core/errors.ts';
import type * as tf from '@tensorflow/tfjs';
import { ONNX } from './onnx-graph.ts';
import { ProtoWriter } from './protobuf.ts';

/** Opset 13: Softmax over the last axis by default, and what onnxruntime and PyTorch both run. */
const OPSET = 13;
export const ONNX_INPUT = 'pixels';
export const ONNX_OUTPUT = 'probabilities';

export class OnnxExportError extends DomainError { readonly kind = 'unavailable'; }

type Attribute = { name: string } & ({ int: number } | { ints: number[] } | { float: number });

/** The graph under construction: nodes, weights and the current value's name and layout. */
class GraphBuilder {
  readonly nodes: ProtoWriter[] = [];
  readonly initializers: ProtoWriter[] = [];
  private counter = 0;
  /** The value the next layer reads; 4-D values are kept NCHW, as ONNX's Conv and pools want. */
  current = ONNX_INPUT;

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  weight(hint: string, dims: number[], values: Float32Array): string {
    const name = this.fresh(hint);
    this.initializers.push(
      new ProtoWriter()
        .int64s(ONNX.tensor.dims, dims)
        .int(ONNX.tensor.dataType, ONNX.dataType.float)
        .string(ONNX.tensor.name, name)
        .bytes(ONNX.tensor.rawData, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
    );
    return name;
  }

  /** Appends a node reading the current value (and `extra` inputs); its output becomes current. */
  apply(opType: string, extra: string[] = [], attributes: Attribute[] = [], output = this.fresh(opType.toLowerCase())): void {
    const node = new ProtoWriter();
    for (const input of [this.current, ...extra]) node.string(ONNX.node.input, input);
    node.string(ONNX.node.output, output).string(ONNX.node.name, output).string(ONNX.node.opType, opType);
    for (const attribute of attributes) node.message(ONNX.node.attribute, encodeAttribute(attribute));
    this.nodes.push(node);
    this.current = output;
  }
}

function encodeAttribute(attribute: Attribute): ProtoWriter {
  const out = new ProtoWriter().string(ONNX.attribute.name, attribute.name);
  if ('int' in attribute) return out.int(ONNX.attribute.i, attribute.int).int(ONNX.attribute.type, ONNX.attributeType.int);
  if ('float' in attribute) return out.float(ONNX.attribute.f, attribute.float).int(ONNX.attribute.type, ONNX.attributeType.float);
  return out.int64s(ONNX.attribute.ints, attribute.ints).int(ONNX.attribute.type, ONNX.attributeType.ints);
}

function tensorValueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of dims) {
    const dimension = new ProtoWriter();
    if (typeof dim === 'number') dimension.int(ONNX.dimension.value, dim);
    else dimension.string(ONNX.dimension.param, dim);
    shape.message(ONNX.shape.dim, dimension);
  }
  const tensorType = new ProtoWriter().int(ONNX.tensorType.elemType, ONNX.dataType.float).message(ONNX.tensorType.shape, shape);
  return new ProtoWriter()
    .string(ONNX.valueInfo.name, name)
    .message(ONNX.valueInfo.type, new ProtoWriter().message(ONNX.type.tensor, tensorType));
}

/** A layer's weight by its Keras name (kernel, bias, gamma, ...), as float32 values. */
function weightValues(layer: tf.layers.Layer, suffix: string): Float32Array | null {
  const variable = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  return variable ? (variable.read().dataSync() as Float32Array) : null;
}

function requiredWeight(layer: tf.layers.Layer, suffix: string): Float32Array {
  const values = weightValues(layer, suffix);
  if (!values) throw new OnnxExportError(`layer ${layer.name} has no ${suffix}`);
  return values;
}

/** Keras' activations as ONNX ops; 'linear' needs none. */
const ACTIVATIONS: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softmax: 'Softmax',
  elu: 'Elu',
  selu: 'Selu',
  softplus: 'Softplus',
  softsign: 'Softsign',
};

function applyActivation(graph: GraphBuilder, layer: tf.layers.Layer, activation: unknown): void {
  const name = typeof activation === 'string' ? activation : 'linear';
  if (!(name in ACTIVATIONS)) throw new OnnxExportError(`layer ${layer.name}: activation '${name}' has no ONNX export`);
  const op = ACTIVATIONS[name];
  // Keras' softmax runs over channels, which a 4-D value here keeps on axis 1.
  const channelsAxis = (layer.output as tf.SymbolicTensor).shape.length === 4 ? 1 : -1;
  if (op === 'Softmax') graph.apply(op, [], [{ name: 'axis', int: channelsAxis }]);
  else if (op) graph.apply(op);
}

/** TensorFlow's 'same' padding: the extra row or column goes at the end. */
function paddings(inputSize: number[], kernel: number[], strides: number[], dilations: number[], padding: unknown): number[] {
  if (padding !== 'same') return [0, 0, 0, 0];
  const totals = inputSize.map((size, axis) => {
    const effective = (kernel[axis]! - 1) * dilations[axis]! + 1;
    return Math.max((Math.ceil(size / strides[axis]!) - 1) * strides[axis]! + effective - size, 0);
  });
  const begins = totals.map((total) => Math.floor(total / 2));
  return [...begins, ...totals.map((total, axis) => total - begins[axis]!)];
}

const pair = (value: unknown) => (Array.isArray(value) ? (value as number[]) : [value as number, value as number]);

/** tfjs stores a conv kernel [kh,kw,in,out]; ONNX wants [out,in,kh,kw]. */
function convKernel(kernel: Float32Array, [kh, kw, inC, outC]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < inC!; i++)
        for (let o = 0; o < outC!; o++) out[((o * inC! + i) * kh! + y) * kw! + x] = kernel[((y * kw! + x) * inC! + i) * outC! + o]!;
  return out;
}

function spatialSize(layer: tf.layers.Layer): number[] {
  const shape = (layer.input as tf.SymbolicTensor).shape;
  return [shape[1]!, shape[2]!];
}

function addLayer(graph: GraphBuilder, layer: tf.layers.Layer): void {
  const config = layer.getConfig() as Record<string, unknown>;
  switch (layer.getClassName()) {
    case 'InputLayer':
    case 'Dropout':
      return;
    case 'Conv2D': {
      const kernelShape = layer.weights.find((w) => w.originalName.endsWith('/kernel'))!.shape as number[];
      const kernel = [kernelShape[0]!, kernelShape[1]!];
      const strides = pair(config.strides);
      const dilations = pair(config.dilationRate ?? 1);
      const inputs = [graph.weight('kernel', [kernelShape[3]!, kernelShape[2]!, ...kernel], convKernel(requiredWeight(layer, 'kernel'), kernelShape))];
      const bias = weightValues(layer, 'bias');
      if (bias) inputs.push(graph.weight('bias', [bias.length], bias));
      graph.apply('Conv', inputs, [
        { name: 'kernel_shape', ints: kernel },
        { name: 'strides', ints: strides },
        { name: 'dilations', ints: dilations },
        { name: 'pads', ints: paddings(spatialSize(layer), kernel, strides, dilations, config.padding) },
      ]);
      return applyActivation(graph, layer, config.activation);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const kernel = pair(config.poolSize);
      const strides = pair(config.strides ?? config.poolSize);
      const pads = paddings(spatialSize(layer), kernel, strides, [1, 1], config.padding);
      const attributes: Attribute[] = [
        { name: 'kernel_shape', ints: kernel },
        { name: 'strides', ints: strides },
        { name: 'pads', ints: pads },
      ];
      // TensorFlow averages over the window's real pixels only.
      if (layer.getClassName() === 'AveragePooling2D') attributes.push({ name: 'count_include_pad', int: 0 });
      return graph.apply(layer.getClassName() === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [], attributes);
    }
    case 'BatchNormalization': {
      const channels = requiredWeight(layer, 'moving_mean').length;
      const inputs = [
        graph.weight('gamma', [channels], weightValues(layer, 'gamma') ?? new Float32Array(channels).fill(1)),
        graph.weight('beta', [channels], weightValues(layer, 'beta') ?? new Float32Array(channels)),
        graph.weight('mean', [channels], requiredWeight(layer, 'moving_mean')),
        graph.weight('variance', [channels], requiredWeight(layer, 'moving_variance')),
      ];
      const axis = config.axis as number;
      const rank = (layer.input as tf.SymbolicTensor).shape.length;
      if (axis !== -1 && axis !== rank - 1) throw new OnnxExportError(`layer ${layer.name}: batch normalization over axis ${axis} has no ONNX export`);
      return graph.apply('BatchNormalization', inputs, [{ name: 'epsilon', float: config.epsilon as number }]);
    }
    case 'Flatten':
      // tfjs flattens NHWC: back to channels-last first, so the next Dense reads its weights in order.
      if ((layer.input as tf.SymbolicTensor).shape.length === 4) graph.apply('Transpose', [], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
      return graph.apply('Flatten', [], [{ name: 'axis', int: 1 }]);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      graph.apply(layer.getClassName() === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool');
      return graph.apply('Flatten', [], [{ name: 'axis', int: 1 }]);
    case 'Dense': {
      const kernelShape = layer.weights.find((w) => w.originalName.endsWith('/kernel'))!.shape as number[];
      const bias = weightValues(layer, 'bias') ?? new Float32Array(kernelShape[1]!);
      graph.apply('Gemm', [graph.weight('kernel', kernelShape, requiredWeight(layer, 'kernel')), graph.weight('bias', [bias.length], bias)]);
      return applyActivation(graph, layer, config.activation);
    }
    case 'Activation':
      return applyActivation(graph, layer, config.activation);
    case 'ReLU':
      return graph.apply('Relu');
    case 'Softmax':
      return applyActivation(graph, layer, 'softmax');
    default:
      throw new OnnxExportError(`layer ${layer.name} (${layer.getClassName()}) has no ONNX export`);
  }
}

/**
 * An ONNX ModelProto computing what a tfjs LayersModel computes, built from its layers' class
 * names, configs and weights. It takes the tfjs input as is, [n,28,28,1] in [0,1], and returns
 * the ten probabilities. Only chains of layers (what digitlab trains) are supported.
 */
export function layersModelToOnnx(model: tf.LayersModel, producerVersion: string): Uint8Array {
  const inputShape = model.inputs[0]!.shape;
  if (model.inputs.length !== 1 || inputShape.length !== 4) throw new OnnxExportError('ONNX export needs one [n,28,28,1] input');
  const graph = new GraphBuilder();
  graph.apply('Transpose', [], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
  for (const layer of model.layers) {
    if (layer.inboundNodes.some((node) => node.inboundLayers.length > 1)) {
      throw new OnnxExportError(`layer ${layer.name} merges several inputs; only chains of layers export to ONNX`);
    }
    addLayer(graph, layer);
  }
  graph.apply('Identity', [], [], ONNX_OUTPUT);
  const body = new ProtoWriter().string(ONNX.graph.name, model.name);
  for (const node of graph.nodes) body.message(ONNX.graph.node, node);
  for (const initializer of graph.initializers) body.message(ONNX.graph.initializer, initializer);
  body.message(ONNX.graph.input, tensorValueInfo(ONNX_INPUT, ['n', ...(inputShape.slice(1) as number[])]));
  body.message(ONNX.graph.output, tensorValueInfo(ONNX_OUTPUT, ['n', 10]));
  return new ProtoWriter()
    .int(ONNX.model.irVersion, 8)
    .string(ONNX.model.producerName, 'digitlab')
    .string(ONNX.model.producerVersion, producerVersion)
    .message(ONNX.model.graph, body)
    .message(ONNX.model.opsetImport, new ProtoWriter().string(ONNX.opset.domain, '').int(ONNX.opset.version, OPSET))
    .finish();
}
