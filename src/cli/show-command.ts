import { summaryLines } from '../models/model-spec.ts';
import { printJson } from '../core/command.ts';
import { runSummary } from '../training/run-summary.ts';
import type { Command } from '../core/command.ts';
import { epochLine } from './progress-bar.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';

function confusionText(counts: number[][]): string {
  const cell = (v: string | number) => String(v).padStart(5);
  const header = `true\\pred${[...Array(10).keys()].map(cell).join('')}`;
  return [header, ...counts.map((row, label) => `${String(label).padStart(9)}${row.map(cell).join('')}`)].join('\n');
}

export const showCommand: Command = {
  name: 'show',
  summary: 'everything recorded about one run',
  positionals: [{ name: 'RUN', description: 'run id' }],
  options: {},
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context, { onlyReads: true });
    const summary = runSummary(db, runArgument(db, positionals[0]!));
    db.$client.close();
    if (options.json) {
      printJson(context, summary);
      return 0;
    }
    const lines = [
      `run ${summary.runId}: ${summary.name}  [${summary.status}]`,
      `created ${summary.createdAt}  started ${summary.startedAt ?? '-'}  finished ${summary.finishedAt ?? '-'}`,
      `backend ${summary.backend ?? '-'}  seed ${summary.seed}  git ${summary.gitCommit ?? '-'}`,
      `params ${JSON.stringify(summary.params)}`,
      `tags ${JSON.stringify(summary.tags)}`,
      ...(summary.note ? [`note ${summary.note}`] : []),
      ...(summary.error ? [`error ${summary.error}`] : []),
      ...(summary.model ? ['', `model ${summary.model.name}`, ...summaryLines(summary.model.summary).map((line) => `  ${line}`)] : []),
      '',
      ...summary.epochs.map((e) => epochLine(e, summary.epochs.length)),
    ];
    if (summary.testAccuracy !== null) {
      lines.push(
        '',
        `test accuracy ${summary.testAccuracy.toFixed(4)}  test loss ${summary.testLoss!.toFixed(4)}` +
          // Imported and tracked runs did not train here: no throughput to print, rather than 0.
          (summary.trainSamplesPerSecond === null ? '' : `  training ${Math.round(summary.trainSamplesPerSecond)} samples/s`) +
          (summary.keptEpoch === null ? '' : `  kept epoch ${summary.keptEpoch} of ${summary.epochs.length} (early stopping)`),
      );
    }
    if (summary.testConfusion) lines.push('', confusionText(summary.testConfusion));
    context.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
