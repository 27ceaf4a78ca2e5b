import { spreadText, type Spread } from '../../analysis/statistics/spread.ts';
import type { SweepResults } from '../../analysis/sweeps/sweep-results.ts';
import type { Sweep } from '../../analysis/sweeps/sweep-store.ts';
import { SWEEP_OPTIONS } from '../../analysis/sweeps/sweep-plan.ts';
import type { SweepEstimate } from '../../analysis/sweeps/sweep-estimate.ts';
import { isActive, StatusBadge } from '../components/status-badge.tsx';
import { Layout } from '../components/layout.tsx';
import { dateTime, fixed, formatDuration, percent, plural } from '../format.ts';
import { LineChart } from '../components/line-chart.tsx';
import { COMPARE_STYLES } from './styles.ts';
import { sweepAxisChart } from './sweep-chart.ts';
import { SweepHeatmap } from './sweep-heatmap.tsx';

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

/** What the form would queue as it stands, or why it would queue nothing. */
export type SweepPreviewState =
  | { ok: true; runs: number; axes: Record<string, number>; seeds: number; estimate: SweepEstimate; host: string }
  | { ok: false; problems: string[] };

/** The grid's size and how long it would train here, redrawn as the form changes (see SweepForm). */
export function SweepPreview({ preview }: { preview: SweepPreviewState }) {
  if (!preview.ok) {
    return (
      <div id="sweep-preview" class="sweep-preview card" aria-live="polite">
        <p>
          <strong>Nothing would be queued yet:</strong>
        </p>
        <ul>
          {preview.problems.map((problem) => (
            <li class="field-error">{problem}</li>
          ))}
        </ul>
      </div>
    );
  }
  const { estimate } = preview;
  const factors = [...Object.entries(preview.axes).map(([axis, n]) => `${n} ${axis} values`), plural(preview.seeds, 'seed')];
  const measured = preview.runs - estimate.unmeasured.reduce((sum, m) => sum + m.runs, 0);
  return (
    <div id="sweep-preview" class="sweep-preview card" aria-live="polite">
      <p>
        <strong>{plural(preview.runs, 'run')}</strong> ({factors.join(' × ')})
        {measured > 0 ? (
          <>
            , about <strong>{formatDuration(estimate.seconds)}</strong>{measured < preview.runs ? ` for ${plural(measured, 'run')} of them` : ''}, one run after another.
          </>
        ) : (
          '.'
        )}
      </p>
      <p class="muted">
        {estimate.basis.map(({ model, throughput }) => (
          <span class="estimate-basis">
            Based on the {plural(throughput.runs, 'run')} of {model} that completed on this machine ({preview.host}):{' '}
            {Math.round(throughput.samplesPerSecond).toLocaleString('en-US')} training samples/s over all their batches, and a median{' '}
            {formatDuration(throughput.overheadSeconds)} per run outside training (start-up, validation, testing).{' '}
          </span>
        ))}
        {estimate.unmeasured.map(({ model, runs }) => (
          <span class="estimate-basis">
            No {model} run has completed on this machine yet, so its {plural(runs, 'run')} have no estimate (`digitlab bench --model {model}` measures
            its speed).{' '}
          </span>
        ))}
        {measured > 0 ? 'Every epoch is counted (early stopping may end sooner); other work on the machine slows it.' : null}
      </p>
    </div>
  );
}

const spread = (s: Spread | null, format: (v: number) => string) => (s ? spreadText(s, format) : '–');

export function SweepForm({ values = {}, errors = {}, error, preview }: SweepFormState & { preview: SweepPreviewState }) {
  return (
    <form id="sweep-form" method="post" action="/sweeps" class="sweep-form">
      <h2>Launch a sweep</h2>
      <p class="muted">Several comma-separated values make a hyperparameter an axis of the grid; blank fields take the defaults of `digitlab train`.</p>
      {error ? <p class="refused">{error}</p> : null}
      <div class="sweep-fields" hx-post="/sweeps/preview" hx-trigger="input delay:400ms" hx-include="closest form" hx-target="#sweep-preview" hx-swap="outerHTML">
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
      </div>
      <SweepPreview preview={preview} />
      <button type="submit">Queue the sweep</button>
    </form>
  );
}

export function SweepsPage({ sweeps, form, preview }: { sweeps: Sweep[]; form: SweepFormState; preview: SweepPreviewState }) {
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
      <SweepForm {...form} preview={preview} />
    </Layout>
  );
}

/** How many runs "compare these runs" may open at once (the compare page's limit). */
const COMPARED_AT_MOST = 8;

/**
 * The runs worth comparing, best first: a single grid point's seeds, else the best seed of each
 * grid point, best points first, as many as the compare page takes.
 */
function runsToCompare(results: SweepResults): { ids: number[]; what: string } {
  const scored = results.points.filter((p) => p.testAccuracy !== null).sort((p, q) => q.testAccuracy!.mean - p.testAccuracy!.mean);
  const byAccuracy = (p: (typeof scored)[number]) =>
    p.runIds.map((id, i) => ({ id, accuracy: p.testAccuracies[i] })).filter((r) => r.accuracy !== null).sort((r, s) => s.accuracy! - r.accuracy!);
  if (results.points.length === 1) {
    const ids = scored.flatMap(byAccuracy).map((r) => r.id).slice(0, COMPARED_AT_MOST);
    return { ids, what: `its ${ids.length} completed seeds, best first` };
  }
  const ids = scored.slice(0, COMPARED_AT_MOST).map((p) => byAccuracy(p)[0]!.id);
  const all = ids.length === results.points.length;
  return { ids, what: `the best seed of ${all ? 'each grid point' : `the ${ids.length} best of ${results.points.length} grid points`}, best first` };
}

function SweepLinks({ results }: { results: SweepResults }) {
  const { best } = results;
  if (!best) return null;
  const compared = runsToCompare(results);
  const where = Object.entries(best.values).map(([axis, value]) => `${axis} ${value}`).join(', ');
  return (
    <p class="sweep-links">
      Best run so far: <a href={`/runs/${best.runId}`}>run {best.runId}</a>, {percent(best.testAccuracy)} test accuracy{where ? ` (${where})` : ''}.
      {compared.ids.length > 1 ? (
        <>
          {' '}
          <a href={`/compare?runs=${compared.ids.join(',')}`}>Compare these runs</a> <span class="muted">({compared.what})</span>
        </>
      ) : null}
    </p>
  );
}

/** The table and plots; polls itself while any of the sweep's runs is queued or running. */
export function SweepResultsView({ results }: { results: SweepResults }) {
  const axes = Object.keys(results.sweep.axes);
  const poll = results.finished ? {} : { 'hx-get': `/sweeps/${results.sweep.id}/results`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' };
  const counts = Object.entries(results.counts).filter(([, n]) => n > 0);
  return (
    <div id="sweep-results" {...poll} data-finished={String(results.finished)}>
      <p class="sweep-status">
        {counts.map(([status, n]) => `${n} ${status}`).join(', ')}
        {results.finished ? null : (
          <>
            {' '}
            <a class="button danger" href={`/sweeps/${results.sweep.id}/cancel`}>
              Cancel the sweep
            </a>
          </>
        )}
      </p>
      <SweepLinks results={results} />
      {axes.length === 2 ? <SweepHeatmap results={results} /> : null}
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

/** What every run of the sweep shares, with the values it trains with (as the run page shows them). */
function FixedSettings({ rows }: { rows: [string, string][] }) {
  if (rows.length === 0) return null;
  return (
    <details class="card sweep-fixed" open>
      <summary>
        <h2>Fixed settings</h2>
      </summary>
      <p class="muted">Every run of the sweep trains with these; the axes and seeds are what vary.</p>
      <dl class="record">
        {rows.map(([label, value]) => (
          <>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
    </details>
  );
}

export function SweepPage({ results, fixed, notice }: { results: SweepResults; fixed: [string, string][]; notice?: string }) {
  return (
    <Layout title={`Sweep ${results.sweep.id}`}>
      <style>{COMPARE_STYLES}</style>
      <h1>
        Sweep {results.sweep.id}: {results.sweep.name}
      </h1>
      <p class="muted">
        Seeds {results.sweep.seeds.join(', ')}; created {dateTime(results.sweep.createdAt)}. <a href="/sweeps">All sweeps</a>
      </p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <FixedSettings rows={fixed} />
      <SweepResultsView results={results} />
    </Layout>
  );
}

/** Cancelling asks first, on its own page, as deleting a run does: it works the same with or without scripts. */
export function CancelSweepPage({ results }: { results: SweepResults }) {
  const { sweep, counts } = results;
  const ended = counts.completed + counts.failed + counts.cancelled;
  return (
    <Layout title={`Cancel sweep ${sweep.id}`}>
      <p class="crumbs">
        <a href="/sweeps">Sweeps</a> › <a href={`/sweeps/${sweep.id}`}>sweep {sweep.id}</a> › cancel
      </p>
      <h1>
        Cancel sweep {sweep.id}: {sweep.name}?
      </h1>
      <section class="card">
        {results.finished ? (
          <p>Every run of this sweep has ended; there is nothing to cancel.</p>
        ) : (
          <form method="post" action={`/sweeps/${sweep.id}/cancel`}>
            <p>
              This{' '}
              {[
                counts.queued ? `cancels its ${plural(counts.queued, 'queued run')}` : '',
                counts.running ? `stops its ${plural(counts.running, 'running run')} after the current batch, keeping their finished epochs` : '',
              ]
                .filter(Boolean)
                .join(' and ')}
              .{ended ? ` Runs that have ended (${ended}) stay as they are.` : ''}
            </p>
            <button type="submit" class="danger">
              Cancel sweep {sweep.id}
            </button>{' '}
            <a href={`/sweeps/${sweep.id}`}>Keep it going</a>
          </form>
        )}
      </section>
    </Layout>
  );
}
