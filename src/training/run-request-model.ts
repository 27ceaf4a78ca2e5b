import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkModelSpec, ModelSpecError, outputUnits, type ModelSpec, type ModelSummary } from '../models/model-spec.ts';
import { DEFAULT_LIMIT_WORDS, defaultMemoryLimit, GIGABYTE, memoryProblem, modelMemory } from '../models/model-memory.ts';
import { DEFAULT_MODEL, MODEL_PRESETS, PRESET_NAMES, presetSpec, type PresetName } from '../models/model-presets.ts';
import { REFERENCE_HYPERPARAMETERS } from './hyperparameters.ts';

export interface ResolvedModel {
  /** A preset's name, a spec file's name, or 'custom' for a spec given inline. */
  name: string;
  spec: ModelSpec;
  summary: ModelSummary;
}

const isPreset = (name: string): name is PresetName => (PRESET_NAMES as string[]).includes(name);

/** How the network will be trained, for its memory check: the batch size, and a limit in GB other than the default. */
export interface ModelFit {
  batchSize?: number;
  maxModelMemoryGb?: number;
  /** The dataset's class count: a preset's softmax is made this wide (10 if not given), a spec's must be (unchecked if not given). */
  classes?: number;
  /** The dataset's name, for the words of a spec that does not fit it. */
  dataset?: string;
}

/**
 * The model field: a preset, a spec file or a spec inline (as the form's editor and "train it
 * again" send it). Every spec is checked before anything trains; a bad one is a problem naming
 * the layer and field, phrased to follow the field's name, and so is one whose training would need
 * more memory than the limit (models/model-memory.ts), before anything is allocated or stored.
 */
export function resolveModel(raw: string = DEFAULT_MODEL, fit: ModelFit = {}): { model: ResolvedModel } | { problem: string } {
  const classes = fit.classes ?? 10;
  const parsed = parseModel(raw, classes);
  if ('problem' in parsed) return parsed;
  const units = outputUnits(parsed.model.spec);
  if (fit.classes !== undefined && units !== classes) {
    const what = parsed.model.name === 'custom' ? 'spec' : parsed.model.name;
    return {
      problem: `${what}: the last layer has ${units} units, but dataset '${fit.dataset ?? 'mnist'}' has ${classes} classes; make it {"type":"dense","units":${classes},"activation":"softmax"}`,
    };
  }
  const batchSize = fit.batchSize ?? REFERENCE_HYPERPARAMETERS.batchSize;
  const limit = fit.maxModelMemoryGb === undefined ? defaultMemoryLimit() : fit.maxModelMemoryGb * GIGABYTE;
  const problem = memoryProblem(modelMemory(parsed.model.summary, batchSize), batchSize, limit);
  if (!problem) return parsed;
  const source = fit.maxModelMemoryGb === undefined ? `${DEFAULT_LIMIT_WORDS}; --max-model-memory GB raises it` : 'set by --max-model-memory';
  return { problem: `${parsed.model.name === 'custom' ? 'spec' : parsed.model.name}: ${problem} (${source})` };
}

function parseModel(raw: string, classes: number): { model: ResolvedModel } | { problem: string } {
  const value = raw.trim();
  if (isPreset(value)) return { model: { name: value, ...checkModelSpec(presetSpec(value, classes)) } };
  const inline = value.startsWith('{');
  if (!inline && !value.endsWith('.json')) {
    return { problem: `takes a preset (${PRESET_NAMES.join(', ')}), a .json spec file or a spec inline; got '${value}'` };
  }
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      return { problem: `cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problem: `${inline ? 'spec' : value} is not JSON: ${(err as Error).message}` };
  }
  try {
    return { model: { name: inline ? 'custom' : path.basename(value, '.json'), ...checkModelSpec(json) } };
  } catch (err) {
    // An inline spec's problem is the layer's own: beside the form's editor, "spec:" says nothing.
    if (err instanceof ModelSpecError) return { problem: inline ? err.message : `${value}: ${err.message}` };
    throw err;
  }
}

/** Whether a recorded network is exactly the preset of its name, so the model field given NAME trains it again. */
export function isPresetSpec(name: string, spec: ModelSpec): boolean {
  return isPreset(name) && JSON.stringify(MODEL_PRESETS[name].spec) === JSON.stringify(spec);
}
