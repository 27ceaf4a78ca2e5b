import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';
import { loadMnist } from '../data/mnist.ts';
import { loadDataset } from '../data/datasets/catalogue.ts';
import type { Reliability } from '../analysis/calibration/reliability.ts';
import { fitRunTemperature, runCalibration } from '../analysis/calibration/run-calibration.ts';
import { runModelArgument } from './model-argument.ts';

const binsJson = (r: Reliability) => r.bins.map(({ lower, upper, count, correct, accuracy, confidence }) => ({ lower, upper, count, correct, accuracy, confidence }));

function reliabilityText(title: string, r: Reliability): string {
  const rows = r.bins
    .filter((b) => b.count > 0)
    .map((b) => `  ${b.lower.toFixed(3)}-${b.upper.toFixed(3)}  ${String(b.count).padStart(6)}  acc ${(b.accuracy! * 100).toFixed(1).padStart(5)}%  conf ${(b.confidence! * 100).toFixed(1).padStart(5)}%`);
  return [`${title}: ECE ${(r.ece * 100).toFixed(2)}%, MCE ${(r.mce * 100).toFixed(2)}%, accuracy ${(r.accuracy * 100).toFixed(2)}%, mean confidence ${(r.meanConfidence * 100).toFixed(2)}%`, ...rows].join('\n');
}

export const calibrationCommand: Command = {
  name: 'calibration',
  summary: 'is a run right as often as it is sure? 15-bin reliability, ECE, MCE, overconfident mistakes, slices',
  positionals: [{ name: 'RUN', description: 'a completed run id' }],
  options: {
    fit: { type: 'boolean', description: 'fit a temperature on the run\'s validation split and record it; the raw figures stay' },
  },
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context);
    try {
      const run = runArgument(db, positionals[0]!);
      if (options.fit) {
        const model = await runModelArgument(db, run);
        try {
          await fitRunTemperature(db, run, model);
        } finally {
          model.dispose();
        }
      }
      const report = runCalibration(db, run, run.dataset === 'mnist' ? loadMnist('test') : loadDataset(db, run.dataset, 'test'));
      if (!report) throw new UsageError(`run ${run.id} (${run.name}) is ${run.status} and has no test predictions to calibrate`);
      const { raw, calibrated } = report;
      if (options.json) {
        printJson(context, {
          run: run.id,
          ece: raw.ece,
          mce: raw.mce,
          accuracy: raw.accuracy,
          meanConfidence: raw.meanConfidence,
          bins: binsJson(raw),
          overconfident: report.overconfident,
          slices: report.slices,
          calibrated: calibrated && {
            temperature: calibrated.fit.temperature,
            validationCount: calibrated.fit.validationCount,
            validationNll: calibrated.fit.validationNll,
            calibratedNll: calibrated.fit.calibratedNll,
            ece: calibrated.reliability.ece,
            mce: calibrated.reliability.mce,
            bins: binsJson(calibrated.reliability),
            overconfident: calibrated.overconfident,
          },
        });
        return 0;
      }
      const lines = [reliabilityText(`run ${run.id} on ${raw.count} test images`, raw)];
      lines.push(`overconfident mistakes (wrong at ≥ 99%): ${report.overconfident.length}${report.overconfident.length ? `: ${report.overconfident.slice(0, 20).join(', ')}` : ''}`);
      for (const s of report.slices) lines.push(`  ${s.name}: ${s.count} images, accuracy ${(s.accuracy * 100).toFixed(1)}%, confidence ${(s.meanConfidence * 100).toFixed(1)}%, ECE ${(s.ece * 100).toFixed(2)}%`);
      if (calibrated) {
        lines.push(reliabilityText(`calibrated (temperature ${calibrated.fit.temperature.toFixed(3)}, fitted on ${calibrated.fit.validationCount} validation images)`, calibrated.reliability));
      } else {
        lines.push('no temperature fitted yet: --fit fits one on the validation split');
      }
      context.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
