import type { SeedGroup } from '../../analysis/seed-groups.ts';
import type { Spread } from '../../analysis/statistics/spread.ts';
import type { EpochMetric, Run } from '../../experiments/store.ts';
import type { BandSeries } from './band-chart.tsx';

/** Distinct on white and to most colour-blind eyes (Tableau 10); runs beyond eight reuse them. */
const PALETTE = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];

export const colourOf = (position: number) => PALETTE[position % PALETTE.length]!;

export const EPOCH_METRICS = [
  { key: 'valAccuracy', title: 'validation accuracy' },
  { key: 'valLoss', title: 'validation loss' },
  { key: 'accuracy', title: 'training accuracy' },
  { key: 'loss', title: 'training loss' },
] as const;

export type EpochMetricKey = (typeof EPOCH_METRICS)[number]['key'];

/** One line per run, in the colour the rest of the page gives that run. */
export function runSeries(runs: Run[], histories: EpochMetric[][], metric: EpochMetricKey): BandSeries[] {
  return runs.map((run, i) => ({
    label: `run ${run.id}`,
    colour: colourOf(i),
    points: histories[i]!.filter((m) => m[metric] !== null).map((m) => ({ x: m.epoch, y: m[metric]! })),
  }));
}

/** One line per seed group: the mean over its seeds, shaded one standard deviation either side. */
export function groupSeries(groups: SeedGroup[], metric: EpochMetricKey): BandSeries[] {
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
