import type { ClassMetrics } from '../../analysis/class-metrics.ts';
import { percent } from '../format.ts';

/** The worst class by error is marked, as it is the first place to look. */
export function ClassMetricsTable({ metrics, classNames }: { metrics: ClassMetrics[]; classNames?: string[] }) {
  const worst = Math.max(...metrics.map((m) => m.error ?? 0));
  return (
    <table class="class-metrics">
      <thead>
        <tr>
          <th>Class</th>
          <th>Images</th>
          <th>Precision</th>
          <th>Recall</th>
          <th>F1</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {metrics.map((m) => (
          <tr class={m.error !== null && m.error === worst && worst > 0 ? 'worst' : undefined}>
            <th scope="row">{classNames?.[m.label] ?? m.label}</th>
            <td class="num">{m.support}</td>
            <td class="num">{percent(m.precision)}</td>
            <td class="num">{percent(m.recall)}</td>
            <td class="num">{percent(m.f1)}</td>
            <td class="num">
              <span class="error-bar" style={`width: ${worst > 0 ? Math.round(((m.error ?? 0) / worst) * 60) : 0}px`}></span>
              {percent(m.error)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
