import { describe, expect, it } from 'vitest';
import { computePairStatistics, PairStatisticsCache, pairStatisticsJob } from '../../../src/analysis/compare/pair-statistics.ts';
import { compareRuns, comparisonJson, pairRuns } from '../../../src/analysis/compare/run-comparison.ts';
import { pairedEceDifference } from '../../../src/analysis/calibration/run-calibration.ts';
import { longestStallDuring } from '../../helpers/event-loop.ts';
import { recordCompletedRun } from '../../helpers/recorded-runs.ts';
import { webApp } from '../../helpers/web.ts';

describe('comparing two full runs', () => {
  const { app, db, images } = webApp();
  const a = recordCompletedRun(db, images.labels, { seed: 1, accuracy: 0.9 });
  const b = recordCompletedRun(db, images.labels, { seed: 2, accuracy: 0.92 });

  it('bootstraps off the event loop, to the same figures as in place', async () => {
    const paired = pairRuns(db, a.id, b.id);
    // 2,000 resamples of 10,000 images for the accuracy and 1,000 for the ECE: about a second in place, measured.
    const { result, longestStall } = await longestStallDuring(() => new PairStatisticsCache(db).of(paired));
    expect(longestStall).toBeLessThan(300);
    expect(result).toEqual(computePairStatistics(pairStatisticsJob(db, paired)));
  }, 120_000);

  it('shows and answers the figures computed in place', async () => {
    const inPlace = comparisonJson(compareRuns(db, a.id, b.id));
    expect(await (await app.request(`/api/compare?a=${a.id}&b=${b.id}`)).json()).toEqual(JSON.parse(JSON.stringify(inPlace)));
    const page = await (await app.request(`/compare?runs=${a.id},${b.id}`)).text();
    const ece = pairedEceDifference(db, pairRuns(db, a.id, b.id))!;
    // As the page writes it: signed points.
    const points = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`;
    expect(page.includes(`interval ${points(ece.low)} to ${points(ece.high)}`), 'the ECE interval').toBe(true);
  }, 120_000);
});
