import path from 'node:path';
import { selectBackend } from '../training/backend.ts';
import { UsageError, type Command, type CommandContext, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import type { Db } from '../../db/client.ts';
import { addOwnDigit, deleteOwnDigit, listOwnDigits } from '../data/own-digits/digit-set.ts';
import { notScoredOnDigits, scoreRunOnOwnDigits } from '../models/own-digits/predict.ts';
import { RunHasNoModelError } from '../models/run-model.ts';
import { withPictureFile } from './picture-file.ts';
import { RUN_SELECTION_OPTION, selectedRuns } from './run-selection.ts';

function add(db: Db, files: string[], label: number | undefined): { id: number; label: number; name: string }[] {
  if (label === undefined) throw new UsageError('--add needs --label 0-9');
  return files.map((file) => {
    const digit = withPictureFile(file, (bytes) => addOwnDigit(db, { bytes, label, name: path.basename(file) }));
    return { id: digit.id, label: digit.label, name: digit.name };
  });
}

async function score(db: Db, options: Parameters<typeof selectedRuns>[1], context: CommandContext) {
  await selectBackend('auto');
  const scores: object[] = [];
  for (const run of selectedRuns(db, options)) {
    const notScored = (why: string) => {
      scores.push({ runId: run.id, name: run.name, absence: why });
      if (!options.json) context.stdout.write(`run ${run.id} (${run.name}): not scored; it ${why}\n`);
    };
    const otherClasses = notScoredOnDigits(run);
    if (otherClasses) {
      notScored(otherClasses);
      continue;
    }
    let score;
    try {
      score = await scoreRunOnOwnDigits(db, run);
    } catch (err) {
      if (!(err instanceof RunHasNoModelError)) throw err;
      notScored(err.why);
      continue;
    }
    const { runId, count, correct, accuracy } = score;
    scores.push({ runId, name: run.name, count, correct, accuracy });
    if (!options.json) {
      context.stdout.write(`run ${runId} (${run.name}): ${correct}/${count} own digits read correctly` +
        `${accuracy === null ? '' : ` (${(accuracy * 100).toFixed(1)}%)`}\n`);
    }
  }
  return { scores };
}

export const ownDigitsCommand: Command = {
  name: 'own-digits',
  summary: 'your own labelled digit pictures: list, add, delete, and score runs on them',
  positionals: [],
  options: {
    add: { type: 'string', multiple: true, placeholder: 'FILE', description: 'preprocess and keep this picture (repeatable); needs --label' },
    label: { type: 'integer', min: 0, max: 9, description: 'the digit the --add pictures show' },
    delete: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, placeholder: 'ID', description: 'remove one own digit' },
    run: { ...RUN_SELECTION_OPTION, description: `score these runs on the set: ${RUN_SELECTION_OPTION.description}` },
  },
  async run({ options }, context) {
    const db = openStoreFor(options, context);
    try {
      if (options.add) {
        const added = add(db, options.add as string[], options.label as number | undefined);
        if (options.json) printJson(context, { added });
        else context.stdout.write(`added ${added.length} picture(s)\n`);
      } else if (options.delete !== undefined) {
        deleteOwnDigit(db, options.delete as number);
        if (options.json) printJson(context, { deleted: options.delete });
      } else if (options.run) {
        const result = await score(db, options, context);
        if (options.json) printJson(context, result);
      } else {
        const digits = listOwnDigits(db).map(({ id, label, name, createdAt }) => ({ id, label, name, createdAt: createdAt.toISOString() }));
        if (options.json) printJson(context, { digits });
        else context.stdout.write(digits.map((d) => `${d.id}\t${d.label}\t${d.name}\t${d.createdAt}`).join('\n') + '\n');
      }
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
