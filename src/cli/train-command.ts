import { randomInt } from 'node:crypto';
import { formatAugment, parseAugment } from '../data/augment/affine.ts';
import { BACKEND_CHOICES, BackendUnavailableError, selectBackend, type BackendChoice } from '../training/backend.ts';
import { modelNameOf, modelSpecOf, REFERENCE_HYPERPARAMETERS, trainingImages, type Hyperparameters } from '../training/hyperparameters.ts';
import { DEFAULT_MODEL, PRESET_NAMES } from '../models/model-presets.ts';
import { LR_SCHEDULES, OPTIMIZERS, type LrSchedule, type OptimizerName } from '../training/recipe.ts';
import { MAX_WORKERS } from '../training/steppers.ts';
import { createRun } from '../store/store.ts';
import { UsageError, type Command, type OptionValues } from '../core/command.ts';
import { isPresetSpec, MAX_MODEL_MEMORY_OPTION, resolveModel } from './model-option.ts';
import { trainClaimedRun } from './run-training.ts';
import { openStoreFor } from '../store/open-store.ts';

const MAX_SEED = 2 ** 31 - 1;

/** The hyperparameter flags, shared by every command that launches runs. */
export const HYPERPARAMETER_OPTIONS = {
  epochs: { type: 'integer', min: 1, max: 1000, description: `passes over the training set (default ${REFERENCE_HYPERPARAMETERS.epochs})` },
  'batch-size': { type: 'integer', min: 1, max: 60000, description: `images per gradient step (default ${REFERENCE_HYPERPARAMETERS.batchSize})` },
  'validation-split': { type: 'number', min: 0, max: 0.9, placeholder: 'F', description: `fraction held out from the end of the training set (default ${REFERENCE_HYPERPARAMETERS.validationSplit})` },
  'learning-rate': { type: 'number', min: 1e-7, max: 10, placeholder: 'LR', description: `step size of the optimizer: where step and cosine schedules start, where onecycle peaks (default ${REFERENCE_HYPERPARAMETERS.learningRate})` },
  seed: { type: 'integer', min: 0, max: MAX_SEED, description: 'makes initial weights and shuffling repeatable (default: a random seed, recorded)' },
  'train-limit': { type: 'integer', min: 1, max: 60000, description: 'use only the first N training images (default all 60,000)' },
  'test-limit': { type: 'integer', min: 1, max: 10000, description: 'use only the first N test images (default all 10,000)' },
  'augment-crossed-sevens': { type: 'number', min: 0, max: 1, placeholder: 'P', description: 'give this fraction of training sevens a synthetic crossing bar (default 0)' },
  workers: { type: 'integer', min: 1, max: MAX_WORKERS, description: 'worker threads that share each batch, wasm engine only (default: one per core, recorded on the run)' },
  model: { type: 'string', placeholder: 'NAME|FILE.json', description: `the network: a preset (${PRESET_NAMES.join(', ')}; \`digitlab models\`), a layers spec file, or a spec inline (default ${DEFAULT_MODEL})` },
  optimizer: { type: 'choice', choices: OPTIMIZERS, description: 'how the weights move (default adam)' },
  momentum: { type: 'number', min: 0, max: 0.999, placeholder: 'M', description: 'momentum of sgd (default 0.9) and rmsprop (default 0)' },
  'weight-decay': { type: 'number', min: 0, max: 1, placeholder: 'WD', description: 'L2 penalty added to the gradient; decoupled for adamw (default 0)' },
  'lr-schedule': { type: 'choice', choices: LR_SCHEDULES, description: 'learning rate over the run: step (x0.1 at 1/2, x0.01 at 3/4), cosine to 0, or onecycle peaking at the learning rate (default constant)' },
  'label-smoothing': { type: 'number', min: 0, max: 0.5, placeholder: 'S', description: 'share of each target spread evenly over the ten classes (default 0)' },
  'early-stopping': { type: 'integer', min: 1, max: 1000, description: 'stop after N epochs without a lower validation loss and keep the best epoch (default off)' },
  augment: { type: 'string', placeholder: 'shift=2,rotate=10,scale=0.1,elastic=34', description: 'random transforms of each training image, drawn anew per epoch from the seed: shift in px, rotate in degrees, scale as a fraction, elastic alpha (default none)' },
} as const satisfies Command['options'];

/** Which training labels a run learns from: the label decisions' corrections, and whether ambiguous images stay. */
export const LABEL_OPTIONS = {
  labels: { type: 'choice', choices: ['original', 'corrected'], description: "training labels: the file's, or as the label decisions correct them (default original)" },
  exclude: { type: 'choice', choices: ['ambiguous'], description: 'leave out the training images the label decisions call ambiguous (default: none left out)' },
} as const satisfies Command['options'];

/** The recipe flags, checked together: each only where it applies. */
function recipeFrom(options: OptionValues, validationSplit: number): Partial<Hyperparameters> {
  const optimizer = (options.optimizer as OptimizerName | undefined) ?? 'adam';
  const momentum = options.momentum as number | undefined;
  if (momentum !== undefined && optimizer !== 'sgd' && optimizer !== 'rmsprop') {
    throw new UsageError(`--momentum applies to --optimizer sgd or rmsprop, not ${optimizer}`);
  }
  const earlyStopping = options['early-stopping'] as number | undefined;
  if (earlyStopping !== undefined && validationSplit === 0) throw new UsageError('--early-stopping needs a --validation-split above 0');
  const schedule = options['lr-schedule'] as LrSchedule | undefined;
  let augment;
  if (typeof options.augment === 'string' && options.augment.trim() !== '') {
    augment = parseAugment(options.augment);
    if (typeof augment === 'string') throw new UsageError(`--augment ${augment}`);
  }
  // Only what differs from the reference recipe is recorded (see Hyperparameters).
  return {
    ...(optimizer !== 'adam' ? { optimizer } : {}),
    ...(momentum !== undefined ? { momentum } : {}),
    ...(options['weight-decay'] ? { weightDecay: options['weight-decay'] as number } : {}),
    ...(schedule && schedule !== 'constant' ? { lrSchedule: schedule } : {}),
    ...(options['label-smoothing'] ? { labelSmoothing: options['label-smoothing'] as number } : {}),
    ...(earlyStopping !== undefined ? { earlyStopping } : {}),
    ...(augment && Object.keys(augment).length > 0 ? { augment } : {}),
  };
}

export function hyperparametersFrom(options: OptionValues): Hyperparameters {
  const hp: Hyperparameters = {
    epochs: (options.epochs as number | undefined) ?? REFERENCE_HYPERPARAMETERS.epochs,
    batchSize: (options['batch-size'] as number | undefined) ?? REFERENCE_HYPERPARAMETERS.batchSize,
    validationSplit: (options['validation-split'] as number | undefined) ?? REFERENCE_HYPERPARAMETERS.validationSplit,
    learningRate: (options['learning-rate'] as number | undefined) ?? REFERENCE_HYPERPARAMETERS.learningRate,
    seed: (options.seed as number | undefined) ?? randomInt(MAX_SEED),
    trainLimit: (options['train-limit'] as number | undefined) ?? null,
    testLimit: (options['test-limit'] as number | undefined) ?? null,
    // Only when asked for, so that runs without it keep the params older runs have.
    ...(options['augment-crossed-sevens'] ? { augmentCrossedSevens: options['augment-crossed-sevens'] as number } : {}),
    // Absent: the run decides at its start, from the engine and the cores it may use.
    ...(options.workers !== undefined ? { workers: options.workers as number } : {}),
    ...(options.labels === 'corrected' ? { labels: 'corrected' as const } : {}),
    ...(options.exclude === 'ambiguous' ? { exclude: 'ambiguous' as const } : {}),
  };
  const model = resolveModel(options.model as string | undefined, {
    batchSize: hp.batchSize,
    maxModelMemory: options['max-model-memory'] as number | undefined,
  });
  if (model.name !== DEFAULT_MODEL || !isPresetSpec(DEFAULT_MODEL, model.spec)) {
    Object.assign(hp, { model: model.name, layers: model.spec.layers });
  }
  Object.assign(hp, recipeFrom(options, hp.validationSplit));
  const trainImages = trainingImages(hp);
  if (trainImages < 1) throw new UsageError('the validation split leaves no training images');
  if (hp.workers !== undefined && hp.workers > Math.min(hp.batchSize, trainImages)) {
    throw new UsageError(`--workers ${hp.workers} needs at least ${hp.workers} images per batch; --batch-size is ${hp.batchSize}`);
  }
  return hp;
}

/** Parses repeated `--tag key=value` flags. */
export function tagsFrom(options: OptionValues): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const raw of (options.tag as string[] | undefined) ?? []) {
    const match = /^([\w.-]{1,64})=(.{0,200})$/s.exec(raw);
    if (!match) throw new UsageError(`--tag takes key=value (key: letters, digits, _ . -); got '${raw}'`);
    tags[match[1]!] = match[2]!;
  }
  return tags;
}

export function defaultRunName(hp: Hyperparameters): string {
  const model = hp.model ?? 'cnn';
  const limits = hp.trainLimit || hp.testLimit ? `-n${hp.trainLimit ?? 'all'}` : '';
  const crossed = hp.augmentCrossedSevens ? `-x7_${hp.augmentCrossedSevens}` : '';
  const labels = `${hp.labels === 'corrected' ? '-relabelled' : ''}${hp.exclude === 'ambiguous' ? '-noambiguous' : ''}`;
  const fold = hp.folds === undefined ? '' : `-fold${hp.fold! + 1}of${hp.folds}`;
  const recipe = [hp.optimizer, hp.lrSchedule, hp.augment ? 'aug' : undefined].filter(Boolean).map((part) => `-${part}`).join('');
  return `${model}-e${hp.epochs}-b${hp.batchSize}-lr${hp.learningRate}${recipe}${limits}${crossed}${labels}${fold}-s${hp.seed}`;
}

const shellQuote = (value: string) => (/^[\w.,=/:+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * A flag's value as `train` takes it for a run's hyperparameters, or null where the run used
 * the default. A network that is not exactly its preset goes inline, so no file is needed.
 */
export function flagValue(hp: Hyperparameters, flag: keyof typeof HYPERPARAMETER_OPTIONS): string | null {
  switch (flag) {
    case 'model': {
      const name = modelNameOf(hp);
      if (name === DEFAULT_MODEL && !hp.layers) return null;
      return isPresetSpec(name, modelSpecOf(hp)) ? name : JSON.stringify(modelSpecOf(hp));
    }
    case 'augment':
      return hp.augment ? formatAugment(hp.augment) : null;
    default: {
      const recorded = hp[paramKey(flag)];
      return recorded == null ? null : String(recorded);
    }
  }
}

/** The `train` flags that reproduce a run's hyperparameters: the "train it again" command. */
export function trainFlags(hp: Hyperparameters): string[] {
  return (Object.keys(HYPERPARAMETER_OPTIONS) as (keyof typeof HYPERPARAMETER_OPTIONS)[]).flatMap((flag) => {
    const v = flagValue(hp, flag);
    return v === null ? [] : [`--${flag}`, shellQuote(v)];
  });
}

/** `learning-rate` -> `learningRate`: a flag's name in a run's params. */
export const paramKey = (flag: string) => flag.replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase()) as keyof Hyperparameters;

/** The --name flag, trimmed, or the default name from the hyperparameters. */
export function runNameFrom(options: OptionValues, hp: Hyperparameters): string {
  const name = ((options.name as string | undefined) ?? defaultRunName(hp)).trim();
  if (!name || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
  return name;
}

/** A forced engine that is missing, or workers on an engine that cannot share a batch, fail before a run is recorded. */
async function checkBackendFlags(backend: BackendChoice | undefined, hp: Hyperparameters): Promise<void> {
  if (hp.workers !== undefined && hp.workers > 1 && (backend === 'node' || backend === 'cpu')) {
    throw new UsageError(`--workers ${hp.workers} needs the wasm backend; --backend ${backend} trains on one thread (leave out --workers)`);
  }
  if (backend === undefined || backend === 'auto') return;
  try {
    await selectBackend(backend);
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw new UsageError(`${err.message}; use --backend auto, wasm or cpu`);
    throw err;
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a network (the reference CNN unless --model) on MNIST and record the run',
  positionals: [],
  options: {
    ...HYPERPARAMETER_OPTIONS,
    ...LABEL_OPTIONS,
    ...MAX_MODEL_MEMORY_OPTION,
    name: { type: 'string', placeholder: 'NAME', description: 'a name for the run (default: from its hyperparameters)' },
    tag: { type: 'string', multiple: true, placeholder: 'K=V', description: 'a tag for the run; repeatable' },
    backend: { type: 'choice', choices: BACKEND_CHOICES, description: 'training engine (default auto: node, else wasm, else cpu)' },
  },
  async run({ options }, context) {
    const hyperparameters = hyperparametersFrom(options);
    await checkBackendFlags(options.backend as BackendChoice | undefined, hyperparameters);
    const tags = tagsFrom(options);
    const name = runNameFrom(options, hyperparameters);
    const db = openStoreFor(options, context);
    const run = createRun(db, { name, params: hyperparameters, tags, status: 'running' });
    context.stderr.write(`run ${run.id} (${name}) started\n`);
    try {
      return await trainClaimedRun(db, run, options, context);
    } finally {
      db.$client.close();
    }
  },
};
