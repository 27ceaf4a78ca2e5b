import { parseCommandLine, UsageError, type Command, type OptionSpec, type OptionValues } from '../../core/command.ts';
import { defaultRunName, HYPERPARAMETER_OPTIONS, hyperparametersFrom, paramKey } from '../../cli/train-command.ts';
import { formatAugment } from '../../data/augment/affine.ts';
import { modelNameOf, type Hyperparameters } from '../../training/hyperparameters.ts';
import { consecutiveSeeds, gridPoints, gridSize } from './grid.ts';

/** A typo like --seeds 100 --learning-rate 1e-4,3e-4,1e-3,3e-3 should not queue hours of training unasked. */
export const MAX_SWEEP_RUNS = 200;

type GridFlag = Exclude<keyof typeof HYPERPARAMETER_OPTIONS, 'seed'>;
export const GRID_FLAGS = Object.keys(HYPERPARAMETER_OPTIONS).filter((flag): flag is GridFlag => flag !== 'seed');

/** `--augment`'s own values hold commas, so its list of values is split on ';'. */
const listSeparator = (flag: string) => (flag === 'augment' ? ';' : ',');

/** The flags that define a sweep, for the CLI and the web form alike. */
export const SWEEP_OPTIONS: Record<string, OptionSpec> = {
  ...Object.fromEntries(
    GRID_FLAGS.map((flag): [string, OptionSpec] => [
      flag,
      {
        type: 'string',
        placeholder: `V[${listSeparator(flag)}V...]`,
        description: `${HYPERPARAMETER_OPTIONS[flag].description}; several values${flag === 'augment' ? ", separated by ';'," : ''} make it an axis of the grid`,
      },
    ]),
  ),
  seeds: { type: 'integer', min: 1, max: 100, description: 'seeds per grid point (default 1)' },
  'first-seed': { type: 'integer', min: 0, max: 2 ** 31 - 101, description: 'the seeds are this one and the next ones (default 1)' },
  name: { type: 'string', placeholder: 'NAME', description: 'a name for the sweep (default: its axes)' },
};

export interface SweepPlan {
  name: string;
  /** The hyperparameters given more than one value, by their name in a run's params, each value as axisValue gives it. */
  axes: Record<string, AxisValue[]>;
  seeds: number[];
  runs: { name: string; params: Hyperparameters }[];
}

/** A number, or the name of a choice (a model preset, an optimizer, `shift=2,rotate=10`). */
export type AxisValue = number | string;

/** What a run that does not record a flag used, where the table should name it. */
const AXIS_DEFAULTS: Record<string, AxisValue> = { optimizer: 'adam', lrSchedule: 'constant', earlyStopping: 'off', augment: 'none' };

/** A run's value on a sweep axis: what its params record, its network by name, or the flag's default. */
export function axisValue(params: Hyperparameters, axis: string): AxisValue {
  if (axis === 'model') return modelNameOf(params);
  if (axis === 'augment' && params.augment) return formatAugment(params.augment);
  return ((params as unknown as Record<string, AxisValue | undefined>)[axis] ?? AXIS_DEFAULTS[axis] ?? 0) as AxisValue;
}

/** Each value goes through the train flag's own check, so ranges and messages match `train`; throws UsageError. */
export function axisValuesOf(flag: GridFlag, raw: string): AxisValue[] {
  const check: Command = { name: 'sweep', summary: '', positionals: [], options: { [flag]: HYPERPARAMETER_OPTIONS[flag] }, run: async () => 0 };
  const values = raw.split(listSeparator(flag)).map((value) => parseCommandLine(check, [`--${flag}`, value.trim()]).options[flag] as AxisValue);
  return [...new Set(values)];
}

/** The runs a sweep would queue, every one checked as `train` checks its flags; throws UsageError naming the problem. */
export function planSweep(options: OptionValues): SweepPlan {
  const lists = Object.fromEntries(
    GRID_FLAGS.filter((flag) => options[flag] !== undefined && options[flag] !== '').map((flag) => [flag, axisValuesOf(flag, options[flag] as string)]),
  );
  const seeds = consecutiveSeeds((options['first-seed'] as number | undefined) ?? 1, (options.seeds as number | undefined) ?? 1);
  const grid = { ...lists, seed: seeds };
  const size = gridSize(grid);
  if (size > MAX_SWEEP_RUNS) throw new UsageError(`the grid has ${size} runs; at most ${MAX_SWEEP_RUNS} are queued at once`);
  const points = gridPoints(grid);
  const runs = points.map((point) => {
    const params = hyperparametersFrom(point);
    return { name: defaultRunName(params), params };
  });
  // As the runs record them (a spec file by its name, a default by its name), in the order given.
  const axes = Object.fromEntries(
    Object.entries(lists)
      .filter(([, values]) => values.length > 1)
      .map(([flag, values]) => [paramKey(flag), [...new Set(runs.map((run) => axisValue(run.params, paramKey(flag))))]]),
  );
  const described = Object.entries(axes).map(([axis, values]) => `${axis} ${values.join(',')}`);
  const name = ((options.name as string | undefined) || [...described, `${seeds.length} seed(s)`].join(' x ')).trim();
  if (!name || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
  return { name, axes, seeds, runs };
}
