import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../training/backend.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { outputDirectory } from './arguments.ts';
import { encodeGreyPng } from '../data/own-digits/encode.ts';
import { hasPrediction, predictWithRuns, type RunPrediction, type RunWithoutModel } from '../models/own-digits/predict.ts';
import { preprocessDigit, type PreprocessedDigit } from '../data/own-digits/preprocess.ts';
import { withPictureFile } from './picture-file.ts';
import { RUN_SELECTION_OPTION, selectedRuns } from './run-selection.ts';

const BAR_WIDTH = 30;

function predictionText(prediction: RunPrediction | RunWithoutModel): string {
  if (!hasPrediction(prediction)) return `run ${prediction.runId} (${prediction.runName}): no reading; it ${prediction.absence}`;
  const bars = prediction.probabilities.map(
    (p, digit) => `  ${digit} ${'#'.repeat(Math.round(p * BAR_WIDTH)).padEnd(BAR_WIDTH)} ${(p * 100).toFixed(1).padStart(5)}%`,
  );
  return [`run ${prediction.runId} (${prediction.runName}): ${prediction.predicted}`, ...bars].join('\n');
}

function writeSteps(digit: PreprocessedDigit, dir: string): void {
  digit.steps.forEach((step, i) => writeFileSync(path.join(dir, `${i + 1}-${step.name}.png`), encodeGreyPng(step.image)));
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'classify a PNG or JPEG of one digit with one run, several, or all',
  positionals: [{ name: 'FILE', description: 'a PNG or JPEG picture of one digit (photo, scan or drawing)' }],
  options: {
    run: RUN_SELECTION_OPTION,
    steps: { type: 'string', placeholder: 'DIR', description: 'also write each preprocessing step as a PNG into DIR' },
  },
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context);
    try {
      const runs = selectedRuns(db, options);
      const digit = withPictureFile(positionals[0]!, preprocessDigit);
      if (options.steps) writeSteps(digit, outputDirectory('--steps', options.steps as string));
      await selectBackend('auto');
      const predictions = await predictWithRuns(db, runs, digit.input);
      const first = predictions.find(hasPrediction);
      if (!first) throw new UsageError(predictions.map((p) => `run ${p.runId} (${p.runName}) ${(p as RunWithoutModel).absence}`).join('; '));
      if (options.json) {
        // The contract's predicted and probabilities are the first reading run's; `runs` has every run's.
        const { predicted, probabilities } = first;
        printJson(context, { file: positionals[0], predicted, probabilities, runs: predictions });
      } else {
        context.stdout.write(`${predictions.map(predictionText).join('\n\n')}\n`);
      }
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
