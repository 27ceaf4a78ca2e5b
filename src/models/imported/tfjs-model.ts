import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ImportError, type RawModel } from './classifier.ts';

/** A tfjs model.json (with its weights manifest) and the weight files it names, concatenated. */
export interface TfjsArtifacts {
  modelJson: tf.io.ModelJSON;
  weightData: Buffer;
}

export interface TfjsRawModel extends RawModel {
  framework: 'tfjs-layers' | 'tfjs-graph';
  embedding: { value: string } | { absence: string };
}

/** Reads a tfjs model directory (or its model.json) and the weight files the manifest lists. */
export function readTfjsDirectory(location: string): TfjsArtifacts & { files: string[] } {
  const jsonPath = statSync(location).isDirectory() ? path.join(location, 'model.json') : location;
  if (!existsSync(jsonPath)) throw new ImportError(`${location} has no model.json`);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (err) {
    throw new ImportError(`${jsonPath} is not JSON: ${(err as Error).message}`);
  }
  if (!modelJson?.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new ImportError(`${jsonPath} is not a tfjs model.json (no modelTopology or weightsManifest)`);
  }
  const files = modelJson.weightsManifest.flatMap((group) => group.paths.map((p) => path.join(path.dirname(jsonPath), p)));
  const missing = files.find((file) => !existsSync(file));
  if (missing) throw new ImportError(`${jsonPath} names the weight file ${missing}, which is missing`);
  return { modelJson, weightData: Buffer.concat(files.map((file) => readFileSync(file))), files: [jsonPath, ...files] };
}

const shapeOf = (shape: (number | null)[]) => shape.map((dim) => dim ?? -1);

function artifactsHandler({ modelJson, weightData }: TfjsArtifacts): tf.io.IOHandler {
  return tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
    format: modelJson.format,
    signature: modelJson.signature,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    modelInitializer: modelJson.modelInitializer,
  });
}

/** The input of a layers model's final Dense layer: the same rule digitlab's own runs follow. */
export function finalDenseInput(model: tf.LayersModel): tf.SymbolicTensor | null {
  const dense = [...model.layers].reverse().find((layer) => layer.getClassName() === 'Dense');
  const input = dense?.input;
  return input && !Array.isArray(input) && !model.inputs.includes(input) ? input : null;
}

async function loadLayers(artifacts: TfjsArtifacts): Promise<TfjsRawModel> {
  const model = await tf.loadLayersModel(artifactsHandler(artifacts));
  const embedding = finalDenseInput(model);
  const outputs = embedding ? [model.outputs[0]!, embedding] : [model.outputs[0]!];
  const twoHeaded = tf.model({ inputs: model.inputs, outputs });
  return {
    framework: 'tfjs-layers',
    inputShape: shapeOf(model.inputs[0]!.shape),
    embedding: embedding ? { value: embedding.sourceLayer.name } : { absence: 'the model has no Dense layer reading a hidden layer' },
    async run(values, shape) {
      const results = tf.tidy(() => [twoHeaded.predict(tf.tensor(values, shape))].flat().map((t) => t.reshape([shape[0]!, -1])));
      const [output, vectors] = await Promise.all(results.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(results);
      return { output: output!, embedding: vectors ?? null };
    },
    dispose: () => model.dispose(),
  };
}

async function loadGraph(artifacts: TfjsArtifacts): Promise<TfjsRawModel> {
  const model = await tf.loadGraphModel(artifactsHandler(artifacts));
  const nodes = ((artifacts.modelJson.modelTopology as { node?: { op: string; input?: string[] }[] }).node ?? []);
  const matMul = [...nodes].reverse().find((node) => node.op === 'MatMul' || node.op === '_FusedMatMul');
  const inputName = model.inputs[0]!.name;
  const embeddingNode = matMul?.input?.[0]?.split(':')[0];
  const embedding: TfjsRawModel['embedding'] =
    embeddingNode && embeddingNode !== inputName ? { value: embeddingNode } : { absence: 'the graph has no MatMul reading a hidden layer' };
  const outputName = model.outputs[0]!.name;
  return {
    framework: 'tfjs-graph',
    inputShape: model.inputs[0]!.shape ? shapeOf(model.inputs[0]!.shape) : null,
    embedding,
    async run(values, shape) {
      const names = 'value' in embedding ? [outputName, embedding.value] : [outputName];
      const input = tf.tensor(values, shape);
      const results = [model.execute({ [inputName]: input }, names)].flat();
      const flat = results.map((t) => t.reshape([shape[0]!, -1]));
      const [output, vectors] = await Promise.all(flat.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose([input, ...results, ...flat]);
      return { output: output!, embedding: vectors ?? null };
    },
    dispose: () => model.dispose(),
  };
}

/** A tfjs layers or graph model as a RawModel; needs a tfjs backend already selected. */
export async function loadTfjsModel(artifacts: TfjsArtifacts): Promise<TfjsRawModel> {
  const isGraph = artifacts.modelJson.format === 'graph-model' || 'node' in (artifacts.modelJson.modelTopology as object);
  try {
    return await (isGraph ? loadGraph(artifacts) : loadLayers(artifacts));
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(`tfjs cannot load the model: ${(err as Error).message}`);
  }
}
