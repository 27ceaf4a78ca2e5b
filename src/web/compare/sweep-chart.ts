import type { AxisValue } from '../../analysis/sweeps/sweep-plan.ts';
import type { SweepPoint, SweepResults } from '../../analysis/sweeps/sweep-results.ts';
import type { LineChartProps } from '../components/line-chart.tsx';
import { colourOf } from './series.ts';

const describe = (values: Record<string, AxisValue>) =>
  Object.entries(values)
    .map(([axis, value]) => `${axis} ${value}`)
    .join(', ') || 'all runs';

/** An axis' values in the order a chart or heatmap shows them: numbers ascending, names as the sweep gave them. */
export function axisOrder(results: SweepResults, axis: string): AxisValue[] {
  const given = results.sweep.axes[axis]!;
  return given.every((value) => typeof value === 'number') ? [...given].sort((x, y) => (x as number) - (y as number)) : given;
}

/**
 * Test accuracy against one axis of the sweep, one line per setting of the other axes, shaded
 * by the sd over seeds. The axis' values are spaced evenly (learning rates span decades); named
 * ones (models, optimizers) keep the order the sweep gave them.
 */
export function sweepAxisChart(results: SweepResults, axis: string): LineChartProps {
  const values = axisOrder(results, axis);
  const lines = new Map<string, SweepPoint[]>();
  for (const point of results.points) {
    const others = Object.fromEntries(Object.entries(point.values).filter(([name]) => name !== axis));
    const key = describe(others);
    lines.set(key, [...(lines.get(key) ?? []), point]);
  }
  const series = [...lines].map(([label, points], i) => {
    const scored = points
      .filter((p) => p.testAccuracy !== null)
      .map((p) => ({ x: values.indexOf(p.values[axis]!), spread: p.testAccuracy! }))
      .sort((p, q) => p.x - q.x);
    return {
      label,
      colour: colourOf(i),
      points: scored.map((p) => ({ x: p.x, y: p.spread.mean })),
      band: scored.map((p) => ({ x: p.x, low: p.spread.mean - p.spread.sd, high: p.spread.mean + p.spread.sd })),
    };
  });
  return {
    title: `test accuracy against ${axis}`,
    series: series.filter((s) => s.points.length > 0),
    xTicks: values.map((value, x) => ({ x, label: String(value) })),
    xLabel: axis,
    unit: 'percent',
  };
}
