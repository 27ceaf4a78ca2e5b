import { formatAugment } from '../data/augment/affine.ts';
import { modelNameOf, type Hyperparameters } from '../training/hyperparameters.ts';
import { notTrainedHere, trainedByDigitlab } from '../store/run-source.ts';
import { defaultMomentum } from '../training/recipe.ts';
import { RUN_FIELD_NAMES, RUN_FIELDS, type RunField } from '../training/run-request-fields.ts';
import type { Run } from '../store/store.ts';
import { flagLabel } from './format.ts';

export type HyperparameterFlag = RunField;

/** A split's limit; MNIST's sizes are known, another dataset's split is just "all". */
const images = (limit: number | null, all: number | null) =>
  limit !== null ? limit.toLocaleString('en-US') : all === null ? 'all' : `${all.toLocaleString('en-US')} (all)`;

/**
 * The value a run trained with for one field of its request, with what a default meant spelled out
 * (60,000 (all), adam, 0): a person reads the setting, never "default" or null.
 */
export function trainedValue(run: Run, flag: HyperparameterFlag): string {
  const hp = run.params as Hyperparameters;
  if (!trainedByDigitlab(run) && flag !== 'test-limit') return notTrainedHere(run);
  const optimizer = hp.optimizer ?? 'adam';
  switch (flag) {
    case 'dataset':
      // The run's own column: its params name no dataset when it is MNIST, the default.
      return run.dataset;
    case 'train-limit':
      return images(hp.trainLimit, run.dataset === 'mnist' ? 60_000 : null);
    case 'test-limit':
      return images(hp.testLimit, run.dataset === 'mnist' ? 10_000 : null);
    case 'augment-crossed-sevens':
      return String(hp.augmentCrossedSevens ?? 0);
    case 'threads':
      // Recorded when the run starts; a run that has not is yet to choose.
      return hp.workers !== undefined ? String(hp.workers) : run.startedAt ? '1' : 'chosen when it starts';
    case 'model':
      return modelNameOf(hp);
    case 'optimizer':
      return optimizer;
    case 'momentum':
      return optimizer === 'sgd' || optimizer === 'rmsprop' ? String(hp.momentum ?? defaultMomentum(optimizer)) : `none (${optimizer})`;
    case 'weight-decay':
      return String(hp.weightDecay ?? 0);
    case 'lr-schedule':
      return hp.lrSchedule ?? 'constant';
    case 'label-smoothing':
      return String(hp.labelSmoothing ?? 0);
    case 'early-stopping':
      return hp.earlyStopping === undefined ? 'off' : `after ${hp.earlyStopping} epochs without a lower validation loss`;
    case 'augment':
      return hp.augment ? formatAugment(hp.augment) : 'none';
    default:
      return String(hp[RUN_FIELDS[flag].param]);
  }
}

/** The settings of `flags` a run trained with, labelled as the launch form labels them. */
export const settingRows = (run: Run, flags: HyperparameterFlag[] = RUN_FIELD_NAMES) =>
  flags.map((flag): [string, string] => [flagLabel(flag), trainedValue(run, flag)]);

/**
 * What a sweep's runs all share, as its first run trained with it: every flag but the seeds and
 * the axes (`axes` by their names in a run's params).
 */
export function fixedSettingRows(run: Run, axes: string[]): [string, string][] {
  return settingRows(
    run,
    RUN_FIELD_NAMES.filter((flag) => flag !== 'seed' && !axes.includes(RUN_FIELDS[flag].param)),
  );
}

/** Every setting a run trained with, labelled as the launch form labels it; the fold runs of a training-set search add their labels and fold. */
export function hyperparameterRows(run: Run): [string, string][] {
  // A script elsewhere names its own params: they are its settings, shown as it sent them.
  if (run.source === 'tracked') return Object.entries(run.params as Record<string, unknown>).map(([key, value]) => [key, String(value)]);
  const hp = run.params as Hyperparameters;
  const rows = settingRows(run);
  if (run.source === 'imported') return rows;
  return [
    ...rows,
    ['Labels', hp.labels ?? 'original'],
    ['Exclude', hp.exclude ?? 'none'],
    ...(hp.folds === undefined ? [] : [['Fold', `${hp.fold! + 1} of ${hp.folds}`] as [string, string]]),
  ];
}
