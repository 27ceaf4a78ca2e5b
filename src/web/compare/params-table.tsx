import { layerwiseParams } from '../../analysis/compare/params-diff.ts';
import type { Run } from '../../experiments/store.ts';
import { colourOf } from './series.ts';

const same = (values: unknown[]) => values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));

/** Hyperparameters side by side; only those that differ unless `all`, with a toggle that swaps just this table. */
export function ParamsTable({ runs, all }: { runs: Run[]; all: boolean }) {
  const params = layerwiseParams(runs.map((run) => run.params as Record<string, unknown>));
  const keys = [...new Set(params.flatMap((p) => Object.keys(p)))];
  const shown = keys.filter((key) => all || !same(params.map((p) => p[key])));
  const ids = runs.map((run) => run.id).join(',');
  const toggle = `/compare/params?runs=${ids}${all ? '' : '&all=1'}`;
  return (
    <section id="params" class="compare-section">
      <h2>Hyperparameters</h2>
      <p>
        {all ? 'All hyperparameters; those that differ are marked.' : `Only those that differ (${shown.length} of ${keys.length}).`}{' '}
        <a href={`/compare?runs=${ids}${all ? '' : '&all=1'}`} hx-get={toggle} hx-target="#params" hx-swap="outerHTML">
          {all ? 'show only differences' : 'show all'}
        </a>
      </p>
      {shown.length === 0 ? (
        <p class="muted">The runs share every hyperparameter.</p>
      ) : (
        <table class="compare-params compare-table">
          <thead>
            <tr>
              <th>param</th>
              {runs.map((run, i) => (
                <th style={`color:${colourOf(i)}`}>run {run.id}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((key) => (
              <tr class={same(params.map((p) => p[key])) ? '' : 'differs'}>
                <th>{key}</th>
                {params.map((p) => (
                  <td class="num">{JSON.stringify(p[key] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
