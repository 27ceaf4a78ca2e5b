import { spreadText, type Spread } from '../../analysis/statistics/spread.ts';
import type { SweepResults } from '../../analysis/sweeps/sweep-results.ts';
import type { Sweep } from '../../analysis/sweeps/sweep-store.ts';
import { SWEEP_OPTIONS } from '../../analysis/sweeps/sweep-plan.ts';
import { isActive, StatusBadge } from '../components/status-badge.tsx';
import { Layout } from '../components/layout.tsx';
import { dateTime, fixed, percent } from '../format.ts';
import { LineChart } from '../components/line-chart.tsx';
import { COMPARE_STYLES } from './styles.ts';
import { sweepAxisChart } from './sweep-chart.ts';

/** What the person typed into the sweep form, kept so a refused form comes back as they left it. */
export type SweepFormValues = Partial<Record<string, string>>;
/** Why a field was refused, by field, to show beside it. */
export type SweepFormErrors = Partial<Record<string, string>>;

export interface SweepFormState {
  values?: SweepFormValues;
  errors?: SweepFormErrors;
  /** A refusal of the grid as a whole (its size), shown above the fields. */
  error?: string;
}

const spread = (s: Spread | null, format: (v: number) => string) => (s ? spreadText(s, format) : '–');

export function SweepForm({ values = {}, errors = {}, error }: SweepFormState) {
  return (
    <form id="sweep-form" method="post" action="/sweeps" class="sweep-form">
      <h2>Launch a sweep</h2>
      <p class="muted">Several comma-separated values make a hyperparameter an axis of the grid; blank fields take the defaults of `digitlab train`.</p>
      {error ? <p class="refused">{error}</p> : null}
      {Object.entries(SWEEP_OPTIONS).map(([field, spec]) => (
        <label class={errors[field] ? 'invalid' : undefined}>
          <span>{field}</span>
          <input
            name={field}
            value={values[field] ?? ''}
            placeholder={spec.type === 'string' ? spec.placeholder : undefined}
            aria-invalid={errors[field] ? 'true' : undefined}
            aria-describedby={errors[field] ? `${field}-error` : undefined}
          />
          <small class="muted">{spec.description}</small>
          {errors[field] ? (
            <span class="field-error" id={`${field}-error`}>
              {errors[field]}
            </span>
          ) : null}
        </label>
      ))}
      <button type="submit">Queue the sweep</button>
    </form>
  );
}

export function SweepsPage({ sweeps, form }: { sweeps: Sweep[]; form: SweepFormState }) {
  return (
    <Layout title="Sweeps">
      <style>{COMPARE_STYLES}</style>
      <h1>Sweeps</h1>
      {sweeps.length === 0 ? (
        <p class="muted">No sweeps yet.</p>
      ) : (
        <ul class="sweeps">
          {sweeps.map((sweep) => (
            <li>
              <a href={`/sweeps/${sweep.id}`}>
                sweep {sweep.id}: {sweep.name}
              </a>{' '}
              <span class="muted">{dateTime(sweep.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <SweepForm {...form} />
    </Layout>
  );
}

/** The table and plots; polls itself while any of the sweep's runs is queued or running. */
export function SweepResultsView({ results }: { results: SweepResults }) {
  const axes = Object.keys(results.sweep.axes);
  const poll = results.finished ? {} : { 'hx-get': `/sweeps/${results.sweep.id}/results`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' };
  const counts = Object.entries(results.counts).filter(([, n]) => n > 0);
  return (
    <div id="sweep-results" {...poll} data-finished={String(results.finished)}>
      <p>{counts.map(([status, n]) => `${n} ${status}`).join(', ')}</p>
      <table class="sweep-table compare-table">
        <thead>
          <tr>
            {axes.map((axis) => (
              <th>{axis}</th>
            ))}
            <th>test accuracy (mean ± sd)</th>
            <th>test loss (mean ± sd)</th>
            <th>runs</th>
          </tr>
        </thead>
        <tbody>
          {results.points.map((point) => (
            <tr>
              {axes.map((axis) => (
                <td class="num">{point.values[axis]}</td>
              ))}
              <td class="num">{spread(point.testAccuracy, (v) => percent(v))}</td>
              <td class="num">{spread(point.testLoss, (v) => fixed(v))}</td>
              <td>
                {point.runIds.map((id, i) => (
                  <span class="sweep-run">
                    <a href={`/runs/${id}`}>{id}</a> <StatusBadge status={point.statuses[i]!} />{' '}
                  </span>
                ))}
                {point.runIds.length > 1 && !point.statuses.some(isActive) ? <a href={`/compare?runs=${point.runIds.join(',')}`}>compare seeds</a> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="charts">
        {axes.map((axis) => (
          <LineChart {...sweepAxisChart(results, axis)} />
        ))}
      </div>
    </div>
  );
}

export function SweepPage({ results }: { results: SweepResults }) {
  return (
    <Layout title={`Sweep ${results.sweep.id}`}>
      <style>{COMPARE_STYLES}</style>
      <h1>
        Sweep {results.sweep.id}: {results.sweep.name}
      </h1>
      <p class="muted">
        Seeds {results.sweep.seeds.join(', ')}; created {dateTime(results.sweep.createdAt)}. <a href="/sweeps">All sweeps</a>
      </p>
      <SweepResultsView results={results} />
    </Layout>
  );
}
