import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SavedModel } from '../store/store.ts';

/** Captures a model's topology and weights in memory, in tfjs' artifact form. */
export async function serializeModel(model: tf.LayersModel): Promise<SavedModel> {
  let saved: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = {
        topology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs,
        weightData: Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

export async function deserializeModel(saved: SavedModel): Promise<tf.LayersModel> {
  const weightData = saved.weightData.buffer.slice(
    saved.weightData.byteOffset,
    saved.weightData.byteOffset + saved.weightData.byteLength,
  ) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: saved.topology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: saved.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData,
    }),
  );
}

/** Writes the standard tfjs layers-model pair (model.json + weights.bin) that tf.loadLayersModel reads. */
export function exportModel(saved: SavedModel, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const modelJson: tf.io.ModelJSON = {
    modelTopology: saved.topology as tf.io.ModelJSON['modelTopology'],
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs as tf.io.WeightsManifestEntry[] }],
  };
  const files = [path.join(dir, 'model.json'), path.join(dir, 'weights.bin')];
  writeFileSync(files[0]!, JSON.stringify(modelJson));
  writeFileSync(files[1]!, saved.weightData);
  return files;
}
