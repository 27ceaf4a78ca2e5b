import type { Hyperparameters } from '../../experiments/hyperparameters.ts';
import { DASH, dateTime, fixed, formatDuration, percent, runSeconds } from '../format.ts';
import { filtersQuery, type ListedRun, type RunFilters, type SortKey } from '../run-filters.ts';
import { DegenerateFlag, isActive, StatusBadge } from './status-badge.tsx';
import { TagList } from './tag-list.tsx';
import { ImportedMark } from '../imported/components.tsx';

// An imported run has no training set: its params hold only testLimit.
const limits = (hp: Hyperparameters) => `${hp.trainLimit === undefined ? DASH : (hp.trainLimit ?? '60k')} / ${hp.testLimit ?? '10k'}`;

/** The machine that trains a run; a Slurm job not yet started is named by its id. */
function where(run: ListedRun['run']): string {
  if (run.host) return `${run.source === 'worker' ? 'worker ' : ''}${run.host}`;
  return run.slurmJobId ? `Slurm job ${run.slurmJobId}` : DASH;
}

/**
 * One run's row. While the run is queued or running the row polls itself, so statuses and scores
 * on the list stay current; the selection checkbox is preserved across those swaps.
 */
export function RunRow({ item }: { item: ListedRun }) {
  const { run, tags } = item;
  const hp = run.params as Hyperparameters;
  const seconds = runSeconds(run);
  const poll = isActive(run.status)
    ? { 'hx-get': `/runs/${run.id}/row`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' }
    : {};
  return (
    <tr id={`run-${run.id}`} {...poll}>
      <td>
        <input
          type="checkbox"
          class="select-run"
          id={`select-${run.id}`}
          value={String(run.id)}
          aria-label={`select run ${run.id} to compare`}
          hx-preserve="true"
        />
      </td>
      <td class="num">{run.id}</td>
      <td class="name">
        <a href={`/runs/${run.id}`}>{run.name}</a> <ImportedMark run={run} />
        <TagList tags={tags} />
      </td>
      <td>
        <StatusBadge status={run.status} /> <DegenerateFlag reason={item.degenerate} />
      </td>
      <td class="num">{hp.epochs ?? DASH}</td>
      <td class="num">{hp.batchSize ?? DASH}</td>
      <td class="num">{hp.learningRate ?? DASH}</td>
      <td class="num">{hp.validationSplit ?? DASH}</td>
      <td class="num">{run.source === 'imported' ? DASH : hp.seed}</td>
      <td class="num">{limits(hp)}</td>
      <td class="num strong">{percent(run.testAccuracy)}</td>
      <td class="num">{item.accuracies ? `${percent(item.accuracies.corrected)} · ${percent(item.accuracies.withoutAmbiguous)}` : DASH}</td>
      <td class="num">{fixed(run.testLoss)}</td>
      <td class="num">
        {run.source === 'imported' ? <span title="imported: it trained elsewhere">not trained here</span> : seconds === null ? DASH : formatDuration(seconds)}
      </td>
      <td>{run.backend ?? DASH}</td>
      <td title={run.slurmJobId ? `Slurm job ${run.slurmJobId}${run.slurmState && isActive(run.status) ? `: ${run.slurmState}` : ''}` : run.source === 'worker' ? 'trained by a remote worker' : undefined}>{where(run)}</td>
      <td class="date">{dateTime(run.createdAt)}</td>
    </tr>
  );
}

const COLUMNS: { label: string; sort?: SortKey; title?: string; num?: boolean }[] = [
  { label: '#', num: true },
  { label: 'Name', sort: 'name' },
  { label: 'Status', sort: 'status' },
  { label: 'Epochs', num: true },
  { label: 'Batch', num: true },
  { label: 'LR', title: 'learning rate', num: true },
  { label: 'Val', title: 'validation split', num: true },
  { label: 'Seed', num: true },
  { label: 'Train / test', title: 'training and test images used', num: true },
  { label: 'Test acc', sort: 'accuracy', title: 'test accuracy on the original labels', num: true },
  { label: 'Corrected · no ambig.', title: 'test accuracy on the labels as the label review corrects them, and without the images it calls ambiguous', num: true },
  { label: 'Test loss', sort: 'loss', num: true },
  { label: 'Time', sort: 'duration', title: 'training time', num: true },
  { label: 'Engine' },
  { label: 'Where', title: 'the machine that trains the run, or its Slurm job' },
  { label: 'Created', sort: 'created' },
];

function SortHeader({ label, sort, title, num, filters }: (typeof COLUMNS)[number] & { filters: RunFilters }) {
  const cls = num ? 'num' : undefined;
  if (!sort)
    return (
      <th title={title} class={cls}>
        {label}
      </th>
    );
  const current = filters.sort === sort;
  const dir = current && filters.dir === 'desc' ? 'asc' : 'desc';
  const arrow = current ? (filters.dir === 'desc' ? ' ↓' : ' ↑') : '';
  return (
    <th title={title} class={cls} aria-sort={current ? (filters.dir === 'desc' ? 'descending' : 'ascending') : undefined}>
      <a href={`/runs?${filtersQuery(filters, { sort, dir })}`}>
        {label}
        {arrow}
      </a>
    </th>
  );
}

export function RunsTable({ items, filters, total }: { items: ListedRun[]; filters: RunFilters; total: number }) {
  return (
    <div id="runs-table" class="table-wrap">
      <p class="muted">
        {items.length === total ? `${total} run${total === 1 ? '' : 's'}` : `${items.length} of ${total} runs match`}
      </p>
      <table class="runs">
        <thead>
          <tr>
            <th>
              <span class="visually-hidden">select</span>
            </th>
            {COLUMNS.map((column) => (
              <SortHeader {...column} filters={filters} />
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <RunRow item={item} />
          ))}
        </tbody>
      </table>
      {total === 0 ? <p class="empty">No runs here yet. Launch one above.</p> : ''}
      {total > 0 && items.length === 0 ? (
        <p class="empty">
          No runs match these filters. <a href="/runs">Show all runs</a>
        </p>
      ) : (
        ''
      )}
    </div>
  );
}
