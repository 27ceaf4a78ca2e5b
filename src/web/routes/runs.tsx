import { Hono } from 'hono';
import type { Db } from '../../../db/client.ts';
import { RUN_STATUSES } from '../../../db/schema.ts';
import { modelCollapse } from '../../experiments/degenerate-model.ts';
import { getRun, listRuns, runTagMap, testConfusion, type Run } from '../../experiments/store.ts';
import { LaunchForm, ModelCheck } from '../components/launch-form.tsx';
import { Layout } from '../components/layout.tsx';
import { RunRow, RunsTable } from '../components/runs-table.tsx';
import type { WebDeps } from '../deps.ts';
import { ImportForm } from '../imported/components.tsx';
import type { ImportFormValues } from '../imported/upload.ts';
import { parseLaunchForm, type LaunchErrors, type LaunchValues } from '../launch.ts';
import { formBody, formField, RUN_ID, runIdOf } from '../params.ts';
import { filtersFrom, selectRuns, type ListedRun, type RunFilters } from '../run-filters.ts';

/** Filtering re-renders only the table (hx-select), and the URL follows so the view can be kept. */
function Filters({ filters }: { filters: RunFilters }) {
  return (
    <form
      class="filters"
      method="get"
      action="/runs"
      hx-get="/runs"
      hx-trigger="input delay:300ms, submit"
      hx-target="#runs-table"
      hx-select="#runs-table"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <input type="search" name="q" value={filters.q ?? ''} placeholder="Search name, note, tag, #id" aria-label="search" />
      <select name="status" aria-label="status">
        <option value="">any status</option>
        {RUN_STATUSES.map((status) => (
          <option value={status} selected={filters.status === status}>
            {status}
          </option>
        ))}
      </select>
      <input type="text" name="tag" value={filters.tag ?? ''} placeholder="tag: key or key=value" aria-label="tag" />
      <input type="hidden" name="sort" value={filters.sort} />
      <input type="hidden" name="dir" value={filters.dir} />
      <button type="submit">Filter</button>
      <a id="compare-link" class="button disabled" aria-disabled="true">
        Compare selected (0)
      </a>
    </form>
  );
}

type RunsPageForms = { values?: LaunchValues; errors?: LaunchErrors; imported?: { values: ImportFormValues; error: string } };

function RunsPage(props: { items: ListedRun[]; total: number; filters: RunFilters } & RunsPageForms) {
  return (
    <Layout title="Runs">
      <h1>Runs</h1>
      <LaunchForm values={props.values} errors={props.errors} open={props.total === 0} />
      <ImportForm values={props.imported?.values} error={props.imported?.error} />
      <Filters filters={props.filters} />
      <RunsTable items={props.items} filters={props.filters} total={props.total} />
    </Layout>
  );
}

const listed = (db: Db, run: Run): ListedRun => ({
  run,
  tags: runTagMap(db, run.id),
  degenerate: run.status === 'completed' ? modelCollapse(testConfusion(db, run.id)) : null,
});

/** The runs page, with a form sent back refilled when it failed (the import route answers with it too). */
export function runsPage(db: Db, filters: RunFilters, forms: RunsPageForms = {}) {
  const all = listRuns(db).map((run) => listed(db, run));
  return <RunsPage items={selectRuns(all, filters)} total={all.length} filters={filters} {...forms} />;
}

export function runsRoutes({ db, queue }: WebDeps): Hono {
  const page = (filters: RunFilters, forms: RunsPageForms = {}) => runsPage(db, filters, forms);

  return new Hono()
    .get('/', (c) => c.redirect('/runs'))
    .get('/runs', (c) => c.html(page(filtersFrom(c))))
    .post('/runs', async (c) => {
      const request = parseLaunchForm(await formBody(c));
      if (!request.ok) return c.html(page(filtersFrom(c), request), 422);
      const run = queue.enqueue(request.run);
      return c.redirect(`/runs/${run.id}`, 303);
    })
    .post('/models/check', async (c) => {
      const body = await formBody(c);
      return c.html(<ModelCheck values={{ model: formField(body, 'model').trim(), spec: formField(body, 'spec').trim() }} />);
    })
    .get(`/runs/${RUN_ID}/row`, (c) => c.html(<RunRow item={listed(db, getRun(db, runIdOf(c)))} />));
}
