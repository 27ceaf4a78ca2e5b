import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkModelSpec, ModelSpecError, type ModelSpec, type ModelSummary } from '../models/model-spec.ts';
import { DEFAULT_LIMIT_WORDS, defaultMemoryLimit, GIGABYTE, memoryProblem, modelMemory } from '../models/model-memory.ts';
import { DEFAULT_MODEL, MODEL_PRESETS, PRESET_NAMES, presetSpec, type PresetName } from '../models/model-presets.ts';
import { UsageError, type Command } from '../core/command.ts';
import { REFERENCE_HYPERPARAMETERS } from '../training/hyperparameters.ts';

export interface ResolvedModel {
  /** A preset's name, a spec file's name, or 'custom' for a spec given inline. */
  name: string;
  spec: ModelSpec;
  summary: ModelSummary;
}

const isPreset = (name: string): name is PresetName => (PRESET_NAMES as string[]).includes(name);

/** The flag that raises the memory ceiling, for the commands that train. */
export const MAX_MODEL_MEMORY_OPTION = {
  'max-model-memory': { type: 'number', min: 0.001, max: 1_000_000, placeholder: 'GB', description: "the most memory a network may need to train, in GB (default: a quarter of this machine's)" },
} as const satisfies Command['options'];

/** How the network will be trained, for its memory check: the batch size and `--max-model-memory` in GB. */
export interface TrainingFit {
  batchSize?: number;
  maxModelMemory?: number;
}

/**
 * `--model NAME|FILE.json|{"layers":[...]}`: a preset, a spec file or a spec inline (as the form's
 * editor and "train it again" send it). Every spec is checked before anything trains; a bad one
 * is a UsageError naming the layer and field, and so is one whose training would need more memory
 * than the limit (modelMemory), before anything is allocated or stored.
 */
export function resolveModel(raw: string = DEFAULT_MODEL, fit: TrainingFit = {}): ResolvedModel {
  const model = parseModel(raw);
  const batchSize = fit.batchSize ?? REFERENCE_HYPERPARAMETERS.batchSize;
  const limit = fit.maxModelMemory === undefined ? defaultMemoryLimit() : fit.maxModelMemory * GIGABYTE;
  const problem = memoryProblem(modelMemory(model.summary, batchSize), batchSize, limit);
  if (problem) {
    const source = fit.maxModelMemory === undefined ? `${DEFAULT_LIMIT_WORDS}; --max-model-memory GB raises it` : 'set by --max-model-memory';
    throw new UsageError(`--model ${model.name === 'custom' ? 'spec' : model.name}: ${problem} (${source})`);
  }
  return model;
}

function parseModel(raw: string): ResolvedModel {
  const value = raw.trim();
  if (isPreset(value)) return { name: value, ...checkModelSpec(presetSpec(value)) };
  const inline = value.startsWith('{');
  if (!inline && !value.endsWith('.json')) {
    throw new UsageError(`--model takes a preset (${PRESET_NAMES.join(', ')}), a .json spec file or a spec inline; got '${value}'`);
  }
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new UsageError(`--model cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--model ${inline ? 'spec' : value} is not JSON: ${(err as Error).message}`);
  }
  try {
    return { name: inline ? 'custom' : path.basename(value, '.json'), ...checkModelSpec(json) };
  } catch (err) {
    if (err instanceof ModelSpecError) throw new UsageError(`--model ${inline ? 'spec' : value}: ${err.message}`);
    throw err;
  }
}

/** Whether a recorded network is exactly the preset of its name, so `--model NAME` trains it again. */
export function isPresetSpec(name: string, spec: ModelSpec): boolean {
  return isPreset(name) && JSON.stringify(MODEL_PRESETS[name].spec) === JSON.stringify(spec);
}
