import { plural } from '../format.ts';


/**
 * Colour by share, separately on and off the diagonal: correct counts are a hundred times the
 * mistakes, so one scale for both would leave every mistake white.
 */
function cellStyle(count: number, rowTotal: number, maxOff: number, diagonal: boolean): string {
  if (count === 0) return '';
  if (diagonal) return `background: rgba(37, 99, 235, ${(0.15 + 0.6 * (count / rowTotal)).toFixed(3)})`;
  return `background: rgba(220, 38, 38, ${(0.12 + 0.78 * Math.sqrt(count / maxOff)).toFixed(3)})`;
}

/** A changed cell's count against the previous matrix's, signed: "+3", "−2". */
const signed = (delta: number) => (delta > 0 ? `+${delta}` : `−${-delta}`);

/**
 * Counts as a heatmap. With `runId` (the test matrix), clicking a non-empty cell loads its images
 * into #cell-gallery in place; without it the counts are plain. With `previous` (an earlier
 * epoch's matrix), the cells whose count changed are outlined and carry the change.
 */
export function ConfusionMatrix({ runId, counts, previous, caption, classNames }: { runId?: number; counts: number[][]; previous?: number[][]; caption?: string; classNames?: string[] }) {
  const classes = [...counts.keys()];
  const named = (c: number) => classNames?.[c] ?? String(c);
  // Digits fit a cell; longer names are cut on the axes and given whole on hover.
  const short = (c: number) => (named(c).length > 8 ? `${named(c).slice(0, 7)}…` : named(c));
  const maxOff = Math.max(1, ...counts.flatMap((row, t) => row.filter((_, p) => p !== t)));
  return (
    <div class="confusion">
      <table class="matrix">
        <caption>{caption ?? 'Rows: true label · columns: predicted label. Click a cell to see its images.'}</caption>
        <thead>
          <tr>
            <th scope="col" class="corner">
              true ↓ pred →
            </th>
            {classes.map((d) => (
              <th scope="col" title={named(d)}>
                {short(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {counts.map((row, t) => {
            const rowTotal = row.reduce((a, b) => a + b, 0);
            return (
              <tr>
                <th scope="row" title={named(t)}>
                  {short(t)}
                </th>
                {row.map((count, p) => {
                  const before = previous?.[t]?.[p];
                  const delta = before === undefined ? 0 : count - before;
                  const classes = [t === p ? 'diag' : '', delta !== 0 ? 'changed' : ''].filter(Boolean).join(' ');
                  const what = `true ${named(t)}, predicted ${named(p)}: ${plural(count, 'image')}`;
                  return (
                  <td style={cellStyle(count, rowTotal, maxOff, t === p)} class={classes || undefined} data-cell={runId === undefined ? `${t}-${p}` : undefined}>
                    {runId === undefined ? (
                      <span title={`${what}${delta !== 0 ? ` (${before} the epoch before)` : ''}`}>
                        {count === 0 ? <span class="zero">·</span> : count}
                        {delta !== 0 ? <span class="delta">{signed(delta)}</span> : ''}
                      </span>
                    ) : count === 0 ? (
                      <span class="zero">·</span>
                    ) : (
                      <button
                        type="button"
                        hx-get={`/runs/${runId}/gallery?label=${t}&predicted=${p}`}
                        hx-target="#cell-gallery"
                        hx-swap="outerHTML"
                        title={what}
                        data-cell={`${t}-${p}`}
                      >
                        {count}
                      </button>
                    )}
                  </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
