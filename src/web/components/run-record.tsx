import { HYPERPARAMETER_OPTIONS } from '../../experiments/cli/train-command.ts';
import type { Hyperparameters } from '../../experiments/hyperparameters.ts';
import type { Run } from '../../experiments/store.ts';
import { DASH, dateTime, flagLabel } from '../format.ts';

const hyperparameterKey = (flag: string) => flag.replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase()) as keyof Hyperparameters;

/** The command line that trains this run again, flag for flag. */
function reproduceCommand(run: Run): string {
  const hp = run.params as Hyperparameters;
  const flags = Object.keys(HYPERPARAMETER_OPTIONS)
    .filter((flag) => hp[hyperparameterKey(flag)] != null)
    .map((flag) => `--${flag} ${hp[hyperparameterKey(flag)]}`);
  const backend = run.backend ? [`--backend ${run.backend}`] : [];
  return ['npx digitlab train', ...flags, ...backend].join(' ');
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
export function RunRecord({ run, trainedBy, oob = false }: { run: Run; trainedBy: string; oob?: boolean }) {
  const hp = run.params as Hyperparameters;
  const hashes = (run.datasetHashes ?? {}) as Record<string, string>;
  const versions = (run.packageVersions ?? {}) as Record<string, string>;
  return (
    <div id="record" hx-swap-oob={oob ? 'true' : undefined}>
      <section class="card">
        <h2>Hyperparameters</h2>
        <Rows
          entries={Object.keys(HYPERPARAMETER_OPTIONS).map((flag): [string, string] => [
            flagLabel(flag),
            String(hp[hyperparameterKey(flag)] ?? 'default'),
          ])}
        />
      </section>
      <section class="card">
        <h2>Reproducibility</h2>
        <Rows
          entries={[
            ['engine', run.backend],
            ['git commit', run.gitCommit],
            ['created', dateTime(run.createdAt)],
            ['started', dateTime(run.startedAt)],
            ['finished', dateTime(run.finishedAt)],
            ['trained by', trainedBy],
            ...Object.entries(versions).map(([name, version]): [string, string] => [name, version]),
          ]}
        />
        <details>
          <summary>MNIST file sha256</summary>
          <Rows entries={Object.entries(hashes)} />
        </details>
        <p class="label">Train it again</p>
        <pre class="command">{reproduceCommand(run)}</pre>
      </section>
    </div>
  );
}
