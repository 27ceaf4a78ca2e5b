import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { RUN_STATUSES, type RunStatus } from '../../db/schema.ts';
import type { LabelAccuracies } from '../analysis/label-issues/corrected-accuracy.ts';
import { fieldNames, parseWhere, type ParsedWhere, sortKeyOf, type RunListRow, type RunQuery, type SortDirection } from '../store/run-list.ts';
import { queryChoice, queryInt } from './params.ts';

/** Runs on one page of the list: a thousand rows would be slow to render and to read. */
export const PER_PAGE = 50;

/** The runs page's state, all of it in the URL so a view can be bookmarked and shared; GET /api/runs reads the same. */
export interface RunFilters {
  status?: RunStatus;
  /** Only runs on this dataset. */
  dataset?: string;
  /** `key` (has the tag) or `key=value`. */
  tag?: string;
  q?: string;
  /** A filter expression as typed, e.g. `lr>=0.001 acc>0.98`. */
  where?: string;
  /** A metric, a param key or an alias (see run-list.ts). */
  sort: string;
  dir: SortDirection;
  /** Also list archived runs. */
  archived?: boolean;
  /** The chosen columns; undefined shows the default ones. */
  col?: string[];
  page?: number;
  per_page?: number;
}

export interface ListedRun extends RunListRow {
  /** Why a completed run's model is degenerate (one class for everything), or null. */
  degenerate: string | null;
  /** A completed run's accuracy on the original labels, the corrected ones and without the ambiguous images. */
  accuracies: LabelAccuracies | null;
}

export function filtersFrom(c: Context): RunFilters {
  const col = c.req.queries('col')?.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  return {
    status: queryChoice(c, 'status', RUN_STATUSES),
    dataset: c.req.query('dataset')?.trim() || undefined,
    tag: c.req.query('tag')?.trim() || undefined,
    q: c.req.query('q')?.trim() || undefined,
    where: c.req.query('where')?.trim() || undefined,
    sort: c.req.query('sort')?.trim() || 'created',
    dir: queryChoice(c, 'dir', ['asc', 'desc'] as const) ?? 'desc',
    archived: queryChoice(c, 'archived', ['0', '1'] as const) === '1' || undefined,
    col: col?.length ? col : undefined,
    page: queryInt(c, 'page', { min: 1, max: 1_000_000 }),
    per_page: queryInt(c, 'per_page', { min: 1, max: 1000 }),
  };
}

/** Values a link leaves out because they are what an absent parameter means. */
const QUERY_DEFAULTS: Record<string, unknown> = { sort: 'created', dir: 'desc', page: 1 };

/** The query string of `filters` with some changed, for links that keep the rest of the view. */
export function filtersQuery(filters: RunFilters, changes: Partial<RunFilters> = {}): string {
  const merged: Partial<RunFilters> = { ...filters, ...changes };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else if (value === true) params.set(key, '1');
    else if (value && !(key in QUERY_DEFAULTS && QUERY_DEFAULTS[key] === value)) params.set(key, String(value));
  }
  return params.toString();
}

/** The filters checked against the names the store's runs have: what to select, and why the expression was not applied. */
export function resolveFilters(filters: RunFilters, rows: RunListRow[]): { query: RunQuery; whereError: string | null } {
  const fields = fieldNames(rows);
  const sort = sortKeyOf(filters.sort, fields);
  if (!sort) throw new HTTPException(400, { message: `sort must be a metric (${fields.metrics.join(', ')}) or a recorded param (${fields.params.join(', ')}); got '${filters.sort}'` });
  const parsed: ParsedWhere = filters.where ? parseWhere(filters.where, fields) : { ok: true, terms: [] };
  const { status, dataset, tag, q, dir, archived } = filters;
  return { query: { status, dataset, tag, q, sort, dir, archived, where: parsed.ok ? parsed.terms : [] }, whereError: parsed.ok ? null : parsed.error };
}
