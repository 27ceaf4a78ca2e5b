import type { Command, CommandContext } from '../core/command.ts';
import { printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';
import { compareRuns, comparisonJson, type MetricRow, type RunComparison } from '../analysis/compare/run-comparison.ts';
import { notTrainedHere, trainedByDigitlab } from '../store/run-source.ts';
import { formatP } from '../analysis/statistics/verdict.ts';

/** How many image indices the text output lists before summarising the rest. */
const LISTED_INDICES = 20;

const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

function indexList(indices: number[]): string {
  const shown = indices.slice(0, LISTED_INDICES).join(' ');
  return indices.length > LISTED_INDICES ? `${shown} … (+${indices.length - LISTED_INDICES} more)` : shown || '-';
}

function confusionDifferenceText(difference: number[][]): string {
  const cell = (value: string) => value.padStart(5);
  const header = `true\\pred${difference[0]!.map((_, col) => cell(String(col))).join('')}`;
  const rows = difference.map(
    (row, label) => `${String(label).padStart(9)}${row.map((v) => cell(v === 0 ? '.' : signed(v, 0))).join('')}`,
  );
  return [header, ...rows].join('\n');
}

/** A setting as `compare` prints it; an imported run has none recorded, and says why rather than `null`. */
const settingText = (run: RunComparison['a'], value: unknown) => (value === null && !trainedByDigitlab(run) ? notTrainedHere(run) : JSON.stringify(value));

function comparisonText(c: RunComparison): string {
  const params = Object.entries(c.paramsDiff).map(([key, { a, b }]) => `  ${key}: ${settingText(c.a, a)} -> ${settingText(c.b, b)}`);
  // Throughput runs to thousands; four decimals only suit rates and losses.
  const digits = (m: MetricRow) => (Math.abs(m.a ?? 0) >= 100 ? 0 : 4);
  const metrics = c.metrics.map(
    (m) =>
      `  ${m.metric.padEnd(22)}${(m.a?.toFixed(digits(m)) ?? '-').padStart(10)}${(m.b?.toFixed(digits(m)) ?? '-').padStart(10)}` +
      `${(m.delta === null ? '-' : signed(m.delta, digits(m))).padStart(10)}`,
  );
  const interval = c.accuracyDeltaInterval;
  return [
    `A: run ${c.a.id} (${c.a.name})`,
    `B: run ${c.b.id} (${c.b.name})`,
    '',
    'params that differ:',
    ...(params.length ? params : ['  none']),
    '',
    `  ${'metric'.padEnd(22)}${'A'.padStart(10)}${'B'.padStart(10)}${'B - A'.padStart(10)}`,
    ...metrics,
    '',
    `${c.verdict}.`,
    `on ${c.images} test images: ${c.fixed.length} fixed, ${c.broken.length} broken (McNemar exact ${formatP(c.mcnemarP)}); ` +
      `95% bootstrap interval of the accuracy difference ${signed(interval.low * 100, 2)} to ${signed(interval.high * 100, 2)} points`,
    `fixed (wrong in A, right in B): ${indexList(c.fixed)}`,
    `broken (right in A, wrong in B): ${indexList(c.broken)}`,
    '',
    'confusion matrix, B minus A:',
    confusionDifferenceText(c.confusionDifference),
  ].join('\n');
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'two runs side by side: params, metrics, flipped images, and whether the difference is real',
  positionals: [
    { name: 'A', description: 'run id of the baseline' },
    { name: 'B', description: 'run id of the candidate' },
  ],
  options: {},
  async run({ positionals, options }, context: CommandContext) {
    const db = openStoreFor(options, context);
    let comparison: RunComparison;
    try {
      comparison = compareRuns(db, runArgument(db, positionals[0]!).id, runArgument(db, positionals[1]!).id);
    } finally {
      db.$client.close();
    }
    if (options.json) printJson(context, comparisonJson(comparison));
    else context.stdout.write(`${comparisonText(comparison)}\n`);
    return 0;
  },
};
