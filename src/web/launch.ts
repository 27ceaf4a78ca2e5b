import { optionValueProblem, UsageError, type OptionValues } from '../core/command.ts';
import {
  flagValue,
  HYPERPARAMETER_OPTIONS,
  hyperparametersFrom,
  paramKey,
  runNameFrom,
  tagsFrom,
} from '../cli/train-command.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import { resolveModel, type ResolvedModel } from '../cli/model-option.ts';
import { DEFAULT_MODEL, PRESET_NAMES } from '../models/model-presets.ts';

export type HyperparameterField = keyof typeof HYPERPARAMETER_OPTIONS;
/** `spec`: the layers spec typed in the editor, used when `model` is CUSTOM_MODEL. */
export type LaunchField = HyperparameterField | 'name' | 'tags' | 'spec';

/** The model select's choice that trains the spec in the editor. */
export const CUSTOM_MODEL = 'custom';

export const HYPERPARAMETER_FIELDS = Object.keys(HYPERPARAMETER_OPTIONS) as HyperparameterField[];
const LAUNCH_FIELDS: LaunchField[] = [...HYPERPARAMETER_FIELDS, 'name', 'tags', 'spec'];

/** What the person typed, kept as typed so a rejected form comes back as they left it. */
export type LaunchValues = Partial<Record<LaunchField, string>>;
export type LaunchErrors = Partial<Record<LaunchField, string>>;

export type LaunchRequest =
  | { ok: true; run: { name: string; params: Hyperparameters; tags: Record<string, string> } }
  | { ok: false; values: LaunchValues; errors: LaunchErrors };

/** The CLI's messages name the flag ("--tag takes ..."); beside a form field the name is redundant. */
export const withoutFlag = (err: unknown) => {
  if (!(err instanceof UsageError)) throw err;
  // An inline spec's message reads "--model spec: layers[0] ...".
  return err.message.replace(/^--[\w-]+ (spec: )?/, '');
};

/** The flag a CLI message is about: the one it names first (--momentum applies to ...). */
export const flagNamedIn = (err: unknown) => (err instanceof UsageError ? /^--([\w-]+)/.exec(err.message)?.[1] : undefined);

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
  for (const field of LAUNCH_FIELDS) {
    if (typeof body[field] === 'string') values[field] = body[field].trim();
  }
  const errors: LaunchErrors = {};
  const options: OptionValues = {};
  for (const field of HYPERPARAMETER_FIELDS) {
    const raw = values[field];
    const spec = HYPERPARAMETER_OPTIONS[field];
    if (!raw || field === 'model') continue;
    const problem = optionValueProblem(spec, raw);
    if (problem) errors[field] = problem;
    else options[field] = spec.type === 'integer' || spec.type === 'number' ? Number(raw) : raw;
  }
  const custom = values.model === CUSTOM_MODEL;
  const modelProblem = custom ? modelSpecProblem(values.spec) : modelChoiceProblem(values.model);
  if (modelProblem) errors[custom ? 'spec' : 'model'] = modelProblem;
  // Only a preset's name or a spec inline: `--model FILE.json` would read the server's files.
  else options.model = custom ? values.spec : values.model || DEFAULT_MODEL;
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
    return { ok: false, values, errors: { [fieldOfError(err, custom)]: withoutFlag(err) } };
  }
  try {
    return { ok: true, run: { name: runNameFrom({ name: values.name || undefined }, params), params, tags } };
  } catch (err) {
    return { ok: false, values, errors: { name: withoutFlag(err) } };
  }
}

export type JsonLaunchRequest = Extract<LaunchRequest, { ok: true }> | { ok: false; errors: Record<string, string> };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a JSON key is not a launch field: most likely a run's params name (learningRate) for its flag. */
function unknownFieldProblem(key: string): string {
  const flag = HYPERPARAMETER_FIELDS.find((field) => paramKey(field) === key);
  return flag ? `not a field; did you mean '${flag}'?` : `not a field; the fields are ${LAUNCH_FIELDS.join(', ')}`;
}

/** One JSON value as the form's text: a number as typed, tags as key=value lines, a spec object as its JSON. */
function formTextOf(field: LaunchField, value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && field !== 'tags') return String(value);
  if (field === 'tags' && isObject(value) && Object.values(value).every((v) => typeof v === 'string')) {
    return Object.entries(value).map(([key, v]) => `${key}=${v}`).join('\n');
  }
  if (field === 'spec' && isObject(value)) return JSON.stringify(value);
  return null;
}

/**
 * A launch from JSON (POST /api/runs): the form's fields by the same names, turned into the text a
 * person would type and checked by parseLaunchForm, so a script gets the form's rules and words.
 * A spec without a model means the spec.
 */
export function parseLaunchJson(body: Record<string, unknown>): JsonLaunchRequest {
  const fields: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = LAUNCH_FIELDS.find((name) => name === key);
    const text = field ? formTextOf(field, value) : null;
    if (!field) errors[key] = unknownFieldProblem(key);
    else if (text === null) errors[key] = field === 'tags' ? 'must be an object of key to text value, or key=value lines' : 'must be a number or a string';
    else fields[key] = text;
  }
  if (fields.spec !== undefined && fields.model === undefined) fields.model = CUSTOM_MODEL;
  const request = parseLaunchForm(fields);
  if (request.ok && Object.keys(errors).length === 0) return request;
  return { ok: false, errors: { ...(request.ok ? {} : request.errors), ...errors } };
}

const modelChoiceProblem = (model: string | undefined) =>
  !model || (PRESET_NAMES as string[]).includes(model) ? null : `must be one of ${[...PRESET_NAMES, CUSTOM_MODEL].join(', ')}; got '${model}'`;

const modelSpecProblem = (spec: string | undefined) =>
  spec?.startsWith('{') ? null : 'type a layers spec: {"layers": [...]}, its last layer {"type":"dense","units":10,"activation":"softmax"}';

/** The field a checked-together flag's message belongs beside: the flag it names first (--momentum ...). */
function fieldOfError(err: unknown, customModel: boolean): LaunchField {
  const flag = flagNamedIn(err);
  if (flag === 'model') return customModel ? 'spec' : 'model';
  return (HYPERPARAMETER_FIELDS as string[]).includes(flag ?? '') ? (flag as LaunchField) : 'validation-split';
}

/**
 * The model fields as the editor checks them while the person types: the network they would
 * train, or why it cannot (the same words `train --model` exits 2 with).
 */
export function checkModelFields(values: LaunchValues): { ok: true; model: ResolvedModel } | { ok: false; error: string } {
  const custom = values.model === CUSTOM_MODEL;
  const problem = custom ? modelSpecProblem(values.spec) : modelChoiceProblem(values.model);
  if (problem) return { ok: false, error: problem };
  try {
    return { ok: true, model: resolveModel(custom ? values.spec : values.model || DEFAULT_MODEL) };
  } catch (err) {
    return { ok: false, error: withoutFlag(err) };
  }
}

/**
 * The launch form filled in with a run's settings and tags, for "rerun with these settings": each
 * field as `train` would be given it to reproduce the run (a non-preset network goes to the editor).
 */
export function launchValuesOf(params: Hyperparameters, tags: Record<string, string>): LaunchValues {
  const values: LaunchValues = {};
  for (const field of HYPERPARAMETER_FIELDS) {
    const value = flagValue(params, field);
    if (value !== null) values[field] = value;
  }
  if (values.model?.startsWith('{')) [values.model, values.spec] = [CUSTOM_MODEL, values.model];
  values.tags = Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  return values;
}
