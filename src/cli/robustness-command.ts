import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { runArgument } from './arguments.ts';
import { ModelJobs } from '../analysis/model-jobs/model-jobs.ts';
import { TRANSFORM_NAMES } from '../analysis/robustness/transforms.ts';

function transformsOption(raw: string | undefined): string[] {
  if (raw === undefined) return TRANSFORM_NAMES;
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !TRANSFORM_NAMES.includes(name));
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--transforms takes a comma-separated list of ${TRANSFORM_NAMES.join(', ')}; got '${raw}'`);
  return [...new Set(names)];
}

export const robustnessCommand: Command = {
  name: 'robustness',
  summary: 'test accuracy as shift, rotation, scale, stroke thickness, noise, blur and contrast loss grow',
  positionals: [{ name: 'RUN', description: 'a completed run id' }],
  options: {
    transforms: { type: 'string', placeholder: TRANSFORM_NAMES.join(','), description: 'which transforms (default all)' },
  },
  async run({ positionals, options }, context) {
    const db = openStoreFor(options, context);
    try {
      const run = runArgument(db, positionals[0]!);
      const transforms = transformsOption(options.transforms as string | undefined);
      const onTerminal = Boolean(context.stderr.isTTY);
      const progress = (fraction: number, stage: string) => {
        if (onTerminal) context.stderr.write(`\r${Math.round(fraction * 100).toString().padStart(3)}% ${stage.padEnd(40)}`);
      };
      const result = await new ModelJobs(db).robustness(run, transforms, progress);
      if (onTerminal) context.stderr.write('\n');
      if (options.json) {
        printJson(context, { run: run.id, transforms: result.curves, count: result.count, seconds: result.seconds });
      } else {
        const lines = [`run ${run.id}: accuracy on ${result.count} test images (${result.seconds.toFixed(1)} s)`];
        for (const curve of result.curves) {
          lines.push(`  ${curve.name.padEnd(10)} ${curve.points.map((p) => `${p.strength} ${curve.unit}: ${(p.accuracy * 100).toFixed(1)}%`).join('  ')}`);
        }
        context.stdout.write(`${lines.join('\n')}\n`);
      }
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
