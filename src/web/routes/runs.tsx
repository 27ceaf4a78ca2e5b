import { Hono } from 'hono';
import { RUN_STATUSES } from '../../../db/schema.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { byteSize, deletionBlocker, runStoredBytes } from '../../store/run-deletion.ts';
import { runListRow, runListRows } from '../../store/run-list.ts';
import { getRun, runTagMap, type Run } from '../../store/store.ts';
import { LaunchForm, ModelCheck } from '../components/launch-form.tsx';
import { Layout } from '../components/layout.tsx';
import { availableColumns, chosenColumns, DEFAULT_COLUMN_IDS } from '../components/run-columns.tsx';
import { RunRow, RunsTable } from '../components/runs-table.tsx';
import type { WebDeps } from '../deps.ts';
import { ImportForm } from '../imported/components.tsx';
import type { ImportFormValues } from '../imported/upload.ts';
import { launchValuesOf, parseLaunchForm, type LaunchErrors, type LaunchValues } from '../launch.ts';
import { datasetLookup } from '../../data/datasets/catalogue.ts';
import { formBody, formField, queryInt, RUN_ID, runIdOf } from '../params.ts';
import { filtersFrom, type RunFilters } from '../run-filters.ts';

/** Every dataset a run may be on, for the filter: the built-in ones, then the registered ones. */
import { listed, listedRows, runsView, type RunsView, type RunsViewDeps } from '../runs-view.ts';

/**
 * Filtering re-renders only the table (hx-select) and the expression's error beside its box
 * (hx-select-oob), and the URL follows so the view can be kept.
 */

/** A filter's select: "any NAME", then its choices, the chosen one selected. */
function FilterSelect({ name, choices, chosen }: { name: string; choices: readonly string[]; chosen: string | undefined }) {
  return (
    <select name={name} aria-label={name}>
      <option value="">any {name}</option>
      {choices.map((choice) => (
        <option value={choice} selected={chosen === choice}>
          {choice}
        </option>
      ))}
    </select>
  );
}

function Filters({ filters, available, columns, whereError, datasets }: { filters: RunFilters; datasets: string[] } & Pick<RunsView, 'available' | 'columns' | 'whereError'>) {
  const shown = new Set(columns.map((column) => column.id));
  return (
    <form
      class="filters"
      method="get"
      action="/runs"
      hx-get="/runs"
      hx-trigger="input delay:300ms, submit"
      hx-target="#runs-table"
      hx-select="#runs-table"
      hx-select-oob="#where-error"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <input type="search" name="q" value={filters.q ?? ''} placeholder="Search name, note, tag, #id" aria-label="search" />
      <FilterSelect name="status" choices={RUN_STATUSES} chosen={filters.status} />
      <FilterSelect name="dataset" choices={datasets} chosen={filters.dataset} />
      <input type="text" name="tag" value={filters.tag ?? ''} placeholder="tag: key or key=value" aria-label="tag" />
      <span class="where-field">
        <input
          type="text"
          name="where"
          value={filters.where ?? ''}
          placeholder="lr>=0.001 acc>0.98 model=reference"
          aria-label="filter by params and metrics"
          aria-describedby="where-error"
          aria-invalid={whereError ? 'true' : undefined}
          spellcheck={false}
          autocomplete="off"
        />
        <span id="where-error" class="field-error" role="status">
          {whereError ? `Not applied: ${whereError}` : ''}
        </span>
      </span>
      <label class="check">
        <input type="checkbox" name="archived" value="1" checked={filters.archived} /> show archived
      </label>
      <details class="column-chooser">
        <summary>Columns</summary>
        <fieldset>
          <legend class="visually-hidden">columns to show</legend>
          <p class="muted hint">Until you choose, the list shows the ticked columns that fit the window (test accuracy at every width).</p>
          {available.map((column) => (
            <label class="check">
              <input type="checkbox" name="col" value={column.id} checked={shown.has(column.id)} data-default={DEFAULT_COLUMN_IDS.includes(column.id) ? '1' : undefined} />{' '}
              {column.label}
            </label>
          ))}
        </fieldset>
      </details>
      <input type="hidden" name="sort" value={filters.sort} />
      <input type="hidden" name="dir" value={filters.dir} />
      <button type="submit">Filter</button>
      <a id="compare-link" class="button disabled" aria-disabled="true">
        Compare selected (0)
      </a>
      <span id="compare-order" class="muted" aria-live="polite"></span>
    </form>
  );
}

/** Deleting asks first, on its own page, so that it works the same with or without scripts. */
function DeletePage({ run, bytes, blocker }: { run: Run; bytes: number; blocker: string | null }) {
  return (
    <Layout title={`Delete run ${run.id}`}>
      <p class="crumbs">
        <a href="/runs">Runs</a> › <a href={`/runs/${run.id}`}>run {run.id}</a> › delete
      </p>
      <h1>
        Delete run {run.id}: {run.name}?
      </h1>
      <section class="card">
        {blocker ? (
          <p class="error">It cannot be deleted now: {blocker}.</p>
        ) : (
          <form method="post" action={`/runs/${run.id}/delete`}>
            <p>
              This removes the run with its metrics, predictions, embeddings, maps and weights ({byteSize(bytes)}). It cannot be undone; sweeps and seed
              groups that included it keep their other runs.
            </p>
            <button type="submit" class="danger">
              Delete run {run.id}
            </button>{' '}
            <a href={`/runs/${run.id}`}>Keep it</a>
          </form>
        )}
      </section>
    </Layout>
  );
}

type RunsPageForms = { values?: LaunchValues; errors?: LaunchErrors; imported?: { values: ImportFormValues; error: string } };

/** The runs page, with a form sent back refilled when it failed (the import route answers with it too), and the run just deleted. */
export function runsPage(deps: RunsViewDeps, filters: RunFilters, forms: RunsPageForms = {}, deleted?: number) {
  const view = runsView(deps, filters);
  const page = { ...view.page, items: listedRows(deps, view.page.items) };
  const datasets = datasetLookup(deps.db).names();
  return (
    <Layout title="Runs">
      <h1>Runs</h1>
      {deleted === undefined ? (
        ''
      ) : (
        <p class="notice deleted-notice" role="status">
          Run {deleted} was deleted, with its metrics, predictions and weights.
        </p>
      )}
      <LaunchForm datasets={datasets} values={forms.values} errors={forms.errors} open={view.total + view.archived === 0 || forms.values !== undefined} />
      <ImportForm values={forms.imported?.values} error={forms.imported?.error} datasets={datasets} />
      <Filters filters={filters} available={view.available} columns={view.columns} whereError={view.whereError} datasets={datasets} />
      <RunsTable page={page} matched={view.selected.length} total={view.total} archived={view.archived} columns={view.columns} filters={filters} />
    </Layout>
  );
}

export function runsRoutes({ db, runs, queue, images, collapses }: WebDeps): Hono {
  const page = (filters: RunFilters, forms: RunsPageForms = {}, deleted?: number) => runsPage({ db, images, collapses }, filters, forms, deleted);

  return new Hono()
    .get('/', (c) => c.redirect('/runs'))
    .get('/runs', (c) => {
      // ?from=N: "rerun with these settings" opens the launch form filled in from run N.
      const from = queryInt(c, 'from', { min: 1, max: Number.MAX_SAFE_INTEGER });
      // ?deleted=N: the list a deletion redirects to says it happened; no filter link keeps it.
      if (from === undefined) return c.html(page(filtersFrom(c), {}, queryInt(c, 'deleted', { min: 1, max: Number.MAX_SAFE_INTEGER })));
      const run = getRun(db, from);
      return c.html(page(filtersFrom(c), { values: launchValuesOf(run.params as Hyperparameters, runTagMap(db, run.id)) }));
    })
    .post('/runs', async (c) => {
      const request = parseLaunchForm(await formBody(c), datasetLookup(db));
      if (!request.ok) return c.html(page(filtersFrom(c), request), 422);
      const run = await queue.enqueue(request.run);
      return c.redirect(`/runs/${run.id}`, 303);
    })
    .get(`/runs/${RUN_ID}/delete`, (c) => {
      const run = getRun(db, runIdOf(c));
      return c.html(<DeletePage run={run} bytes={runStoredBytes(db, run.id)} blocker={deletionBlocker(db, run)} />);
    })
    .post(`/runs/${RUN_ID}/delete`, async (c) => {
      const [deleted] = await runs.delete([runIdOf(c)]);
      return c.redirect(`/runs?deleted=${deleted!.runId}`, 303);
    })
    .post(`/runs/${RUN_ID}/archive`, async (c) => {
      const undo = formField(await formBody(c), 'undo') === '1';
      await runs.archive([runIdOf(c)], { undo });
      return c.redirect(`/runs/${runIdOf(c)}`, 303);
    })
    .post('/models/check', async (c) => {
      const body = await formBody(c);
      const values = { model: formField(body, 'model').trim(), spec: formField(body, 'spec').trim(), dataset: formField(body, 'dataset').trim() };
      return c.html(<ModelCheck values={values} datasets={datasetLookup(db)} />);
    })
    .get(`/runs/${RUN_ID}/row`, (c) => {
      // The row keeps the view it polls in: its columns, and the filters its tag links add to.
      const filters = filtersFrom(c);
      const row = runListRow(db, getRun(db, runIdOf(c)));
      const columns = chosenColumns(availableColumns(runListRows(db)), filters.col);
      return c.html(<RunRow item={listed({ db, images, collapses }, row)} columns={columns} filters={filters} />);
    });
}
