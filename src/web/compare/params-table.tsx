import { layerwiseParams } from '../../analysis/compare/params-diff.ts';
import type { Run } from '../../store/store.ts';
import { notTrainedHere, trainedByDigitlab } from '../../store/run-source.ts';
import { hyperparameterRows } from '../hyperparameter-values.ts';
import { colourOf } from './series.ts';

const same = (values: string[]) => values.every((v) => v === values[0]);

/**
 * Each run's settings as the run page shows them (the launch form's labels, defaults as their
 * values), plus one row per layer when the networks differ, so two architectures diff layer by layer.
 */
function settingsOf(runs: Run[]): Map<string, string>[] {
  const settings = runs.map((run) => new Map(hyperparameterRows(run)));
  const trained = runs.filter(trainedByDigitlab);
  if (!trained.some((run) => (run.params as { layers?: unknown }).layers)) return settings;
  const layers = layerwiseParams(trained.map((run) => run.params as Record<string, unknown>));
  trained.forEach((run, k) => {
    const rows = settings[runs.indexOf(run)]!;
    for (const [key, layer] of Object.entries(layers[k]!)) if (key.startsWith('layer ')) rows.set(key, (layer as string | null) ?? 'none');
  });
  return settings;
}

/** Hyperparameters side by side; only those that differ unless `all`, with a toggle that swaps just this table. */
export function ParamsTable({ runs, all }: { runs: Run[]; all: boolean }) {
  const settings = settingsOf(runs);
  const keys = [...new Set(settings.flatMap((rows) => [...rows.keys()]))];
  const values = (key: string) => settings.map((rows, i) => rows.get(key) ?? (trainedByDigitlab(runs[i]!) ? 'none' : notTrainedHere(runs[i]!)));
  const shown = keys.filter((key) => all || !same(values(key)));
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
              <th>setting</th>
              {runs.map((run, i) => (
                <th style={`color:${colourOf(i)}`}>run {run.id}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((key) => (
              <tr class={same(values(key)) ? '' : 'differs'}>
                <th>{key}</th>
                {values(key).map((value) => (
                  <td class="num">{value}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
