import { DomainError } from '../../core/errors.ts';
import { fieldString, int64s, ProtobufError, ProtoWriter, readFields, type WireField } from './protobuf.ts';

/** ONNX field numbers (onnx.proto3) that digitlab reads or writes. */
export const ONNX = {
  model: { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 },
  opset: { domain: 1, version: 2 },
  graph: { node: 1, name: 2, initializer: 5, input: 11, output: 12 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5 },
  attribute: { name: 1, f: 2, i: 3, ints: 8, type: 20 },
  attributeType: { float: 1, int: 2, ints: 7 },
  tensor: { dims: 1, dataType: 2, name: 8, rawData: 9 },
  dataType: { float: 1, int64: 7 },
  valueInfo: { name: 1, type: 2 },
  type: { tensor: 1 },
  tensorType: { elemType: 1, shape: 2 },
  shape: { dim: 1 },
  dimension: { value: 1, param: 2 },
} as const;

export class NotAnOnnxModelError extends DomainError { readonly kind = 'invalid'; }

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxValue {
  name: string;
  /** -1 for a symbolic or unknown dimension; null when the file gives no shape at all. */
  shape: number[] | null;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  /** Graph inputs that are not initializers: what a caller must feed. */
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

const ofField = (fields: WireField[], number: number) => fields.filter((f) => f.field === number);
const strings = (fields: WireField[], number: number) => ofField(fields, number).map(fieldString);

function valueOf(bytes: Uint8Array): OnnxValue {
  const fields = readFields(bytes);
  const name = strings(fields, ONNX.valueInfo.name)[0] ?? '';
  const tensor = ofField(fields, ONNX.valueInfo.type).flatMap((t) => ofField(readFields(t.bytes), ONNX.type.tensor))[0];
  const shape = tensor && ofField(readFields(tensor.bytes), ONNX.tensorType.shape)[0];
  if (!shape) return { name, shape: null };
  const dims = ofField(readFields(shape.bytes), ONNX.shape.dim).map((dim) => int64s(readFields(dim.bytes), ONNX.dimension.value)[0] ?? -1);
  return { name, shape: dims };
}

/** The parts of an ONNX file's main graph that import needs; throws NotAnOnnxModelError otherwise. */
export function readOnnxGraph(file: Uint8Array): OnnxGraph {
  let graphFields: WireField[];
  try {
    const model = readFields(file);
    const graphs = ofField(model, ONNX.model.graph);
    if (graphs.length === 0 || ofField(model, ONNX.model.irVersion).length === 0) throw new ProtobufError('no graph');
    // A message field that appears twice is merged: its fields are the concatenation.
    graphFields = graphs.flatMap((graph) => readFields(graph.bytes));
  } catch (err) {
    if (err instanceof ProtobufError) throw new NotAnOnnxModelError(`not an ONNX model (${err.message})`);
    throw err;
  }
  const initializers = new Set(ofField(graphFields, ONNX.graph.initializer).flatMap((t) => strings(readFields(t.bytes), ONNX.tensor.name)));
  const nodes = ofField(graphFields, ONNX.graph.node).map((node) => {
    const fields = readFields(node.bytes);
    return {
      opType: strings(fields, ONNX.node.opType)[0] ?? '',
      inputs: strings(fields, ONNX.node.input),
      outputs: strings(fields, ONNX.node.output),
    };
  });
  return {
    nodes,
    inputs: ofField(graphFields, ONNX.graph.input)
      .map((f) => valueOf(f.bytes))
      .filter((value) => !initializers.has(value.name)),
    outputs: ofField(graphFields, ONNX.graph.output).map((f) => valueOf(f.bytes)),
  };
}

/**
 * The value an ONNX classifier's last layer reads: the data input of its final Gemm or MatMul,
 * or why there is none. onnxruntime returns only graph outputs, so this one must be added.
 */
export function findEmbeddingValue(graph: OnnxGraph): { value: string } | { absence: string } {
  const last = [...graph.nodes].reverse().find((node) => node.opType === 'Gemm' || node.opType === 'MatMul');
  if (!last) return { absence: 'the graph has no Gemm or MatMul node, so there is no penultimate layer to read' };
  const value = last.inputs[0]!;
  if (graph.inputs.some((input) => input.name === value)) {
    return { absence: 'the final Gemm/MatMul reads the model input itself, so there is no penultimate layer' };
  }
  return { value };
}

/**
 * The file with `value` added as a float graph output. Protobuf merges a message field that
 * appears twice, so appending a second graph holding just that output is enough.
 */
export function withExtraOutput(file: Uint8Array, value: string): Uint8Array {
  const tensorType = new ProtoWriter().int(ONNX.tensorType.elemType, ONNX.dataType.float);
  const valueInfo = new ProtoWriter()
    .string(ONNX.valueInfo.name, value)
    .message(ONNX.valueInfo.type, new ProtoWriter().message(ONNX.type.tensor, tensorType));
  const extra = new ProtoWriter().message(ONNX.model.graph, new ProtoWriter().message(ONNX.graph.output, valueInfo)).finish();
  const out = new Uint8Array(file.length + extra.length);
  out.set(file);
  out.set(extra, file.length);
  return out;
}
