import { HYPERPARAMETER_OPTIONS } from '../../experiments/cli/train-command.ts';
import { flagLabel } from '../format.ts';
import { HYPERPARAMETER_FIELDS, type HyperparameterField, type LaunchErrors, type LaunchField, type LaunchValues } from '../launch.ts';

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

/** The "(default ...)" the train command's --help gives a flag, up to its first remark, shown in its blank field. */
function defaultIn(description: string): string | undefined {
  return /\(default:? ([^)]*)\)/.exec(description)?.[1]?.split(/, (?=[a-z])/)[0];
}

function NumberField({ field, values, errors }: { field: HyperparameterField; values: LaunchValues; errors: LaunchErrors }) {
  const spec = HYPERPARAMETER_OPTIONS[field];
  if (spec.type !== 'integer' && spec.type !== 'number') return '';
  return (
    <label class={errors[field] ? 'field invalid' : 'field'}>
      <span class="label">{flagLabel(field)}</span>
      <input
        type="number"
        name={field}
        value={values[field] ?? ''}
        min={String(spec.min)}
        max={String(spec.max)}
        step={spec.type === 'integer' ? '1' : 'any'}
        placeholder={defaultIn(spec.description)}
        aria-invalid={errors[field] ? 'true' : undefined}
        aria-describedby={errors[field] ? `${field}-error` : undefined}
      />
      <span class="hint">
        {spec.description}; {spec.min} to {spec.max}
      </span>
      <FieldError field={field} errors={errors} />
    </label>
  );
}

/**
 * Every hyperparameter the `train` command takes, plus name and tags; blank means the CLI default.
 * A plain form post: the server answers 303 to the new run, or 422 with this form and its messages.
 */
export function LaunchForm({ values = {}, errors = {}, open }: { values?: LaunchValues; errors?: LaunchErrors; open: boolean }) {
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
          {HYPERPARAMETER_FIELDS.map((field) => (
            <NumberField field={field} values={values} errors={errors} />
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
          ({HYPERPARAMETER_OPTIONS.epochs.description.match(/default (\d+)/)?.[1]} epochs over all 60,000 images).
        </span>
      </form>
    </details>
  );
}
