import * as ort from 'onnxruntime-node';
import { findEmbeddingValue, NotAnOnnxModelError, readOnnxGraph, withExtraOutput } from '../onnx/onnx-graph.ts';
import { ImportError, type RawModel } from './classifier.ts';
import { onnxruntimeMessage } from './onnxruntime-message.ts';

export interface OnnxRawModel extends RawModel {
  /** The value read as the embedding, or why there is none. */
  embedding: { value: string } | { absence: string };
}

/**
 * An ONNX file as a RawModel on onnxruntime's CPU provider. The input of the final Gemm/MatMul
 * is added as a graph output first, since onnxruntime returns only graph outputs.
 */
export async function loadOnnxModel(file: Uint8Array): Promise<OnnxRawModel> {
  let graph;
  try {
    graph = readOnnxGraph(file);
  } catch (err) {
    if (err instanceof NotAnOnnxModelError) throw new ImportError(err.message);
    throw err;
  }
  if (graph.inputs.length !== 1) throw new ImportError(`the model takes ${graph.inputs.length} inputs; digitlab feeds one image tensor`);
  if (graph.outputs.length === 0) throw new ImportError('the model has no outputs');
  const [input] = graph.inputs;
  const output = graph.outputs[0]!.name;
  const embedding = findEmbeddingValue(graph);
  const extended = 'value' in embedding && embedding.value !== output ? withExtraOutput(file, embedding.value) : file;
  let session: ort.InferenceSession;
  try {
    // Fatal only: onnxruntime's logger writes coloured lines straight to stderr, and what matters reaches us as errors.
    session = await ort.InferenceSession.create(extended, { executionProviders: ['cpu'], intraOpNumThreads: 1, logSeverityLevel: 4 });
  } catch (err) {
    throw new ImportError(`onnxruntime cannot load the model: ${onnxruntimeMessage((err as Error).message)}`);
  }
  return {
    inputShape: input!.shape,
    embedding,
    async run(values, shape) {
      // A plain Error, not an ImportError: finding the input layout tries the next one after it.
      const results = await session.run({ [input!.name]: new ort.Tensor('float32', values, shape) }).catch((err: Error) => {
        throw new Error(onnxruntimeMessage(err.message));
      });
      const read = (name: string) => results[name]!.data as Float32Array;
      return { output: read(output), embedding: 'value' in embedding ? read(embedding.value) : null };
    },
    dispose() {
      void session.release();
    },
  };
}
