const DIGITS = [...Array(10).keys()];

/**
 * Colour by share, separately on and off the diagonal: correct counts are a hundred times the
 * mistakes, so one scale for both would leave every mistake white.
 */
function cellStyle(count: number, rowTotal: number, maxOff: number, diagonal: boolean): string {
  if (count === 0) return '';
  if (diagonal) return `background: rgba(37, 99, 235, ${(0.15 + 0.6 * (count / rowTotal)).toFixed(3)})`;
  return `background: rgba(220, 38, 38, ${(0.12 + 0.78 * Math.sqrt(count / maxOff)).toFixed(3)})`;
}

/** Counts as a heatmap; clicking a non-empty cell loads its images into #cell-gallery in place. */
export function ConfusionMatrix({ runId, counts }: { runId: number; counts: number[][] }) {
  const maxOff = Math.max(1, ...counts.flatMap((row, t) => row.filter((_, p) => p !== t)));
  return (
    <div class="confusion">
      <table class="matrix">
        <caption>Rows: true label · columns: predicted label. Click a cell to see its images.</caption>
        <thead>
          <tr>
            <th scope="col" class="corner">
              true ↓ pred →
            </th>
            {DIGITS.map((d) => (
              <th scope="col">{d}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {counts.map((row, t) => {
            const rowTotal = row.reduce((a, b) => a + b, 0);
            return (
              <tr>
                <th scope="row">{t}</th>
                {row.map((count, p) => (
                  <td style={cellStyle(count, rowTotal, maxOff, t === p)} class={t === p ? 'diag' : undefined}>
                    {count === 0 ? (
                      <span class="zero">·</span>
                    ) : (
                      <button
                        type="button"
                        hx-get={`/runs/${runId}/gallery?label=${t}&predicted=${p}`}
                        hx-target="#cell-gallery"
                        hx-swap="outerHTML"
                        title={`true ${t}, predicted ${p}: ${count} images`}
                        data-cell={`${t}-${p}`}
                      >
                        {count}
                      </button>
                    )}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
