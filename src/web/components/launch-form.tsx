import { DEFAULT_MODEL, MODEL_PRESETS, PRESET_NAMES } from '../../models/model-presets.ts';
import { REFERENCE_HYPERPARAMETERS } from '../../training/hyperparameters.ts';
import { defaultMomentum, OPTIMIZERS, type OptimizerName } from '../../training/recipe.ts';
import { describedWithDefault, RUN_FIELD_NAMES, RUN_FIELDS, type RunField } from '../../training/run-request-fields.ts';
import { flagLabel } from '../format.ts';
import {
  checkModelFields, CUSTOM_MODEL, type LaunchErrors, type LaunchField, type LaunchValues,
} from '../launch.ts';
import { ModelSummaryTable } from './model-summary.tsx';
import type { DatasetLookup } from '../../data/datasets/catalogue.ts';

function FieldError({ field, errors }: { field: LaunchField; errors: LaunchErrors }) {
  const message = errors[field];
  return message ? (
    <span class="field-error" id={`${field}-error`}>
      {message}
    </span>
  ) : (
    ''
  );
}

/** The momentum box's placeholder per optimizer ('' is the default, adam): what a blank box would train with. */
const MOMENTUM_PLACEHOLDERS = Object.fromEntries(
  ['', ...OPTIMIZERS].map((optimizer) => [
    optimizer,
    optimizer === 'sgd' || optimizer === 'rmsprop' ? String(defaultMomentum(optimizer)) : 'only for sgd or rmsprop',
  ]),
);

/** A blank field's placeholder: its default, which for momentum depends on the optimizer chosen (app.js keeps it in step). */
function placeholderOf(field: RunField, values: LaunchValues): string | undefined {
  if (field !== 'momentum') return RUN_FIELDS[field].default;
  return MOMENTUM_PLACEHOLDERS[(values.optimizer ?? '') as OptimizerName | ''] ?? MOMENTUM_PLACEHOLDERS['']!;
}

const invalidAttrs = (field: LaunchField, errors: LaunchErrors) => ({
  'aria-invalid': errors[field] ? 'true' : undefined,
  'aria-describedby': errors[field] ? `${field}-error` : undefined,
});

/** One field of a run request: a number box, a select for a choice or a dataset, a text box otherwise. */
function FlagField({ field, values, errors, datasets }: { field: RunField; values: LaunchValues; errors: LaunchErrors; datasets: string[] }) {
  const spec = RUN_FIELDS[field];
  const numeric = spec.type === 'integer' || spec.type === 'number';
  // A dataset typed by hand that the store does not know stays chosen, so its error shows beside it.
  const choices = field === 'dataset' ? [...datasets, ...(values.dataset && !datasets.includes(values.dataset) ? [values.dataset] : [])] : 'choices' in spec ? spec.choices : null;
  return (
    <label class={errors[field] ? 'field invalid' : 'field'}>
      <span class="label">{flagLabel(field)}</span>
      {numeric ? (
        <input
          type="number"
          name={field}
          value={values[field] ?? ''}
          min={String(spec.min)}
          max={String(spec.max)}
          step={spec.type === 'integer' ? '1' : 'any'}
          placeholder={placeholderOf(field, values)}
          data-placeholders={field === 'momentum' ? JSON.stringify(MOMENTUM_PLACEHOLDERS) : undefined}
          {...invalidAttrs(field, errors)}
        />
      ) : choices ? (
        <select name={field} {...invalidAttrs(field, errors)}>
          <option value="">default</option>
          {choices.map((choice) => (
            <option value={choice} selected={values[field] === choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input type="text" name={field} value={values[field] ?? ''} placeholder={'placeholder' in spec ? spec.placeholder : ''} {...invalidAttrs(field, errors)} />
      )}
      <span class="hint">
        {describedWithDefault(spec)}
        {numeric ? `; ${spec.min} to ${spec.max}` : ''}
      </span>
      <FieldError field={field} errors={errors} />
    </label>
  );
}

/**
 * What the model fields would train, checked on the server as the person types (htmx posts the
 * select and the editor to /models/check): its parameter count and summary, or what is wrong.
 */
export function ModelCheck({ values, datasets }: { values: LaunchValues; datasets?: DatasetLookup }) {
  const checked = checkModelFields(values, datasets);
  return (
    <div id="model-check" aria-live="polite">
      {checked.ok ? (
        <>
          <p class="model-count">
            <strong>{checked.model.name}</strong>: {checked.model.summary.totalParameters.toLocaleString('en-US')} parameters,{' '}
            {checked.model.spec.layers.length} layers
          </p>
          <details>
            <summary>Layers and spec</summary>
            <ModelSummaryTable summary={checked.model.summary} />
            <pre class="command">{JSON.stringify(checked.model.spec)}</pre>
          </details>
        </>
      ) : (
        <p class="field-error">{checked.error}</p>
      )}
    </div>
  );
}

/** The network: a preset, or a layers spec typed in the editor, checked as it is typed. */
function ModelFields({ values, errors }: { values: LaunchValues; errors: LaunchErrors }) {
  const chosen = values.model || DEFAULT_MODEL;
  return (
    <div
      class={errors.model || errors.spec ? 'field model-fields invalid' : 'field model-fields'}
      hx-post="/models/check"
      hx-trigger="change, input delay:400ms"
      hx-include="closest form"
      hx-target="#model-check"
      hx-swap="outerHTML"
    >
      <label class="field">
        <span class="label">Model</span>
        <select name="model" {...invalidAttrs('model', errors)}>
          {PRESET_NAMES.map((name) => (
            <option value={name} selected={chosen === name}>
              {name}
              {name === DEFAULT_MODEL ? ' (default)' : ''}: {MODEL_PRESETS[name].description}
            </option>
          ))}
          <option value={CUSTOM_MODEL} selected={chosen === CUSTOM_MODEL}>
            custom: the layers spec below
          </option>
        </select>
        <FieldError field="model" errors={errors} />
      </label>
      <label class="field">
        <span class="label">Layers spec (for "custom")</span>
        <textarea name="spec" rows={3} spellcheck={false} placeholder='{"layers":[{"type":"flatten"},{"type":"dense","units":10,"activation":"softmax"}]}' {...invalidAttrs('spec', errors)}>
          {values.spec ?? ''}
        </textarea>
        <span class="hint">conv2d, maxPooling2d, averagePooling2d, batchNormalization, dropout, flatten, globalAveragePooling2d, dense; input 28x28x1</span>
        <FieldError field="spec" errors={errors} />
      </label>
      <ModelCheck values={values} />
    </div>
  );
}

/**
 * Every field of a run request, plus name and tags; blank means the default.
 * A plain form post: the server answers 303 to the new run, or 422 with this form and its messages.
 */
export function LaunchForm({ values = {}, errors = {}, open, datasets = ['mnist'] }: { values?: LaunchValues; errors?: LaunchErrors; open: boolean; datasets?: string[] }) {
  const invalid = Object.keys(errors).length > 0;
  return (
    <details id="launch" class="card" open={open || invalid}>
      <summary>Launch a run</summary>
      <form method="post" action="/runs" class="launch-form">
        {invalid ? <p class="form-error">The run was not queued: fix the fields marked below.</p> : ''}
        <div class="fields">
          <label class={errors.name ? 'field wide invalid' : 'field wide'}>
            <span class="label">Name</span>
            <input type="text" name="name" value={values.name ?? ''} maxlength={200} placeholder="from the hyperparameters" />
            <FieldError field="name" errors={errors} />
          </label>
          <ModelFields values={values} errors={errors} />
          {RUN_FIELD_NAMES.filter((field) => field !== 'model').map((field) => (
            <FlagField field={field} values={values} errors={errors} datasets={datasets} />
          ))}
          <label class={errors.tags ? 'field wide invalid' : 'field wide'}>
            <span class="label">Tags</span>
            <textarea name="tags" rows={2} placeholder="key=value, one per line">
              {values.tags ?? ''}
            </textarea>
            <FieldError field="tags" errors={errors} />
          </label>
        </div>
        <button type="submit" class="primary">
          Queue run
        </button>
        <span class="muted">
          {' '}
          Empty fields take the defaults shown in them. An empty form trains the full reference experiment
          ({REFERENCE_HYPERPARAMETERS.epochs} epochs over all 60,000 images).
        </span>
      </form>
    </details>
  );
}
