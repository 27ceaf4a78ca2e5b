import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PREDICTION_FORMATS, runPredictionFile } from '../../models/imported/prediction-file.ts';
import { runListItem, runSummary } from '../../training/run-summary.ts';
import { getRun, loadTestPredictions } from '../../store/store.ts';
import { runsCsv } from '../components/run-columns.tsx';
import type { WebDeps } from '../deps.ts';
import { jsonObject } from '../json-body.ts';
import { parseLaunchJson } from '../launch.ts';
import { datasetLookup } from '../../data/datasets/catalogue.ts';
import { queryChoice, RUN_ID, runIdOf } from '../params.ts';
import { filtersFrom, PER_PAGE } from '../run-filters.ts';
import { listedRows, runsView } from '../runs-view.ts';

/** JSON (and prediction files) for scripts: the same shapes as `runs --json`, `train --json` and `predictions`. */
export function apiRoutes({ db, images, queue, collapses }: WebDeps): Hono {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/api/runs', (c) => {
      const filters = filtersFrom(c);
      const format = queryChoice(c, 'format', ['json', 'csv'] as const) ?? 'json';
      // Without page or per_page the JSON lists every match, as it did before paging; the CSV always does.
      const paged = format === 'json' && (filters.page !== undefined || filters.per_page !== undefined);
      const view = runsView({ db, images }, filters, paged ? PER_PAGE : Number.MAX_SAFE_INTEGER);
      if (view.whereError) throw new HTTPException(400, { message: `where: ${view.whereError}` });
      if (format === 'csv') {
        return c.body(runsCsv(listedRows({ db, images, collapses }, view.selected), view.columns), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="runs.csv"',
        });
      }
      const { page, pages, perPage } = view.page;
      return c.json({
        runs: view.page.items.map(({ run, tags }) => ({ ...runListItem(run), params: run.params, tags, progress: run.progress, archivedAt: run.archivedAt?.toISOString() ?? null })),
        total: view.total,
        matched: view.selected.length,
        ...(paged ? { page, pages, perPage } : { page: 1, pages: 1, perPage: null }),
      });
    })
    // The launch form's fields as JSON; the request guard has let only JSON from this origin (or from no browser) this far.
    .post('/api/runs', async (c) => {
      const body = await jsonObject(c, 'the body must be a JSON object of launch fields, e.g. {"epochs": 1, "learning-rate": 0.003}');
      const request = parseLaunchJson(body, datasetLookup(db));
      if (!request.ok) return c.json({ error: 'the run was not queued; errors says why, field by field', errors: request.errors }, 422);
      const run = await queue.enqueue(request.run);
      return c.json(runSummary(db, getRun(db, run.id)), 201, { Location: `/api/runs/${run.id}` });
    })
    .get(`/api/runs/${RUN_ID}`, (c) => c.json(runSummary(db, getRun(db, runIdOf(c)))))
    .get(`/api/runs/${RUN_ID}/predictions`, (c) => {
      const format = queryChoice(c, 'format', ['json', ...PREDICTION_FORMATS]) ?? 'json';
      const run = getRun(db, runIdOf(c));
      const missing = () => new HTTPException(404, { message: `run ${run.id} is ${run.status} and has no test predictions` });
      if (format === 'json') {
        const stored = loadTestPredictions(db, run.id);
        if (!stored) throw missing();
        const predictions = Array.from(stored.predicted, (predicted, index) => ({
          index,
          label: images.labels[index],
          predicted,
          probabilities: Array.from(stored.probabilities.subarray(index * 10, index * 10 + 10)),
        }));
        return c.json({ runId: run.id, count: predictions.length, predictions });
      }
      const file = runPredictionFile(db, run.id, format);
      if (!file) throw missing();
      // The same files `digitlab predictions` writes and `digitlab import` reads.
      return c.body(new Uint8Array(file), 200, {
        'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/octet-stream',
        'Content-Disposition': `attachment; filename="run-${run.id}-predictions.${format}"`,
      });
    });
}
