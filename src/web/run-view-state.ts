import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { queryInt } from './params.ts';

/** A confusion-matrix cell: the images of true `label` predicted as `predicted`. */
export interface MatrixCell {
  label: number;
  predicted: number;
}

/**
 * What a person picked on a run page's results, kept in its URL so that a view can be shared,
 * reloaded and gone Back to: `cell=3-5` (the cell whose images show), `cell-page` (its gallery's
 * page) and `page` (the page of the misclassified images). The map's colouring (`colour`) is kept
 * by the map's own script.
 */
export interface ResultsView {
  cell?: MatrixCell;
  cellPage: number;
  page: number;
}

const PAGES = { min: 1, max: 10_000 };

/** `cell=3-5` in the URL, as the run page and an image opened from its cell's gallery take it. */
export function matrixCellOf(c: Context): MatrixCell | undefined {
  const raw = c.req.query('cell');
  const match = raw === undefined || raw === '' ? null : /^([0-9])-([0-9])$/.exec(raw);
  if (raw && !match) throw new HTTPException(400, { message: `cell must be a true label and a predicted one, e.g. cell=3-5; got '${raw}'` });
  return match ? { label: Number(match[1]), predicted: Number(match[2]) } : undefined;
}

export function resultsViewOf(c: Context): ResultsView {
  return {
    cell: matrixCellOf(c),
    cellPage: queryInt(c, 'cell-page', PAGES) ?? 1,
    page: queryInt(c, 'page', PAGES) ?? 1,
  };
}

/**
 * The run page's URL after a fragment changed part of its view: the page the request came from
 * (htmx names it in HX-Current-URL) with `changes` set, a page 1 left out. Anything else the URL
 * held (the chart view, the map colouring) is kept.
 */
export function runPageUrlWith(c: Context, runId: number, changes: Record<string, string | number | undefined>): string {
  const page = `/runs/${runId}`;
  let url: URL;
  try {
    url = new URL(c.req.header('HX-Current-URL') ?? page, 'http://localhost');
  } catch {
    url = new URL(page, 'http://localhost');
  }
  if (url.pathname !== page) url = new URL(page, 'http://localhost');
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || (name.endsWith('page') && value === 1)) url.searchParams.delete(name);
    else url.searchParams.set(name, String(value));
  }
  return `${url.pathname}${url.search}`;
}
