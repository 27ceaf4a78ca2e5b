import { randomInt } from 'node:crypto';
import { parseAugment, type AugmentSettings } from '../data/augment/affine.ts';
import { DEFAULT_MODEL } from '../models/model-presets.ts';
import { datasetLookup, DEFAULT_DATASET, type DatasetLookup } from '../data/datasets/catalogue.ts';
import { REFERENCE_HYPERPARAMETERS, trainingImages, type Hyperparameters } from './hyperparameters.ts';
import type { LrSchedule, OptimizerName } from './recipe.ts';
import { fieldValue, LABEL_FIELDS, MAX_SEED, RUN_FIELDS, type LabelField, type RunField, type RunFieldSpec } from './run-request-fields.ts';
import { isPresetSpec, resolveModel, type ModelFit } from './run-request-model.ts';
import { defaultRunName } from './run-request-naming.ts';

/**
 * What is wrong with one field of a run request: `problem` follows the field's name ("must be
 * ..."), so each front end puts it beside its field, or after its flag, in its own words.
 */
export interface FieldProblem {
  field: string;
  problem: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** A run's fields by name, as text (a form, a command line) or JSON numbers; blank or absent means the default. */
export type RunRequestValues = Partial<Record<RunField | LabelField, string | number>>;

export interface RunRequest {
  name: string;
  params: Hyperparameters;
  tags: Record<string, string>;
}

const FIELD_SPECS: Record<RunField | LabelField, RunFieldSpec> = { ...RUN_FIELDS, ...LABEL_FIELDS };

/** Every given field checked on its own: its value (a number for numeric fields), or its problem. */
function checkFields(values: RunRequestValues): { given: Partial<Record<RunField | LabelField, string | number>>; problems: FieldProblem[] } {
  const given: Partial<Record<RunField | LabelField, string | number>> = {};
  const problems: FieldProblem[] = [];
  for (const [field, raw] of Object.entries(values) as [RunField | LabelField, string | number | undefined][]) {
    if (raw === undefined || raw === '') continue;
    const checked = fieldValue(FIELD_SPECS[field], raw);
    if ('problem' in checked) problems.push({ field, problem: checked.problem });
    else given[field] = checked.value;
  }
  return { given, problems };
}

/** What a request is checked against beyond its own fields: the memory limit, the datasets known (default: the built-in ones). */
export interface RequestContext extends Pick<ModelFit, 'maxModelMemoryGb'> {
  datasets?: DatasetLookup;
}

/** The dataset field: a known dataset's name and its class count, or the problem. */
function checkDataset(name: string, datasets: DatasetLookup = datasetLookup(null)): { name: string; classes: number } | { problem: string } {
  const classNames = datasets.classNamesOf(name);
  if (!classNames) return { problem: `must name a known dataset (${datasets.names().join(', ')}); got '${name}' (digitlab datasets add NAME PATH registers one)` };
  return { name, classes: classNames.length };
}

/**
 * One field's value checked alone as a request checks it, the dataset looked up, the network
 * resolved and the augmentation parsed too: for front ends that check lists of values before
 * building requests (the sweep form), so those fields' problems come with every other field's at once.
 */
export function checkRunField(field: RunField, raw: string | number, context: RequestContext = {}): { value: string | number } | { problem: string } {
  const checked = fieldValue(RUN_FIELDS[field], raw);
  if ('problem' in checked) return checked;
  if (field === 'dataset') {
    const dataset = checkDataset(String(checked.value), context.datasets);
    if ('problem' in dataset) return dataset;
  }
  if (field === 'model') {
    const model = resolveModel(String(checked.value));
    if ('problem' in model) return model;
  }
  if (field === 'augment') {
    const augment = parseAugment(String(checked.value));
    if (typeof augment === 'string') return { problem: augment };
  }
  return checked;
}

/** The recipe's fields, recorded only where they differ from the reference, so runs without them keep the params older runs have. */
function recipeParams(given: Partial<Record<RunField, string | number>>, augment: AugmentSettings | undefined): Partial<Hyperparameters> {
  const optimizer = (given.optimizer as OptimizerName | undefined) ?? 'adam';
  const schedule = given['lr-schedule'] as LrSchedule | undefined;
  return {
    ...(optimizer !== 'adam' ? { optimizer } : {}),
    ...(given.momentum !== undefined ? { momentum: given.momentum as number } : {}),
    ...(given['weight-decay'] ? { weightDecay: given['weight-decay'] as number } : {}),
    ...(schedule && schedule !== 'constant' ? { lrSchedule: schedule } : {}),
    ...(given['label-smoothing'] ? { labelSmoothing: given['label-smoothing'] as number } : {}),
    ...(given['early-stopping'] !== undefined ? { earlyStopping: given['early-stopping'] as number } : {}),
    ...(augment && Object.keys(augment).length > 0 ? { augment } : {}),
  };
}

/** The checks across fields, each problem beside the field that does not fit the others. */
function crossFieldProblems(hp: Hyperparameters): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // The label decisions and the crossed sevens are MNIST's: no other dataset has them.
  if (hp.dataset !== undefined) {
    if (hp.labels === 'corrected') problems.push({ field: 'labels', problem: `applies to mnist's label decisions, not dataset '${hp.dataset}'` });
    if (hp.exclude === 'ambiguous') problems.push({ field: 'exclude', problem: `applies to mnist's label decisions, not dataset '${hp.dataset}'` });
    if (hp.augmentCrossedSevens) problems.push({ field: 'augment-crossed-sevens', problem: `adds mnist's crossed sevens; dataset '${hp.dataset}' has none` });
  }
  const optimizer = hp.optimizer ?? 'adam';
  if (hp.momentum !== undefined && optimizer !== 'sgd' && optimizer !== 'rmsprop') {
    problems.push({ field: 'momentum', problem: `applies to the sgd and rmsprop optimizers, not ${optimizer}` });
  }
  if (hp.earlyStopping !== undefined && hp.validationSplit === 0) {
    problems.push({ field: 'early-stopping', problem: 'needs a validation split above 0' });
  }
  const trainImages = trainingImages(hp);
  if (trainImages < 1) {
    problems.push({ field: 'validation-split', problem: `leaves no training images of the ${hp.trainLimit ?? 60_000}` });
  } else if (hp.workers !== undefined && hp.workers > Math.min(hp.batchSize, trainImages)) {
    problems.push({ field: 'threads', problem: `needs at least ${hp.workers} images per batch, one per thread; the batch size is ${hp.batchSize}` });
  }
  return problems;
}

/**
 * A run's hyperparameters from its fields: the reference experiment's for blank ones, a random
 * seed (then recorded) if none is given, the dataset looked up, the network resolved and checked
 * against the dataset's class count. Every field is checked on its own first, then, if all pass,
 * the ones that must fit together.
 */
export function parseHyperparameters(values: RunRequestValues, context: RequestContext = {}): Checked<Hyperparameters> {
  const { given, problems } = checkFields(values);
  const dataset = checkDataset((given.dataset as string | undefined) ?? DEFAULT_DATASET, context.datasets);
  if ('problem' in dataset) problems.push({ field: 'dataset', problem: dataset.problem });
  const fit = 'problem' in dataset ? {} : { classes: dataset.classes, dataset: dataset.name };
  const model = resolveModel(given.model as string | undefined, { maxModelMemoryGb: context.maxModelMemoryGb, batchSize: given['batch-size'] as number | undefined, ...fit });
  if ('problem' in model) problems.push({ field: 'model', problem: model.problem });
  const augment = given.augment === undefined ? undefined : parseAugment(given.augment as string);
  if (typeof augment === 'string') problems.push({ field: 'augment', problem: augment });
  if (problems.length > 0 || 'problem' in model || typeof augment === 'string' || 'problem' in dataset) return { ok: false, problems };
  // In the order runs have always recorded them: a recipe's key is its params as JSON (seed-groups).
  // MNIST, the default, is left out, so runs on it keep the params (and keys) they always had.
  const hp: Hyperparameters = {
    ...(dataset.name !== DEFAULT_DATASET ? { dataset: dataset.name } : {}),
    epochs: (given.epochs as number | undefined) ?? REFERENCE_HYPERPARAMETERS.epochs,
    batchSize: (given['batch-size'] as number | undefined) ?? REFERENCE_HYPERPARAMETERS.batchSize,
    validationSplit: (given['validation-split'] as number | undefined) ?? REFERENCE_HYPERPARAMETERS.validationSplit,
    learningRate: (given['learning-rate'] as number | undefined) ?? REFERENCE_HYPERPARAMETERS.learningRate,
    seed: (given.seed as number | undefined) ?? randomInt(MAX_SEED),
    trainLimit: (given['train-limit'] as number | undefined) ?? null,
    testLimit: (given['test-limit'] as number | undefined) ?? null,
    ...(given['augment-crossed-sevens'] ? { augmentCrossedSevens: given['augment-crossed-sevens'] as number } : {}),
    // Absent: the run decides at its start, from the engine and the cores it may use.
    ...(given.threads !== undefined ? { workers: given.threads as number } : {}),
    ...(given.labels === 'corrected' ? { labels: 'corrected' as const } : {}),
    ...(given.exclude === 'ambiguous' ? { exclude: 'ambiguous' as const } : {}),
    ...(model.model.name !== DEFAULT_MODEL || !isPresetSpec(DEFAULT_MODEL, model.model.spec) ? { model: model.model.name, layers: model.model.spec.layers } : {}),
    ...recipeParams(given, augment),
  };
  const crossField = crossFieldProblems(hp);
  return crossField.length > 0 ? { ok: false, problems: crossField } : { ok: true, value: hp };
}

const TAG = /^([\w.-]{1,64})=(.{0,200})$/s;

/** Tags from `key=value` texts (a command line's repeated flag, the form's lines). */
export function parseTags(texts: string[]): Checked<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const text of texts) {
    const match = TAG.exec(text);
    if (!match) return { ok: false, problems: [{ field: 'tags', problem: `takes key=value (key: letters, digits, _ . -); got '${text}'` }] };
    tags[match[1]!] = match[2]!;
  }
  return { ok: true, value: tags };
}

/**
 * A control character (NUL, a newline, ...) or half of a surrogate pair: text that no page, log
 * line or CSV shows as it was meant, and that not every store keeps as it was given.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** The name given, trimmed, or (none given) the default name from the hyperparameters. */
export function parseRunName(given: string | undefined, hp: Hyperparameters): Checked<string> {
  const name = (given ?? defaultRunName(hp)).trim();
  if (!name || name.length > 200) return { ok: false, problems: [{ field: 'name', problem: 'must be 1 to 200 characters' }] };
  if (UNPRINTABLE.test(name)) {
    return { ok: false, problems: [{ field: 'name', problem: 'must be printable text: no control characters (such as NUL) and no lone surrogates' }] };
  }
  return { ok: true, value: name };
}

/** A whole run request: every field's problem at once, or the run to record. */
export function parseRunRequest(request: { values: RunRequestValues; name?: string; tags?: string[] } & RequestContext): Checked<RunRequest> {
  const params = parseHyperparameters(request.values, { maxModelMemoryGb: request.maxModelMemoryGb, datasets: request.datasets });
  const tags = parseTags(request.tags ?? []);
  const problems = [...(params.ok ? [] : params.problems), ...(tags.ok ? [] : tags.problems)];
  if (!params.ok || !tags.ok) return { ok: false, problems };
  const name = parseRunName(request.name, params.value);
  return name.ok ? { ok: true, value: { name: name.value, params: params.value, tags: tags.value } } : name;
}
