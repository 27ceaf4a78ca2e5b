import type { RunComparison } from '../../analysis/compare/run-comparison.ts';

/**
 * B's confusion matrix minus A's. Colour says whether the change is good for B (more right
 * answers on the diagonal, fewer errors off it), not just its sign, which flips meaning there.
 * Clicking a changed cell loads the images that moved into or out of it.
 */
export function ConfusionDifference({ comparison }: { comparison: RunComparison }) {
  const { confusionDifference: difference, a, b } = comparison;
  // A cell can lose and gain the same number of images: net zero, yet worth a look.
  const moved = new Set(comparison.cells.map((cell) => cell.trueLabel * difference.length + cell.predicted));
  return (
    <table class="confusion-difference">
      <thead>
        <tr>
          <th>true \ predicted</th>
          {difference[0]!.map((_, col) => (
            <th>{col}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {difference.map((row, label) => (
          <tr>
            <th>{label}</th>
            {row.map((value, predicted) => {
              if (!moved.has(label * difference.length + predicted)) return <td class="zero">·</td>;
              const verdict = value === 0 ? 'even' : (label === predicted) === value > 0 ? 'better' : 'worse';
              return (
                <td class={verdict} style={`--strength:${Math.min(1, 0.2 + Math.abs(value) / 20)}`}>
                  <button
                    type="button"
                    hx-get={`/compare/cell?a=${a.id}&b=${b.id}&true=${label}&predicted=${predicted}`}
                    hx-target="#cell-images"
                    title={`true ${label}, predicted ${predicted}: ${value > 0 ? '+' : ''}${value}`}
                  >
                    {value > 0 ? `+${value}` : value === 0 ? '±0' : value}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
