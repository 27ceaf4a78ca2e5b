import type { SeedGroup } from '../../analysis/seed-groups.ts';
import type { StoredRobustness } from '../../analysis/robustness/robustness-store.ts';
import { spreadOf, type Spread } from '../../analysis/statistics/spread.ts';
import type { EpochMetric, Run } from '../../store/store.ts';
import type { Series } from '../components/line-chart.tsx';

/** Distinct on white and to most colour-blind eyes (Tableau 10); runs beyond eight reuse them. */
const PALETTE = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];

export const colourOf = (position: number) => PALETTE[position % PALETTE.length]!;

export const EPOCH_METRICS = [
  { key: 'valAccuracy', title: 'validation accuracy', unit: 'percent' },
  { key: 'valLoss', title: 'validation loss', unit: 'plain' },
  { key: 'accuracy', title: 'training accuracy', unit: 'percent' },
  { key: 'loss', title: 'training loss', unit: 'plain' },
] as const;

export type EpochMetricKey = (typeof EPOCH_METRICS)[number]['key'];

/** One line per run, in the colour the rest of the page gives that run. */
export function runSeries(runs: Run[], histories: EpochMetric[][], metric: EpochMetricKey): Series[] {
  return runs.map((run, i) => ({
    label: `run ${run.id}`,
    colour: colourOf(i),
    points: histories[i]!.filter((m) => m[metric] !== null).map((m) => ({ x: m.epoch, y: m[metric]! })),
  }));
}

/** One line per seed group: the mean over its seeds, shaded one standard deviation either side. */
export function groupSeries(groups: SeedGroup[], metric: EpochMetricKey): Series[] {
  return groups.map((group, i) => {
    const spreads = group.epochs
      .map((band) => ({ epoch: band.epoch, spread: band[metric] as Spread | null }))
      .filter((e): e is { epoch: number; spread: Spread } => e.spread !== null);
    return {
      label: `runs ${group.runIds.join(', ')} (mean ± sd)`,
      colour: colourOf(i),
      points: spreads.map((e) => ({ x: e.epoch, y: e.spread.mean })),
      band: spreads.map((e) => ({ x: e.epoch, low: e.spread.mean - e.spread.sd, high: e.spread.mean + e.spread.sd })),
    };
  });
}

/**
 * Accuracy along one robustness transform: a seed group with curves for two runs or more as its
 * mean, shaded one standard deviation either side (its runs are not drawn again on their own);
 * every other run with curves as its own line. Runs without stored curves draw nothing.
 */
export function robustnessSeries(runs: Run[], stored: (StoredRobustness | null)[], groups: SeedGroup[], transform: string): Series[] {
  const curveOf = (runId: number) => stored[runs.findIndex((run) => run.id === runId)]?.curves.find((c) => c.name === transform);
  const banded = groups.filter((group) => group.runIds.filter((id) => curveOf(id)).length > 1);
  const inBand = new Set(banded.flatMap((group) => group.runIds));
  const groupLines = banded.map((group) => {
    const curves = group.runIds.map(curveOf).filter((c) => c !== undefined);
    const strengths = [...new Set(curves.flatMap((c) => c.points.map((p) => p.strength)))].sort((a, b) => a - b);
    const spreads = strengths.map((x) => ({ x, spread: spreadOf(curves.flatMap((c) => c.points.filter((p) => p.strength === x).map((p) => p.accuracy)))! }));
    return {
      label: `runs ${group.runIds.filter((id) => curveOf(id)).join(', ')} (mean ± sd)`,
      points: spreads.map(({ x, spread }) => ({ x, y: spread.mean })),
      band: spreads.map(({ x, spread }) => ({ x, low: spread.mean - spread.sd, high: spread.mean + spread.sd })),
    };
  });
  const runLines = runs
    .filter((run) => !inBand.has(run.id) && curveOf(run.id))
    .map((run) => ({ label: `run ${run.id}`, points: curveOf(run.id)!.points.map((p) => ({ x: p.strength, y: p.accuracy })) }));
  return [...groupLines, ...runLines].map((line, i) => ({ ...line, colour: colourOf(i) }));
}
