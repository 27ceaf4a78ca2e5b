import { DomainError } from '../../core/errors.ts';
import type { RunModel } from '../../models/run-model.ts';
import { integratedGradients } from './integrated-gradients.ts';
import { occlusionMap } from './occlusion.ts';

export const EXPLAIN_METHODS = ['ig', 'occlusion'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

export const METHOD_NAMES: Record<ExplainMethod, string> = { ig: 'integrated gradients', occlusion: 'occlusion' };

/** Integrated gradients asked of a model without gradients (an imported ONNX model, say). */
export class GradientsUnavailableError extends DomainError { readonly kind = 'unavailable'; }

export interface Attribution {
  method: ExplainMethod;
  target: number;
  /** 784 values, row-major; positive is evidence for `target`. */
  map: Float32Array;
  /** Integrated gradients only: sum(map) minus the probability difference from the black baseline. */
  completenessError: number | null;
}

/** One image's attribution map for one class, by either method. */
export async function attribute(model: RunModel, image: Float32Array, target: number, method: ExplainMethod): Promise<Attribution> {
  if (method === 'occlusion') return { method, target, map: await occlusionMap(model.probabilities, image, target), completenessError: null };
  if (!model.layers) throw new GradientsUnavailableError(`integrated gradients need the model's gradients: ${model.noGradients}; occlusion works without them`);
  const ig = integratedGradients(model.layers, image, target);
  return { method, target, map: ig.map, completenessError: ig.completenessError };
}

/** A flat 784 map as 28 rows of 28 numbers, rounded to what a JSON reader needs. */
export const mapRows = (map: Float32Array): number[][] =>
  Array.from({ length: 28 }, (_, y) => Array.from(map.subarray(y * 28, y * 28 + 28), (v) => Number(v.toPrecision(4))));
