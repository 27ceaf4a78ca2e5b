import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkModelSpec, ModelSpecError, type ModelSpec, type ModelSummary } from '../models/model-spec.ts';
import { DEFAULT_MODEL, MODEL_PRESETS, PRESET_NAMES, presetSpec, type PresetName } from '../models/model-presets.ts';
import { UsageError } from '../core/command.ts';

export interface ResolvedModel {
  /** A preset's name, a spec file's name, or 'custom' for a spec given inline. */
  name: string;
  spec: ModelSpec;
  summary: ModelSummary;
}

const isPreset = (name: string): name is PresetName => (PRESET_NAMES as string[]).includes(name);

/**
 * `--model NAME|FILE.json|{"layers":[...]}`: a preset, a spec file or a spec inline (as the form's
 * editor and "train it again" send it). Every spec is checked before anything trains; a bad one
 * is a UsageError naming the layer and field.
 */
export function resolveModel(raw: string = DEFAULT_MODEL): ResolvedModel {
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
