import type { OptionSpec } from '../../core/command.ts';
import { formatAugment } from '../../data/augment/affine.ts';
import { modelNameOf, type Hyperparameters } from '../../training/hyperparameters.ts';
import { describedWithDefault, fieldValue, RUN_FIELD_NAMES, RUN_FIELDS, type RunField } from '../../training/run-request-fields.ts';
import { checkRunField, parseHyperparameters, type FieldProblem, type RequestContext } from '../../training/run-request.ts';
import { defaultRunName } from '../../training/run-request-naming.ts';
import { consecutiveSeeds, gridPoints, gridSize } from './grid.ts';

/** A typo like --seeds 100 --learning-rate 1e-4,3e-4,1e-3,3e-3 should not queue hours of training unasked. */
export const MAX_SWEEP_RUNS = 200;

type GridField = Exclude<RunField, 'seed'>;
export const GRID_FIELDS = RUN_FIELD_NAMES.filter((field): field is GridField => field !== 'seed');

/** The augment field's own values hold commas, so its list of values is split on ';'. */
const listSeparator = (field: string) => (field === 'augment' ? ';' : ',');

/** The fields that define a sweep, for the CLI's flags and the web form alike. */
export const SWEEP_OPTIONS: Record<string, OptionSpec> = {
  ...Object.fromEntries(
    GRID_FIELDS.map((field): [string, OptionSpec] => [
      field,
      {
        type: 'string',
        placeholder: `V[${listSeparator(field)}V...]`,
        description: `${describedWithDefault(RUN_FIELDS[field])}; several values${field === 'augment' ? ", separated by ';'," : ''} make it an axis of the grid`,
      },
    ]),
  ),
  seeds: { type: 'integer', min: 1, max: 100, description: 'seeds per grid point (default 1)' },
  'first-seed': { type: 'integer', min: 0, max: 2 ** 31 - 101, description: 'the seeds are this one and the next ones (default 1)' },
  name: { type: 'string', placeholder: 'NAME', description: 'a name for the sweep (default: its axes)' },
};

/** A sweep's fields by name: text from a form or command line, the seed counts perhaps as numbers. */
export type SweepValues = Partial<Record<string, string | number>>;

/** What is wrong with a sweep: beside a field, or (field null) with the grid as a whole. */
export type SweepProblem = FieldProblem | { field: null; problem: string };

export interface SweepPlan {
  name: string;
  /** The hyperparameters given more than one value, by their name in a run's params, each value as axisValue gives it. */
  axes: Record<string, AxisValue[]>;
  seeds: number[];
  runs: { name: string; params: Hyperparameters }[];
}

/** A number, or the name of a choice (a model preset, an optimizer, `shift=2,rotate=10`). */
export type AxisValue = number | string;

/** What a run that does not record a field used, where the table should name it. */
const AXIS_DEFAULTS: Record<string, AxisValue> = { dataset: 'mnist', optimizer: 'adam', lrSchedule: 'constant', earlyStopping: 'off', augment: 'none' };

/** A run's value on a sweep axis: what its params record, its network by name, or the field's default. */
export function axisValue(params: Hyperparameters, axis: string): AxisValue {
  if (axis === 'model') return modelNameOf(params);
  if (axis === 'augment' && params.augment) return formatAugment(params.augment);
  return ((params as unknown as Record<string, AxisValue | undefined>)[axis] ?? AXIS_DEFAULTS[axis] ?? 0) as AxisValue;
}

/** A field's list of values, each checked as a run request checks the field, so ranges and words match `train`. */
export function axisValuesOf(field: GridField, raw: string, context: RequestContext = {}): { values: AxisValue[] } | { problem: string } {
  const values: AxisValue[] = [];
  for (const part of raw.split(listSeparator(field))) {
    const checked = checkRunField(field, part, context);
    if ('problem' in checked) return checked;
    values.push(checked.value);
  }
  return { values: [...new Set(values)] };
}

/** Each field's values on its own: the grid's lists and seed settings, or every field's problem. */
function checkSweepFields(values: SweepValues, context: RequestContext) {
  const problems: SweepProblem[] = [];
  const lists: Partial<Record<GridField, AxisValue[]>> = {};
  for (const field of GRID_FIELDS) {
    const raw = values[field];
    if (raw === undefined || raw === '') continue;
    const checked = axisValuesOf(field, String(raw), context);
    if ('problem' in checked) problems.push({ field, problem: checked.problem });
    else lists[field] = checked.values;
  }
  const count = (field: 'seeds' | 'first-seed', fallback: number) => {
    const raw = values[field];
    if (raw === undefined || raw === '') return fallback;
    const checked = fieldValue(SWEEP_OPTIONS[field]!, raw);
    if ('problem' in checked) problems.push({ field, problem: checked.problem });
    return 'value' in checked ? (checked.value as number) : fallback;
  };
  const seeds = consecutiveSeeds(count('first-seed', 1), count('seeds', 1));
  return { problems, lists, seeds };
}

/**
 * The runs a sweep would queue, every one checked as a run request, or what is wrong with it.
 * `context.datasets`: the datasets the store knows (default: the built-in ones); `dataset` is an axis as any field.
 */
export function planSweep(values: SweepValues, context: RequestContext = {}): { ok: true; plan: SweepPlan } | { ok: false; problems: SweepProblem[] } {
  const { problems, lists, seeds } = checkSweepFields(values, context);
  if (problems.length > 0) return { ok: false, problems };
  const grid = { ...lists, seed: seeds };
  const size = gridSize(grid);
  if (size > MAX_SWEEP_RUNS) return { ok: false, problems: [{ field: null, problem: `the grid has ${size} runs; at most ${MAX_SWEEP_RUNS} are queued at once` }] };
  const runs: SweepPlan['runs'] = [];
  for (const point of gridPoints(grid)) {
    const params = parseHyperparameters(point, context);
    // The first run that cannot be trained says why; the others would mostly repeat it.
    if (!params.ok) return params;
    runs.push({ name: defaultRunName(params.value), params: params.value });
  }
  // As the runs record them (a spec file by its name, a default by its name), in the order given.
  const axes = Object.fromEntries(
    (Object.entries(lists) as [GridField, AxisValue[]][])
      .filter(([, list]) => list.length > 1)
      .map(([field]) => {
        const param = RUN_FIELDS[field].param;
        return [param, [...new Set(runs.map((run) => axisValue(run.params, param)))]];
      }),
  );
  const described = Object.entries(axes).map(([axis, list]) => `${axis} ${list.join(',')}`);
  const name = ((values.name as string | undefined) || [...described, `${seeds.length} seed(s)`].join(' x ')).trim();
  if (!name || name.length > 200) return { ok: false, problems: [{ field: 'name', problem: 'must be 1 to 200 characters' }] };
  return { ok: true, plan: { name, axes, seeds, runs } };
}
