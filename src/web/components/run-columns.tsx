import type { Child } from 'hono/jsx';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { fieldNames, fieldValue, METRICS, type FieldValue, type RunListRow } from '../../store/run-list.ts';
import { DASH, dateTime, fixed, formatDuration, percent, runSeconds } from '../format.ts';
import type { ListedRun } from '../run-filters.ts';
import { isActive } from './status-badge.tsx';

/**
 * The runs list's optional columns, shared by the table and its CSV export: a column is shown as a
 * person reads it and exported as a script reads it (raw numbers under the filter's names).
 */
export interface RunColumn {
  id: string;
  label: string;
  title?: string;
  num?: boolean;
  /** The list's headline figure, drawn bold: test accuracy on the original labels. */
  headline?: boolean;
  /** The field the column sorts by. */
  sort?: string;
  /**
   * A default column shows only in windows at least this many px wide, unless columns are chosen:
   * the list fits the window, test accuracy at every width. Absent: every width.
   */
  from?: number;
  cell: (item: ListedRun) => Child;
  csv: { header: string; value: (item: ListedRun) => FieldValue }[];
}

// An imported run has no training set: its params hold only testLimit.
const limits = (hp: Hyperparameters) => `${hp.trainLimit === undefined ? DASH : (hp.trainLimit ?? '60k')} / ${hp.testLimit ?? '10k'}`;

/**
 * Who trains a run: a remote worker by its token's name (two workers may share a host), else the
 * machine; a Slurm job not yet started is named by its id.
 */
function where({ run, worker }: ListedRun): string {
  if (worker) return run.host ? `${worker} on ${run.host}` : worker;
  if (run.host) return run.host;
  return run.slurmJobId ? `Slurm job ${run.slurmJobId}` : DASH;
}

function whereTitle(run: ListedRun['run']): string | undefined {
  if (run.slurmJobId) return `Slurm job ${run.slurmJobId}${run.slurmState && isActive(run.status) ? `: ${run.slurmState}` : ''}`;
  return run.source === 'worker' ? 'trained by a remote worker' : undefined;
}

const hp = (item: ListedRun) => item.run.params as Hyperparameters;

/** 'learningRate' reads as 'Learning rate'. */
const wordsOf = (key: string) => key.charAt(0).toUpperCase() + key.slice(1).replace(/([A-Z])/g, (c) => ` ${c.toLowerCase()}`).replace(/_/g, ' ');

/** A figure as a person reads it: accuracies as percentages, losses to 4 places, seconds as a duration. */
function shown(name: string, value: FieldValue): string {
  if (value === null) return DASH;
  if (typeof value === 'string') return value;
  if (name.endsWith('acc')) return percent(value);
  if (name.endsWith('loss')) return fixed(value);
  if (name === 'duration') return formatDuration(value);
  if (name === 'samples_per_s') return value.toFixed(0);
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
}

/** A column of one metric or param. */
function fieldColumn(name: string, overrides: Partial<RunColumn> = {}): RunColumn {
  const metric = METRICS[name];
  return {
    id: name,
    label: metric ? metric.description.charAt(0).toUpperCase() + metric.description.slice(1) : wordsOf(name),
    num: true,
    sort: name,
    cell: (item) => shown(name, fieldValue(item, name)),
    csv: [{ header: name, value: (item) => fieldValue(item, name) }],
    ...overrides,
  };
}

/**
 * Sort keys of the label review's accuracies: not stored figures of a run but worked out from its
 * predictions and the decisions, so the list sorts by them itself (runs-view.ts).
 */
export const LABEL_SORTS = { corrected: 'corrected_acc' } as const;

/** The columns shown when none are chosen, in order; they are the list as it always was. */
const DEFAULT_COLUMNS: RunColumn[] = [
  fieldColumn('epochs', { label: 'Epochs', from: 700 }),
  fieldColumn('batchSize', { label: 'Batch', from: 1100 }),
  fieldColumn('learningRate', { label: 'LR', title: 'learning rate', from: 700, cell: (item) => hp(item).learningRate ?? DASH }),
  fieldColumn('validationSplit', { label: 'Val', title: 'validation split', from: 1100, cell: (item) => hp(item).validationSplit ?? DASH }),
  fieldColumn('seed', { label: 'Seed', from: 1100, cell: (item) => (item.run.source === 'imported' ? DASH : hp(item).seed) }),
  {
    id: 'limits',
    label: 'Train / test',
    title: 'training and test images used',
    num: true,
    sort: 'trainLimit',
    from: 1100,
    cell: (item) => limits(hp(item)),
    csv: [
      { header: 'trainLimit', value: (item) => fieldValue(item, 'trainLimit') },
      { header: 'testLimit', value: (item) => fieldValue(item, 'testLimit') },
    ],
  },
  fieldColumn('acc', { label: 'Test acc', title: 'test accuracy on the original labels', headline: true }),
  {
    id: 'corrected',
    label: 'Corrected · no ambig.',
    title: 'test accuracy on the labels as the decisions on label issues correct them, and without the images it calls ambiguous',
    num: true,
    sort: LABEL_SORTS.corrected,
    from: 1100,
    cell: (item) => (item.accuracies ? `${percent(item.accuracies.corrected)} · ${percent(item.accuracies.withoutAmbiguous)}` : DASH),
    csv: [
      { header: 'corrected_acc', value: (item) => item.accuracies?.corrected ?? null },
      { header: 'no_ambiguous_acc', value: (item) => item.accuracies?.withoutAmbiguous ?? null },
    ],
  },
  fieldColumn('loss', { label: 'Test loss', from: 700 }),
  fieldColumn('duration', {
    label: 'Time',
    title: 'training time',
    from: 900,
    cell: (item) => {
      if (item.run.source === 'imported') return <span title="imported: it trained elsewhere">not trained here</span>;
      const seconds = runSeconds(item.run);
      return seconds === null ? DASH : formatDuration(seconds);
    },
  }),
  fieldColumn('backend', { label: 'Engine', num: false, from: 1400 }),
  {
    id: 'where',
    label: 'Where',
    title: 'the machine that trains the run, or its Slurm job',
    sort: 'host',
    from: 1400,
    cell: (item) => <span title={whereTitle(item.run)}>{where(item)}</span>,
    csv: [{ header: 'where', value: (item) => (where(item) === DASH ? null : where(item)) }],
  },
  fieldColumn('created', {
    label: 'Created',
    num: false,
    from: 1400,
    cell: (item) => dateTime(item.run.createdAt),
    csv: [{ header: 'createdAt', value: (item) => item.run.createdAt.toISOString() }],
  }),
];

export const DEFAULT_COLUMN_IDS = DEFAULT_COLUMNS.map((column) => column.id);

/** Headers short enough for a wide table; the full description is their title. */
const SHORT_LABELS: Record<string, string> = { val_acc: 'Val acc', val_loss: 'Val loss', train_acc: 'Train acc', train_loss: 'Train loss', samples_per_s: 'Samples/s' };

/** Always shown, so not offered: the id, name and status columns are the row itself. */
const ROW_FIELDS = new Set(['id', 'name', 'status']);

/**
 * Every column the chooser offers for these runs: the defaults, then the other metrics (validation
 * accuracy first), then every other param some run recorded.
 */
export function availableColumns(rows: RunListRow[]): RunColumn[] {
  const { metrics, params } = fieldNames(rows);
  const taken = new Set([...DEFAULT_COLUMNS.flatMap((c) => [c.id, c.sort, ...c.csv.map((x) => x.header)]), ...ROW_FIELDS, 'createdAt']);
  const extra = [...metrics, ...params].filter((name) => !taken.has(name));
  return [...DEFAULT_COLUMNS, ...extra.map((name) => fieldColumn(name, METRICS[name] ? { label: SHORT_LABELS[name] ?? wordsOf(name), title: METRICS[name].description } : { title: `recorded param ${name}` }))];
}

/** The chosen columns among those available, in the chooser's order; none chosen (or none known) shows the defaults. */
export function chosenColumns(available: RunColumn[], chosen: string[] | undefined): RunColumn[] {
  const picked = chosen ? available.filter((column) => chosen.includes(column.id)) : [];
  return picked.length > 0 ? picked : available.filter((column) => DEFAULT_COLUMN_IDS.includes(column.id));
}

const csvCell = (value: FieldValue | string) => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The list as CSV: id, name, status, tags and archive time, then the chosen columns, numbers as stored. */
export function runsCsv(items: ListedRun[], columns: RunColumn[]): string {
  const fields = [
    { header: 'id', value: (item: ListedRun) => item.run.id },
    { header: 'name', value: (item: ListedRun) => item.run.name },
    { header: 'status', value: (item: ListedRun) => item.run.status },
    { header: 'tags', value: (item: ListedRun) => Object.entries(item.tags).map(([k, v]) => (v ? `${k}=${v}` : k)).join(';') },
    { header: 'archivedAt', value: (item: ListedRun) => item.run.archivedAt?.toISOString() ?? null },
    ...columns.flatMap((column) => column.csv),
  ];
  const lines = [fields.map((f) => f.header), ...items.map((item) => fields.map((f) => csvCell(f.value(item))))];
  return `${lines.map((line) => line.join(',')).join('\r\n')}\r\n`;
}
