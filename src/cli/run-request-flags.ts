import { UsageError, type Command, type OptionSpec, type OptionValues } from '../core/command.ts';
import { describedWithDefault, LABEL_FIELDS, RUN_FIELD_NAMES, RUN_FIELDS, type LabelField, type RunFieldSpec } from '../training/run-request-fields.ts';
import { parseTags, type Checked, type RunRequestValues } from '../training/run-request.ts';

/** Request fields as flags: each one's kind and range, its description ending with its default. */
const optionsOf = <F extends string>(fields: Record<F, RunFieldSpec>) =>
  Object.fromEntries(
    Object.entries<RunFieldSpec>(fields).map(([field, spec]) => [field, { ...spec, description: describedWithDefault(spec) } as OptionSpec]),
  ) as Record<F, OptionSpec>;

/** The hyperparameter flags, one per field of a run request, shared by every command that launches runs. */
export const HYPERPARAMETER_OPTIONS = optionsOf(RUN_FIELDS);

/** Which training labels a run learns from: the label decisions' corrections, and whether ambiguous images stay. */
export const LABEL_OPTIONS = optionsOf(LABEL_FIELDS);

/** `--workers` was the threads flag's name before remote workers came; scripts that give it still work. */
export const workersAlias = (threads: OptionSpec) => ({ workers: { ...threads, description: 'the former name of --threads' } }) satisfies Command['options'];

/** The flag a request field is set by, where the two names differ. */
const FLAGS: Record<string, string> = { tags: 'tag' };

/** Problems from the run request as the CLI's usage error: each after the flag it is about, exit 2. */
export function usageErrorOf(problems: readonly { field: string | null; problem: string }[]): UsageError {
  return new UsageError(problems.map(({ field, problem }) => (field === null ? problem : `--${FLAGS[field] ?? field} ${problem}`)).join('\n'));
}

/** A checked value, or the usage error its problems make. */
export function valueOrExit<T>(checked: Checked<T>): T {
  if (!checked.ok) throw usageErrorOf(checked.problems);
  return checked.value;
}

/** The options with `--workers` read as `--threads`, which it stands for. */
export function withWorkersAsThreads(options: OptionValues): OptionValues {
  if (options.workers === undefined) return options;
  if (options.threads !== undefined) throw usageErrorOf([{ field: 'workers', problem: 'is the former name of --threads; give one of them' }]);
  const { workers, ...rest } = options;
  return { ...rest, threads: workers };
}

/** The request fields given on a command line. */
export function requestValuesFrom(options: OptionValues): RunRequestValues {
  const given = withWorkersAsThreads(options);
  const values: RunRequestValues = {};
  for (const field of [...RUN_FIELD_NAMES, ...(Object.keys(LABEL_FIELDS) as LabelField[])]) {
    const value = given[field];
    if (typeof value === 'string' || typeof value === 'number') values[field] = value;
  }
  return values;
}

/** Parses repeated `--tag key=value` flags. */
export const tagsFrom = (options: OptionValues) => valueOrExit(parseTags((options.tag as string[] | undefined) ?? []));
