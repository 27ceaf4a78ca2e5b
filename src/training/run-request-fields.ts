import { optionValueProblem, type OptionSpec } from '../core/command.ts';
import { DEFAULT_MODEL, PRESET_NAMES } from '../models/model-presets.ts';
import { REFERENCE_HYPERPARAMETERS, type Hyperparameters } from './hyperparameters.ts';
import { LR_SCHEDULES, OPTIMIZERS } from './recipe.ts';
import { MAX_WORKERS } from './steppers.ts';

export const MAX_SEED = 2 ** 31 - 1;

/**
 * One field of a run request: its kind and range (as an option spec, which the CLI's flags
 * take over), where it is recorded in a run's params, and what a blank field means.
 */
export type RunFieldSpec = OptionSpec & { param: keyof Hyperparameters; default: string };

const reference = REFERENCE_HYPERPARAMETERS;

/**
 * The hyperparameters a person sets, by the names the CLI flags, the launch form, POST /api/runs
 * and the sweep form all use; in the order the form shows them.
 */
export const RUN_FIELDS = {
  dataset: { type: 'string', placeholder: 'NAME', param: 'dataset', default: 'mnist', description: 'the dataset to train and test on: mnist, fashion-mnist or one registered (`digitlab datasets`)' },
  epochs: { type: 'integer', min: 1, max: 1000, param: 'epochs', default: String(reference.epochs), description: 'passes over the training set' },
  'batch-size': { type: 'integer', min: 1, max: 60000, param: 'batchSize', default: String(reference.batchSize), description: 'images per gradient step' },
  'validation-split': { type: 'number', min: 0, max: 0.9, placeholder: 'F', param: 'validationSplit', default: String(reference.validationSplit), description: 'fraction held out from the end of the training set' },
  'learning-rate': { type: 'number', min: 1e-7, max: 10, placeholder: 'LR', param: 'learningRate', default: String(reference.learningRate), description: 'step size of the optimizer: where step and cosine schedules start, where onecycle peaks' },
  seed: { type: 'integer', min: 0, max: MAX_SEED, param: 'seed', default: 'a random seed', description: 'makes initial weights and shuffling repeatable; recorded on the run' },
  'train-limit': { type: 'integer', min: 1, max: 60000, param: 'trainLimit', default: 'all 60,000', description: 'use only the first N training images' },
  'test-limit': { type: 'integer', min: 1, max: 10000, param: 'testLimit', default: 'all 10,000', description: 'use only the first N test images' },
  'augment-crossed-sevens': { type: 'number', min: 0, max: 1, placeholder: 'P', param: 'augmentCrossedSevens', default: '0', description: 'give this fraction of training sevens a synthetic crossing bar' },
  threads: { type: 'integer', min: 1, max: MAX_WORKERS, param: 'workers', default: 'one per core', description: 'threads that share each batch, wasm engine only; the count is recorded on the run' },
  model: { type: 'string', placeholder: 'NAME|FILE.json', param: 'model', default: DEFAULT_MODEL, description: `the network: a preset (${PRESET_NAMES.join(', ')}; \`digitlab models\`), a layers spec file, or a spec inline` },
  optimizer: { type: 'choice', choices: OPTIMIZERS, param: 'optimizer', default: 'adam', description: 'how the weights move' },
  momentum: { type: 'number', min: 0, max: 0.999, placeholder: 'M', param: 'momentum', default: '0.9 for sgd, 0 for rmsprop', description: 'momentum of sgd and rmsprop' },
  'weight-decay': { type: 'number', min: 0, max: 1, placeholder: 'WD', param: 'weightDecay', default: '0', description: 'L2 penalty added to the gradient; decoupled for adamw' },
  'lr-schedule': { type: 'choice', choices: LR_SCHEDULES, param: 'lrSchedule', default: 'constant', description: 'learning rate over the run: step (x0.1 at 1/2, x0.01 at 3/4), cosine to 0, or onecycle peaking at the learning rate' },
  'label-smoothing': { type: 'number', min: 0, max: 0.5, placeholder: 'S', param: 'labelSmoothing', default: '0', description: 'share of each target spread evenly over the classes' },
  'early-stopping': { type: 'integer', min: 1, max: 1000, param: 'earlyStopping', default: 'off', description: 'stop after N epochs without a lower validation loss and keep the best epoch' },
  augment: { type: 'string', placeholder: 'shift=2,rotate=10,scale=0.1,elastic=34', param: 'augment', default: 'none', description: 'random transforms of each training image, drawn anew per epoch from the seed: shift in px, rotate in degrees, scale as a fraction, elastic alpha' },
} as const satisfies Record<string, RunFieldSpec>;

export type RunField = keyof typeof RUN_FIELDS;
export const RUN_FIELD_NAMES = Object.keys(RUN_FIELDS) as RunField[];

/** Which training labels a run learns from; set by `train` (and the label audit), not by the forms. */
export const LABEL_FIELDS = {
  labels: { type: 'choice', choices: ['original', 'corrected'], param: 'labels', default: 'original', description: "training labels: the file's, or as the label decisions correct them" },
  exclude: { type: 'choice', choices: ['ambiguous'], param: 'exclude', default: 'none left out', description: 'leave out the training images the label decisions call ambiguous' },
} as const satisfies Record<string, RunFieldSpec>;

export type LabelField = keyof typeof LABEL_FIELDS;

/** A field's description with its default, as --help and the form's hint give it. */
export const describedWithDefault = (spec: RunFieldSpec) => `${spec.description} (default ${spec.default})`;

/**
 * A field's value from its raw form: text as typed or passed on a command line, or a JSON number
 * (checked as the number's text, so the same range and words apply). A string says why not,
 * phrased to follow the field's name ("must be ...").
 */
export function fieldValue(spec: OptionSpec, raw: string | number): { value: string | number } | { problem: string } {
  const text = typeof raw === 'number' ? String(raw) : raw.trim();
  const problem = optionValueProblem(spec, text);
  if (problem) return { problem };
  return { value: spec.type === 'integer' || spec.type === 'number' ? Number(text) : text };
}

/** The field a run's params key is set by (`learningRate` -> `learning-rate`), if any. */
export const fieldOfParam = (key: string) => RUN_FIELD_NAMES.find((field) => RUN_FIELDS[field].param === key);
