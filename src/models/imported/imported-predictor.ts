import type { ImportedModel } from '../../store/imported-runs.ts';
import type { Predictor } from '../probability-fn.ts';
import { classify, type Convention, type RawModel } from './classifier.ts';
import { loadOnnxModel } from './onnx-model.ts';
import { loadTfjsModel, type TfjsArtifacts } from './tfjs-model.ts';

/**
 * How a model is fed and read, and where its embedding is, as an imported model's row records it:
 * the columns importedPredictor reads back.
 */
export function conventionColumns(convention: Convention, embedding: { value: string } | { absence: string }) {
  return {
    inputShape: [-1, ...convention.imageShape],
    inputLayout: convention.layout,
    inputScale: convention.scale,
    output: convention.output,
    embedding: 'value' in embedding ? embedding.value : null,
    embeddingAbsence: 'absence' in embedding ? embedding.absence : null,
  };
}

/** An imported model of the store, with the file that holds it (a prediction file holds none). */
export type StoredImportedModel = ImportedModel & { modelData: NonNullable<ImportedModel['modelData']> };

/**
 * An imported model loaded again from the store and fed the way import decided, as a Predictor on
 * digitlab's pixels; the caller disposes it. A tfjs model needs a tfjs backend already selected.
 */
export async function importedPredictor(imported: StoredImportedModel): Promise<{ predict: Predictor; dispose(): void }> {
  let raw: RawModel & { embedding: { value: string } | { absence: string } };
  if (imported.framework === 'onnx') raw = await loadOnnxModel(imported.modelData);
  else raw = await loadTfjsModel({ modelJson: imported.modelJson as TfjsArtifacts['modelJson'], weightData: imported.modelData });
  const convention: Convention = {
    imageShape: imported.inputShape!.slice(1),
    layout: imported.inputLayout,
    scale: imported.inputScale!,
    output: imported.output,
  };
  const embedding = raw.embedding;
  return {
    async predict(pixels, rows, withEmbeddings) {
      const outputs = await classify(raw, convention, pixels, rows);
      if (!withEmbeddings) return [outputs.probabilities];
      // Callers ask only for runs that stored embeddings, which an import without one never does.
      if (!outputs.embeddings) throw new Error(`the imported model has no embedding: ${'absence' in embedding ? embedding.absence : ''}`);
      return [outputs.embeddings, outputs.probabilities];
    },
    dispose: () => raw.dispose(),
  };
}
