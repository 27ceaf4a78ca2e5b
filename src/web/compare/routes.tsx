import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PairStatisticsCache } from '../../analysis/compare/pair-statistics.ts';
import { imageChanges } from '../../analysis/compare/image-changes.ts';
import { comparePaired, ComparisonRefusedError, comparisonJson, pairRuns, type PairedRuns } from '../../analysis/compare/run-comparison.ts';
import { moreSeedsOf } from '../../analysis/compare/recipe-evidence.ts';
import { loadRobustness } from '../../analysis/robustness/robustness-store.ts';
import { seedGroups } from '../../analysis/seed-groups.ts';
import { epochHistory, getRun, runTagMap } from '../../store/store.ts';
import type { WebDeps } from '../deps.ts';
import { formBody, queryInt } from '../params.ts';
import { chartViewOf } from '../chart-view.ts';
import { ComparePage, type PairOutcome } from './compare-page.tsx';
import { CellImages, type KeepPart } from './pair-section.tsx';
import { keptHtml } from '../completed-run-memo.ts';
import { ParamsTable } from './params-table.tsx';

/** More runs than this make unreadable charts and slow pages. */
const MAX_RUNS = 8;
const RUN_ID_RANGE = { min: 1, max: Number.MAX_SAFE_INTEGER };

/** `runs=3,5,9`: two to eight distinct run ids, in the order given (the first is A). */
function runIdsOf(c: Context): number[] {
  const raw = c.req.query('runs') ?? '';
  const ids = [...new Set(raw.split(',').map((part) => part.trim()).filter(Boolean).map(Number))];
  if (ids.some((id) => !Number.isInteger(id) || id < 1) || ids.length < 2 || ids.length > MAX_RUNS) {
    throw new HTTPException(400, { message: `runs must list 2 to ${MAX_RUNS} run ids separated by commas, e.g. runs=3,5; got '${raw}'` });
  }
  return ids;
}

/** `queued=7,8`: the runs the seeds button just queued; anything else is ignored, it only shapes a notice. */
function queuedIdsOf(c: Context): number[] {
  return (c.req.query('queued') ?? '').split(',').map(Number).filter((id) => Number.isInteger(id) && id > 0);
}

function requiredInt(c: Context, name: string, range: { min: number; max: number }): number {
  const value = queryInt(c, name, range);
  if (value === undefined) throw new HTTPException(400, { message: `${name} is required` });
  return value;
}

type Pairing = (a: number, b: number) => PairedRuns;

/** The page shows a refused pair beside the others; the JSON and the cell fragment let the refusal answer for itself. */
function pairOrRefusal(pair: Pairing, a: number, b: number): PairedRuns | { refused: string } {
  try {
    return pair(a, b);
  } catch (err) {
    if (err instanceof ComparisonRefusedError) return { refused: err.message };
    throw err;
  }
}

async function pairOutcome({ db, pairImages }: Pick<WebDeps, 'db' | 'pairImages'>, pair: Pairing, statistics: PairStatisticsCache, a: number, b: number): Promise<PairOutcome> {
  const paired = pairOrRefusal(pair, a, b);
  if ('refused' in paired) return paired;
  const { accuracyDeltaInterval, ece } = await statistics.of(paired);
  // Only completed runs pair, so what is drawn from their predictions alone never changes: kept under B, named by A.
  const keep: KeepPart = (part, render) => keptHtml(pairImages, paired.b, `against ${paired.a.id}: ${part}`, render);
  return { paired, comparison: comparePaired(db, paired, accuracyDeltaInterval), ece, keep };
}

/** The comparison page, its fragments (the params toggle, one confusion cell's images) and its JSON. */
export function compareRoutes(deps: WebDeps): Hono {
  const { db, datasets, queue } = deps;
  const statistics = new PairStatisticsCache(db);
  // The test labels this server holds in memory, which every comparison is scored against.
  const pair: Pairing = (a, b) => pairRuns(db, a, b, { testLabels: (dataset) => ({ labels: datasets.test(dataset).labels, classNames: datasets.classNames(dataset) }) });
  return new Hono()
    .get('/compare', async (c) => {
      const ids = runIdsOf(c);
      const runs = ids.map((id) => getRun(db, id));
      const pairs = await Promise.all(ids.slice(1).map((id) => pairOutcome(deps, pair, statistics, ids[0]!, id)));
      return c.html(
        <ComparePage
          runs={runs}
          showAllParams={c.req.query('all') === '1'}
          chartView={chartViewOf(c)}
          histories={runs.map((run) => epochHistory(db, run.id))}
          groups={seedGroups(db, runs)}
          pairs={pairs}
          images={datasets.test(runs[0]!.dataset)}
          queued={queuedIdsOf(c)}
          robustness={runs.map((run) => loadRobustness(db, run.id))}
        />,
      );
    })
    .post('/compare/seeds', async (c) => {
      const body = await formBody(c);
      const ids = [body.a, body.b].map(Number);
      if (!ids.every((id) => Number.isInteger(id) && id >= 1)) throw new HTTPException(400, { message: 'a and b must be run ids' });
      const runs = ids.map((id) => getRun(db, id));
      const queued: number[] = [];
      for (const run of runs) {
        for (const params of moreSeedsOf(db, run)) queued.push((await queue.enqueue({ name: `${run.name} seed ${params.seed}`, params, tags: runTagMap(db, run.id) })).id);
      }
      return c.redirect(`/compare?runs=${ids.join(',')}&queued=${queued.join(',')}`, 303);
    })
    .get('/api/compare', async (c) => {
      const [a, b] = [requiredInt(c, 'a', RUN_ID_RANGE), requiredInt(c, 'b', RUN_ID_RANGE)];
      const paired = pair(a, b);
      return c.json(comparisonJson(comparePaired(db, paired, (await statistics.of(paired)).accuracyDeltaInterval)));
    })
    .get('/compare/params', (c) => {
      const runs = runIdsOf(c).map((id) => getRun(db, id));
      return c.html(<ParamsTable runs={runs} all={c.req.query('all') === '1'} />);
    })
    .get('/compare/cell', (c) => {
      const [a, b] = [requiredInt(c, 'a', RUN_ID_RANGE), requiredInt(c, 'b', RUN_ID_RANGE)];
      const paired = pair(a, b);
      const last = paired.classNames.length - 1;
      const [trueLabel, predicted] = [requiredInt(c, 'true', { min: 0, max: last }), requiredInt(c, 'predicted', { min: 0, max: last })];
      // Only the cell's movements: the statistics of a full comparison would be wasted here.
      const cell = imageChanges(paired.predictions, paired.classNames.length).cells.find((m) => m.trueLabel === trueLabel && m.predicted === predicted) ?? {
        trueLabel,
        predicted,
        into: [],
        outOf: [],
      };
      return c.html(<CellImages cell={cell} paired={paired} images={datasets.test(paired.a.dataset)} />);
    });
}
