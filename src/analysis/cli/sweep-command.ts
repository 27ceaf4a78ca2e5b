import type { Db } from '../../../db/client.ts';
import { parseCommandLine, UsageError, type Command, type CommandContext, type OptionSpec, type OptionValues } from '../../experiments/cli/command.ts';
import { openStoreFor, printJson } from '../../experiments/cli/store-option.ts';
import { defaultRunName, HYPERPARAMETER_OPTIONS, hyperparametersFrom, tagsFrom } from '../../experiments/cli/train-command.ts';
import { RunQueue } from '../../experiments/queue.ts';
import { getRun, type Run } from '../../experiments/store.ts';
import { consecutiveSeeds, gridPoints } from '../sweeps/grid.ts';
import { sweepResults } from '../sweeps/sweep-results.ts';
import { launchSweep } from '../sweeps/sweep-store.ts';
import { sweepResultsText } from './sweep-results-command.ts';

/** A typo like --seeds 100 --learning-rate 1e-4,3e-4,1e-3,3e-3 should not queue hours of training unasked. */
const MAX_RUNS = 200;
/** How often --run-now looks whether the sweep's runs have all ended. */
const POLL_MS = 1000;

type HyperparameterFlag = Exclude<keyof typeof HYPERPARAMETER_OPTIONS, 'seed'>;
const GRID_FLAGS = Object.keys(HYPERPARAMETER_OPTIONS).filter((flag): flag is HyperparameterFlag => flag !== 'seed');

/** `learning-rate` -> `learningRate`: the flag's name in the run's params. */
const paramName = (flag: string) => flag.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

/** Each value goes through the train flag's own check, so ranges and messages match `train`. */
function valuesOf(flag: HyperparameterFlag, raw: string): number[] {
  const spec: OptionSpec = HYPERPARAMETER_OPTIONS[flag];
  const check: Command = { name: 'sweep', summary: '', positionals: [], options: { [flag]: spec }, run: async () => 0 };
  const values = raw.split(',').map((value) => parseCommandLine(check, [`--${flag}`, value.trim()]).options[flag] as number);
  return [...new Set(values)];
}

const GRID_OPTIONS = Object.fromEntries(
  GRID_FLAGS.map((flag): [string, OptionSpec] => [
    flag,
    {
      type: 'string',
      placeholder: 'V[,V...]',
      description: `${HYPERPARAMETER_OPTIONS[flag].description}; several values make it an axis of the grid`,
    },
  ]),
);

interface SweepPlan {
  name: string;
  axes: Record<string, number[]>;
  seeds: number[];
  runs: { name: string; params: ReturnType<typeof hyperparametersFrom> }[];
}

function planFrom(options: OptionValues): SweepPlan {
  const lists = Object.fromEntries(
    GRID_FLAGS.filter((flag) => options[flag] !== undefined).map((flag) => [flag, valuesOf(flag, options[flag] as string)]),
  );
  const seeds = consecutiveSeeds((options['first-seed'] as number | undefined) ?? 1, (options.seeds as number | undefined) ?? 1);
  const points = gridPoints({ ...lists, seed: seeds });
  if (points.length > MAX_RUNS) throw new UsageError(`the grid has ${points.length} runs; at most ${MAX_RUNS} are queued at once`);
  const axes = Object.fromEntries(Object.entries(lists).filter(([, values]) => values.length > 1).map(([flag, values]) => [paramName(flag), values]));
  const runs = points.map((point) => {
    const params = hyperparametersFrom(point);
    return { name: defaultRunName(params), params };
  });
  const described = Object.entries(axes).map(([axis, values]) => `${axis} ${values.join(',')}`);
  const name = ((options.name as string | undefined) ?? `${[...described, `${seeds.length} seed(s)`].join(' x ')}`).trim();
  if (!name || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
  return { name, axes, seeds, runs };
}

/**
 * Trains queued runs in worker processes, one at a time, until every run of the sweep has ended.
 * The queue takes the oldest queued run first, so runs queued before the sweep go first.
 */
async function trainNow(db: Db, runs: Run[], context: CommandContext): Promise<Run[]> {
  const queue = new RunQueue({ db, maxConcurrent: 1, pollMs: POLL_MS, log: (line) => context.stderr.write(`${line}\n`) });
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  process.once('SIGINT', interrupt);
  queue.start();
  try {
    const active = () => runs.map((run) => getRun(db, run.id)).filter((run) => run.status === 'queued' || run.status === 'running');
    while (!interrupted && active().length > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  } finally {
    process.off('SIGINT', interrupt);
    await queue.stop();
  }
  return runs.map((run) => getRun(db, run.id));
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'queue a grid of runs over hyperparameters (x seeds) as one sweep',
  positionals: [],
  options: {
    ...GRID_OPTIONS,
    seeds: { type: 'integer', min: 1, max: 100, description: 'seeds per grid point (default 1)' },
    'first-seed': { type: 'integer', min: 0, max: 2 ** 31 - 101, description: 'the seeds are this one and the next ones (default 1)' },
    name: { type: 'string', placeholder: 'NAME', description: 'a name for the sweep (default: its axes)' },
    tag: { type: 'string', multiple: true, placeholder: 'K=V', description: 'a tag for every run of the sweep; repeatable' },
    'run-now': {
      type: 'boolean',
      description: 'train the queued runs here, one at a time in child processes, until the sweep has ended (else `digitlab serve` trains them)',
    },
  },
  async run({ options }, context) {
    const plan = planFrom(options);
    const tags = tagsFrom(options);
    const db = openStoreFor(options, context);
    try {
      const { sweep, runs } = launchSweep(db, { name: plan.name, axes: plan.axes, seeds: plan.seeds, params: plan.runs, tags });
      context.stderr.write(`sweep ${sweep.id} (${sweep.name}): queued ${runs.length} runs, ${runs[0]!.id} to ${runs.at(-1)!.id}\n`);
      if (!options['run-now']) {
        if (options.json) printJson(context, { sweepId: sweep.id, name: sweep.name, runIds: runs.map((run) => run.id) });
        else context.stdout.write(`queued; \`digitlab serve\` trains them; \`digitlab sweep-results ${sweep.id}\` shows the table\n`);
        return 0;
      }
      const ended = await trainNow(db, runs, context);
      const results = sweepResults(db, sweep.id);
      if (options.json) printJson(context, { sweepId: sweep.id, name: sweep.name, runIds: runs.map((run) => run.id), ...results });
      else context.stdout.write(`${sweepResultsText(results)}\n`);
      return ended.some((run) => run.status === 'failed' || run.status === 'cancelled') ? 1 : 0;
    } finally {
      db.$client.close();
    }
  },
};
