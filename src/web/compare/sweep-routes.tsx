import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { sweepCommand } from '../../analysis/cli/sweep-command.ts';
import { sweepResults } from '../../analysis/sweeps/sweep-results.ts';
import { planSweep, SWEEP_OPTIONS } from '../../analysis/sweeps/sweep-plan.ts';
import { launchSweep, listSweeps, SweepNotFoundError } from '../../analysis/sweeps/sweep-store.ts';
import { parseCommandLine, UsageError } from '../../experiments/cli/command.ts';
import type { WebDeps } from '../deps.ts';
import { formBody, RUN_ID, runIdOf } from '../params.ts';
import { SweepPage, SweepResultsView, SweepsPage, type SweepFormValues } from './sweep-page.tsx';

/** The form's fields as the sweep command's flags, so both accept exactly the same sweeps. */
function planFromForm(values: SweepFormValues) {
  const argv = Object.keys(SWEEP_OPTIONS)
    .filter((field) => values[field])
    .map((field) => `--${field}=${values[field]}`);
  return planSweep(parseCommandLine(sweepCommand, argv).options);
}

/** The sweeps list with its launch form, one sweep's page, and the results fragment that page polls. */
export function sweepRoutes({ db }: Pick<WebDeps, 'db'>): Hono {
  const resultsOf = (id: number) => {
    try {
      return sweepResults(db, id);
    } catch (err) {
      if (err instanceof SweepNotFoundError) throw new HTTPException(404, { message: err.message });
      throw err;
    }
  };
  return new Hono()
    .get('/sweeps', (c) => c.html(<SweepsPage sweeps={listSweeps(db)} form={{}} />))
    .post('/sweeps', async (c) => {
      const body = await formBody(c);
      const values: SweepFormValues = Object.fromEntries(
        Object.keys(SWEEP_OPTIONS)
          .filter((field) => typeof body[field] === 'string')
          .map((field) => [field, (body[field] as string).trim()]),
      );
      try {
        const { sweep } = launchSweep(db, planFromForm(values));
        return c.redirect(`/sweeps/${sweep.id}`, 303);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        return c.html(<SweepsPage sweeps={listSweeps(db)} form={{ values, error: err.message }} />, 422);
      }
    })
    .get(`/sweeps/${RUN_ID}`, (c) => c.html(<SweepPage results={resultsOf(runIdOf(c))} />))
    .get(`/sweeps/${RUN_ID}/results`, (c) => c.html(<SweepResultsView results={resultsOf(runIdOf(c))} />));
}
