import { optionValueProblem, UsageError, type OptionValues } from '../experiments/cli/command.ts';
import {
  HYPERPARAMETER_OPTIONS,
  hyperparametersFrom,
  runNameFrom,
  tagsFrom,
} from '../experiments/cli/train-command.ts';
import type { Hyperparameters } from '../experiments/hyperparameters.ts';

export type HyperparameterField = keyof typeof HYPERPARAMETER_OPTIONS;
export type LaunchField = HyperparameterField | 'name' | 'tags';

export const HYPERPARAMETER_FIELDS = Object.keys(HYPERPARAMETER_OPTIONS) as HyperparameterField[];

/** What the person typed, kept as typed so a rejected form comes back as they left it. */
export type LaunchValues = Partial<Record<LaunchField, string>>;
export type LaunchErrors = Partial<Record<LaunchField, string>>;

export type LaunchRequest =
  | { ok: true; run: { name: string; params: Hyperparameters; tags: Record<string, string> } }
  | { ok: false; values: LaunchValues; errors: LaunchErrors };

/** The CLI's messages name the flag ("--tag takes ..."); beside a form field the name is redundant. */
const withoutFlag = (err: unknown) => {
  if (!(err instanceof UsageError)) throw err;
  return err.message.replace(/^--[\w-]+ /, '');
};

/** One tag from the run page's key and value fields, by the CLI's rule; a string says why not. */
export function checkTag(key: string, value: string): string | null {
  try {
    tagsFrom({ tag: [`${key}=${value}`] });
    return null;
  } catch (err) {
    return withoutFlag(err);
  }
}

/**
 * Checks the launch form with the train command's own ranges and parsers, so the web and the CLI
 * accept exactly the same runs. A blank field means the CLI's default.
 */
export function parseLaunchForm(body: Record<string, unknown>): LaunchRequest {
  const values: LaunchValues = {};
  for (const field of [...HYPERPARAMETER_FIELDS, 'name', 'tags'] as const) {
    if (typeof body[field] === 'string') values[field] = body[field].trim();
  }
  const errors: LaunchErrors = {};
  const options: OptionValues = {};
  for (const field of HYPERPARAMETER_FIELDS) {
    const raw = values[field];
    const spec = HYPERPARAMETER_OPTIONS[field];
    // The form has number fields only so far; --model would read server files, so it is not taken here.
    if (!raw || (spec.type !== 'integer' && spec.type !== 'number')) continue;
    const problem = optionValueProblem(spec, raw);
    if (problem) errors[field] = problem;
    else options[field] = Number(raw);
  }
  let tags: Record<string, string> = {};
  try {
    tags = tagsFrom({ tag: (values.tags ?? '').split('\n').map((line) => line.trim()).filter(Boolean) });
  } catch (err) {
    errors.tags = withoutFlag(err);
  }
  if (Object.keys(errors).length > 0) return { ok: false, values, errors };
  let params: Hyperparameters;
  try {
    params = hyperparametersFrom(options);
  } catch (err) {
    return { ok: false, values, errors: { 'validation-split': withoutFlag(err) } };
  }
  try {
    return { ok: true, run: { name: runNameFrom({ name: values.name || undefined }, params), params, tags } };
  } catch (err) {
    return { ok: false, values, errors: { name: withoutFlag(err) } };
  }
}
