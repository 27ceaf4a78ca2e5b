import { Hono } from 'hono';
import { RUN_STATUSES } from '../../../db/schema.ts';
import { runListItem, runSummary } from '../../experiments/run-summary.ts';
import { getRun, listRuns } from '../../experiments/store.ts';
import type { WebDeps } from '../deps.ts';
import { queryChoice, RUN_ID, runIdOf } from '../params.ts';

/** JSON for scripts: the same shapes as `runs --json` and `train --json`. */
export function apiRoutes({ db }: WebDeps): Hono {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/api/runs', (c) => {
      const status = queryChoice(c, 'status', RUN_STATUSES);
      return c.json({ runs: listRuns(db, { statuses: status ? [status] : undefined }).map(runListItem) });
    })
    .get(`/api/runs/${RUN_ID}`, (c) => c.json(runSummary(db, getRun(db, runIdOf(c)))));
}
