import { spreadText } from '../../analysis/statistics/spread.ts';
import type { AxisValue } from '../../analysis/sweeps/sweep-plan.ts';
import type { SweepPoint, SweepResults } from '../../analysis/sweeps/sweep-results.ts';
import { percent, plural } from '../format.ts';
import { axisOrder } from './sweep-chart.ts';

/** Darkest and lightest shading: the best cell stands out, and the text on it stays readable. */
const [LIGHTEST, DARKEST] = [0.06, 0.55];

/** What a cell without a completed run says instead: how far its runs are. */
const progressOf = (point: SweepPoint) => {
  const counts = new Map<string, number>();
  for (const status of point.statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
};

function Cell({ point, shade }: { point: SweepPoint | undefined; shade: (mean: number) => number }) {
  if (!point) return <td class="empty">–</td>;
  const accuracy = point.testAccuracy;
  if (!accuracy) return <td class="empty">{progressOf(point)}</td>;
  const completed = point.runIds.filter((_, i) => point.testAccuracies[i] !== null);
  const href = completed.length > 1 ? `/compare?runs=${completed.slice(0, 8).join(',')}` : `/runs/${completed[0]}`;
  // spreadText words one seed as "(1 seed, no spread)"; the seed count goes on its own line.
  const [mean, sd] = [percent(accuracy.mean), accuracy.n > 1 ? `sd ${percent(accuracy.sd)}` : 'no spread'];
  return (
    <td style={`--strength: ${shade(accuracy.mean).toFixed(3)}`} title={`${spreadText(accuracy, (v) => percent(v))} over ${accuracy.n} seed(s)`}>
      <a href={href}>
        <strong>{mean}</strong>
        <small>
          {plural(accuracy.n, 'seed')}, {sd}
        </small>
      </a>
    </td>
  );
}

/**
 * Mean test accuracy over seeds for every pair of values of a sweep's two axes, shaded from the
 * worst cell to the best, each with its seed count and spread.
 */
export function SweepHeatmap({ results }: { results: SweepResults }) {
  const [rowAxis, columnAxis] = Object.keys(results.sweep.axes) as [string, string];
  const [rows, columns] = [axisOrder(results, rowAxis), axisOrder(results, columnAxis)];
  const at = (row: AxisValue, column: AxisValue) => results.points.find((p) => p.values[rowAxis] === row && p.values[columnAxis] === column);
  const means = results.points.flatMap((p) => (p.testAccuracy ? [p.testAccuracy.mean] : []));
  const [low, high] = [Math.min(...means), Math.max(...means)];
  const shade = (mean: number) => (high > low ? LIGHTEST + ((mean - low) / (high - low)) * (DARKEST - LIGHTEST) : DARKEST);
  return (
    <section class="sweep-heatmap compare-section">
      <h2>Mean test accuracy by {rowAxis} and {columnAxis}</h2>
      <p class="muted">
        Each cell: the mean over its completed seeds, their count and standard deviation (one seed has none). Shading runs from the lowest mean
        {means.length ? ` (${percent(low)})` : ''} to the highest{means.length ? ` (${percent(high)})` : ''}.
      </p>
      <div class="heatmap-wrap">
        <table class="heatmap">
          <thead>
            <tr>
              <th scope="col">
                {rowAxis} \ {columnAxis}
              </th>
              {columns.map((column) => (
                <th scope="col">{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <th scope="row">{row}</th>
                {columns.map((column) => (
                  <Cell point={at(row, column)} shade={shade} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
