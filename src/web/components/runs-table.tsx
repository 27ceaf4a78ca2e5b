import { raw } from 'hono/html';
import type { RunPage } from '../../store/run-list.ts';
import { filtersQuery, type ListedRun, type RunFilters } from '../run-filters.ts';
import { plural } from '../format.ts';
import type { RunColumn } from './run-columns.tsx';
import { DegenerateFlag, isActive, StatusBadge } from './status-badge.tsx';
import { TagList } from './tag-list.tsx';
import { ImportedMark } from '../imported/components.tsx';

const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

/** What a row needs besides its run: the columns shown and the view its links keep. */
interface RowView {
  columns: RunColumn[];
  filters: RunFilters;
}

/**
 * One run's row. While the run is queued or running the row polls itself, so statuses and scores
 * on the list stay current; the selection checkbox is preserved across those swaps.
 */
export function RunRow({ item, columns, filters }: { item: ListedRun } & RowView) {
  const { run, tags } = item;
  const poll = isActive(run.status)
    ? { 'hx-get': withQuery(`/runs/${run.id}/row`, filtersQuery(filters)), 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' }
    : {};
  return (
    <tr id={`run-${run.id}`} class={run.archivedAt ? 'archived' : undefined} {...poll}>
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
        {run.dataset === 'mnist' ? '' : <span class="badge badge-dataset" title={`on dataset ${run.dataset}`}>{run.dataset}</span>}
        {run.archivedAt ? <span class="badge badge-archived">archived</span> : ''}
        <TagList tags={tags} href={(tag) => withQuery('/runs', filtersQuery(filters, { tag, page: undefined }))} />
      </td>
      <td>
        <StatusBadge status={run.status} /> <DegenerateFlag reason={item.degenerate} />
      </td>
      {columns.map((column) => (
        <td class={[column.num && 'num', column.headline && 'strong'].filter(Boolean).join(' ') || undefined}>{column.cell(item)}</td>
      ))}
    </tr>
  );
}

/** The columns every view has, before the chosen ones. */
const ROW_COLUMNS: Pick<RunColumn, 'label' | 'sort' | 'num' | 'title'>[] = [
  { label: '#', num: true, sort: 'id' },
  { label: 'Name', sort: 'name' },
  { label: 'Status', sort: 'status' },
];

function SortHeader({ label, sort, title, num, filters }: Pick<RunColumn, 'label' | 'sort' | 'num' | 'title'> & { filters: RunFilters }) {
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
      <a href={withQuery('/runs', filtersQuery(filters, { sort, dir, page: undefined }))}>
        {label}
        {arrow}
      </a>
    </th>
  );
}

/** Page links that keep every other filter; the current page is not a link. */
function Pager({ page, filters }: { page: RunPage<ListedRun>; filters: RunFilters }) {
  if (page.pages <= 1) return '';
  const link = (to: number, text: string, rel?: string) =>
    to === page.page ? (
      <span aria-current="page">{text}</span>
    ) : (
      <a href={withQuery('/runs', filtersQuery(filters, { page: to }))} rel={rel}>
        {text}
      </a>
    );
  // First, last and the pages around the current one: a thousand runs are 20 pages.
  const shown = [...new Set([1, page.page - 2, page.page - 1, page.page, page.page + 1, page.page + 2, page.pages])].filter((n) => n >= 1 && n <= page.pages).sort((a, b) => a - b);
  return (
    <nav class="pager" aria-label="pages of runs">
      {page.page > 1 ? link(page.page - 1, '‹ Previous', 'prev') : ''}
      {shown.map((n, i) => (
        <>
          {i > 0 && n - shown[i - 1]! > 1 ? <span class="muted">…</span> : ''}
          {link(n, String(n))}
        </>
      ))}
      {page.page < page.pages ? link(page.page + 1, 'Next ›', 'next') : ''}
    </nav>
  );
}

function countLine({ page, matched, total, archived }: { page: RunPage<ListedRun>; matched: number; total: number; archived: number }): string {
  const hidden = archived > 0 ? `; ${archived} archived not shown` : '';
  const range = page.pages > 1 ? `, ${(page.page - 1) * page.perPage + 1}–${(page.page - 1) * page.perPage + page.items.length} shown` : '';
  return matched === total ? `${plural(total, 'run')}${range}${hidden}` : `${matched} of ${total} runs match${range}${hidden}`;
}

export interface RunsTableProps extends RowView {
  page: RunPage<ListedRun>;
  /** Runs that pass the filters, on every page. */
  matched: number;
  /** Runs in the list before filtering (archived ones only when they are shown). */
  total: number;
  /** Archived runs left out because they are hidden. */
  archived: number;
}

/**
 * Hides the default columns a window is too narrow for (their `from`), by position: the cells
 * themselves stay as they are, and a row that refreshes itself is hidden alike.
 */
function fitWidthStyle(columns: RunColumn[]): string {
  const first = ROW_COLUMNS.length + 2; // after the checkbox and the row's own columns, 1-based
  const widths = [...new Set(columns.flatMap((c) => (c.from ? [c.from] : [])))];
  return widths
    .map((width) => {
      // A narrower window matches every wider query too, so each hides only its own columns.
      const cells = columns.flatMap((c, i) => (c.from === width ? [`table.runs.fit-width tr > :nth-child(${first + i})`] : []));
      return `@media (max-width: ${width - 0.02}px) { ${cells.join(', ')} { display: none; } }`;
    })
    .join('\n');
}

export function RunsTable({ page, matched, total, archived, columns, filters }: RunsTableProps) {
  // Chosen columns all show, however wide; the defaults fit the window.
  const fitted = filters.col === undefined;
  const exportQuery = filtersQuery({ ...filters, page: undefined, per_page: undefined, col: columns.map((c) => c.id) });
  return (
    <div id="runs-table" class="table-wrap">
      <div class="list-head">
        <p class="muted">{countLine({ page, matched, total, archived })}</p>
        {matched > 0 ? (
          <a href={`/api/runs?format=csv&${exportQuery}`} download="runs.csv">
            Export CSV
          </a>
        ) : (
          ''
        )}
      </div>
      {fitted ? <style>{raw(fitWidthStyle(columns))}</style> : ''}
      <table class={fitted ? 'runs fit-width' : 'runs'}>
        <thead>
          <tr>
            <th>
              <span class="visually-hidden">select</span>
            </th>
            {[...ROW_COLUMNS, ...columns].map((column) => (
              <SortHeader {...column} filters={filters} />
            ))}
          </tr>
        </thead>
        <tbody>
          {page.items.map((item) => (
            <RunRow item={item} columns={columns} filters={filters} />
          ))}
        </tbody>
      </table>
      {total === 0 && archived === 0 ? <p class="empty">No runs here yet. Launch one above.</p> : ''}
      {(total > 0 || archived > 0) && matched === 0 ? (
        <p class="empty">
          No runs match these filters. <a href="/runs">Show all runs</a>
        </p>
      ) : (
        ''
      )}
      <Pager page={page} filters={filters} />
    </div>
  );
}
