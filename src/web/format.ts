import { formatDuration } from '../core/duration.ts';

export { formatDuration };

export const DASH = '–';

/** The query that names a dataset's images in a URL (`?dataset=`, or `&dataset=` after others); none for MNIST, the default. */
export const datasetQuery = (dataset: string, joiner: '?' | '&') => (dataset === 'mnist' ? '' : `${joiner}dataset=${encodeURIComponent(dataset)}`);

export const percent = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value) ? DASH : `${(value * 100).toFixed(digits)}%`;

/** '1 run', '2 runs', '1,200 images': a count and its noun, which takes an s unless there is one. */
export const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export const fixed = (value: number | null | undefined, digits = 4) =>
  value === null || value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits);

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time to the minute: a person reads when a run was made, not its milliseconds. */
export const dateTime = (date: Date | null) =>
  date
    ? `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
    : DASH;

// Seconds a run has trained; the runs list filters and sorts by it too.
export { runSeconds } from '../store/run-list.ts';

/** 'batch-size' reads as 'Batch size': labels follow the CLI's flags, so a new flag needs no web change. */
export const flagLabel = (flag: string) => flag.charAt(0).toUpperCase() + flag.slice(1).replace(/-/g, ' ');
