import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { RUN_FIELD_NAMES } from '../../training/run-request-fields.ts';
import { requestValueOf } from '../../training/run-request-naming.ts';
import type { ImportedModelFacts } from '../../store/imported-runs.ts';
import { runModel } from '../../training/run-summary.ts';
import type { Run } from '../../store/store.ts';
import { DASH, dateTime } from '../format.ts';
import { hyperparameterRows } from '../hyperparameter-values.ts';
import { ImportedModelCard, TrackedModelCard } from '../imported/components.tsx';
import { ModelSummaryTable } from './model-summary.tsx';
import { trainedByDigitlab } from '../../store/run-source.ts';

const shellQuote = (value: string) => (/^[\w.,=/:+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/** The `train` flags that reproduce a run's hyperparameters: one per field the run did not leave at its default. */
function trainFlags(hp: Hyperparameters): string[] {
  return RUN_FIELD_NAMES.flatMap((field) => {
    const value = requestValueOf(hp, field);
    return value === null ? [] : [`--${field}`, shellQuote(value)];
  });
}

/** The command line that trains this run again, flag for flag. */
function reproduceCommand(run: Run): string {
  const backend = run.backend ? ['--backend', run.backend] : [];
  return ['npx digitlab train', ...trainFlags(run.params as Hyperparameters), ...backend].join(' ');
}

function Rows({ entries }: { entries: [string, string | number | null | undefined][] }) {
  return (
    <dl class="record">
      {entries.map(([key, value]) => (
        <>
          <dt>{key}</dt>
          <dd>{value ?? DASH}</dd>
        </>
      ))}
    </dl>
  );
}

/**
 * Hyperparameters and everything needed to repeat the run and trust the repeat. The engine,
 * commit and times are only known once a worker starts the run, so the live fragment sends this
 * block along out of band (`oob`) to keep it current.
 */
export function RunRecord({ run, trainedBy, imported = null, oob = false }: { run: Run; trainedBy: string; imported?: ImportedModelFacts | null; oob?: boolean }) {
  const hashes = (run.datasetHashes ?? {}) as Record<string, string>;
  const versions = (run.packageVersions ?? {}) as Record<string, string>;
  return (
    <div id="record" hx-swap-oob={oob ? 'true' : undefined}>
      {run.source === 'imported' && imported ? (
        <ImportedModelCard imported={imported} tracked={false} />
      ) : (
        <>
          <section class="card">
            <h2>{run.source === 'tracked' ? "Its script's params" : 'Hyperparameters'}</h2>
            {/* The network by name here; its layers are in the model card. */}
            <Rows entries={hyperparameterRows(run)} />
          </section>
          {run.source === 'tracked' ? <TrackedModelCard imported={imported} /> : <RunModelCard run={run} />}
        </>
      )}
      <section class="card">
        <h2>Reproducibility</h2>
        <Rows
          entries={[
            ['engine', run.backend],
            ['git commit', run.gitCommit],
            ['dataset', run.dataset],
            ['created', dateTime(run.createdAt)],
            ['started', dateTime(run.startedAt)],
            ['finished', dateTime(run.finishedAt)],
            ['trained by', trainedBy],
            ...Object.entries(versions).map(([name, version]): [string, string] => [name, version]),
          ]}
        />
        <details>
          <summary>{run.dataset === 'mnist' ? 'MNIST' : run.dataset} file sha256</summary>
          <Rows entries={Object.entries(hashes)} />
        </details>
        {imported || !trainedByDigitlab(run) ? (
          ''
        ) : (
          <>
            <p class="label">Train it again</p>
            <pre class="command">{reproduceCommand(run)}</pre>
          </>
        )}
      </section>
    </div>
  );
}

/** The network the run trained, as Keras' model.summary() prints it; nothing for an imported run. */
function RunModelCard({ run }: { run: Run }) {
  const model = runModel(run);
  if (!model) return '';
  return (
    <section class="card">
      <h2>Model: {model.name}</h2>
      <ModelSummaryTable summary={model.summary} />
    </section>
  );
}
