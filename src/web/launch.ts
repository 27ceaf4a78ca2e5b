import type { Hyperparameters } from '../training/hyperparameters.ts';
import { fieldOfParam, RUN_FIELD_NAMES, type RunField } from '../training/run-request-fields.ts';
import { resolveModel, type ResolvedModel } from '../training/run-request-model.ts';
import { requestValueOf } from '../training/run-request-naming.ts';
import { parseRunRequest, parseTags, type RunRequest } from '../training/run-request.ts';
import { DEFAULT_MODEL, PRESET_NAMES } from '../models/model-presets.ts';
import { datasetLookup, type DatasetLookup } from '../data/datasets/catalogue.ts';

/** `spec`: the layers spec typed in the editor, used when `model` is CUSTOM_MODEL. */
export type LaunchField = RunField | 'name' | 'tags' | 'spec';

/** The model select's choice that trains the spec in the editor. */
export const CUSTOM_MODEL = 'custom';

const LAUNCH_FIELDS: LaunchField[] = [...RUN_FIELD_NAMES, 'name', 'tags', 'spec'];

/** What the person typed, kept as typed so a rejected form comes back as they left it. */
export type LaunchValues = Partial<Record<LaunchField, string>>;
export type LaunchErrors = Partial<Record<LaunchField, string>>;

export type LaunchRequest = { ok: true; run: RunRequest } | { ok: false; values: LaunchValues; errors: LaunchErrors };

/** One tag from the run page's key and value fields, by the run request's rule; a string says why not. */
export function checkTag(key: string, value: string): string | null {
  const checked = parseTags([`${key}=${value}`]);
  return checked.ok ? null : checked.problems[0]!.problem;
}

/**
 * Checks the launch form as a run request, so the web and the CLI accept exactly the same runs.
 * A blank field means the default. Only a preset's name or a spec inline is taken as the model:
 * a file's name would read the server's files. `datasets`: those the server's store knows.
 */
export function parseLaunchForm(body: Record<string, unknown>, datasets: DatasetLookup = datasetLookup(null)): LaunchRequest {
  const values: LaunchValues = {};
  for (const field of LAUNCH_FIELDS) {
    if (typeof body[field] === 'string') values[field] = body[field].trim();
  }
  const custom = values.model === CUSTOM_MODEL;
  const modelField = custom ? 'spec' : 'model';
  const modelProblem = custom ? modelSpecProblem(values.spec) : modelChoiceProblem(values.model);
  const fields: Partial<Record<RunField, string>> = {};
  for (const field of RUN_FIELD_NAMES) if (values[field]) fields[field] = values[field];
  fields.model = modelProblem ? undefined : custom ? values.spec : values.model || DEFAULT_MODEL;
  const tags = (values.tags ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  const request = parseRunRequest({ values: fields, name: values.name || undefined, tags, datasets });
  const errors: LaunchErrors = modelProblem ? { [modelField]: modelProblem } : {};
  if (request.ok && !modelProblem) return { ok: true, run: request.value };
  for (const { field, problem } of request.ok ? [] : request.problems) {
    const shownBeside = field === 'model' ? modelField : (field as LaunchField);
    errors[shownBeside] ??= problem;
  }
  return { ok: false, values, errors };
}

export type JsonLaunchRequest = Extract<LaunchRequest, { ok: true }> | { ok: false; errors: Record<string, string> };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a JSON key is not a launch field: most likely a run's params name (learningRate) for its flag. */
function unknownFieldProblem(key: string): string {
  const flag = fieldOfParam(key);
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

/** `workers` was the threads field's name before remote workers came; scripts that send it still launch. */
const FORMER_NAMES: Record<string, LaunchField> = { workers: 'threads' };

/**
 * A launch from JSON (POST /api/runs): the form's fields by the same names, turned into the text a
 * person would type and checked by parseLaunchForm, so a script gets the form's rules and words.
 * A spec without a model means the spec. A field sent by its former name has its problem under that name.
 */
export function parseLaunchJson(body: Record<string, unknown>, datasets: DatasetLookup = datasetLookup(null)): JsonLaunchRequest {
  // Without a prototype, a key such as `__proto__` (an own key of the parsed JSON) is recorded as
  // an unknown field, where `errors[key] = ...` on a plain object would set its prototype instead.
  const fields: Record<string, string> = Object.create(null);
  const errors: Record<string, string> = Object.create(null);
  const sentAs: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(body)) {
    const field = LAUNCH_FIELDS.find((name) => name === (Object.hasOwn(FORMER_NAMES, key) ? FORMER_NAMES[key] : key));
    const text = field ? formTextOf(field, value) : null;
    if (!field) errors[key] = unknownFieldProblem(key);
    else if (key !== field && Object.hasOwn(body, field)) errors[key] = `is the former name of ${field}; send one of them`;
    else if (text === null) errors[key] = field === 'tags' ? 'must be an object of key to text value, or key=value lines' : 'must be a number or a string';
    else [fields[field], sentAs[field]] = [text, key];
  }
  if (fields.spec !== undefined && fields.model === undefined) fields.model = CUSTOM_MODEL;
  const request = parseLaunchForm(fields, datasets);
  if (request.ok && Object.keys(errors).length === 0) return request;
  const formErrors = Object.entries(request.ok ? {} : request.errors).map(([field, problem]) => [sentAs[field] ?? field, problem]);
  return { ok: false, errors: { ...Object.fromEntries(formErrors), ...errors } };
}

const modelChoiceProblem = (model: string | undefined) =>
  !model || (PRESET_NAMES as string[]).includes(model) ? null : `must be one of ${[...PRESET_NAMES, CUSTOM_MODEL].join(', ')}; got '${model}'`;

const modelSpecProblem = (spec: string | undefined) =>
  spec?.startsWith('{') ? null : 'type a layers spec: {"layers": [...]}, its last layer {"type":"dense","units":10,"activation":"softmax"} (units: the dataset\'s class count)';

/**
 * The model fields as the editor checks them while the person types: the network they would
 * train, or why it cannot (the same words `train --model` exits 2 with).
 */
export function checkModelFields(values: LaunchValues, datasets: DatasetLookup = datasetLookup(null)): { ok: true; model: ResolvedModel } | { ok: false; error: string } {
  const custom = values.model === CUSTOM_MODEL;
  const problem = custom ? modelSpecProblem(values.spec) : modelChoiceProblem(values.model);
  if (problem) return { ok: false, error: problem };
  // Checked against the dataset chosen, when it is one the lookup knows (an unknown one is the dataset field's problem).
  const dataset = values.dataset || 'mnist';
  const classes = datasets.classNamesOf(dataset)?.length;
  const resolved = resolveModel(custom ? values.spec : values.model || DEFAULT_MODEL, classes === undefined ? {} : { classes, dataset });
  return 'model' in resolved ? { ok: true, model: resolved.model } : { ok: false, error: resolved.problem };
}

/**
 * The launch form filled in with a run's settings and tags, for "rerun with these settings": each
 * field as `train` would be given it to reproduce the run (a non-preset network goes to the editor).
 */
export function launchValuesOf(params: Hyperparameters, tags: Record<string, string>): LaunchValues {
  const values: LaunchValues = {};
  for (const field of RUN_FIELD_NAMES) {
    const value = requestValueOf(params, field);
    if (value !== null) values[field] = value;
  }
  if (values.model?.startsWith('{')) [values.model, values.spec] = [CUSTOM_MODEL, values.model];
  values.tags = Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  return values;
}
