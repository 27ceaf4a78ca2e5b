import { checkModelSpec, summaryLines } from '../models/model-spec.ts';
import { printJson } from '../core/command.ts';
import { DEFAULT_MODEL, MODEL_PRESETS, PRESET_NAMES, presetSpec } from '../models/model-presets.ts';
import type { Command } from '../core/command.ts';

/** Every preset with its spec and Keras-style summary, as `models --json` prints them. */
export function presetModels() {
  return PRESET_NAMES.map((name) => {
    const { spec, summary } = checkModelSpec(presetSpec(name));
    return { name, default: name === DEFAULT_MODEL, description: MODEL_PRESETS[name].description, parameters: summary.totalParameters, spec, summary };
  });
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'the network presets train --model takes, with their layers and parameter counts',
  positionals: [],
  options: {},
  async run({ options }, context) {
    const models = presetModels();
    if (options.json) {
      printJson(context, { models });
      return 0;
    }
    const blocks = models.map((model) =>
      [
        `${model.name}${model.default ? ' (default)' : ''}: ${model.parameters.toLocaleString('en-US')} parameters`,
        `  ${model.description}`,
        '',
        ...summaryLines(model.summary).map((line) => `  ${line}`),
      ].join('\n'),
    );
    context.stdout.write(`${blocks.join('\n\n')}\n\ntrain one with: digitlab train --model NAME (or a layers spec file: --model FILE.json)\n`);
    return 0;
  },
};
