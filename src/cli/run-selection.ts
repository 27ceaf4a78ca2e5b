import type { Db } from '../../db/client.ts';
import { UsageError, type OptionSpec, type OptionValues } from '../core/command.ts';
import { runArgument } from './arguments.ts';
import { listRuns, type Run } from '../store/store.ts';

/** `--run 3`, `--run 3 --run 5`, `--run 3,5` or `--run all` (every completed run). */
export const RUN_SELECTION_OPTION: OptionSpec = {
  type: 'string',
  multiple: true,
  placeholder: 'ID|all',
  description: 'run id(s), repeatable or comma-separated, or all for every completed run',
};

export function selectedRuns(db: Db, options: OptionValues): Run[] {
  const raw = ((options.run as string[] | undefined) ?? []).flatMap((value) => value.split(',')).map((v) => v.trim());
  if (raw.length === 0) throw new UsageError('--run is required: a run id, several, or all');
  if (raw.includes('all')) {
    const runs = listRuns(db, { statuses: ['completed'] });
    if (runs.length === 0) throw new UsageError('no completed runs yet: train one with `npx digitlab train`');
    return runs;
  }
  return raw.map((value) => runArgument(db, value));
}
