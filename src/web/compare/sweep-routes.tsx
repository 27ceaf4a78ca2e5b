import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { sweepCommand } from '../../analysis/cli/sweep-command.ts';
import { sweepResults } from '../../analysis/sweeps/sweep-results.ts';
import { axisValuesOf, GRID_FLAGS, planSweep, SWEEP_OPTIONS, type SweepPlan } from '../../analysis/sweeps/sweep-plan.ts';
import { launchSweep, listSweeps, SweepNotFoundError } from '../../analysis/sweeps/sweep-store.ts';
import { optionValueProblem, parseCommandLine } from '../../experiments/cli/command.ts';
import type { WebDeps } from '../deps.ts';
import { flagNamedIn, withoutFlag } from '../launch.ts';
import { formBody, RUN_ID, runIdOf } from '../params.ts';
import { SweepPage, SweepResultsView, SweepsPage, type SweepFormErrors, type SweepFormValues } from './sweep-page.tsx';

/** The form's fields as the sweep command's flags, so both accept exactly the same sweeps. */
function planFromForm(values: SweepFormValues) {
  const argv = Object.keys(SWEEP_OPTIONS)
    .filter((field) => values[field])
    .map((field) => `--${field}=${values[field]}`);
  return planSweep(parseCommandLine(sweepCommand, argv).options);
}

/** Why one field's text is not a value its flag takes, in the form's words; null when it is. */
function fieldProblem(field: string, raw: string): string | null {
  if (!(GRID_FLAGS as string[]).includes(field)) return optionValueProblem(SWEEP_OPTIONS[field]!, raw);
  try {
    axisValuesOf(field as (typeof GRID_FLAGS)[number], raw);
    return null;
  } catch (err) {
    return withoutFlag(err);
  }
}

/**
 * Every field checked on its own first, so each mistake shows beside its field at once; then the
 * grid as a whole, whose message goes beside the field it names (or above the form: the grid's size).
 */
function checkSweepForm(values: SweepFormValues): { plan: SweepPlan } | { errors: SweepFormErrors; error?: string } {
  const errors: SweepFormErrors = {};
  for (const [field, raw] of Object.entries(values)) {
    const problem = raw ? fieldProblem(field, raw) : null;
    if (problem) errors[field] = problem;
  }
  if (Object.keys(errors).length > 0) return { errors };
  try {
    return { plan: planFromForm(values) };
  } catch (err) {
    const field = flagNamedIn(err);
    const message = withoutFlag(err);
    return field && field in SWEEP_OPTIONS ? { errors: { [field]: message } } : { errors, error: message };
  }
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
      const checked = checkSweepForm(values);
      if ('errors' in checked) return c.html(<SweepsPage sweeps={listSweeps(db)} form={{ values, ...checked }} />, 422);
      const { sweep } = launchSweep(db, checked.plan);
      return c.redirect(`/sweeps/${sweep.id}`, 303);
    })
    .get(`/sweeps/${RUN_ID}`, (c) => c.html(<SweepPage results={resultsOf(runIdOf(c))} />))
    .get(`/sweeps/${RUN_ID}/results`, (c) => c.html(<SweepResultsView results={resultsOf(runIdOf(c))} />));
}
