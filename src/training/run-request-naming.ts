import { formatAugment } from '../data/augment/affine.ts';
import { DEFAULT_MODEL } from '../models/model-presets.ts';
import { modelNameOf, modelSpecOf, type Hyperparameters } from './hyperparameters.ts';
import { RUN_FIELDS, type RunField } from './run-request-fields.ts';
import { isPresetSpec } from './run-request-model.ts';

/** A run's name when none is given: what sets it apart, in a fixed order, ending with its seed. */
export function defaultRunName(hp: Hyperparameters): string {
  const model = hp.model ?? 'cnn';
  const limits = hp.trainLimit || hp.testLimit ? `-n${hp.trainLimit ?? 'all'}` : '';
  const crossed = hp.augmentCrossedSevens ? `-x7_${hp.augmentCrossedSevens}` : '';
  const labels = `${hp.labels === 'corrected' ? '-relabelled' : ''}${hp.exclude === 'ambiguous' ? '-noambiguous' : ''}`;
  const fold = hp.folds === undefined ? '' : `-fold${hp.fold! + 1}of${hp.folds}`;
  const recipe = [hp.optimizer, hp.lrSchedule, hp.augment ? 'aug' : undefined].filter(Boolean).map((part) => `-${part}`).join('');
  const dataset = hp.dataset ? `${hp.dataset}-` : '';
  return `${dataset}${model}-e${hp.epochs}-b${hp.batchSize}-lr${hp.learningRate}${recipe}${limits}${crossed}${labels}${fold}-s${hp.seed}`;
}

/**
 * A field's value as a run request takes it to reproduce a run's hyperparameters, or null where
 * the run used the default. A network that is not exactly its preset goes inline, so no file is needed.
 */
export function requestValueOf(hp: Hyperparameters, field: RunField): string | null {
  switch (field) {
    case 'model': {
      const name = modelNameOf(hp);
      if (name === DEFAULT_MODEL && !hp.layers) return null;
      return isPresetSpec(name, modelSpecOf(hp)) ? name : JSON.stringify(modelSpecOf(hp));
    }
    case 'augment':
      return hp.augment ? formatAugment(hp.augment) : null;
    default: {
      const recorded = hp[RUN_FIELDS[field].param];
      return recorded == null ? null : String(recorded);
    }
  }
}
