import type { Context } from 'hono';
import { RUN_STATUSES, type RunStatus } from '../../db/schema.ts';
import type { LabelAccuracies } from '../analysis/label-accuracies.ts';
import type { Run } from '../experiments/store.ts';
import { runSeconds } from './format.ts';
import { queryChoice } from './params.ts';

export const SORT_KEYS = ['created', 'name', 'status', 'accuracy', 'loss', 'duration'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/** The runs page's state, all of it in the URL so a view can be bookmarked and shared. */
export interface RunFilters {
  status?: RunStatus;
  /** `key` (has the tag) or `key=value`. */
  tag?: string;
  q?: string;
  sort: SortKey;
  dir: SortDirection;
}

export interface ListedRun {
  run: Run;
  tags: Record<string, string>;
  /** Why a completed run's model is degenerate (one class for everything), or null. */
  degenerate: string | null;
  /** A completed run's accuracy on the original labels, the corrected ones and without the ambiguous images. */
  accuracies: LabelAccuracies | null;
}

export function filtersFrom(c: Context): RunFilters {
  return {
    status: queryChoice(c, 'status', RUN_STATUSES),
    tag: c.req.query('tag')?.trim() || undefined,
    q: c.req.query('q')?.trim() || undefined,
    sort: queryChoice(c, 'sort', SORT_KEYS) ?? 'created',
    dir: queryChoice(c, 'dir', ['asc', 'desc'] as const) ?? 'desc',
  };
}

/** The query string of `filters` with some changed, for links that keep the rest of the view. */
export function filtersQuery(filters: RunFilters, changes: Partial<RunFilters> = {}): string {
  const merged = { ...filters, ...changes };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
  return params.toString();
}

function hasTag(tags: Record<string, string>, filter: string): boolean {
  const [key, value] = filter.split(/=(.*)/s);
  return key! in tags && (value === undefined || tags[key!] === value);
}

function matchesText(item: ListedRun, q: string): boolean {
  const haystack = [`#${item.run.id}`, item.run.name, item.run.note, ...Object.entries(item.tags).map(([k, v]) => `${k}=${v}`)];
  return haystack.some((text) => text.toLowerCase().includes(q.toLowerCase()));
}

const SORT_VALUES: Record<SortKey, (run: Run) => string | number | null> = {
  created: (run) => run.id,
  name: (run) => run.name.toLowerCase(),
  status: (run) => run.status,
  accuracy: (run) => run.testAccuracy,
  loss: (run) => run.testLoss,
  duration: (run) => runSeconds(run),
};

/** Filters and sorts; runs without the sorted value (no accuracy yet) go last either way. */
export function selectRuns(items: ListedRun[], filters: RunFilters): ListedRun[] {
  const value = SORT_VALUES[filters.sort];
  const sign = filters.dir === 'asc' ? 1 : -1;
  return items
    .filter(({ run }) => !filters.status || run.status === filters.status)
    .filter(({ tags }) => !filters.tag || hasTag(tags, filters.tag))
    .filter((item) => !filters.q || matchesText(item, filters.q))
    .sort((a, b) => {
      const [x, y] = [value(a.run), value(b.run)];
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign || b.run.id - a.run.id;
    });
}
